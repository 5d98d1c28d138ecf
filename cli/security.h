#pragma once
// The API's security files under the data dir, made on first start as kubeadm makes its PKI:
//   auth.db     users and bootstrap tokens (0600)
//   token.key   the key bearer tokens are signed with (0600)
//   audit.log   one RFC 5424 line per write (decnet.audit)
//   admin.conf  a kubeconfig with an admin token, for the CLI on this host (0600)
//   pki/        decnet's CA (ca.crt, ca.key 0600): the API's self-signed certificate and the
//               nodes' client certificates; collector.crt/.key, the collector's certificate
//               when it listens beyond loopback, and node-NAME.crt/.key, the embedded agent's
//               client certificate for it. A joined agent's data dir holds node.crt/.key and
//               controller-ca.crt, from its node.conf.
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agents/collector_connection.h"
#include "apiserver/api_server.h"
#include "apiserver/auth/certificate_authority.h"
#include "apiserver/auth/user_store.h"
#include "cli/kubeconfig.h"

namespace decnet::cli {

// Opens (or creates) the users and the signing key; on the first start also creates the user
// `admin` (password from $DECNET_ADMIN_PASSWORD, else random and printed once on `notices`),
// who must change it at the first interactive login.
Result<apiserver::ApiAuthOptions> prepareApiSecurity(const std::string& dataDir,
                                                     std::ostream& notices);
// Writes <data-dir>/admin.conf: `server`, the CA to trust (`caPem`, "" for http or the system's
// CAs) and a fresh admin token valid for a year.
Result<void> writeAdminConfig(const std::string& dataDir, const std::string& server,
                              const std::string& caPem, const apiserver::ApiAuthOptions& security);

// The API's TLS for `listen` (HOST:PORT): the operator's certificate and key files, or with
// `selfSigned` one from `ca` naming this host (its name, addresses and HOST); nullopt with
// neither. The client CA is `ca`'s, so agents can present their node certificates. kInvalid when
// `listen` is beyond loopback and there is no TLS: tokens must not cross a network in clear.
Result<std::optional<apiserver::TlsServerConfig>> prepareApiTls(
    const std::string& listen, const std::string& certFile, const std::string& keyFile,
    bool selfSigned, const apiserver::auth::CertificateAuthority& ca);

// The names a client may use for this host when `listen` (HOST:PORT) is where a service listens:
// HOST unless a wildcard, loopback, the host name and each IPv4 interface address.
std::vector<std::string> namesOfThisHost(const std::string& listen);

// The collector's TLS beyond loopback, from decnet's CA: writes <data-dir>/pki/collector.crt and
// .key, a server certificate naming this host (made anew each start), and returns them with
// pki/ca.crt as the CA that senders' client certificates (the nodes') must be signed by.
Result<agents::TlsFiles> writeCollectorTls(const std::string& dataDir, const std::string& listen,
                                           const apiserver::auth::CertificateAuthority& ca);
// The client certificate of node `node` from decnet's CA (CN system:node:NODE), written to
// <data-dir>/pki/node-NODE.crt and .key, with pki/ca.crt: the embedded agent's collector link.
Result<agents::TlsFiles> writeNodeTls(const std::string& dataDir, const std::string& node,
                                      const apiserver::auth::CertificateAuthority& ca);
// A joined agent's collector link: the client certificate, key and CA of its node.conf written
// as <data-dir>/pki/node.crt, node.key and controller-ca.crt. kNotFound when `joined` holds no
// certificate.
Result<agents::TlsFiles> writeJoinedNodeTls(const std::string& dataDir, const Kubeconfig& joined);

// The user store of the data dir, for `decnet user` and `decnet token` on the controller's host.
Result<std::shared_ptr<apiserver::auth::UserStore>> openUserStore(const std::string& dataDir);

}  // namespace decnet::cli
