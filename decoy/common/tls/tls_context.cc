#include "decoy/common/tls/tls_context.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdio>
#include <string_view>

namespace decnet::decoy::tls {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};
using Key = std::unique_ptr<EVP_PKEY, PkeyFree>;
using Cert = std::unique_ptr<X509, X509Free>;

std::string opensslError(std::string_view what) {
  char buffer[256] = "";
  ERR_error_string_n(ERR_get_error(), buffer, sizeof(buffer));
  ERR_clear_error();
  return std::string(what) + ": " + buffer;
}

std::string commonNameOf(X509* cert) {
  char buffer[256] = "";
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, buffer, sizeof(buffer));
  return buffer;
}

bool load(const std::string& dir, const std::string& commonName, Key& key, Cert& cert) {
  if (dir.empty()) return false;
  FILE* certFile = std::fopen((dir + "/cert.pem").c_str(), "r");
  if (certFile == nullptr) return false;
  cert.reset(PEM_read_X509(certFile, nullptr, nullptr, nullptr));
  std::fclose(certFile);
  FILE* keyFile = std::fopen((dir + "/key.pem").c_str(), "r");
  if (keyFile == nullptr) return false;
  key.reset(PEM_read_PrivateKey(keyFile, nullptr, nullptr, nullptr));
  std::fclose(keyFile);
  ERR_clear_error();
  return cert && key && commonNameOf(cert.get()) == commonName &&
         X509_check_private_key(cert.get(), key.get()) == 1;
}

bool addExtension(X509* cert, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (extension == nullptr) return false;
  const bool ok = X509_add_ext(cert, extension, -1) == 1;
  X509_EXTENSION_free(extension);
  return ok;
}

Result<void> generate(const std::string& commonName, long long notBefore, Key& key, Cert& cert) {
  key.reset(EVP_RSA_gen(2048));
  cert.reset(X509_new());
  if (!key || !cert) return fail(Errc::kInternal, opensslError("key generation"));
  unsigned char serial[16];
  RAND_bytes(serial, sizeof(serial));
  serial[0] &= 0x7f;  // a positive serial, as RFC 5280 wants
  BIGNUM* number = BN_bin2bn(serial, sizeof(serial), nullptr);
  BN_to_ASN1_INTEGER(number, X509_get_serialNumber(cert.get()));
  BN_free(number);
  X509_set_version(cert.get(), 2);
  ASN1_TIME_set(X509_getm_notBefore(cert.get()), static_cast<time_t>(notBefore));
  ASN1_TIME_set(X509_getm_notAfter(cert.get()),
                static_cast<time_t>(notBefore + 10LL * 365 * 86400));  // like make-ssl-cert
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(commonName.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509_set_pubkey(cert.get(), key.get());
  const bool dnsName =
      !commonName.empty() && commonName.find_first_of(",:= /") == std::string::npos;
  if (dnsName && !addExtension(cert.get(), NID_subject_alt_name, "DNS:" + commonName)) {
    return fail(Errc::kInternal, opensslError("certificate extension"));
  }
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) {
    return fail(Errc::kInternal, opensslError("certificate signing"));
  }
  return {};
}

void save(const std::string& dir, EVP_PKEY* key, X509* cert) {
  if (dir.empty()) return;
  ::mkdir(dir.c_str(), 0700);
  const std::string keyPath = dir + "/key.pem";
  const mode_t old = ::umask(077);
  FILE* keyFile = std::fopen(keyPath.c_str(), "w");
  ::umask(old);
  if (keyFile != nullptr) {
    PEM_write_PrivateKey(keyFile, key, nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(keyFile);
  }
  if (FILE* certFile = std::fopen((dir + "/cert.pem").c_str(), "w")) {
    PEM_write_X509(certFile, cert);
    std::fclose(certFile);
  }
}

// Offers http/1.1 when the client asks for ALPN, as an HTTP/1.1-only server does.
int selectAlpn(SSL*, const unsigned char** out, unsigned char* outLength, const unsigned char* in,
               unsigned int inLength, void*) {
  for (unsigned int i = 0; i < inLength;) {
    const unsigned int length = in[i];
    if (i + 1 + length > inLength) break;
    if (std::string_view(reinterpret_cast<const char*>(in + i + 1), length) == "http/1.1") {
      *out = in + i + 1;
      *outLength = static_cast<unsigned char>(length);
      return SSL_TLSEXT_ERR_OK;
    }
    i += 1 + length;
  }
  return SSL_TLSEXT_ERR_NOACK;
}

}  // namespace

void CtxDeleter::operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }

Result<ServerContext> makeServerContext(const std::string& dir, const std::string& commonName,
                                        long long notBefore) {
  Key key;
  Cert cert;
  if (!load(dir, commonName, key, cert)) {
    if (auto made = generate(commonName, notBefore, key, cert); !made) {
      return tl::unexpected(made.error());
    }
    save(dir, key.get(), cert.get());
  }
  ServerContext ctx(SSL_CTX_new(TLS_server_method()), CtxDeleter{});
  if (!ctx) return fail(Errc::kInternal, opensslError("SSL_CTX_new"));
  if (SSL_CTX_use_certificate(ctx.get(), cert.get()) != 1 ||
      SSL_CTX_use_PrivateKey(ctx.get(), key.get()) != 1) {
    return fail(Errc::kInternal, opensslError("certificate"));
  }
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  SSL_CTX_set_options(ctx.get(), SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_alpn_select_cb(ctx.get(), selectAlpn, nullptr);
  return ctx;
}

}  // namespace decnet::decoy::tls
