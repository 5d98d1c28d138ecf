#pragma once
// A TLS server identity for a decky: a self-signed RSA certificate (like a stock snakeoil
// certificate) kept in a state folder across restarts, and the OpenSSL 3 server context that
// presents it. Built before the sandbox; the context is then only used, never reloaded.
#include <memory>
#include <string>

#include "api/types/result.h"

typedef struct ssl_ctx_st SSL_CTX;

namespace decnet::decoy::tls {

struct CtxDeleter {
  void operator()(SSL_CTX* ctx) const;
};
using ServerContext = std::shared_ptr<SSL_CTX>;

// The certificate for `commonName`: loaded from `dir`/cert.pem and key.pem when they exist and
// name the same CN, else made anew (and written there when `dir` is not empty). `notBefore` is
// the Unix time the certificate claims to be issued. kInternal on OpenSSL or file errors.
[[nodiscard]] Result<ServerContext> makeServerContext(const std::string& dir,
                                                      const std::string& commonName,
                                                      long long notBefore);

}  // namespace decnet::decoy::tls
