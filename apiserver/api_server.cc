#include "apiserver/api_server.h"

#include <cpprest/http_listener.h>
#include <cpprest/producerconsumerstream.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <list>
#include <mutex>
#include <thread>

#include "api/types/kinds.h"
#include "apiserver/error_status.h"
#include "apiserver/routes/discovery.h"
#include "apiserver/routes/objects.h"
#include "apiserver/routes/openapi.h"
#include "apiserver/routes/tables.h"

namespace decnet::apiserver {
namespace {

namespace http = web::http;
using api::Json;
using http::http_request;
using http::status_code;

// Bodies over this are refused before they are read (the routes check the bytes they get).
constexpr std::size_t kMaxBodyBytes = 4 * 1024 * 1024;

void send(const http_request& request, const HttpResponse& answer) {
  http::http_response response(static_cast<status_code>(answer.status));
  response.set_body(answer.body, answer.contentType);
  for (const auto& [name, value] : answer.headers) response.headers().add(name, value);
  request.reply(response).then([](pplx::task<void> t) {
    try {
      t.get();
    } catch (...) {  // the client went away; nothing to tell it
    }
  });
}

// The cpprestsdk request as the routes see it. kTooLarge when the body is over the limit.
Result<HttpRequest> exchangeFor(http_request& request) {
  HttpRequest exchange;
  exchange.method = request.method();
  exchange.path = web::uri::decode(request.request_uri().path());
  for (const auto& [key, value] : web::uri::split_query(request.request_uri().query())) {
    exchange.query[web::uri::decode(key)] = web::uri::decode(value);
  }
  for (const auto& [name, value] : request.headers()) {
    std::string lower = name;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    exchange.headers[lower] = value;
  }
  if (request.headers().content_length() > kMaxBodyBytes) {
    return fail(Errc::kTooLarge, "the request body is larger than " +
                                     std::to_string(kMaxBodyBytes / (1024 * 1024)) + " MiB");
  }
  // Only requests that carry a body wait for it: a blocking extract on every GET ties up the
  // listener's worker threads under load (the listener then stalls).
  const bool hasBody = request.headers().content_length() > 0 ||
                       request.headers().has(http::header_names::transfer_encoding);
  if (!hasBody) return exchange;
  try {
    exchange.body = request.extract_utf8string(true).get();
  } catch (const std::exception& e) {
    return fail(Errc::kTerminal, std::string("cannot read request body: ") + e.what());
  }
  return exchange;
}

}  // namespace

struct ApiServer::Impl {
  api::Client& backend;
  ObjectRoutes objects{backend};
  ApiServerOptions options;
  std::unique_ptr<web::http::experimental::listener::http_listener> listener;
  std::atomic<bool> stopping{false};
  struct WatchThread {
    std::shared_ptr<std::atomic<bool>> done;
    std::thread thread;
  };
  std::mutex watchesMutex;
  std::list<WatchThread> watches;

  Impl(api::Client& b, ApiServerOptions o) : backend(b), options(std::move(o)) {}

  void handle(http_request request);
  void handleWatch(http_request& request, const std::string& kind, std::int64_t revision,
                   const HttpRequest& exchange);
};

void ApiServer::Impl::handleWatch(http_request& request, const std::string& kind,
                                  std::int64_t revision, const HttpRequest& exchange) {
  // kubectl get -w asks for Tables: each event's object is a one-row Table (columns with the
  // first), and bookmarks only when asked for, as kube-apiserver sends them.
  const bool table = wantsTable(exchange);
  const std::string includeObject = exchange.param("includeObject");
  const bool bookmarks = !table || exchange.param("allowWatchBookmarks") == "true";
  // Fail fast with a real 410 when the start revision is already compacted: a watch with
  // `stop` already set checks its start revision once and returns.
  if (revision >= 0) {
    std::atomic<bool> stopNow{true};
    auto check = backend.watch(
        kind, revision, [](const api::WatchEvent&) { return false; }, stopNow);
    if (!check && check.error().code == Errc::kGone) {
      send(request,
           errorResponse(Error{Errc::kGone,
                               "too old resource version: " + std::to_string(revision) +
                                   " (compacted); list again and watch from its resourceVersion",
                               {}}));
      return;
    }
  }
  concurrency::streams::producer_consumer_buffer<uint8_t> buffer;
  http::http_response response(http::status_codes::OK);
  response.headers().set_content_type("application/json");
  response.set_body(buffer.create_istream());
  request.reply(response).then([](pplx::task<void> t) {
    try {
      t.get();
    } catch (...) {
    }
  });
  std::lock_guard lock(watchesMutex);
  if (stopping.load()) {
    buffer.close(std::ios_base::out).wait();
    return;
  }
  watches.remove_if([](WatchThread& w) {
    if (!w.done->load()) return false;
    w.thread.join();
    return true;
  });
  auto done = std::make_shared<std::atomic<bool>>(false);
  watches.push_back(
      {done,
       std::thread([this, buffer, kind, revision, done, table, includeObject, bookmarks]() mutable {
         const api::KindInfo kindInfo = *api::findKind(kind);
         bool firstTable = true;
         std::atomic<bool> stop{false};
         const auto started = std::chrono::steady_clock::now();
         auto lastBookmark = started;
         // A consumer that stopped reading leaves bytes piling up: treat that as gone.
         constexpr std::size_t kMaxBacklog = 8 * 1024 * 1024;
         auto write = [&](const Json& line) {
           const std::string text = line.dump() + "\n";
           buffer.putn_nocopy(reinterpret_cast<const uint8_t*>(text.data()), text.size()).wait();
           buffer.sync().wait();
           return buffer.in_avail() < kMaxBacklog;
         };
         std::int64_t lastRevision = revision;
         auto handler = [&](const api::WatchEvent& event) {
           if (stopping.load()) return false;
           const auto now = std::chrono::steady_clock::now();
           if (now - started > options.watchMaxDuration) return false;
           lastRevision = event.revision;
           if (event.type == api::WatchEvent::Type::kBookmark) {
             if (!bookmarks || now - lastBookmark < options.watchBookmarkEvery) return true;
             lastBookmark = now;
             return write(
                 {{"type", "BOOKMARK"},
                  {"object",
                   {{"apiVersion", api::kApiVersion},
                    {"kind", kind},
                    {"metadata", {{"resourceVersion", std::to_string(event.revision)}}}}}});
           }
           Json object = api::toJson(event.object);
           if (table) {
             object = tableFor(kindInfo, {event.object}, std::to_string(event.revision),
                               includeObject, firstTable);
             firstTable = false;
           }
           return write({{"type", api::watchEventTypeName(event.type)}, {"object", object}});
         };
         auto result = backend.watch(kind, revision, handler, stopping);
         if (!result) {
           write({{"type", "ERROR"}, {"object", statusBody(result.error())}});
         }
         (void)lastRevision;
         buffer.close(std::ios_base::out).wait();
         done->store(true);
       })});
}

void ApiServer::Impl::handle(http_request request) {
  const std::string path = request.request_uri().path();
  try {
    auto exchange = exchangeFor(request);
    if (!exchange) return send(request, errorResponse(exchange.error()));
    if (auto extra = options.extraRoutes.find(path); extra != options.extraRoutes.end()) {
      auto [type, body] = extra->second();
      return send(request, HttpResponse{200, type, body, {}});
    }
    if (auto answer = serveDiscovery(*exchange, options.ready)) return send(request, *answer);
    if (auto answer = serveOpenApi(*exchange)) return send(request, *answer);
    if (auto resource = parseResourcePath(exchange->path)) {
      auto watch = watchRequested(*exchange, *resource);
      if (!watch) return send(request, errorResponse(watch.error()));
      if (*watch) return handleWatch(request, (*watch)->kind, (*watch)->revision, *exchange);
      return send(request, objects.serve(*exchange, *resource));
    }
    send(request,
         errorResponse(Error{
             Errc::kNotFound, "the server could not find the requested resource " + path, {}}));
  } catch (const std::exception& e) {
    spdlog::error("api: {} {} failed: {}", request.method(), path, e.what());
    send(request, errorResponse(Error{Errc::kInternal, e.what(), {}}));
  }
}

ApiServer::ApiServer(api::Client& backend, ApiServerOptions options)
    : impl_(std::make_unique<Impl>(backend, std::move(options))) {}

ApiServer::~ApiServer() { stop(); }

std::string ApiServer::url() const { return "http://" + impl_->options.listen; }

Result<void> ApiServer::start() {
  try {
    impl_->listener = std::make_unique<web::http::experimental::listener::http_listener>(url());
    impl_->listener->support(
        [impl = impl_.get()](http_request request) { impl->handle(std::move(request)); });
    impl_->listener->open().wait();
  } catch (const std::exception& e) {
    impl_->listener.reset();
    return fail(Errc::kUnavailable, "cannot listen on " + impl_->options.listen + ": " + e.what());
  }
  spdlog::info("API server listening on {}", url());
  return {};
}

void ApiServer::stop() {
  if (!impl_ || !impl_->listener) return;
  {
    // Under the lock, so no watch thread starts after this point (handleWatch checks it).
    std::lock_guard lock(impl_->watchesMutex);
    impl_->stopping = true;
  }
  // Open watches see `stopping` within half a second and close their streams, which lets the
  // listener finish those responses.
  try {
    impl_->listener->close().wait();
  } catch (...) {
  }
  {
    std::lock_guard lock(impl_->watchesMutex);
    for (auto& watch : impl_->watches) {
      if (watch.thread.joinable()) watch.thread.join();
    }
    impl_->watches.clear();
  }
  impl_->listener.reset();
}

}  // namespace decnet::apiserver
