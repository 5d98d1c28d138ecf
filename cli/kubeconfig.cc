#include "cli/kubeconfig.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "api/codec/base64.h"
#include "api/codec/yaml_codec.h"
#include "api/types/object.h"

namespace decnet::cli {
namespace {

constexpr const char* kClusterName = "decnet";

// A *-data field's bytes; "" when absent or not base64.
std::string decoded(const std::string& text) { return api::base64Decode(text).value_or(""); }

// The entry named `name` of the list `key` (clusters, users, contexts), or null.
const api::Json* named(const api::Json& document, const char* key, const std::string& name) {
  auto list = document.find(key);
  if (list == document.end() || !list->is_array()) return nullptr;
  for (const auto& entry : *list) {
    if (entry.is_object() && entry.value("name", "") == name) return &entry;
  }
  return nullptr;
}

std::string stringAt(const api::Json* parent, const char* section, const char* key) {
  if (parent == nullptr) return "";
  auto inner = parent->find(section);
  if (inner == parent->end() || !inner->is_object()) return "";
  auto value = inner->find(key);
  return value != inner->end() && value->is_string() ? value->get<std::string>() : "";
}

}  // namespace

Result<Kubeconfig> readKubeconfig(const std::string& path) {
  std::ifstream in(path);
  if (!in) return fail(Errc::kNotFound, "no kubeconfig at " + path);
  std::stringstream text;
  text << in.rdbuf();
  auto documents = api::parseYamlDocuments(text.str(), path);
  if (!documents) return tl::unexpected(documents.error());
  if (documents->empty() || !documents->front().is_object()) {
    return fail(Errc::kInvalid, path + " is not a kubeconfig");
  }
  const api::Json& document = documents->front();
  const std::string contextName = document.value("current-context", "");
  const api::Json* context = named(document, "contexts", contextName);
  if (context == nullptr) {
    return fail(Errc::kInvalid,
                path + ": the current-context \"" + contextName + "\" is not among its contexts");
  }
  Kubeconfig out;
  out.path = path;
  out.user = stringAt(context, "context", "user");
  const api::Json* cluster = named(document, "clusters", stringAt(context, "context", "cluster"));
  out.server = stringAt(cluster, "cluster", "server");
  out.caPem = decoded(stringAt(cluster, "cluster", "certificate-authority-data"));
  if (const std::string caFile = stringAt(cluster, "cluster", "certificate-authority");
      !caFile.empty()) {
    std::ifstream ca(caFile);
    std::stringstream pem;
    pem << ca.rdbuf();
    out.caPem = pem.str();
  }
  const api::Json* user = named(document, "users", out.user);
  out.token = stringAt(user, "user", "token");
  out.clientCertificatePem = decoded(stringAt(user, "user", "client-certificate-data"));
  out.clientKeyPem = decoded(stringAt(user, "user", "client-key-data"));
  return out;
}

Result<void> writeKubeconfig(const std::string& path, const Kubeconfig& config) {
  api::Json cluster = {{"server", config.server}};
  if (!config.caPem.empty())
    cluster["certificate-authority-data"] = api::base64Encode(config.caPem);
  const std::string context = config.user + "@" + kClusterName;
  api::Json user = api::Json::object();
  if (!config.token.empty()) user["token"] = config.token;
  if (!config.clientCertificatePem.empty()) {
    user["client-certificate-data"] = api::base64Encode(config.clientCertificatePem);
    user["client-key-data"] = api::base64Encode(config.clientKeyPem);
  }
  const api::Json document = {
      {"apiVersion", "v1"},
      {"kind", "Config"},
      {"clusters", api::Json::array({{{"name", kClusterName}, {"cluster", cluster}}})},
      {"users", api::Json::array({{{"name", config.user}, {"user", user}}})},
      {"contexts",
       api::Json::array(
           {{{"name", context}, {"context", {{"cluster", kClusterName}, {"user", config.user}}}}})},
      {"current-context", context},
  };
  return writePrivateFile(path, api::toYaml(document));
}

Result<void> writePrivateFile(const std::string& path, const std::string& text) {
  const auto folder = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!folder.empty() && !std::filesystem::exists(folder)) {
    std::filesystem::create_directories(folder, ec);
    if (!ec) ::chmod(folder.c_str(), 0700);
  }
  const std::string temporary = path + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return fail(Errc::kUnavailable, "cannot write " + path);
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  if (!written || ::rename(temporary.c_str(), path.c_str()) != 0) {
    ::unlink(temporary.c_str());
    return fail(Errc::kUnavailable, "cannot write " + path);
  }
  return {};
}

std::string userConfigPath() {
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg != nullptr && *xdg != '\0') {
    return std::string(xdg) + "/decnet/config";
  }
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr && *home != '\0' ? home : "/root") + "/.config/decnet/config";
}

Result<std::optional<Kubeconfig>> findKubeconfig(const std::string& flag) {
  // An explicit choice must exist; the defaults are tried in turn.
  for (const std::string& chosen :
       {flag,
        std::string(std::getenv("DECNET_CONFIG") != nullptr ? std::getenv("DECNET_CONFIG") : "")}) {
    if (chosen.empty()) continue;
    auto config = readKubeconfig(chosen);
    if (!config) return tl::unexpected(config.error());
    return std::optional<Kubeconfig>(std::move(*config));
  }
  const char* dataDir = std::getenv("DECNET_DATA_DIR");
  const std::string admin =
      std::string(dataDir != nullptr && *dataDir != '\0' ? dataDir : "/var/lib/decnet") +
      "/admin.conf";
  for (const std::string& fallback : {userConfigPath(), admin}) {
    if (::access(fallback.c_str(), R_OK) != 0) continue;
    auto config = readKubeconfig(fallback);
    if (!config) return tl::unexpected(config.error());
    return std::optional<Kubeconfig>(std::move(*config));
  }
  return std::optional<Kubeconfig>{};
}

}  // namespace decnet::cli
