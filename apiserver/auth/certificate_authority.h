#pragma once
// decnet's own CA, made under <data-dir>/pki on the first start as kubeadm makes its cluster CA:
// it signs the API server's certificate (--tls-self-signed) and each node's client certificate
// (from the CSR the agent sends when it joins). Agents pin it by the hash of its public key,
// kubeadm's `sha256:<hex>` discovery hash. OpenSSL stays in the .cc.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "api/types/result.h"

namespace decnet::apiserver::auth {

struct KeyAndCertificate {
  std::string keyPem;
  std::string certificatePem;
};

struct KeyAndRequest {
  std::string keyPem;
  std::string requestPem;  // a PKCS#10 CSR
};

class CertificateAuthority {
 public:
  // Loads <dir>/ca.crt and ca.key, or makes them (EC P-256, 10 years; the key 0600). kUnavailable
  // when neither works.
  static Result<CertificateAuthority> loadOrCreate(const std::string& dir);
  CertificateAuthority(std::string certificatePem, std::string keyPem)
      : certificatePem_(std::move(certificatePem)), keyPem_(std::move(keyPem)) {}

  const std::string& certificatePem() const { return certificatePem_; }
  // "sha256:<hex>" of the CA's SubjectPublicKeyInfo, as `decnet agent --ca-hash` takes it.
  std::string hash() const;
  // A server certificate for `hosts` (IP addresses and DNS names), with a fresh key.
  Result<KeyAndCertificate> issueServer(const std::vector<std::string>& hosts,
                                        std::chrono::hours validity) const;
  // Signs `requestPem` as the client certificate of node `node` (CN system:node:NODE, O
  // system:nodes): the CSR's own subject is ignored, its signature must verify. kInvalid for a
  // malformed or unsigned request.
  Result<std::string> signNode(const std::string& requestPem, const std::string& node,
                               std::chrono::hours validity) const;

 private:
  std::string certificatePem_;
  std::string keyPem_;
};

// A new EC P-256 key and a CSR for `commonName` (what an agent sends to join).
Result<KeyAndRequest> makeKeyAndRequest(const std::string& commonName);
// "sha256:<hex>" of the public key of the certificate `certificatePem`; "" when malformed.
std::string publicKeyHash(const std::string& certificatePem);
// Seconds until the certificate expires (negative once expired); 0 when malformed.
std::int64_t secondsLeft(const std::string& certificatePem);

}  // namespace decnet::apiserver::auth
