#include "controller/store/object_store.h"

#include <algorithm>
#include <chrono>

#include "api/types/kinds.h"
#include "api/types/selector.h"
#include "api/validation/validate.h"

namespace decnet::store {
namespace {

// Server-managed metadata a client may not set on create.
void resetServerFields(api::Object& object) {
  object.metadata.uid.clear();
  object.metadata.resourceVersion = 0;
  object.metadata.generation = 0;
  object.metadata.creationTimestamp.clear();
  object.metadata.deletionTimestamp.clear();
}

api::ObjectRefs refs(const std::map<std::string, std::shared_ptr<const api::Object>>& byName) {
  api::ObjectRefs out;
  out.reserve(byName.size());
  for (const auto& [name, object] : byName) out.push_back(object.get());
  return out;
}

}  // namespace

ObjectStore::ObjectStore(RepositoryPtr repository, const api::Clock& clock)
    : repository_(std::move(repository)), clock_(clock) {}

Result<std::shared_ptr<ObjectStore>> ObjectStore::open(RepositoryPtr repository,
                                                       const api::Clock& clock) {
  auto store = std::make_shared<ObjectStore>(std::move(repository), clock);
  std::int64_t revision = 0;
  for (const auto& info : api::kinds()) {
    auto objects = store->repository_->list(info.kind, &revision);
    if (!objects) return tl::unexpected(objects.error());
    for (auto& object : *objects) {
      const std::string name = object.metadata.name;
      auto shared = std::make_shared<const api::Object>(std::move(object));
      store->reindex(nullptr, shared.get());
      store->cache_[info.kind][name] = std::move(shared);
    }
  }
  auto current = store->repository_->currentRevision();
  if (!current) return tl::unexpected(current.error());
  store->revision_.store(*current);
  return store;
}

Result<void> ObjectStore::admit(const api::Object& object) const {
  auto errors = api::validateObject(object);
  if (errors.empty() && object.kind == "Decky") {
    // Only the Deckies claiming the same address can conflict with this one.
    api::ObjectRefs sameAddress;
    if (auto address = api::deckyAddressOf(object.spec)) {
      if (auto holders = deckyAddresses_.find(*address); holders != deckyAddresses_.end()) {
        const auto& deckies = cache_.at("Decky");
        for (const auto& name : holders->second) sameAddress.push_back(deckies.at(name).get());
      }
    }
    errors = api::validateAgainst(object, api::ObjectRefs{}, sameAddress);
  } else if (errors.empty() && object.kind == "Fleet") {
    auto fleets = cache_.find("Fleet");
    auto deckies = cache_.find("Decky");
    errors = api::validateAgainst(
        object, fleets == cache_.end() ? api::ObjectRefs{} : refs(fleets->second),
        deckies == cache_.end() ? api::ObjectRefs{} : refs(deckies->second));
  }
  if (errors.empty()) return {};
  return failInvalid(object.kind + " \"" + object.metadata.name + "\" is invalid",
                     std::move(errors));
}

// Enough for a burst of writes to reach every watcher from memory; a watcher further behind
// reads the repository.
constexpr std::size_t kRecentChanges = 4096;

void ObjectStore::remember(const api::Object& object, Change::Type type) {
  auto& slot = cache_[object.kind][object.metadata.name];
  auto shared = std::make_shared<const api::Object>(object);
  reindex(slot.get(), shared.get());
  slot = shared;
  if (object.metadata.resourceVersion > revision_.load()) record(type, std::move(shared));
  advance(object.metadata.resourceVersion);
}

void ObjectStore::record(Change::Type type, std::shared_ptr<const api::Object> object) {
  const std::int64_t revision = object->metadata.resourceVersion;
  // A gap (a write this store did not see) would make memory skip it: start afresh.
  if (!recent_.empty() && recent_.back().revision + 1 != revision) recent_.clear();
  recent_.push_back({revision, type, std::move(object)});
  if (recent_.size() > kRecentChanges) recent_.pop_front();
}

bool ObjectStore::recentSince(std::int64_t cursor, std::size_t limit,
                              std::vector<RecentChange>& out) const {
  std::lock_guard lock(mutex_);
  if (cursor >= revision_.load()) return true;
  if (recent_.empty() || recent_.front().revision > cursor + 1 ||
      recent_.back().revision != revision_.load()) {
    return false;
  }
  auto it = recent_.begin() + (cursor + 1 - recent_.front().revision);
  for (; it != recent_.end() && out.size() < limit; ++it) out.push_back(*it);
  return true;
}

void ObjectStore::forget(const std::string& kind, const std::string& name) {
  auto byName = cache_.find(kind);
  if (byName == cache_.end()) return;
  auto it = byName->second.find(name);
  if (it == byName->second.end()) return;
  reindex(it->second.get(), nullptr);
  byName->second.erase(it);
}

void ObjectStore::reindex(const api::Object* before, const api::Object* after) {
  const auto addressOf = [](const api::Object* object) {
    return object != nullptr && object->kind == "Decky" ? api::deckyAddressOf(object->spec)
                                                        : std::nullopt;
  };
  const auto old = addressOf(before);
  const auto now = addressOf(after);
  if (old == now) return;
  if (old) {
    auto holders = deckyAddresses_.find(*old);
    if (holders != deckyAddresses_.end()) {
      holders->second.erase(before->metadata.name);
      if (holders->second.empty()) deckyAddresses_.erase(holders);
    }
  }
  if (now) deckyAddresses_[*now].insert(after->metadata.name);
}

void ObjectStore::notify(std::int64_t revision) {
  (void)revision;
  std::lock_guard lock(watchMutex_);
  changed_.notify_all();
}

void ObjectStore::wakeWatchers() { notify(0); }

std::int64_t ObjectStore::revision() const { return revision_.load(); }

void ObjectStore::advance(std::int64_t revision) {
  if (revision > revision_.load()) revision_.store(revision);
}

// Requires mutex_. The cached object a write of `object` replaces: kNotFound when absent,
// kConflict when the write carries a resourceVersion other than the stored one.
Result<const api::Object*> ObjectStore::storedForWrite(const api::Object& object) const {
  auto kind = cache_.find(object.kind);
  if (kind == cache_.end() || kind->second.count(object.metadata.name) == 0) {
    return tl::unexpected(notFound(object.key()));
  }
  const api::Object& stored = *kind->second.at(object.metadata.name);
  if (object.metadata.resourceVersion != 0 &&
      object.metadata.resourceVersion != stored.metadata.resourceVersion) {
    return fail(Errc::kConflict, "Operation cannot be fulfilled on " + object.kind + " \"" +
                                     object.metadata.name +
                                     "\": the object has been modified; please apply your "
                                     "changes to the latest version and try again");
  }
  return &stored;
}

Error ObjectStore::notFound(const api::ObjectKey& key) {
  auto info = api::findKind(key.kind);
  return Error{Errc::kNotFound,
               (info ? info->plural : key.kind) + ".decnet.io \"" + key.name + "\" not found",
               {}};
}

Result<api::Object> ObjectStore::get(const api::ObjectKey& key) {
  std::lock_guard lock(mutex_);
  auto kind = cache_.find(key.kind);
  if (kind != cache_.end()) {
    auto it = kind->second.find(key.name);
    if (it != kind->second.end()) return *it->second;
  }
  return tl::unexpected(notFound(key));
}

Result<api::SharedObjects> ObjectStore::select(const std::string& kind,
                                               const api::ListOptions& options,
                                               std::int64_t* revision) const {
  auto labels = api::LabelSelector::parse(options.labelSelector);
  if (!labels) return tl::unexpected(labels.error());
  auto fields = api::FieldSelector::parse(options.fieldSelector);
  if (!fields) return tl::unexpected(fields.error());
  api::SharedObjects out;
  std::lock_guard lock(mutex_);
  if (revision != nullptr) *revision = revision_.load();
  auto byName = cache_.find(kind);
  if (byName == cache_.end()) return out;
  for (const auto& [name, object] : byName->second) {
    if (!labels->matches(object->metadata.labels)) continue;
    if (!fields->empty() && !fields->matches(*object)) continue;
    out.push_back(object);
  }
  return out;
}

Result<api::ObjectList> ObjectStore::list(const std::string& kind,
                                          const api::ListOptions& options) {
  api::ObjectList out;
  auto selected = select(kind, options, &out.revision);
  if (!selected) return tl::unexpected(selected.error());
  out.items.reserve(selected->size());
  for (const auto& object : *selected) out.items.push_back(*object);
  return out;
}

Result<api::SharedObjects> ObjectStore::listShared(const std::string& kind,
                                                   const api::ListOptions& options) {
  return select(kind, options, nullptr);
}

std::vector<std::shared_ptr<const api::Object>> ObjectStore::snapshot(
    const std::string& kind) const {
  std::vector<std::shared_ptr<const api::Object>> out;
  std::lock_guard lock(mutex_);
  auto byName = cache_.find(kind);
  if (byName == cache_.end()) return out;
  out.reserve(byName->second.size());
  for (const auto& [name, object] : byName->second) out.push_back(object);
  return out;
}

Result<api::Object> ObjectStore::create(const api::Object& input,
                                        const api::WriteOptions& options) {
  api::Object object = input;
  resetServerFields(object);
  object.status = api::Json::object();
  std::unique_lock lock(mutex_);
  if (auto kind = cache_.find(object.kind);
      kind != cache_.end() && kind->second.count(object.metadata.name) > 0) {
    auto info = api::findKind(object.kind);
    return fail(Errc::kAlreadyExists, (info ? info->plural : object.kind) + ".decnet.io \"" +
                                          object.metadata.name + "\" already exists");
  }
  if (auto ok = admit(object); !ok) return tl::unexpected(ok.error());
  if (options.dryRun) return object;
  auto created = repository_->create(object);
  if (!created) return created;
  remember(*created, Change::Type::kAdded);
  lock.unlock();
  notify(created->metadata.resourceVersion);
  return created;
}

Result<api::Object> ObjectStore::update(const api::Object& input,
                                        const api::WriteOptions& options) {
  api::Object object = input;
  std::unique_lock lock(mutex_);
  auto found = storedForWrite(object);
  if (!found) return tl::unexpected(found.error());
  const api::Object& stored = **found;
  // A client can neither undo nor invent a deletion, nor add finalizers to a dying object.
  if (stored.deleting()) {
    for (const auto& finalizer : object.metadata.finalizers) {
      if (!stored.hasFinalizer(finalizer)) {
        return failInvalid(
            object.kind + " \"" + object.metadata.name + "\" is being deleted",
            {{"metadata.finalizers", "no new finalizers while deletionTimestamp is set"}});
      }
    }
  }
  object.metadata.deletionTimestamp = stored.metadata.deletionTimestamp;
  object.metadata.uid = stored.metadata.uid;
  // Writers that do not speak for field owners (reconcilers, older clients) keep them.
  if (object.metadata.managedFields.is_null()) {
    object.metadata.managedFields = stored.metadata.managedFields;
  }
  object.metadata.creationTimestamp = stored.metadata.creationTimestamp;
  if (auto ok = admit(object); !ok) return tl::unexpected(ok.error());
  if (options.dryRun) return object;
  if (stored.deleting() && object.metadata.finalizers.empty()) {
    // The last finalizer is gone: the deletion completes now.
    auto removed = repository_->remove(object.key(), stored.metadata.resourceVersion);
    if (!removed) return removed;
    forget(object.kind, object.metadata.name);
    record(Change::Type::kDeleted, std::make_shared<const api::Object>(*removed));
    advance(removed->metadata.resourceVersion);
    lock.unlock();
    notify(removed->metadata.resourceVersion);
    return removed;
  }
  auto updated = repository_->update(object);
  if (!updated) return updated;
  const bool changed = updated->metadata.resourceVersion != stored.metadata.resourceVersion;
  remember(*updated, Change::Type::kModified);
  lock.unlock();
  if (changed) notify(updated->metadata.resourceVersion);
  return updated;
}

Result<api::Object> ObjectStore::updateStatus(const api::Object& object,
                                              const api::WriteOptions& options) {
  std::unique_lock lock(mutex_);
  auto found = storedForWrite(object);
  if (!found) return tl::unexpected(found.error());
  const api::Object& stored = **found;
  if (!object.status.is_object()) {
    return failInvalid("status must be a map", {{"status", "must be a map"}});
  }
  if (options.dryRun) {
    api::Object preview = stored;
    preview.status = object.status;
    return preview;
  }
  auto updated = repository_->updateStatus(object);
  if (!updated) return updated;
  const bool changed = updated->metadata.resourceVersion != stored.metadata.resourceVersion;
  remember(*updated, Change::Type::kModified);
  lock.unlock();
  if (changed) notify(updated->metadata.resourceVersion);
  return updated;
}

Result<api::Object> ObjectStore::remove(const api::ObjectKey& key,
                                        const api::WriteOptions& options) {
  std::unique_lock lock(mutex_);
  auto kind = cache_.find(key.kind);
  if (kind == cache_.end() || kind->second.count(key.name) == 0) {
    return tl::unexpected(notFound(key));
  }
  api::Object stored = *kind->second.at(key.name);
  if (!stored.metadata.finalizers.empty()) {
    if (stored.deleting()) return stored;  // already waiting for its finalizers
    stored.metadata.deletionTimestamp = api::formatTime(clock_.now());
    if (options.dryRun) return stored;
    auto marked = repository_->update(stored);
    if (!marked) return marked;
    remember(*marked, Change::Type::kModified);
    lock.unlock();
    notify(marked->metadata.resourceVersion);
    return marked;
  }
  if (options.dryRun) return stored;
  auto removed = repository_->remove(key, stored.metadata.resourceVersion);
  if (!removed) return removed;
  forget(key.kind, key.name);
  record(Change::Type::kDeleted, std::make_shared<const api::Object>(*removed));
  advance(removed->metadata.resourceVersion);
  lock.unlock();
  notify(removed->metadata.resourceVersion);
  return removed;
}

Result<void> ObjectStore::watch(const std::string& kind, std::int64_t revision,
                                const api::WatchHandler& handler, const std::atomic<bool>& stop) {
  std::int64_t cursor = revision >= 0 ? revision : this->revision();
  constexpr std::size_t kBatch = 512;
  // Idle watchers get a bookmark now and then, so their handler can resync or stop.
  constexpr auto kBookmarkEvery = std::chrono::seconds(5);
  auto lastSent = std::chrono::steady_clock::now();
  const auto eventType = [](Change::Type type) {
    return type == Change::Type::kAdded      ? api::WatchEvent::Type::kAdded
           : type == Change::Type::kModified ? api::WatchEvent::Type::kModified
                                             : api::WatchEvent::Type::kDeleted;
  };
  std::vector<RecentChange> changes;
  // do-while: even a watch that is stopped already checks its start revision once (kGone).
  do {
    changes.clear();
    if (!recentSince(cursor, kBatch, changes)) {
      // Older than memory holds: from the repository's change log.
      auto stored = repository_->changesSince(cursor, kBatch);
      if (!stored) return tl::unexpected(stored.error());
      for (auto& change : *stored) {
        changes.push_back({change.revision, change.type,
                           std::make_shared<const api::Object>(std::move(change.object))});
      }
    }
    for (const auto& change : changes) {
      cursor = change.revision;
      if (!kind.empty() && change.object->kind != kind) continue;
      api::WatchEvent event;
      event.revision = change.revision;
      event.type = eventType(change.type);
      event.object = *change.object;  // shared with the cache: copied for this watcher only
      lastSent = std::chrono::steady_clock::now();
      if (!handler(event)) return {};
    }
    if (changes.size() == kBatch) continue;
    if (std::chrono::steady_clock::now() - lastSent >= kBookmarkEvery) {
      api::WatchEvent bookmark;
      bookmark.type = api::WatchEvent::Type::kBookmark;
      bookmark.revision = cursor;
      lastSent = std::chrono::steady_clock::now();
      if (!handler(bookmark)) return {};
    }
    std::unique_lock lock(watchMutex_);
    changed_.wait_for(lock, std::chrono::milliseconds(500),
                      [&] { return stop.load() || this->revision() > cursor; });
  } while (!stop.load());
  return {};
}

Result<api::Object> ObjectStore::requestMutation(const std::string& decky) {
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto object = get({"Decky", decky});
    if (!object) return object;
    object->metadata.annotations[api::kMutateRequestAnnotation] = api::formatTime(clock_.now());
    auto updated = update(*object, {});
    if (updated || updated.error().code != Errc::kConflict) return updated;
  }
  return fail(Errc::kConflict, "decky \"" + decky + "\" kept changing; try again");
}

Result<void> ObjectStore::compact(std::int64_t keep) {
  const std::int64_t upTo = revision() - keep;
  if (upTo <= 0) return {};
  {
    // A watch from a compacted revision must get kGone, from memory as from the repository.
    std::lock_guard lock(mutex_);
    while (!recent_.empty() && recent_.front().revision <= upTo) recent_.pop_front();
  }
  return repository_->compact(upTo);
}

}  // namespace decnet::store
