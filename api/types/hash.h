#pragma once
// A stable 64-bit hash (FNV-1a) for seeds and digests that must not change between builds or
// runs (std::hash may).
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace decnet {

inline std::uint64_t stableHash(std::string_view text) {
  std::uint64_t hash = 1469598103934665603ULL;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return hash;
}

// The hash as 16 lowercase hex digits.
inline std::string stableHashHex(std::string_view text) {
  char out[17];
  std::snprintf(out, sizeof(out), "%016llx", static_cast<unsigned long long>(stableHash(text)));
  return out;
}

}  // namespace decnet
