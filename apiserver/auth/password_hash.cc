#include "apiserver/auth/password_hash.h"

#include <crypt.h>
#include <openssl/crypto.h>

#include <cstring>

namespace decnet::apiserver::auth {

Result<std::string> hashPassword(std::string_view password) {
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  // Cost 0 is libcrypt's default for yescrypt; the random bytes come from the kernel.
  if (::crypt_gensalt_rn("$y$", 0, nullptr, 0, salt, sizeof salt) == nullptr) {
    return fail(Errc::kInternal,
                std::string("cannot make a password salt: ") + std::strerror(errno));
  }
  crypt_data data{};
  const std::string phrase(password);
  const char* hashed = ::crypt_rn(phrase.c_str(), salt, &data, sizeof data);
  if (hashed == nullptr || hashed[0] == '*') {
    return fail(Errc::kInternal, "cannot hash the password");
  }
  return std::string(hashed);
}

bool passwordMatches(std::string_view password, const std::string& hash) {
  if (hash.empty() || hash[0] != '$') return false;
  crypt_data data{};
  const std::string phrase(password);
  const char* hashed = ::crypt_rn(phrase.c_str(), hash.c_str(), &data, sizeof data);
  if (hashed == nullptr || hashed[0] == '*') return false;
  const std::size_t length = std::strlen(hashed);
  return length == hash.size() && CRYPTO_memcmp(hashed, hash.data(), length) == 0;
}

}  // namespace decnet::apiserver::auth
