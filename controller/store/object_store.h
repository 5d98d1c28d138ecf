#pragma once
// The API's admission and storage layer: validation, finalizer-aware deletion, watches.
// It is the single writer of its Repository and keeps every object in memory, so reads never
// touch the database and cross-object rules (duplicate IPs across fleets) are checked under
// the same lock as the write.
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>

#include "api/client/client.h"
#include "api/types/clock.h"
#include "controller/store/repository.h"

namespace decnet::store {

class ObjectStore final : public api::Client {
 public:
  // Loads every object from `repository`. kUnavailable when the repository cannot be read.
  static Result<std::shared_ptr<ObjectStore>> open(RepositoryPtr repository,
                                                   const api::Clock& clock = api::systemClock());

  // decnet::api::Client
  Result<api::Object> get(const api::ObjectKey& key) override;
  Result<api::ObjectList> list(const std::string& kind, const api::ListOptions& options) override;
  Result<api::SharedObjects> listShared(const std::string& kind,
                                        const api::ListOptions& options) override;
  Result<api::Object> create(const api::Object& object, const api::WriteOptions& options) override;
  Result<api::Object> update(const api::Object& object, const api::WriteOptions& options) override;
  Result<api::Object> updateStatus(const api::Object& object,
                                   const api::WriteOptions& options) override;
  Result<api::Object> remove(const api::ObjectKey& key, const api::WriteOptions& options) override;
  Result<void> watch(const std::string& kind, std::int64_t revision,
                     const api::WatchHandler& handler, const std::atomic<bool>& stop) override;
  Result<api::Object> requestMutation(const std::string& decky) override;
  std::int64_t latestRevision() override { return revision(); }

  // Every object of `kind`, sorted by name, shared and read-only: nothing is copied, and a later
  // write replaces the store's object without changing these. Thread-safe.
  std::vector<std::shared_ptr<const api::Object>> snapshot(const std::string& kind) const;

  // Drops the change log except the newest `keep` revisions. Thread-safe.
  Result<void> compact(std::int64_t keep);
  // The newest revision written.
  std::int64_t revision() const;
  // Wakes every blocked watch (used at shutdown).
  void wakeWatchers();

  ObjectStore(RepositoryPtr repository, const api::Clock& clock);

 private:
  // kind -> name -> object; a write replaces the pointer, so readers keep what they took.
  using Cache = std::map<std::string, std::map<std::string, std::shared_ptr<const api::Object>>>;

  // The objects of `kind` matching `options`, and the revision they are at.
  Result<api::SharedObjects> select(const std::string& kind, const api::ListOptions& options,
                                    std::int64_t* revision) const;
  Result<void> admit(const api::Object& object) const;                         // requires mutex_
  Result<const api::Object*> storedForWrite(const api::Object& object) const;  // requires mutex_
  static Error notFound(const api::ObjectKey& key);
  // A change kept in memory for watchers, the object shared with the cache.
  struct RecentChange {
    std::int64_t revision = 0;
    Change::Type type = Change::Type::kModified;
    std::shared_ptr<const api::Object> object;
  };
  // Caches `object` after a write; a new revision is also kept for watchers as `type`.
  void remember(const api::Object& object, Change::Type type);                // requires mutex_
  void record(Change::Type type, std::shared_ptr<const api::Object> object);  // requires mutex_
  // Up to `limit` changes after `cursor` from memory into `out`; false when memory no longer
  // holds all of them (the watcher reads the repository instead).
  bool recentSince(std::int64_t cursor, std::size_t limit, std::vector<RecentChange>& out) const;
  // Drops `name` of `kind` from the cache and the address index. Requires mutex_.
  void forget(const std::string& kind, const std::string& name);
  // Keeps deckyAddresses_ in step when a Decky changes from `before` to `after` (either null).
  void reindex(const api::Object* before, const api::Object* after);  // requires mutex_
  void notify(std::int64_t revision);
  void advance(std::int64_t revision);  // writers hold mutex_, so no lost update

  RepositoryPtr repository_;
  const api::Clock& clock_;
  mutable std::mutex mutex_;
  Cache cache_;
  // The newest writes, contiguous in revision, so watchers need not read and decode them from
  // the repository. Requires mutex_.
  std::deque<RecentChange> recent_;
  // (parent interface, IPv4) -> the Deckies claiming it, so admitting a Decky checks its own
  // address instead of every Decky. Requires mutex_.
  std::map<std::pair<std::string, std::uint32_t>, std::set<std::string>> deckyAddresses_;
  std::atomic<std::int64_t> revision_{0};  // read without mutex_ by watchers
  mutable std::mutex watchMutex_;
  std::condition_variable changed_;
};

}  // namespace decnet::store
