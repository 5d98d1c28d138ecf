#include "cli/security.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <ostream>

#include "agents/collector_connection.h"
#include "apiserver/auth/token_signer.h"
#include "cli/kubeconfig.h"

namespace decnet::cli {

Result<std::shared_ptr<apiserver::auth::UserStore>> openUserStore(const std::string& dataDir) {
  std::error_code ec;
  std::filesystem::create_directories(dataDir, ec);
  auto users = apiserver::auth::UserStore::open(dataDir + "/auth.db");
  if (!users) return tl::unexpected(users.error());
  return std::shared_ptr<apiserver::auth::UserStore>(std::move(*users));
}

Result<apiserver::ApiAuthOptions> prepareApiSecurity(const std::string& dataDir,
                                                     std::ostream& notices) {
  auto users = openUserStore(dataDir);
  if (!users) return tl::unexpected(users.error());
  auto signer = apiserver::auth::TokenSigner::loadOrCreate(dataDir + "/token.key");
  if (!signer) return tl::unexpected(signer.error());
  auto existing = (*users)->users();
  if (!existing) return tl::unexpected(existing.error());
  if (existing->empty()) {
    const char* chosen = std::getenv("DECNET_ADMIN_PASSWORD");
    const bool random = chosen == nullptr || *chosen == '\0';
    const std::string password = random ? apiserver::auth::randomHex(12) : chosen;
    if (auto added = (*users)->addUser("admin", "admin", password, true); !added) {
      return tl::unexpected(added.error());
    }
    if (random) {
      notices << "created the API user \"admin\" with the password " << password
              << "\n  (shown once; `decnet login` asks for a new one. The CLI on this host uses "
              << dataDir << "/admin.conf meanwhile.)" << std::endl;
    } else {
      notices << "created the API user \"admin\" with the password in $DECNET_ADMIN_PASSWORD"
              << std::endl;
    }
  }
  auto ca = apiserver::auth::CertificateAuthority::loadOrCreate(dataDir + "/pki");
  if (!ca) return tl::unexpected(ca.error());
  apiserver::ApiAuthOptions options;
  options.ca = std::make_shared<const apiserver::auth::CertificateAuthority>(std::move(*ca));
  options.users = std::move(*users);
  options.tokens = std::make_shared<const apiserver::auth::TokenSigner>(std::move(*signer));
  options.auditPath = dataDir + "/audit.log";
  return options;
}

Result<void> writeAdminConfig(const std::string& dataDir, const std::string& server,
                              const std::string& caPem, const apiserver::ApiAuthOptions& security) {
  Kubeconfig config;
  config.server = server;
  config.caPem = caPem;
  config.user = "admin";
  config.token = security.tokens->issue("admin", "admin", std::chrono::hours(24 * 365));
  return writeKubeconfig(dataDir + "/admin.conf", config);
}

Result<std::optional<apiserver::TlsServerConfig>> prepareApiTls(
    const std::string& listen, const std::string& certFile, const std::string& keyFile,
    bool selfSigned, const apiserver::auth::CertificateAuthority& ca) {
  if (certFile.empty() != keyFile.empty()) {
    return fail(Errc::kInvalid, "--tls-cert and --tls-key go together");
  }
  if (!certFile.empty()) {
    auto read = [](const std::string& path) {
      std::ifstream in(path);
      return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    };
    const std::string certificate = read(certFile), key = read(keyFile);
    if (certificate.empty() || key.empty()) {
      return fail(Errc::kInvalid,
                  "cannot read --tls-cert " + certFile + " or --tls-key " + keyFile);
    }
    return std::optional<apiserver::TlsServerConfig>(
        apiserver::TlsServerConfig{certificate, key, ca.certificatePem()});
  }
  if (selfSigned) {
    // Every name a client might use for this host: the listen address, loopback, the host's
    // name and each of its interface addresses.
    std::vector<std::string> hosts = {"127.0.0.1", "localhost", "::1"};
    const std::string listenHost = listen.substr(0, listen.rfind(':'));
    if (listenHost != "0.0.0.0" && listenHost != "::" && !listenHost.empty()) {
      hosts.insert(hosts.begin(), listenHost);
    }
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) == 0 && name[0] != '\0') hosts.push_back(name);
    ifaddrs* addresses = nullptr;
    if (::getifaddrs(&addresses) == 0) {
      for (ifaddrs* at = addresses; at != nullptr; at = at->ifa_next) {
        if (at->ifa_addr == nullptr || at->ifa_addr->sa_family != AF_INET) continue;
        char text[INET_ADDRSTRLEN] = {};
        ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(at->ifa_addr)->sin_addr, text,
                    sizeof text);
        if (std::find(hosts.begin(), hosts.end(), text) == hosts.end()) hosts.push_back(text);
      }
      ::freeifaddrs(addresses);
    }
    auto issued = ca.issueServer(hosts, std::chrono::hours(24 * 365));
    if (!issued) return tl::unexpected(issued.error());
    return std::optional<apiserver::TlsServerConfig>(
        apiserver::TlsServerConfig{issued->certificatePem, issued->keyPem, ca.certificatePem()});
  }
  if (!agents::isLoopbackAddress(listen)) {
    return fail(Errc::kInvalid,
                "refusing to serve the API on " + listen +
                    " without TLS: bearer tokens would cross the network in clear. Turn TLS on "
                    "with --tls-cert FILE --tls-key FILE, or --tls-self-signed to have decnet's "
                    "own CA (<data-dir>/pki) sign a certificate; plain HTTP is for loopback "
                    "(127.0.0.1) only");
  }
  return std::optional<apiserver::TlsServerConfig>{};
}

}  // namespace decnet::cli
