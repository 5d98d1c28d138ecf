#include "api/rest/rest_client.h"

#include <cpprest/containerstream.h>
#include <cpprest/http_client.h>

#include <mutex>

#include "api/codec/status_codec.h"
#include "api/types/kinds.h"

namespace decnet::api {
namespace {

namespace http = web::http;

class RestClient final : public Client {
 public:
  RestClient(const std::string& server, const RestClientOptions& options)
      : server_(server),
        authorization_(options.bearerToken.empty() ? "" : "Bearer " + options.bearerToken) {
    http::client::http_client_config config;
    config.set_timeout(std::chrono::seconds(30));
    secure(config, options);
    client_ = std::make_unique<http::client::http_client>(server, config);
    http::client::http_client_config watchConfig;
    watchConfig.set_timeout(std::chrono::hours(24));  // watches idle between bookmarks
    secure(watchConfig, options);
    watchClient_ = std::make_unique<http::client::http_client>(server, watchConfig);
  }

  Result<Object> get(const ObjectKey& key) override {
    auto path = objectPath(key.kind, key.name);
    if (!path) return tl::unexpected(path.error());
    return objectFrom(send(http::methods::GET, *path, nullptr));
  }

  Result<ObjectList> list(const std::string& kind, const ListOptions& options) override {
    auto path = collectionPath(kind);
    if (!path) return tl::unexpected(path.error());
    web::uri_builder builder(*path);
    if (!options.labelSelector.empty())
      builder.append_query("labelSelector", options.labelSelector);
    if (!options.fieldSelector.empty())
      builder.append_query("fieldSelector", options.fieldSelector);
    auto body = send(http::methods::GET, builder.to_string(), nullptr);
    if (!body) return tl::unexpected(body.error());
    if (!body->is_object() || !body->contains("metadata") || !(*body)["metadata"].is_object()) {
      return fail(Errc::kInternal, "the server returned a malformed list");
    }
    ObjectList out;
    try {
      out.revision = std::stoll(body->at("metadata").value("resourceVersion", "0"));
    } catch (...) {
      out.revision = 0;
    }
    for (const auto& item : body->value("items", Json::array())) {
      std::vector<ParseIssue> issues;
      if (auto object = fromJson(item, issues)) out.items.push_back(std::move(*object));
    }
    return out;
  }

  Result<Object> create(const Object& object, const WriteOptions& options) override {
    auto path = collectionPath(object.kind);
    if (!path) return tl::unexpected(path.error());
    Json body = toJson(object);
    return objectFrom(send(http::methods::POST, withDryRun(*path, options), &body));
  }

  Result<Object> update(const Object& object, const WriteOptions& options) override {
    auto path = objectPath(object.kind, object.metadata.name);
    if (!path) return tl::unexpected(path.error());
    Json body = toJson(object);
    return objectFrom(send(http::methods::PUT, withDryRun(*path, options), &body));
  }

  Result<Object> updateStatus(const Object& object, const WriteOptions& options) override {
    auto path = objectPath(object.kind, object.metadata.name);
    if (!path) return tl::unexpected(path.error());
    Json body = toJson(object);
    return objectFrom(send(http::methods::PUT, withDryRun(*path + "/status", options), &body));
  }

  Result<Object> remove(const ObjectKey& key, const WriteOptions& options) override {
    auto path = objectPath(key.kind, key.name);
    if (!path) return tl::unexpected(path.error());
    return objectFrom(send(http::methods::DEL, withDryRun(*path, options), nullptr));
  }

  Result<Object> requestMutation(const std::string& decky) override {
    auto path = objectPath("Decky", decky);
    if (!path) return tl::unexpected(path.error());
    return objectFrom(send(http::methods::POST, *path + "/mutate", nullptr));
  }

  Result<Json> serverVersion() override { return send(http::methods::GET, "/version", nullptr); }
  // A request outside the object routes, for postJson and getJson.
  Result<Json> call(const http::method& method, const std::string& path, const Json* body) {
    return send(method, path, body);
  }

  Result<Json> getDocument(const std::string& pathAndQuery) override {
    return send(http::methods::GET, pathAndQuery, nullptr);
  }

  Result<void> watch(const std::string& kind, std::int64_t revision, const WatchHandler& handler,
                     const std::atomic<bool>& stop) override {
    auto path = collectionPath(kind);
    if (!path) return tl::unexpected(path.error());
    web::uri_builder builder(*path);
    builder.append_query("watch", "true");
    if (revision >= 0) builder.append_query("resourceVersion", std::to_string(revision));
    try {
      http::http_request request(http::methods::GET);
      request.set_request_uri(builder.to_string());
      authorize(request);
      auto response = watchClient_->request(request).get();
      if (response.status_code() != http::status_codes::OK) {
        auto text = response.extract_utf8string(true).get();
        return tl::unexpected(
            errorFromStatus(response.status_code(), Json::parse(text, nullptr, false),
                            "watch failed with HTTP " + std::to_string(response.status_code())));
      }
      auto body = response.body();
      while (!stop.load()) {
        concurrency::streams::container_buffer<std::string> line;
        const auto read = body.read_line(line).get();
        if (read == 0 && body.is_eof()) break;
        if (line.collection().empty()) continue;
        Json event = Json::parse(line.collection(), nullptr, false);
        if (!event.is_object()) continue;
        const std::string type = event.value("type", "");
        if (type == "ERROR") {
          const Json status = event.value("object", Json::object());
          return tl::unexpected(errorFromStatus(status.value("code", 500), status, "watch error"));
        }
        WatchEvent out;
        const Json& object = event["object"];
        try {
          out.revision = std::stoll(object.at("metadata").value("resourceVersion", "0"));
        } catch (...) {
          out.revision = 0;
        }
        if (type == "BOOKMARK") {
          out.type = WatchEvent::Type::kBookmark;
        } else {
          if (type != "ADDED" && type != "MODIFIED" && type != "DELETED")
            continue;  // unknown: skip
          out.type = type == "ADDED"      ? WatchEvent::Type::kAdded
                     : type == "MODIFIED" ? WatchEvent::Type::kModified
                                          : WatchEvent::Type::kDeleted;
          std::vector<ParseIssue> issues;
          auto parsed = fromJson(object, issues);
          if (!parsed) continue;
          out.object = std::move(*parsed);
        }
        if (!handler(out)) break;
      }
      return {};
    } catch (const std::exception& e) {
      return fail(Errc::kUnavailable, "watch " + kind + " on " + server_ + ": " + e.what());
    }
  }

 private:
  // Verifies an https server against options.caPem (decnet's CA) instead of the system's CAs,
  // and presents the client certificate when there is one.
  static void secure(http::client::http_client_config& config, const RestClientOptions& options) {
    if (options.insecureSkipVerify) config.set_validate_certificates(false);
    if (options.caPem.empty() && options.clientCertificatePem.empty()) return;
    config.set_ssl_context_callback([options](boost::asio::ssl::context& context) {
      boost::system::error_code ignored;  // a bad PEM shows as a failed handshake
      if (!options.caPem.empty()) {
        context.add_certificate_authority(
            boost::asio::buffer(options.caPem.data(), options.caPem.size()), ignored);
      }
      if (!options.clientCertificatePem.empty()) {
        context.use_certificate_chain(boost::asio::buffer(options.clientCertificatePem.data(),
                                                          options.clientCertificatePem.size()),
                                      ignored);
        context.use_private_key(
            boost::asio::buffer(options.clientKeyPem.data(), options.clientKeyPem.size()),
            boost::asio::ssl::context::pem, ignored);
      }
    });
  }

  void authorize(http::http_request& request) const {
    if (!authorization_.empty()) request.headers().add("Authorization", authorization_);
  }

  static Result<std::string> collectionPath(const std::string& kind) {
    auto info = findKind(kind);
    if (!info)
      return fail(Errc::kTerminal, "the server doesn't have a resource type \"" + kind + "\"");
    return "/apis/decnet.io/v1alpha1/" + info->plural;
  }
  static Result<std::string> objectPath(const std::string& kind, const std::string& name) {
    auto base = collectionPath(kind);
    if (!base) return base;
    return *base + "/" + web::uri::encode_data_string(name);
  }
  static std::string withDryRun(const std::string& path, const WriteOptions& options) {
    return options.dryRun ? path + "?dryRun=All" : path;
  }

  Result<Object> objectFrom(Result<Json> body) {
    if (!body) return tl::unexpected(body.error());
    std::vector<ParseIssue> issues;
    auto object = fromJson(*body, issues);
    if (!object) return fail(Errc::kInternal, "the server returned a malformed object");
    return *object;
  }

  Result<Json> send(const http::method& method, const std::string& path, const Json* body) {
    try {
      http::http_request request(method);
      request.set_request_uri(path);
      authorize(request);
      if (body != nullptr) request.set_body(body->dump(), "application/json");
      auto response = client_->request(request).get();
      if (response.headers().has("Warning")) {
        std::lock_guard lock(warningsMutex_);
        warnings_.push_back(response.headers()["Warning"]);
      }
      const std::string text = response.extract_utf8string(true).get();
      Json parsed = Json::parse(text, nullptr, false);
      if (response.status_code() >= 400) {
        return tl::unexpected(errorFromStatus(
            response.status_code(), parsed,
            "HTTP " + std::to_string(response.status_code()) + " from " + server_ + path));
      }
      if (parsed.is_discarded()) return fail(Errc::kInternal, "the server returned invalid JSON");
      return parsed;
    } catch (const std::exception& e) {
      return fail(Errc::kUnavailable,
                  "cannot reach the decnet API at " + server_ + ": " + e.what() +
                      " (is `decnet up` running? set --server or DECNET_SERVER)");
    }
  }

  std::vector<std::string> takeWarnings() override {
    std::lock_guard lock(warningsMutex_);
    std::vector<std::string> out;
    for (const auto& header : warnings_) {
      for (auto& text : parseWarningHeader(header)) out.push_back(std::move(text));
    }
    warnings_.clear();
    return out;
  }

  std::mutex warningsMutex_;
  std::vector<std::string> warnings_;  // raw Warning header values
  const std::string server_;
  const std::string authorization_;  // the Authorization header's value, or ""
  std::unique_ptr<http::client::http_client> client_;
  std::unique_ptr<http::client::http_client> watchClient_;
};

}  // namespace

std::vector<std::string> parseWarningHeader(const std::string& header) {
  // 299 - "text", 299 - "text with \" quote"
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < header.size()) {
    const auto open = header.find('"', i);
    if (open == std::string::npos) break;
    std::string text;
    std::size_t j = open + 1;
    for (; j < header.size() && header[j] != '"'; ++j) {
      if (header[j] == '\\' && j + 1 < header.size()) ++j;
      text += header[j];
    }
    out.push_back(std::move(text));
    i = j + 1;
  }
  return out;
}

Result<Json> postJson(const std::string& server, const std::string& path, const Json& body,
                      const RestClientOptions& options) {
  return RestClient(server, options).call(http::methods::POST, path, &body);
}

Result<Json> getJson(const std::string& server, const std::string& path,
                     const RestClientOptions& options) {
  return RestClient(server, options).call(http::methods::GET, path, nullptr);
}

ClientPtr makeRestClient(const std::string& server, const RestClientOptions& options) {
  return std::make_shared<RestClient>(server, options);
}

}  // namespace decnet::api
