#pragma once
// /api/v1/stream: new attacker events as Server-Sent Events, each an `id:` line (the event's
// id) and a `data:` line (its JSON as /api/v1/events gives it). A client that reconnects with
// Last-Event-ID gets everything after that id first, so nothing is skipped. Optional filters
// decky, service, event_type and attacker. One poller reads the store for all subscribers.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "apiserver/http_transport.h"
#include "pipeline/collector/telemetry_store.h"

namespace decnet::apiserver {

class EventStreamHub {
 public:
  EventStreamHub(pipeline::TelemetryStore* store, std::chrono::milliseconds pollEvery,
                 std::chrono::seconds keepaliveEvery);
  ~EventStreamHub();
  EventStreamHub(const EventStreamHub&) = delete;
  EventStreamHub& operator=(const EventStreamHub&) = delete;

  // The reply when `request` is for /api/v1/stream; nullopt for other paths.
  std::optional<Reply> serve(const HttpRequest& request);
  // Ends every stream and the poller. Idempotent.
  void stop();

 private:
  struct Subscriber {
    std::shared_ptr<ResponseStream> stream;
    pipeline::EventQuery filter;
    std::int64_t position = 0;  // the last event id it was sent
  };

  void subscribe(std::shared_ptr<ResponseStream> stream, pipeline::EventQuery filter,
                 std::optional<std::int64_t> lastEventId);
  void poll();
  // Sends `event` to the subscribers it matches that have not had it. Requires mutex_.
  void fanOut(const pipeline::CollectedEvent& event);

  pipeline::TelemetryStore* const store_;
  const std::chrono::milliseconds pollEvery_;
  const std::chrono::seconds keepaliveEvery_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::int64_t head_ = -1;  // the last id the poller read; -1 before the first read
  std::uint64_t nextId_ = 1;
  std::map<std::uint64_t, Subscriber> subscribers_;
  std::thread poller_;
};

}  // namespace decnet::apiserver
