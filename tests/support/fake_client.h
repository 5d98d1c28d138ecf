#pragma once
// An in-memory api::Client for reconciler unit tests: no validation, a global revision,
// finalizer-aware deletes, and a log of every write ("create Decky/x", "update Decky/x", ...).
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "api/client/client.h"
#include "api/types/clock.h"
#include "api/types/selector.h"

namespace decnet::testing {

class FakeClient final : public api::Client {
 public:
  std::vector<std::string> actions;  // writes only, in order
  std::int64_t revision = 0;

  Result<api::Object> get(const api::ObjectKey& key) override {
    std::lock_guard lock(mutex_);
    auto it = objects_.find(key);
    if (it == objects_.end()) return fail(Errc::kNotFound, key.str() + " not found");
    return it->second;
  }
  Result<api::ObjectList> list(const std::string& kind, const api::ListOptions& options) override {
    auto labels = api::LabelSelector::parse(options.labelSelector);
    auto fields = api::FieldSelector::parse(options.fieldSelector);
    if (!labels || !fields) return fail(Errc::kInvalid, "bad selector");
    std::lock_guard lock(mutex_);
    api::ObjectList out;
    out.revision = revision;
    for (const auto& [key, object] : objects_) {
      if (key.kind != kind) continue;
      if (!labels->matches(object.metadata.labels) || !fields->matches(object)) continue;
      out.items.push_back(object);
    }
    return out;
  }
  Result<api::Object> create(const api::Object& input, const api::WriteOptions& options) override {
    std::lock_guard lock(mutex_);
    if (objects_.count(input.key()) > 0) return fail(Errc::kAlreadyExists, input.key().str());
    if (options.dryRun) return input;
    api::Object object = input;
    object.metadata.uid = "uid-" + input.metadata.name + "-" + std::to_string(++revision);
    object.metadata.resourceVersion = revision;
    object.metadata.generation = 1;
    if (object.metadata.creationTimestamp.empty()) {
      object.metadata.creationTimestamp = api::formatTime(api::systemClock().now());
    }
    objects_[object.key()] = object;
    log("create", object);
    return object;
  }
  Result<api::Object> update(const api::Object& input, const api::WriteOptions& options) override {
    std::lock_guard lock(mutex_);
    auto it = objects_.find(input.key());
    if (it == objects_.end()) return fail(Errc::kNotFound, input.key().str());
    if (input.metadata.resourceVersion != 0 &&
        input.metadata.resourceVersion != it->second.metadata.resourceVersion) {
      return fail(Errc::kConflict, "stale");
    }
    if (options.dryRun) return input;
    api::Object object = input;
    object.status = it->second.status;
    object.metadata.uid = it->second.metadata.uid;
    object.metadata.creationTimestamp = it->second.metadata.creationTimestamp;
    object.metadata.deletionTimestamp = it->second.metadata.deletionTimestamp;
    object.metadata.generation =
        it->second.metadata.generation + (object.spec != it->second.spec ? 1 : 0);
    if (it->second.deleting() && object.metadata.finalizers.empty()) {
      objects_.erase(it);
      log("delete", object);
      return object;
    }
    object.metadata.resourceVersion = ++revision;
    it->second = object;
    log("update", object);
    return object;
  }
  Result<api::Object> updateStatus(const api::Object& input, const api::WriteOptions&) override {
    std::lock_guard lock(mutex_);
    auto it = objects_.find(input.key());
    if (it == objects_.end()) return fail(Errc::kNotFound, input.key().str());
    if (input.metadata.resourceVersion != 0 &&
        input.metadata.resourceVersion != it->second.metadata.resourceVersion) {
      return fail(Errc::kConflict, "stale");
    }
    it->second.status = input.status;
    it->second.metadata.resourceVersion = ++revision;
    log("status", it->second);
    return it->second;
  }
  Result<api::Object> remove(const api::ObjectKey& key, const api::WriteOptions&) override {
    std::lock_guard lock(mutex_);
    auto it = objects_.find(key);
    if (it == objects_.end()) return fail(Errc::kNotFound, key.str());
    api::Object object = it->second;
    if (!object.metadata.finalizers.empty()) {
      it->second.metadata.deletionTimestamp = api::formatTime(api::systemClock().now());
      it->second.metadata.resourceVersion = ++revision;
      log("mark-deleted", it->second);
      return it->second;
    }
    objects_.erase(it);
    log("delete", object);
    return object;
  }
  Result<void> watch(const std::string&, std::int64_t, const api::WatchHandler&,
                     const std::atomic<bool>&) override {
    return fail(Errc::kUnavailable, "the fake does not watch");
  }
  Result<api::Object> requestMutation(const std::string& decky) override {
    auto object = get({"Decky", decky});
    if (!object) return object;
    object->metadata.annotations[api::kMutateRequestAnnotation] = "now";
    return update(*object, {});
  }

  // Test helpers.
  void clearActions() { actions.clear(); }
  std::size_t count(const std::string& kind) {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (const auto& [key, object] : objects_) n += key.kind == kind ? 1 : 0;
    return n;
  }
  std::vector<std::string> actionsOn(const std::string& kind) const {
    std::vector<std::string> out;
    for (const auto& a : actions) {
      if (a.find(" " + kind + "/") != std::string::npos) out.push_back(a);
    }
    return out;
  }

 private:
  void log(const char* verb, const api::Object& object) {
    actions.push_back(std::string(verb) + " " + object.key().str());
  }
  std::mutex mutex_;
  std::map<api::ObjectKey, api::Object> objects_;
};

// A clock tests move by hand.
class FakeClock final : public api::Clock {
 public:
  explicit FakeClock(api::TimePoint start = api::TimePoint(std::chrono::seconds(1800000000)))
      : now_(start) {}
  api::TimePoint now() const override { return now_; }
  void advance(std::chrono::seconds by) { now_ += by; }

 private:
  api::TimePoint now_;
};

}  // namespace decnet::testing
