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
#include "apiserver/auth/identity.h"
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

std::vector<std::string> namesOfThisHost(const std::string& listen) {
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
  return hosts;
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
    const auto hosts = namesOfThisHost(listen);
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

namespace decnet::cli {

namespace {

// Writes a certificate (0644) and its key (0600) as <pki>/<name>.crt and .key.
Result<void> writeCertificatePair(const std::string& pki, const std::string& name,
                                  const std::string& certificatePem, const std::string& keyPem) {
  if (auto key = writePrivateFile(pki + "/" + name + ".key", keyPem); !key) return key;
  if (auto cert = writePrivateFile(pki + "/" + name + ".crt", certificatePem); !cert) return cert;
  ::chmod((pki + "/" + name + ".crt").c_str(), 0644);
  return {};
}

}  // namespace

Result<agents::TlsFiles> writeCollectorTls(const std::string& dataDir, const std::string& listen,
                                           const apiserver::auth::CertificateAuthority& ca) {
  const std::string pki = dataDir + "/pki";
  auto issued = ca.issueServer(namesOfThisHost(listen), std::chrono::hours(24 * 365));
  if (!issued) return tl::unexpected(issued.error());
  if (auto written = writeCertificatePair(pki, "collector", issued->certificatePem, issued->keyPem);
      !written) {
    return tl::unexpected(written.error());
  }
  return agents::TlsFiles{pki + "/collector.crt", pki + "/collector.key", pki + "/ca.crt"};
}

Result<agents::TlsFiles> writeNodeTls(const std::string& dataDir, const std::string& node,
                                      const apiserver::auth::CertificateAuthority& ca) {
  auto request =
      apiserver::auth::makeKeyAndRequest(std::string(apiserver::auth::kNodeSubjectPrefix) + node);
  if (!request) return tl::unexpected(request.error());
  auto signed_ = ca.signNode(request->requestPem, node, std::chrono::hours(24 * 365));
  if (!signed_) return tl::unexpected(signed_.error());
  const std::string pki = dataDir + "/pki";
  if (auto written = writeCertificatePair(pki, "node-" + node, *signed_, request->keyPem);
      !written) {
    return tl::unexpected(written.error());
  }
  return agents::TlsFiles{pki + "/node-" + node + ".crt", pki + "/node-" + node + ".key",
                          pki + "/ca.crt"};
}

Result<agents::TlsFiles> writeJoinedNodeTls(const std::string& dataDir, const Kubeconfig& joined) {
  if (joined.clientCertificatePem.empty() || joined.clientKeyPem.empty() || joined.caPem.empty()) {
    return fail(Errc::kNotFound, joined.path +
                                     " holds no client certificate and CA (the node "
                                     "joined over plain http, or with a token)");
  }
  const std::string pki = dataDir + "/pki";
  if (auto written =
          writeCertificatePair(pki, "node", joined.clientCertificatePem, joined.clientKeyPem);
      !written) {
    return tl::unexpected(written.error());
  }
  // Not ca.crt: the agent may share its data dir with a controller that keeps its own CA there.
  if (auto ca = writePrivateFile(pki + "/controller-ca.crt", joined.caPem); !ca) {
    return tl::unexpected(ca.error());
  }
  return agents::TlsFiles{pki + "/node.crt", pki + "/node.key", pki + "/controller-ca.crt"};
}

}  // namespace decnet::cli
