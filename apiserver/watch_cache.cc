#include "apiserver/watch_cache.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "api/types/kinds.h"
#include "api/types/selector.h"

namespace decnet::apiserver {
namespace {

CachedObjectPtr cached(api::Object object) {
  auto entry = std::make_shared<CachedObject>();
  entry->json = api::toJson(object).dump();
  entry->object = std::move(object);
  return entry;
}

std::shared_ptr<const std::string> watchLine(api::WatchEvent::Type type,
                                             const std::string& objectJson) {
  std::string line;
  line.reserve(objectJson.size() + 40);
  line += "{\"type\":\"";
  line += api::watchEventTypeName(type);
  line += "\",\"object\":";
  line += objectJson;
  line += "}\n";
  return std::make_shared<const std::string>(std::move(line));
}

}  // namespace

WatchCache::WatchCache(api::Client& backend, std::size_t history)
    : backend_(backend), historyLimit_(history) {}

WatchCache::~WatchCache() { stop(); }

Result<std::int64_t> WatchCache::load() {
  // Each kind is listed at its own revision; following starts after the oldest, and apply()
  // skips, per kind, the changes that kind's list already holds.
  std::map<std::string, std::map<std::string, CachedObjectPtr>> objects;
  std::map<std::string, std::int64_t> listedAt;
  std::int64_t from = -1, newest = 0;
  for (const auto& kind : api::kinds()) {
    auto listed = backend_.list(kind.kind, {});
    if (!listed) return tl::unexpected(listed.error());
    auto& byName = objects[kind.kind];
    for (auto& object : listed->items) {
      std::string name = object.metadata.name;
      byName.emplace(std::move(name), cached(std::move(object)));
    }
    listedAt[kind.kind] = listed->revision;
    from = from < 0 ? listed->revision : std::min(from, listed->revision);
    newest = std::max(newest, listed->revision);
  }
  objects_ = std::move(objects);
  listedAt_ = std::move(listedAt);
  revision_ = newest;
  history_.clear();
  historyStart_ = from;  // older watches get 410 and list again
  return from;
}

Result<void> WatchCache::start() {
  Result<std::int64_t> from;
  {
    std::unique_lock lock(mutex_);
    from = load();
  }
  if (!from) return tl::unexpected(from.error());
  follower_ = std::thread([this, from = *from] { follow(from); });
  return {};
}

void WatchCache::stop() {
  if (stopping_.exchange(true)) return;
  if (follower_.joinable()) follower_.join();
  std::lock_guard lock(subscribersMutex_);
  subscribers_.clear();
}

void WatchCache::follow(std::int64_t from) {
  std::int64_t cursor = from;
  while (!stopping_.load()) {
    auto result = backend_.watch(
        "", cursor,
        [this, &cursor](const api::WatchEvent& event) {
          cursor = event.revision;
          apply(event);
          return !stopping_.load();
        },
        stopping_);
    if (stopping_.load()) break;
    // The backend lost changes the cache needed (compaction outran it): start over from a list,
    // as a reflector relists, and end every watch (they missed changes; they list again).
    spdlog::warn("api: watch cache lost its backend watch ({}); reloading",
                 result ? std::string("ended") : result.error().message);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    Result<std::int64_t> reloaded;
    {
      std::unique_lock lock(mutex_);
      reloaded = load();
    }
    if (!reloaded) continue;
    cursor = *reloaded;
    CachedEvent expired;
    expired.expired = true;
    publish(expired);
  }
}

void WatchCache::apply(const api::WatchEvent& event) {
  CachedEvent change;
  change.type = event.type;
  change.revision = event.revision;
  {
    std::unique_lock lock(mutex_);
    revision_ = std::max(revision_, event.revision);
    if (event.type != api::WatchEvent::Type::kBookmark) {
      change.object = cached(event.object);
      change.line = watchLine(event.type, change.object->json);
      const std::string& kind = event.object.kind;
      auto listed = listedAt_.find(kind);
      if (listed == listedAt_.end() || event.revision > listed->second) {
        auto& byName = objects_[kind];
        if (event.type == api::WatchEvent::Type::kDeleted) {
          byName.erase(event.object.metadata.name);
        } else {
          byName[event.object.metadata.name] = change.object;
        }
      }
      history_.push_back(change);
      if (history_.size() > historyLimit_) {
        historyStart_ = history_.front().revision;
        history_.pop_front();
      }
    }
  }
  {
    // Taken so a reader between its check and its wait cannot miss this wake-up.
    std::lock_guard wake(caughtUpMutex_);
  }
  caughtUp_.notify_all();
  publish(change);
}

void WatchCache::publish(const CachedEvent& event) {
  std::lock_guard lock(subscribersMutex_);
  for (auto it = subscribers_.begin(); it != subscribers_.end();) {
    const bool wanted = event.object == nullptr || (event.object->object.kind == it->second.kind &&
                                                    event.revision > it->second.replayedUpTo);
    if (wanted && (!it->second.subscriber(event) || event.expired)) {
      it = subscribers_.erase(it);
    } else {
      ++it;
    }
  }
}

Result<void> WatchCache::catchUp() {
  const std::int64_t latest = backend_.latestRevision();
  if (latest < 0) return {};
  {
    std::shared_lock lock(mutex_);
    if (revision_ >= latest) return {};
  }
  std::unique_lock wait(caughtUpMutex_);
  const bool reached = caughtUp_.wait_for(wait, std::chrono::seconds(3), [&] {
    std::shared_lock lock(mutex_);
    return revision_ >= latest || stopping_.load();
  });
  if (!reached) {
    return fail(Errc::kUnavailable, "the API cache is behind the store (revision " +
                                        std::to_string(latest) + "); try again");
  }
  return {};
}

Result<CachedObjectPtr> WatchCache::get(const api::ObjectKey& key) {
  if (auto ready = catchUp(); !ready) return tl::unexpected(ready.error());
  std::shared_lock lock(mutex_);
  if (auto kind = objects_.find(key.kind); kind != objects_.end()) {
    if (auto it = kind->second.find(key.name); it != kind->second.end()) return it->second;
  }
  auto info = api::findKind(key.kind);
  return fail(Errc::kNotFound,
              (info ? info->plural : key.kind) + ".decnet.io \"" + key.name + "\" not found");
}

Result<CachedList> WatchCache::list(const std::string& kind, const api::ListOptions& options) {
  auto labels = api::LabelSelector::parse(options.labelSelector);
  if (!labels) return tl::unexpected(labels.error());
  auto fields = api::FieldSelector::parse(options.fieldSelector);
  if (!fields) return tl::unexpected(fields.error());
  if (auto ready = catchUp(); !ready) return tl::unexpected(ready.error());
  CachedList out;
  std::shared_lock lock(mutex_);
  out.revision = revision_;
  auto byName = objects_.find(kind);
  if (byName == objects_.end()) return out;
  out.items.reserve(byName->second.size());
  for (const auto& [name, entry] : byName->second) {
    if (!labels->empty() && !labels->matches(entry->object.metadata.labels)) continue;
    if (!fields->empty() && !fields->matches(entry->object)) continue;
    out.items.push_back(entry);
  }
  return out;
}

Result<void> WatchCache::checkStart(std::int64_t revision) const {
  std::shared_lock lock(mutex_);
  if (revision >= 0 && revision < historyStart_) {
    return fail(Errc::kGone, "too old resource version: " + std::to_string(revision) + " (" +
                                 std::to_string(historyStart_) +
                                 "); list again and watch from its resourceVersion");
  }
  return {};
}

Result<std::uint64_t> WatchCache::subscribe(const std::string& kind, std::int64_t revision,
                                            Subscriber subscriber) {
  // Under the subscribers' lock the follower cannot publish: the replay below and the live
  // changes after it neither overlap nor leave a gap.
  std::lock_guard lock(subscribersMutex_);
  if (stopping_.load()) return fail(Errc::kUnavailable, "the API server is stopping");
  std::vector<CachedEvent> replay;
  std::int64_t replayedUpTo = 0;
  {
    std::shared_lock read(mutex_);
    replayedUpTo = std::max(revision_, revision);
    if (revision >= 0 && revision < historyStart_) {
      return fail(Errc::kGone, "too old resource version: " + std::to_string(revision));
    }
    if (revision >= 0) {
      for (const auto& event : history_) {
        if (event.revision > revision && event.object->object.kind == kind) {
          replay.push_back(event);
        }
      }
    }
  }
  for (const auto& event : replay) {
    if (!subscriber(event)) return nextId_++;  // ended during the replay
  }
  const std::uint64_t id = nextId_++;
  subscribers_.emplace(id, Subscription{kind, std::move(subscriber), replayedUpTo});
  return id;
}

void WatchCache::unsubscribe(std::uint64_t id) {
  std::lock_guard lock(subscribersMutex_);
  subscribers_.erase(id);
}

}  // namespace decnet::apiserver
