#pragma once
// What a stock OpenSSH server puts in its KEXINIT, per release, and the part of it libssh can
// really negotiate. A decoy claiming "OpenSSH_9.2p1" must offer 9.2's lists in 9.2's order, or
// `nmap --script ssh2-enum-algos` and HASSH-server databases tell it apart.
#include <libssh/server.h>

#include <string>
#include <string_view>
#include <vector>

namespace decnet::decoy::ssh {

struct KexProfile {
  std::string release;                // "9.2"
  std::vector<std::string> kex;       // server KEXINIT order
  std::vector<std::string> hostKeys;  // with rsa, ecdsa and ed25519 host keys, sshd_config order
  std::vector<std::string> ciphers;
  std::vector<std::string> macs;
};

// Every table, oldest first (7.4, 8.2, 8.9, 9.2, 9.6).
const std::vector<KexProfile>& kexProfiles();

// The table for an identification ("OpenSSH_8.7" -> 8.2: the nearest release at or below it;
// older -> 7.4; unparsable -> 9.2).
const KexProfile& kexProfileFor(std::string_view version);

// `names` without those libssh cannot do for `option` (an SSH_BIND_OPTIONS_* algorithm list),
// order kept. Asks libssh itself, one name at a time.
std::vector<std::string> supportedBy(ssh_bind_options_e option,
                                     const std::vector<std::string>& names);

// The share of `wanted` present in `offered` (0..1).
double coverage(const std::vector<std::string>& wanted, const std::vector<std::string>& offered);

// "a,b,c".
std::string joinNames(const std::vector<std::string>& names);

// Sets the profile's lists (filtered) on `bind`; false when libssh refused one.
bool applyKexProfile(ssh_bind bind, const KexProfile& profile);

}  // namespace decnet::decoy::ssh
