#include "apiserver/routes/event_stream.h"

#include <spdlog/spdlog.h>

#include "apiserver/error_status.h"
#include "apiserver/routes/telemetry.h"

namespace decnet::apiserver {
namespace {

constexpr std::size_t kPage = 1000;

bool matches(const pipeline::EventQuery& filter, const pipeline::CollectedEvent& event) {
  return (filter.decky.empty() || filter.decky == event.decky) &&
         (filter.service.empty() || filter.service == event.service) &&
         (filter.eventType.empty() || filter.eventType == event.eventType) &&
         (filter.attacker.empty() || filter.attacker == event.attackerIp);
}

std::shared_ptr<const std::string> frame(const pipeline::CollectedEvent& event) {
  return std::make_shared<const std::string>(
      "id: " + std::to_string(event.id) + "\ndata: " +
      eventJson(event).dump(-1, ' ', false, api::Json::error_handler_t::replace) + "\n\n");
}

}  // namespace

EventStreamHub::EventStreamHub(pipeline::TelemetryStore* store, std::chrono::milliseconds pollEvery,
                               std::chrono::seconds keepaliveEvery)
    : store_(store), pollEvery_(pollEvery), keepaliveEvery_(keepaliveEvery) {}

EventStreamHub::~EventStreamHub() { stop(); }

std::optional<Reply> EventStreamHub::serve(const HttpRequest& request) {
  if (request.path != "/api/v1/stream") return std::nullopt;
  if (request.method != "GET") {
    return Reply{errorResponse(Error{Errc::kMethodNotAllowed, "/api/v1/stream supports GET", {}}),
                 nullptr};
  }
  if (store_ == nullptr) {
    return Reply{
        errorResponse(Error{
            Errc::kUnavailable, "this API server has no event collector (decnet up runs one)", {}}),
        nullptr};
  }
  std::optional<std::int64_t> lastEventId;
  std::string resume = request.header("last-event-id");
  if (resume.empty()) resume = request.param("last_event_id");  // for clients without headers
  if (!resume.empty()) {
    lastEventId = parseCount(resume);
    if (!lastEventId) {
      return Reply{errorResponse(Error{Errc::kTerminal, "Last-Event-ID is not an event id", {}}),
                   nullptr};
    }
  }
  pipeline::EventQuery filter;
  filter.decky = request.param("decky");
  filter.service = request.param("service");
  filter.eventType = request.param("event_type");
  filter.attacker = request.param("attacker");
  Reply reply;
  reply.response.contentType = "text/event-stream";
  reply.response.headers.emplace_back("Cache-Control", "no-cache");
  reply.stream = [this, filter, lastEventId](std::shared_ptr<ResponseStream> stream) {
    subscribe(std::move(stream), filter, lastEventId);
  };
  return reply;
}

void EventStreamHub::subscribe(std::shared_ptr<ResponseStream> stream, pipeline::EventQuery filter,
                               std::optional<std::int64_t> lastEventId) {
  std::unique_lock lock(mutex_);
  if (stopping_) {
    stream->finish();
    return;
  }
  if (!poller_.joinable()) poller_ = std::thread([this] { poll(); });
  if (head_ < 0) {
    auto latest = store_->latestEventId();
    head_ = latest ? *latest : 0;
  }
  stream->write(std::make_shared<const std::string>("retry: 2000\n\n"));
  Subscriber subscriber{stream, filter, head_};
  if (lastEventId) {
    // Catch up under the lock: the poller cannot fan out meanwhile, and what the catch-up sends
    // past head_ moves this subscriber's position, so the poller will not send it again.
    subscriber.position = *lastEventId;
    pipeline::EventQuery page = filter;
    page.limit = kPage;
    while (true) {
      page.afterId = subscriber.position;
      auto events = store_->query(page);
      if (!events || events->empty()) break;
      for (const auto& event : *events) {
        if (!stream->write(frame(event))) return;
        subscriber.position = event.id;
      }
      if (events->size() < kPage) break;
    }
    subscriber.position = std::max(subscriber.position, head_);
  }
  const std::uint64_t id = nextId_++;
  subscribers_.emplace(id, std::move(subscriber));
  lock.unlock();
  stream->onClosed([this, id] {
    std::lock_guard closed(mutex_);
    subscribers_.erase(id);
  });
}

void EventStreamHub::fanOut(const pipeline::CollectedEvent& event) {
  std::shared_ptr<const std::string> text;
  for (auto& [id, subscriber] : subscribers_) {
    if (subscriber.position >= event.id || !matches(subscriber.filter, event)) continue;
    if (!text) text = frame(event);
    subscriber.stream->write(text);
    subscriber.position = event.id;
  }
}

void EventStreamHub::poll() {
  auto lastKeepalive = std::chrono::steady_clock::now();
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    bool more = false;
    if (!subscribers_.empty()) {
      pipeline::EventQuery page;
      page.afterId = head_;
      page.limit = kPage;
      auto events = store_->query(page);
      if (!events) {
        spdlog::warn("event stream: {}", events.error().message);
      } else {
        for (const auto& event : *events) {
          fanOut(event);
          head_ = event.id;
        }
        more = events->size() == kPage;
      }
      if (std::chrono::steady_clock::now() - lastKeepalive > keepaliveEvery_) {
        lastKeepalive = std::chrono::steady_clock::now();
        auto comment = std::make_shared<const std::string>(": keepalive\n\n");
        for (auto& [id, subscriber] : subscribers_) subscriber.stream->write(comment);
      }
    }
    if (!more) wake_.wait_for(lock, pollEvery_, [this] { return stopping_; });
  }
}

void EventStreamHub::stop() {
  std::map<std::uint64_t, Subscriber> ending;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    ending.swap(subscribers_);
  }
  wake_.notify_all();
  if (poller_.joinable()) poller_.join();
  for (auto& [id, subscriber] : ending) subscriber.stream->finish();
}

}  // namespace decnet::apiserver
