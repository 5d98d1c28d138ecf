#pragma once
// The API's security files under the data dir, made on first start as kubeadm makes its PKI:
//   auth.db     users and bootstrap tokens (0600)
//   token.key   the key bearer tokens are signed with (0600)
//   audit.log   one RFC 5424 line per write (decnet.audit)
//   admin.conf  a kubeconfig with an admin token, for the CLI on this host (0600)
//   pki/        decnet's CA (ca.crt, ca.key 0600): the API's self-signed certificate and the
//               nodes' client certificates
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>

#include "apiserver/api_server.h"
#include "apiserver/auth/certificate_authority.h"
#include "apiserver/auth/user_store.h"

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

// The user store of the data dir, for `decnet user` and `decnet token` on the controller's host.
Result<std::shared_ptr<apiserver::auth::UserStore>> openUserStore(const std::string& dataDir);

}  // namespace decnet::cli
