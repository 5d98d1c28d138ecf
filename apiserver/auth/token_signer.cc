#include "apiserver/auth/token_signer.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <fstream>
#include <optional>
#include <sstream>

#include "api/codec/base64.h"
#include "api/types/object.h"

namespace decnet::apiserver::auth {
namespace {

constexpr std::size_t kKeyBytes = 32;
std::string hmacSha256(const std::string& key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  ::HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data(), &length);
  return std::string(reinterpret_cast<const char*>(digest.data()), length);
}

const std::string& header() {
  static const std::string encoded = api::base64UrlEncode(R"({"alg":"HS256","typ":"JWT"})");
  return encoded;
}

}  // namespace

std::int64_t unixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string randomHex(std::size_t bytes) {
  std::string raw(bytes, '\0');
  ::RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes));
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out += kHex[c >> 4];
    out += kHex[c & 0xf];
  }
  return out;
}

Result<TokenSigner> TokenSigner::loadOrCreate(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (in) {
    std::string key((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (key.size() < kKeyBytes) {
      return fail(Errc::kUnavailable, "the token key " + path +
                                          " is too short; remove it to "
                                          "make a new one (every token issued is then invalid)");
    }
    return TokenSigner(std::move(key));
  }
  std::string key(kKeyBytes, '\0');
  if (::RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), kKeyBytes) != 1) {
    return fail(Errc::kInternal, "cannot draw random bytes for the token key");
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0 || ::write(fd, key.data(), key.size()) != static_cast<ssize_t>(key.size())) {
    if (fd >= 0) ::close(fd);
    return fail(Errc::kUnavailable, "cannot write the token key " + path);
  }
  ::close(fd);
  return TokenSigner(std::move(key));
}

std::string TokenSigner::issue(const std::string& subject, const std::string& role,
                               std::chrono::seconds ttl, bool mustChangePassword) const {
  const std::int64_t now = unixNow();
  api::Json claims = {{"iss", "decnet"},      {"sub", subject}, {"role", role},
                      {"jti", randomHex(16)}, {"iat", now},     {"exp", now + ttl.count()}};
  if (mustChangePassword) claims["chpw"] = true;
  const std::string signingInput = header() + "." + api::base64UrlEncode(claims.dump());
  return signingInput + "." + api::base64UrlEncode(hmacSha256(key_, signingInput));
}

Result<TokenClaims> TokenSigner::verify(std::string_view token, std::int64_t now) const {
  const auto firstDot = token.find('.');
  const auto lastDot = token.rfind('.');
  if (firstDot == std::string_view::npos || firstDot == lastDot) {
    return fail(Errc::kUnauthorized, "the bearer token is not a JWT");
  }
  const std::string_view signingInput = token.substr(0, lastDot);
  const std::string expected = api::base64UrlEncode(hmacSha256(key_, signingInput));
  const std::string_view given = token.substr(lastDot + 1);
  if (given.size() != expected.size() ||
      CRYPTO_memcmp(given.data(), expected.data(), expected.size()) != 0 ||
      token.substr(0, firstDot) != header()) {
    return fail(Errc::kUnauthorized, "the bearer token's signature is not valid");
  }
  auto payload = api::base64Decode(token.substr(firstDot + 1, lastDot - firstDot - 1));
  const api::Json claims =
      payload ? api::Json::parse(*payload, nullptr, false) : api::Json(nullptr);
  if (!claims.is_object()) return fail(Errc::kUnauthorized, "the bearer token is malformed");
  TokenClaims out;
  try {
    out.subject = claims.at("sub").get<std::string>();
    out.role = claims.at("role").get<std::string>();
    out.id = claims.at("jti").get<std::string>();
    out.issuedAt = claims.at("iat").get<std::int64_t>();
    out.expiresAt = claims.at("exp").get<std::int64_t>();
    out.mustChangePassword = claims.value("chpw", false);
  } catch (const std::exception&) {
    return fail(Errc::kUnauthorized, "the bearer token is missing claims");
  }
  if (out.expiresAt <= now) return fail(Errc::kUnauthorized, "the bearer token has expired");
  return out;
}

}  // namespace decnet::apiserver::auth
