#include "controller/runtime/informer.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

namespace decnet::controller {

Informer::Informer(api::Client& client, std::string kind, std::chrono::milliseconds resync)
    : client_(client), kind_(std::move(kind)), resync_(resync) {}

Informer::~Informer() { stop(); }

void Informer::addHandler(Handler handler) { handlers_.push_back(std::move(handler)); }

void Informer::start() {
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] {
    // Named in `top -H` and for per-thread CPU figures (15 characters at most).
    pthread_setname_np(pthread_self(), ("inf:" + kind_).substr(0, 15).c_str());
    run();
  });
}

void Informer::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

bool Informer::waitForSync(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return synced_cv_.wait_for(lock, timeout, [this] { return synced_; });
}

std::optional<api::Object> Informer::get(const std::string& name) const {
  std::lock_guard lock(mutex_);
  auto it = objects_.find(name);
  if (it == objects_.end()) return std::nullopt;
  return it->second;
}

std::vector<api::Object> Informer::list() const {
  std::lock_guard lock(mutex_);
  std::vector<api::Object> out;
  out.reserve(objects_.size());
  for (const auto& [name, object] : objects_) out.push_back(object);
  return out;
}

void Informer::dispatch(const api::Object* old, const api::Object* now) {
  for (const auto& handler : handlers_) handler(old, now);
}

void Informer::relist(std::int64_t& revision) {
  auto listed = client_.list(kind_);
  if (!listed) {
    spdlog::warn("informer {}: list failed: {}", kind_, listed.error().message);
    revision = -1;
    return;
  }
  std::map<std::string, api::Object> fresh;
  for (auto& object : listed->items) fresh[object.metadata.name] = std::move(object);
  std::map<std::string, api::Object> previous;
  {
    std::lock_guard lock(mutex_);
    previous.swap(objects_);
    objects_ = fresh;
  }
  // Deliver the difference so handlers see deletions that happened while we were away.
  for (const auto& [name, object] : previous) {
    if (fresh.count(name) == 0) dispatch(&object, nullptr);
  }
  for (const auto& [name, object] : fresh) {
    auto old = previous.find(name);
    dispatch(old == previous.end() ? nullptr : &old->second, &object);
  }
  revision = listed->revision;
  {
    std::lock_guard lock(mutex_);
    synced_ = true;
  }
  synced_cv_.notify_all();
}

void Informer::run() {
  std::int64_t revision = -1;
  auto lastResync = std::chrono::steady_clock::now();
  while (!stop_) {
    if (revision < 0) {
      relist(revision);
      if (revision < 0) {
        std::this_thread::sleep_for(std::chrono::seconds(1));
        continue;
      }
      lastResync = std::chrono::steady_clock::now();
    }
    auto handler = [&](const api::WatchEvent& event) {
      if (event.type == api::WatchEvent::Type::kBookmark) {
        revision = event.revision;
      } else {
        std::optional<api::Object> old;
        {
          std::lock_guard lock(mutex_);
          auto it = objects_.find(event.object.metadata.name);
          // Moved out, not copied: the cache's entry is replaced or erased right after.
          if (it != objects_.end()) old = std::move(it->second);
          if (event.type == api::WatchEvent::Type::kDeleted) {
            if (it != objects_.end()) objects_.erase(it);
          } else if (it != objects_.end()) {
            it->second = event.object;
          } else {
            objects_.emplace(event.object.metadata.name, event.object);
          }
        }
        revision = event.revision;
        if (event.type == api::WatchEvent::Type::kDeleted) {
          dispatch(old ? &*old : &event.object, nullptr);
        } else {
          dispatch(old ? &*old : nullptr, &event.object);
        }
      }
      return !stop_ && std::chrono::steady_clock::now() - lastResync < resync_;
    };
    auto watched = client_.watch(kind_, revision, handler, stop_);
    if (!watched) {
      if (watched.error().code == Errc::kGone) {
        spdlog::info("informer {}: revision {} compacted; relisting", kind_, revision);
        revision = -1;
        continue;
      }
      spdlog::warn("informer {}: watch failed: {}", kind_, watched.error().message);
      std::this_thread::sleep_for(std::chrono::seconds(1));
      continue;
    }
    if (std::chrono::steady_clock::now() - lastResync >= resync_) {
      for (const auto& object : list()) dispatch(&object, &object);
      lastResync = std::chrono::steady_clock::now();
    }
  }
}

}  // namespace decnet::controller
