#pragma once
// Every object in memory with its serialized JSON, kept current by one backend watch of all
// kinds, as kube-apiserver's watch cache is: gets and lists are served from it (after it has
// caught up with the backend, so reads stay consistent), and watches are fanned out from it, each
// event serialized once whatever the number of watchers.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "api/client/client.h"
#include "api/types/result.h"

namespace decnet::apiserver {

// One object as stored at one resourceVersion, with its wire JSON made once.
struct CachedObject {
  api::Object object;
  std::string json;
};
using CachedObjectPtr = std::shared_ptr<const CachedObject>;

// One change, with its watch line ({"type":"MODIFIED","object":{...}}\n) made once.
struct CachedEvent {
  api::WatchEvent::Type type = api::WatchEvent::Type::kAdded;
  std::int64_t revision = 0;
  CachedObjectPtr object;                   // null for bookmarks
  std::shared_ptr<const std::string> line;  // null for bookmarks
  // The cache reloaded and this subscription missed changes: it ends (a client lists again).
  bool expired = false;
};

struct CachedList {
  std::vector<CachedObjectPtr> items;  // sorted by name
  std::int64_t revision = 0;
};

class WatchCache {
 public:
  // `history`: how many recent changes a watch may start from (older ones get 410 Gone).
  explicit WatchCache(api::Client& backend, std::size_t history = 10000);
  ~WatchCache();
  WatchCache(const WatchCache&) = delete;
  WatchCache& operator=(const WatchCache&) = delete;

  // Loads every kind and starts following the backend. kUnavailable when it cannot list.
  Result<void> start();
  // Ends every subscription (their handlers see a final bookmark-less close) and the backend
  // watch. Idempotent.
  void stop();

  // The object at the backend's latest revision; kNotFound when absent.
  Result<CachedObjectPtr> get(const api::ObjectKey& key);
  // The objects of `kind` matching the selectors at the backend's latest revision.
  Result<CachedList> list(const std::string& kind, const api::ListOptions& options);

  // Called on the cache's thread for each change after the start revision, then for each new
  // change and bookmark; returns false to end the subscription. Must not block.
  using Subscriber = std::function<bool(const CachedEvent&)>;
  // Replays the changes of `kind` after `revision` (-1: none, from now) and then follows;
  // returns an id for unsubscribe. kGone when `revision` is older than the history kept.
  Result<std::uint64_t> subscribe(const std::string& kind, std::int64_t revision,
                                  Subscriber subscriber);
  // Ends a subscription; its subscriber is not called afterwards once this returns.
  void unsubscribe(std::uint64_t id);
  // kGone when a watch from `revision` could not be served (checked before answering).
  Result<void> checkStart(std::int64_t revision) const;

 private:
  struct Subscription {
    std::string kind;
    Subscriber subscriber;
    std::int64_t replayedUpTo = 0;  // changes up to here were replayed, not to be sent again
  };
  // Lists every kind into the cache; returns the revision to follow from. Requires mutex_.
  Result<std::int64_t> load();
  void follow(std::int64_t from);
  void apply(const api::WatchEvent& event);
  void publish(const CachedEvent& event);
  // Blocks until the cache has the backend's latest revision (3 s at most).
  Result<void> catchUp();

  api::Client& backend_;
  const std::size_t historyLimit_;
  mutable std::shared_mutex mutex_;  // objects_, revision_, history_, historyStart_
  std::map<std::string, std::map<std::string, CachedObjectPtr>> objects_;  // kind -> name
  std::map<std::string, std::int64_t> listedAt_;  // kind -> revision its first list had
  std::int64_t revision_ = 0;
  std::deque<CachedEvent> history_;
  std::int64_t historyStart_ = 0;  // a watch from here or later is served from history_
  std::mutex caughtUpMutex_;
  std::condition_variable caughtUp_;
  std::recursive_mutex subscribersMutex_;  // subscribers_; held while they are called
  std::map<std::uint64_t, Subscription> subscribers_;
  std::uint64_t nextId_ = 1;
  std::atomic<bool> stopping_{false};
  std::thread follower_;
};

}  // namespace decnet::apiserver
