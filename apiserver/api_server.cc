#include "apiserver/api_server.h"

#include <cpprest/http_listener.h>
#include <cpprest/producerconsumerstream.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <list>
#include <mutex>
#include <thread>

#include "api/codec/status_codec.h"
#include "api/types/kinds.h"
#include "api/validation/validate.h"

namespace decnet::api {
namespace {

namespace http = web::http;
using http::http_request;
using http::methods;
using http::status_code;

constexpr std::size_t kMaxBodyBytes = 4 * 1024 * 1024;
// Deeper documents are rejected before parsing: the parser and every later copy recurse.
constexpr int kMaxNesting = 64;

bool nestingWithin(const std::string& text, int limit) {
  int depth = 0;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        quoted = false;
      continue;
    }
    if (c == '"')
      quoted = true;
    else if (c == '{' || c == '[') {
      if (++depth > limit) return false;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return true;
}
const std::string kApiPrefix = "/apis/decnet.io/v1alpha1";

struct Route {
  std::optional<KindInfo> kind;
  std::string name;
  std::string subresource;  // "", "status", "mutate"
};

std::vector<std::string> splitPath(const std::string& path) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start < path.size()) {
    auto slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    if (slash > start) parts.push_back(web::uri::decode(path.substr(start, slash - start)));
    start = slash + 1;
  }
  return parts;
}

// RFC 7234 warn-text: a quoted string, as kube-apiserver sends admission warnings (code 299).
std::string warningHeader(const std::vector<std::string>& warnings) {
  std::string header;
  for (const auto& warning : warnings) {
    std::string quoted;
    for (char c : warning) {
      if (c == '"' || c == '\\') quoted += '\\';
      quoted += (c == '\r' || c == '\n') ? ' ' : c;
    }
    header += (header.empty() ? "" : ", ") + std::string("299 - \"") + quoted + "\"";
  }
  return header;
}

void replyJson(const http_request& request, int code, const Json& body,
               const std::vector<std::string>& warnings = {}) {
  http::http_response response(static_cast<status_code>(code));
  response.set_body(body.dump(), "application/json");
  if (!warnings.empty()) response.headers().add("Warning", warningHeader(warnings));
  request.reply(response).then([](pplx::task<void> t) {
    try {
      t.get();
    } catch (...) {  // the client went away; nothing to tell it
    }
  });
}

void replyError(const http_request& request, const Error& error, const std::string& kind = "",
                const std::string& name = "") {
  replyJson(request, httpStatusFor(error.code), statusBody(error, kind, name));
}

void replyText(const http_request& request, int code, const std::string& contentType,
               const std::string& text) {
  http::http_response response(static_cast<status_code>(code));
  response.set_body(text, contentType);
  request.reply(response).then([](pplx::task<void> t) {
    try {
      t.get();
    } catch (...) {
    }
  });
}

Json listBody(const KindInfo& kind, const ObjectList& list) {
  Json items = Json::array();
  for (const auto& object : list.items) items.push_back(toJson(object));
  return {{"apiVersion", kApiVersion},
          {"kind", kind.kind + "List"},
          {"metadata", {{"resourceVersion", std::to_string(list.revision)}}},
          {"items", items}};
}

}  // namespace

struct ApiServer::Impl {
  Client& backend;
  ApiServerOptions options;
  std::unique_ptr<web::http::experimental::listener::http_listener> listener;
  std::atomic<bool> stopping{false};
  struct WatchThread {
    std::shared_ptr<std::atomic<bool>> done;
    std::thread thread;
  };
  std::mutex watchesMutex;
  std::list<WatchThread> watches;

  Impl(Client& b, ApiServerOptions o) : backend(b), options(std::move(o)) {}

  void handle(http_request request);
  void handleResource(http_request& request, const Route& route);
  void handleWatch(http_request& request, const KindInfo& kind, std::int64_t revision);
  Result<Object> readObject(http_request& request, const KindInfo& kind, const std::string& name);
};

Result<Object> ApiServer::Impl::readObject(http_request& request, const KindInfo& kind,
                                           const std::string& name) {
  auto length = request.headers().content_length();
  if (length > kMaxBodyBytes) return fail(Errc::kTerminal, "request body too large");
  std::string text;
  try {
    text = request.extract_utf8string(true).get();
  } catch (const std::exception& e) {
    return fail(Errc::kTerminal, std::string("cannot read request body: ") + e.what());
  }
  if (text.size() > kMaxBodyBytes) return fail(Errc::kTerminal, "request body too large");
  if (!nestingWithin(text, kMaxNesting)) {
    return fail(Errc::kTerminal,
                "request body nests deeper than " + std::to_string(kMaxNesting) + " levels");
  }
  Json document = Json::parse(text, nullptr, false);
  if (document.is_discarded()) return fail(Errc::kTerminal, "request body is not valid JSON");
  std::vector<ParseIssue> issues;
  auto object = fromJson(document, issues);
  if (!object) {
    std::vector<FieldError> fields;
    for (auto& issue : issues) fields.push_back({issue.path, issue.detail});
    return failInvalid(kind.kind + " is invalid", std::move(fields));
  }
  if (object->kind != kind.kind) {
    return fail(Errc::kTerminal, "the body's kind \"" + object->kind +
                                     "\" does not match the URL (" + kind.plural + ")");
  }
  if (!name.empty() && object->metadata.name != name) {
    return fail(Errc::kTerminal, "the name in the body (\"" + object->metadata.name +
                                     "\") does not match the URL (\"" + name + "\")");
  }
  return *object;
}

void ApiServer::Impl::handleWatch(http_request& request, const KindInfo& kind,
                                  std::int64_t revision) {
  // Fail fast with a real 410 when the start revision is already compacted: a watch with
  // `stop` already set checks its start revision once and returns.
  if (revision >= 0) {
    std::atomic<bool> stopNow{true};
    auto check = backend.watch(
        kind.kind, revision, [](const WatchEvent&) { return false; }, stopNow);
    if (!check && check.error().code == Errc::kGone) {
      replyError(request, Error{Errc::kGone,
                                "too old resource version: " + std::to_string(revision) +
                                    " (compacted); list again and watch from its resourceVersion",
                                {}});
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
      {done, std::thread([this, buffer, kind, revision, done]() mutable {
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
         auto handler = [&](const WatchEvent& event) {
           if (stopping.load()) return false;
           const auto now = std::chrono::steady_clock::now();
           if (now - started > options.watchMaxDuration) return false;
           lastRevision = event.revision;
           if (event.type == WatchEvent::Type::kBookmark) {
             if (now - lastBookmark < options.watchBookmarkEvery) return true;
             lastBookmark = now;
             return write(
                 {{"type", "BOOKMARK"},
                  {"object",
                   {{"apiVersion", kApiVersion},
                    {"kind", kind.kind},
                    {"metadata", {{"resourceVersion", std::to_string(event.revision)}}}}}});
           }
           return write(
               {{"type", watchEventTypeName(event.type)}, {"object", toJson(event.object)}});
         };
         auto result = backend.watch(kind.kind, revision, handler, stopping);
         if (!result) {
           write({{"type", "ERROR"}, {"object", statusBody(result.error())}});
         }
         (void)lastRevision;
         buffer.close(std::ios_base::out).wait();
         done->store(true);
       })});
}

void ApiServer::Impl::handleResource(http_request& request, const Route& route) {
  const KindInfo& kind = *route.kind;
  const auto query = web::uri::split_query(request.request_uri().query());
  const auto param = [&](const std::string& key) -> std::string {
    auto it = query.find(key);
    return it == query.end() ? "" : web::uri::decode(it->second);
  };
  WriteOptions write;
  if (auto dry = param("dryRun"); !dry.empty()) {
    if (dry != "All") {
      replyError(request, Error{Errc::kTerminal, "dryRun must be \"All\"", {}});
      return;
    }
    write.dryRun = true;
  }
  const auto& method = request.method();

  if (route.subresource == "mutate") {
    if (method != methods::POST || kind.kind != "Decky") {
      replyError(request, Error{Errc::kTerminal, "mutate is POST on deckies/NAME/mutate", {}});
      return;
    }
    auto result = backend.requestMutation(route.name);
    if (!result) return replyError(request, result.error(), kind.singular, route.name);
    return replyJson(request, 202, toJson(*result));
  }
  if (route.subresource == "status") {
    if (method == methods::GET) {
      auto result = backend.get({kind.kind, route.name});
      if (!result) return replyError(request, result.error(), kind.singular, route.name);
      return replyJson(request, 200, toJson(*result));
    }
    if (method != methods::PUT) {
      return replyError(request, Error{Errc::kTerminal, "status supports GET and PUT", {}});
    }
    auto object = readObject(request, kind, route.name);
    if (!object) return replyError(request, object.error(), kind.singular, route.name);
    auto result = backend.updateStatus(*object, write);
    if (!result) return replyError(request, result.error(), kind.singular, route.name);
    return replyJson(request, 200, toJson(*result));
  }
  if (!route.subresource.empty()) {
    return replyError(request,
                      Error{Errc::kNotFound, "unknown subresource " + route.subresource, {}});
  }

  if (route.name.empty()) {
    if (method == methods::GET) {
      if (param("watch") == "true" || param("watch") == "1") {
        std::int64_t revision = -1;  // no resourceVersion: from now
        try {
          if (!param("resourceVersion").empty()) revision = std::stoll(param("resourceVersion"));
        } catch (...) {
          return replyError(request,
                            Error{Errc::kTerminal, "resourceVersion must be a number", {}});
        }
        return handleWatch(request, kind, revision);
      }
      auto result = backend.list(kind.kind, {param("labelSelector"), param("fieldSelector")});
      if (!result) return replyError(request, result.error(), kind.singular);
      return replyJson(request, 200, listBody(kind, *result));
    }
    if (method == methods::POST) {
      auto object = readObject(request, kind, "");
      if (!object) return replyError(request, object.error(), kind.singular);
      auto result = backend.create(*object, write);
      if (!result) return replyError(request, result.error(), kind.singular, object->metadata.name);
      return replyJson(request, 201, toJson(*result), admissionWarnings(*object));
    }
    return replyError(request, Error{Errc::kTerminal, "collections support GET and POST", {}});
  }

  if (method == methods::GET) {
    auto result = backend.get({kind.kind, route.name});
    if (!result) return replyError(request, result.error(), kind.singular, route.name);
    return replyJson(request, 200, toJson(*result));
  }
  if (method == methods::PUT) {
    auto object = readObject(request, kind, route.name);
    if (!object) return replyError(request, object.error(), kind.singular, route.name);
    auto result = backend.update(*object, write);
    if (!result) return replyError(request, result.error(), kind.singular, route.name);
    return replyJson(request, 200, toJson(*result), admissionWarnings(*object));
  }
  if (method == methods::DEL) {
    auto result = backend.remove({kind.kind, route.name}, write);
    if (!result) return replyError(request, result.error(), kind.singular, route.name);
    // 202 while finalizers hold it, 200 once gone (Kubernetes' convention).
    return replyJson(request, result->deleting() && !write.dryRun ? 202 : 200, toJson(*result));
  }
  replyError(request, Error{Errc::kTerminal, "objects support GET, PUT and DELETE", {}});
}

void ApiServer::Impl::handle(http_request request) {
  const std::string path = request.request_uri().path();
  try {
    if (path == "/healthz" || path == "/livez") return replyText(request, 200, "text/plain", "ok");
    if (path == "/readyz") {
      const bool ready = !options.ready || options.ready();
      return replyText(request, ready ? 200 : 503, "text/plain", ready ? "ok" : "not ready");
    }
    if (path == "/version") {
      return replyJson(request, 200,
                       {{"gitVersion", std::string("v") + DECNET_VERSION},
                        {"apiVersion", kApiVersion},
                        {"platform", "linux/amd64"}});
    }
    if (auto extra = options.extraRoutes.find(path); extra != options.extraRoutes.end()) {
      auto [type, body] = extra->second();
      return replyText(request, 200, type, body);
    }
    if (path == "/apis" || path == "/apis/") {
      const Json version = {{"groupVersion", kApiVersion}, {"version", "v1alpha1"}};
      Json group = {
          {"name", kGroup}, {"versions", Json::array({version})}, {"preferredVersion", version}};
      return replyJson(
          request, 200,
          {{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", Json::array({group})}});
    }
    const auto parts = splitPath(path);
    // apis / decnet.io / v1alpha1 / plural [/ name [/ sub]]
    if (parts.size() >= 3 && parts[0] == "apis" && parts[1] == kGroup && parts[2] == "v1alpha1") {
      if (parts.size() == 3) {
        Json resources = Json::array();
        for (const auto& k : kinds()) {
          resources.push_back({{"name", k.plural},
                               {"singularName", k.singular},
                               {"kind", k.kind},
                               {"namespaced", false},
                               {"shortNames", k.shortNames},
                               {"verbs", {"create", "delete", "get", "list", "update", "watch"}}});
        }
        return replyJson(request, 200,
                         {{"kind", "APIResourceList"},
                          {"apiVersion", "v1"},
                          {"groupVersion", kApiVersion},
                          {"resources", resources}});
      }
      if (parts.size() <= 6) {
        Route route;
        route.kind = findKind(parts[3]);
        if (route.kind && route.kind->plural == parts[3]) {
          if (parts.size() >= 5) route.name = parts[4];
          if (parts.size() == 6) route.subresource = parts[5];
          return handleResource(request, route);
        }
      }
    }
    replyError(
        request,
        Error{Errc::kNotFound, "the server could not find the requested resource " + path, {}});
  } catch (const std::exception& e) {
    spdlog::error("api: {} {} failed: {}", request.method(), path, e.what());
    replyError(request, Error{Errc::kInternal, e.what(), {}});
  }
}

ApiServer::ApiServer(Client& backend, ApiServerOptions options)
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

}  // namespace decnet::api
