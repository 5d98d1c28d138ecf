#include "decoy/services/ssh/ssh_kex.h"

#include <algorithm>
#include <charconv>

namespace decnet::decoy::ssh {
namespace {

const std::vector<std::string> kCiphers = {"chacha20-poly1305@openssh.com",
                                           "aes128-ctr",
                                           "aes192-ctr",
                                           "aes256-ctr",
                                           "aes128-gcm@openssh.com",
                                           "aes256-gcm@openssh.com"};
const std::vector<std::string> kMacs = {"umac-64-etm@openssh.com",
                                        "umac-128-etm@openssh.com",
                                        "hmac-sha2-256-etm@openssh.com",
                                        "hmac-sha2-512-etm@openssh.com",
                                        "hmac-sha1-etm@openssh.com",
                                        "umac-64@openssh.com",
                                        "umac-128@openssh.com",
                                        "hmac-sha2-256",
                                        "hmac-sha2-512",
                                        "hmac-sha1"};
const std::vector<std::string> kEcdhAndGex = {"curve25519-sha256", "curve25519-sha256@libssh.org",
                                              "ecdh-sha2-nistp256", "ecdh-sha2-nistp384",
                                              "ecdh-sha2-nistp521"};

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

const std::vector<KexProfile>& kexProfiles() {
  static const std::vector<KexProfile> kProfiles = [] {
    const std::vector<std::string> dh = {
        "diffie-hellman-group-exchange-sha256", "diffie-hellman-group16-sha512",
        "diffie-hellman-group18-sha512", "diffie-hellman-group14-sha256"};
    const std::vector<std::string> modernKeys = {"rsa-sha2-512", "rsa-sha2-256",
                                                 "ecdsa-sha2-nistp256", "ssh-ed25519"};
    std::vector<KexProfile> profiles;
    profiles.push_back(
        {"7.4",
         concat(concat(kEcdhAndGex, dh), {"diffie-hellman-group14-sha1"}),
         {"ssh-rsa", "rsa-sha2-512", "rsa-sha2-256", "ecdsa-sha2-nistp256", "ssh-ed25519"},
         kCiphers,
         kMacs});
    profiles.push_back(
        {"8.2",
         concat(kEcdhAndGex, dh),
         {"rsa-sha2-512", "rsa-sha2-256", "ssh-rsa", "ecdsa-sha2-nistp256", "ssh-ed25519"},
         kCiphers,
         kMacs});
    profiles.push_back({"8.9",
                        concat(concat(kEcdhAndGex, {"sntrup761x25519-sha512@openssh.com"}), dh),
                        modernKeys, kCiphers, kMacs});
    // Debian and Ubuntu backported strict KEX (Terrapin) into their 9.2 packages.
    profiles.push_back(
        {"9.2",
         concat(concat(concat({"sntrup761x25519-sha512@openssh.com"}, kEcdhAndGex), dh),
                {"kex-strict-s-v00@openssh.com"}),
         modernKeys, kCiphers, kMacs});
    profiles.push_back(
        {"9.6",
         concat(concat(concat({"sntrup761x25519-sha512@openssh.com"}, kEcdhAndGex), dh),
                {"ext-info-s", "kex-strict-s-v00@openssh.com"}),
         modernKeys, kCiphers, kMacs});
    return profiles;
  }();
  return kProfiles;
}

const KexProfile& kexProfileFor(std::string_view version) {
  const auto& profiles = kexProfiles();
  const KexProfile& fallback = profiles[3];
  // "OpenSSH_9.2p1 Debian-2", "OpenSSH_for_Windows_8.1": the number after the last '_' before
  // the first space.
  const std::string_view software = version.substr(0, version.find(' '));
  if (software.rfind("OpenSSH_", 0) != 0) return fallback;
  const auto underscore = software.rfind('_');
  const std::string_view number = software.substr(underscore + 1);
  int major = 0, minor = 0;
  const char* end = number.data() + number.size();
  auto [at, ec] = std::from_chars(number.data(), end, major);
  if (ec != std::errc() || at == end || *at != '.') return fallback;
  auto [at2, ec2] = std::from_chars(at + 1, end, minor);
  if (ec2 != std::errc()) return fallback;
  // Clamped: a persona may claim any number, and the product must not overflow.
  const int claimed = std::min(major, 99) * 10 + std::min(minor, 9);
  const KexProfile* best = &profiles.front();
  for (const auto& profile : profiles) {
    const int release = (profile.release[0] - '0') * 10 + (profile.release[2] - '0');
    if (release <= claimed) best = &profile;
  }
  return *best;
}

std::vector<std::string> supportedBy(ssh_bind_options_e option,
                                     const std::vector<std::string>& names) {
  std::vector<std::string> out;
  ssh_bind probe = ssh_bind_new();
  if (probe == nullptr) return out;
  for (const auto& name : names) {
    // libssh keeps the names it knows and fails when none is left: one name at a time tells.
    if (!name.empty() && ssh_bind_options_set(probe, option, name.c_str()) == SSH_OK) {
      out.push_back(name);
    }
  }
  ssh_bind_free(probe);
  return out;
}

double coverage(const std::vector<std::string>& wanted, const std::vector<std::string>& offered) {
  if (wanted.empty()) return 1.0;
  const auto present = std::count_if(wanted.begin(), wanted.end(), [&](const std::string& name) {
    return std::find(offered.begin(), offered.end(), name) != offered.end();
  });
  return static_cast<double>(present) / static_cast<double>(wanted.size());
}

std::string joinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) {
    if (name.empty()) continue;
    out += (out.empty() ? "" : ",") + name;
  }
  return out;
}

bool applyKexProfile(ssh_bind bind, const KexProfile& profile) {
  const std::pair<ssh_bind_options_e, const std::vector<std::string>*> lists[] = {
      {SSH_BIND_OPTIONS_KEY_EXCHANGE, &profile.kex},
      {SSH_BIND_OPTIONS_HOSTKEY_ALGORITHMS, &profile.hostKeys},
      {SSH_BIND_OPTIONS_CIPHERS_C_S, &profile.ciphers},
      {SSH_BIND_OPTIONS_CIPHERS_S_C, &profile.ciphers},
      {SSH_BIND_OPTIONS_HMAC_C_S, &profile.macs},
      {SSH_BIND_OPTIONS_HMAC_S_C, &profile.macs}};
  bool ok = true;
  for (const auto& [option, names] : lists) {
    const std::string joined = joinNames(supportedBy(option, *names));
    if (joined.empty() || ssh_bind_options_set(bind, option, joined.c_str()) != SSH_OK) ok = false;
  }
  return ok;
}

}  // namespace decnet::decoy::ssh
