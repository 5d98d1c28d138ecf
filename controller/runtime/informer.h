#pragma once
// Keeps an in-memory copy of every object of one kind, fed by list + watch through a Client,
// and tells handlers about each change (and every object again at each resync).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "api/client/client.h"

namespace decnet::controller {

class Informer {
 public:
  // old == nullptr: added; now == nullptr: deleted; both equal: resync.
  using Handler = std::function<void(const api::Object* old, const api::Object* now)>;

  Informer(api::Client& client, std::string kind,
           std::chrono::milliseconds resync = std::chrono::minutes(5));
  ~Informer();

  // Before start() only.
  void addHandler(Handler handler);
  // Starts the list/watch thread. Relists on kGone, retries other errors every second.
  void start();
  // Stops and joins the thread. Idempotent.
  void stop();
  // Blocks until the first list has been delivered, or the timeout passes.
  bool waitForSync(std::chrono::milliseconds timeout);

  std::optional<api::Object> get(const std::string& name) const;  // thread-safe
  std::vector<api::Object> list() const;                          // thread-safe
  const std::string& kind() const { return kind_; }

 private:
  void run();
  void relist(std::int64_t& revision);
  void dispatch(const api::Object* old, const api::Object* now);

  api::Client& client_;
  const std::string kind_;
  const std::chrono::milliseconds resync_;
  std::vector<Handler> handlers_;
  mutable std::mutex mutex_;
  std::condition_variable synced_cv_;
  bool synced_ = false;
  std::map<std::string, api::Object> objects_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace decnet::controller
