#include "apiserver/auth/certificate_authority.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

namespace decnet::apiserver::auth {
namespace {

struct Free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(X509_REQ* p) const { X509_REQ_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Free>;
using Certificate = std::unique_ptr<X509, Free>;
using Request = std::unique_ptr<X509_REQ, Free>;
using Bio = std::unique_ptr<BIO, Free>;

Bio readBio(const std::string& pem) {
  return Bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

template <class Write>
std::string toPem(Write write) {
  Bio bio(BIO_new(BIO_s_mem()));
  write(bio.get());
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

std::string pemOfKey(EVP_PKEY* key) {
  return toPem([key](BIO* bio) {
    PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  });
}
std::string pemOfCertificate(X509* certificate) {
  return toPem([certificate](BIO* bio) { PEM_write_bio_X509(bio, certificate); });
}
Certificate parseCertificate(const std::string& pem) {
  auto bio = readBio(pem);
  return Certificate(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}
Key parseKey(const std::string& pem) {
  auto bio = readBio(pem);
  return Key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

Key newKey() { return Key(EVP_EC_gen("P-256")); }

bool addExtension(X509* certificate, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX context;
  X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
  if (extension == nullptr) return false;
  const bool added = X509_add_ext(certificate, extension, -1) == 1;
  X509_EXTENSION_free(extension);
  return added;
}

// A certificate for `publicKey` named `commonName` (and `organization`), valid `validity`
// from an hour ago (clocks drift), with a random serial; signed by the caller.
Certificate newCertificate(EVP_PKEY* publicKey, const std::string& commonName,
                           const std::string& organization, std::chrono::hours validity) {
  Certificate certificate(X509_new());
  X509_set_version(certificate.get(), 2);
  unsigned char serial[16];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7f;  // positive
  BIGNUM* number = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(number, X509_get_serialNumber(certificate.get()));
  BN_free(number);
  X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(certificate.get()),
                  static_cast<long>(std::chrono::seconds(validity).count()));
  X509_NAME* name = X509_get_subject_name(certificate.get());
  if (!organization.empty()) {
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(organization.c_str()), -1, -1,
                               0);
  }
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(commonName.c_str()), -1, -1, 0);
  X509_set_pubkey(certificate.get(), publicKey);
  return certificate;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return "";
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool writePrivate(const std::string& path, const std::string& text, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return false;
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  return written;
}

}  // namespace

Result<CertificateAuthority> CertificateAuthority::loadOrCreate(const std::string& dir) {
  const std::string certificatePath = dir + "/ca.crt", keyPath = dir + "/ca.key";
  std::string certificate = readFile(certificatePath), key = readFile(keyPath);
  if (!certificate.empty() && !key.empty()) {
    if (!parseCertificate(certificate) || !parseKey(key)) {
      return fail(Errc::kUnavailable, "the CA in " + dir + " is unreadable");
    }
    return CertificateAuthority(std::move(certificate), std::move(key));
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  Key caKey = newKey();
  if (!caKey) return fail(Errc::kInternal, "cannot make the CA key");
  Certificate ca =
      newCertificate(caKey.get(), "decnet-ca", "decnet", std::chrono::hours(24 * 3650));
  X509_set_issuer_name(ca.get(), X509_get_subject_name(ca.get()));
  addExtension(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE");
  addExtension(ca.get(), ca.get(), NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature");
  addExtension(ca.get(), ca.get(), NID_subject_key_identifier, "hash");
  if (X509_sign(ca.get(), caKey.get(), EVP_sha256()) == 0) {
    return fail(Errc::kInternal, "cannot sign the CA certificate");
  }
  certificate = pemOfCertificate(ca.get());
  key = pemOfKey(caKey.get());
  if (!writePrivate(keyPath, key, 0600) || !writePrivate(certificatePath, certificate, 0644)) {
    return fail(Errc::kUnavailable, "cannot write the CA to " + dir);
  }
  return CertificateAuthority(std::move(certificate), std::move(key));
}

std::string CertificateAuthority::hash() const { return publicKeyHash(certificatePem_); }

Result<KeyAndCertificate> CertificateAuthority::issueServer(const std::vector<std::string>& hosts,
                                                            std::chrono::hours validity) const {
  auto ca = parseCertificate(certificatePem_);
  auto caKey = parseKey(keyPem_);
  Key key = newKey();
  if (!ca || !caKey || !key) return fail(Errc::kInternal, "cannot load the CA");
  Certificate certificate =
      newCertificate(key.get(), hosts.empty() ? "decnet-apiserver" : hosts.front(), "", validity);
  X509_set_issuer_name(certificate.get(), X509_get_subject_name(ca.get()));
  std::string names;
  for (const auto& host : hosts) {
    in6_addr v6{};
    in_addr v4{};
    const bool ip = ::inet_pton(AF_INET, host.c_str(), &v4) == 1 ||
                    ::inet_pton(AF_INET6, host.c_str(), &v6) == 1;
    names += (names.empty() ? "" : ",") + std::string(ip ? "IP:" : "DNS:") + host;
  }
  if (!names.empty()) addExtension(certificate.get(), ca.get(), NID_subject_alt_name, names);
  addExtension(certificate.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE");
  addExtension(certificate.get(), ca.get(), NID_ext_key_usage, "serverAuth");
  addExtension(certificate.get(), ca.get(), NID_authority_key_identifier, "keyid");
  if (X509_sign(certificate.get(), caKey.get(), EVP_sha256()) == 0) {
    return fail(Errc::kInternal, "cannot sign the server certificate");
  }
  return KeyAndCertificate{pemOfKey(key.get()), pemOfCertificate(certificate.get())};
}

Result<std::string> CertificateAuthority::signNode(const std::string& requestPem,
                                                   const std::string& node,
                                                   std::chrono::hours validity) const {
  auto bio = readBio(requestPem);
  Request request(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
  if (!request) return fail(Errc::kInvalid, "the certificate request is not a PEM CSR");
  Key publicKey(X509_REQ_get_pubkey(request.get()));
  if (!publicKey || X509_REQ_verify(request.get(), publicKey.get()) != 1) {
    return fail(Errc::kInvalid, "the certificate request's signature does not verify");
  }
  auto ca = parseCertificate(certificatePem_);
  auto caKey = parseKey(keyPem_);
  if (!ca || !caKey) return fail(Errc::kInternal, "cannot load the CA");
  Certificate certificate =
      newCertificate(publicKey.get(), "system:node:" + node, "system:nodes", validity);
  X509_set_issuer_name(certificate.get(), X509_get_subject_name(ca.get()));
  addExtension(certificate.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE");
  addExtension(certificate.get(), ca.get(), NID_key_usage, "critical,digitalSignature");
  addExtension(certificate.get(), ca.get(), NID_ext_key_usage, "clientAuth");
  addExtension(certificate.get(), ca.get(), NID_authority_key_identifier, "keyid");
  if (X509_sign(certificate.get(), caKey.get(), EVP_sha256()) == 0) {
    return fail(Errc::kInternal, "cannot sign the node certificate");
  }
  return pemOfCertificate(certificate.get());
}

Result<KeyAndRequest> makeKeyAndRequest(const std::string& commonName) {
  Key key = newKey();
  Request request(X509_REQ_new());
  if (!key || !request) return fail(Errc::kInternal, "cannot make a key");
  X509_NAME* name = X509_REQ_get_subject_name(request.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(commonName.c_str()), -1, -1, 0);
  X509_REQ_set_pubkey(request.get(), key.get());
  if (X509_REQ_sign(request.get(), key.get(), EVP_sha256()) == 0) {
    return fail(Errc::kInternal, "cannot sign the certificate request");
  }
  return KeyAndRequest{pemOfKey(key.get()),
                       toPem([&](BIO* bio) { PEM_write_bio_X509_REQ(bio, request.get()); })};
}

std::string publicKeyHash(const std::string& certificatePem) {
  auto certificate = parseCertificate(certificatePem);
  if (!certificate) return "";
  unsigned char* der = nullptr;
  const int length = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(certificate.get()), &der);
  if (length <= 0) return "";
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(der, static_cast<std::size_t>(length), digest, &size, EVP_sha256(), nullptr);
  OPENSSL_free(der);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "sha256:";
  for (unsigned int i = 0; i < size; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  return out;
}

std::int64_t secondsLeft(const std::string& certificatePem) {
  auto certificate = parseCertificate(certificatePem);
  if (!certificate) return 0;
  int days = 0, seconds = 0;
  if (ASN1_TIME_diff(&days, &seconds, nullptr, X509_get0_notAfter(certificate.get())) != 1) {
    return 0;
  }
  return static_cast<std::int64_t>(days) * 86400 + seconds;
}

}  // namespace decnet::apiserver::auth
