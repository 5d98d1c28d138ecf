// libFuzzer target: the KEXINIT profile choice for an identification string (kexProfileFor) and
// the algorithm-list helpers, with names from the input checked against libssh (supportedBy).
// Byte 0 picks the algorithm option; the rest is the version string and, after a newline, a
// comma-separated name list. (The client KEXINIT/HASSH parser is private to SshRelay, which needs
// a live Connection, so it is not reachable from here.)
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "decoy/services/ssh/ssh_kex.h"

namespace {

constexpr ssh_bind_options_e kOptions[] = {
    SSH_BIND_OPTIONS_KEY_EXCHANGE, SSH_BIND_OPTIONS_HOSTKEY_ALGORITHMS,
    SSH_BIND_OPTIONS_CIPHERS_C_S,  SSH_BIND_OPTIONS_CIPHERS_S_C,
    SSH_BIND_OPTIONS_HMAC_C_S,     SSH_BIND_OPTIONS_HMAC_S_C};
constexpr std::size_t kMaxNames = 16;  // each name costs a libssh call

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace decnet::decoy::ssh;
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::string_view version = text.substr(0, text.find('\n'));

  const KexProfile& profile = kexProfileFor(version);
  bool known = false;
  for (const auto& candidate : kexProfiles()) known = known || &candidate == &profile;
  if (!known || profile.kex.empty() || profile.ciphers.empty()) __builtin_trap();

  std::vector<std::string> names;
  if (const auto newline = text.find('\n'); newline != std::string_view::npos) {
    std::string_view list = text.substr(newline + 1);
    while (!list.empty() && names.size() < kMaxNames) {
      const auto comma = list.find(',');
      names.emplace_back(list.substr(0, comma));
      list.remove_prefix(comma == std::string_view::npos ? list.size() : comma + 1);
    }
  }
  const std::vector<std::string> supported = supportedBy(kOptions[data[0] % 6], names);
  if (supported.size() > names.size()) __builtin_trap();
  const double share = coverage(names, supported);
  if (share < 0.0 || share > 1.0) __builtin_trap();
  const std::string joined = joinNames(names);
  if (joined.size() > text.size()) __builtin_trap();
  return 0;
}
