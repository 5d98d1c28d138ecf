#pragma once
// Passwords at rest: yescrypt from libcrypt (Debian's default for /etc/shadow), salted, slow.
#include <string>
#include <string_view>

#include "api/types/result.h"

namespace decnet::apiserver::auth {

// A "$y$..." hash of `password` with a fresh random salt. kInternal if libcrypt fails.
Result<std::string> hashPassword(std::string_view password);
// Whether `password` hashes to `hash`; compares in constant time. False for a malformed hash.
bool passwordMatches(std::string_view password, const std::string& hash);

}  // namespace decnet::apiserver::auth
