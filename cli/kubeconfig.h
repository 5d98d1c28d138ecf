#pragma once
// The CLI's identity files in kubeconfig format (a cluster with its server and CA, a user with
// a bearer token, and the current context), so kubectl --kubeconfig reads them too. `decnet
// login` writes ~/.config/decnet/config; `decnet up` writes <data-dir>/admin.conf.
#include <optional>
#include <string>

#include "api/types/result.h"

namespace decnet::cli {

struct Kubeconfig {
  std::string server;  // "http://127.0.0.1:8000"
  std::string user;    // "admin"
  std::string token;   // the bearer token
  std::string caPem;   // the CA of an https server; "" for http or the system's CAs
  // A client certificate and key (a node's mTLS identity, as kubelet.conf holds them).
  std::string clientCertificatePem;
  std::string clientKeyPem;
  std::string path;  // the file it came from
};

// The current context's server, user, token and CA in `path`; kNotFound when the file is
// absent, kInvalid when it is not a kubeconfig.
Result<Kubeconfig> readKubeconfig(const std::string& path);
// Writes `config` to `path` (0600, its folder made 0700 when missing), replacing the file.
Result<void> writeKubeconfig(const std::string& path, const Kubeconfig& config);

// Writes `text` to `path` (0600, its folder made 0700 when missing) atomically: readers see the
// old file or the new one, never half of it.
Result<void> writePrivateFile(const std::string& path, const std::string& text);

// Where the CLI finds its identity, in this order: `flag` (--kubeconfig), $DECNET_CONFIG,
// ~/.config/decnet/config, then the local admin file (<$DECNET_DATA_DIR or /var/lib/decnet>/
// admin.conf). nullopt when none of them exists; an error when the chosen one is unreadable.
Result<std::optional<Kubeconfig>> findKubeconfig(const std::string& flag);
// ~/.config/decnet/config ($XDG_CONFIG_HOME respected).
std::string userConfigPath();

}  // namespace decnet::cli
