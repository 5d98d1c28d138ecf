#pragma once
// A Client that forwards every call to another one, which can be replaced while calls are in
// flight: for an identity that changes under a running process (an agent whose node
// certificate was renewed). Calls already made finish on the client they started with.
#include <memory>
#include <mutex>

#include "api/client/client.h"

namespace decnet::api {

class SwappableClient final : public Client {
 public:
  explicit SwappableClient(ClientPtr initial) : current_(std::move(initial)) {}

  // From now on calls go to `next`. Thread-safe.
  void replace(ClientPtr next) {
    std::lock_guard lock(mutex_);
    current_ = std::move(next);
  }

  Result<Object> get(const ObjectKey& key) override { return current()->get(key); }
  Result<ObjectList> list(const std::string& kind, const ListOptions& options) override {
    return current()->list(kind, options);
  }
  Result<SharedObjects> listShared(const std::string& kind, const ListOptions& options) override {
    return current()->listShared(kind, options);
  }
  Result<Object> create(const Object& object, const WriteOptions& options) override {
    return current()->create(object, options);
  }
  Result<Object> update(const Object& object, const WriteOptions& options) override {
    return current()->update(object, options);
  }
  Result<Object> updateStatus(const Object& object, const WriteOptions& options) override {
    return current()->updateStatus(object, options);
  }
  Result<Object> remove(const ObjectKey& key, const WriteOptions& options) override {
    return current()->remove(key, options);
  }
  Result<void> watch(const std::string& kind, std::int64_t revision, const WatchHandler& handler,
                     const std::atomic<bool>& stop) override {
    return current()->watch(kind, revision, handler, stop);
  }
  std::int64_t latestRevision() override { return current()->latestRevision(); }
  Result<Object> requestMutation(const std::string& decky) override {
    return current()->requestMutation(decky);
  }
  Result<Json> serverVersion() override { return current()->serverVersion(); }
  Result<Json> getDocument(const std::string& pathAndQuery) override {
    return current()->getDocument(pathAndQuery);
  }
  std::vector<std::string> takeWarnings() override { return current()->takeWarnings(); }

 private:
  ClientPtr current() const {
    std::lock_guard lock(mutex_);
    return current_;
  }

  mutable std::mutex mutex_;
  ClientPtr current_;
};

}  // namespace decnet::api
