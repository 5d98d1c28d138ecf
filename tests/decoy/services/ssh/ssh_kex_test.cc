// The KEXINIT tables against what libssh can really negotiate.
#include "decoy/services/ssh/ssh_kex.h"

#include <gtest/gtest.h>

#include <cstdio>

namespace decnet::decoy::ssh {
namespace {

TEST(SshKexTest, VersionsPickTheNearestLowerTable) {
  EXPECT_EQ(kexProfileFor("OpenSSH_9.2p1 Debian-2+deb12u3").release, "9.2");
  EXPECT_EQ(kexProfileFor("OpenSSH_8.9p1 Ubuntu-3ubuntu0.10").release, "8.9");
  EXPECT_EQ(kexProfileFor("OpenSSH_8.2p1 Ubuntu-4ubuntu0.11").release, "8.2");
  EXPECT_EQ(kexProfileFor("OpenSSH_8.7").release, "8.2");
  EXPECT_EQ(kexProfileFor("OpenSSH_7.4").release, "7.4");
  EXPECT_EQ(kexProfileFor("OpenSSH_9.6p1 Debian-4").release, "9.6");
  EXPECT_EQ(kexProfileFor("OpenSSH_9.3").release, "9.2");
  EXPECT_EQ(kexProfileFor("OpenSSH_for_Windows_7.7").release, "7.4");
  EXPECT_EQ(kexProfileFor("OpenSSH_for_Windows_8.1").release, "7.4");
  EXPECT_EQ(kexProfileFor("OpenSSH_6.6.1").release, "7.4");
  EXPECT_EQ(kexProfileFor("dropbear_2022.83").release, "9.2");
  EXPECT_EQ(kexProfileFor("").release, "9.2");
  // Found by ssh_kex_fuzz: a huge claimed major version overflowed the comparison key.
  EXPECT_EQ(kexProfileFor("OpenSSH_999999999.5").release, "9.6");
  EXPECT_EQ(kexProfileFor("OpenSSH_s_255555555.0").release, "9.6");
}

TEST(SshKexTest, FilteredListsKeepOrderAndCoverage) {
  for (const auto& profile : kexProfiles()) {
    const auto kex = supportedBy(SSH_BIND_OPTIONS_KEY_EXCHANGE, profile.kex);
    const auto keys = supportedBy(SSH_BIND_OPTIONS_HOSTKEY_ALGORITHMS, profile.hostKeys);
    const auto ciphers = supportedBy(SSH_BIND_OPTIONS_CIPHERS_C_S, profile.ciphers);
    const auto macs = supportedBy(SSH_BIND_OPTIONS_HMAC_C_S, profile.macs);
    std::printf("[ kex ] OpenSSH %s: kex %.0f%% (%s), hostkey %.0f%%, cipher %.0f%%, mac %.0f%%\n",
                profile.release.c_str(), 100 * coverage(profile.kex, kex), joinNames(kex).c_str(),
                100 * coverage(profile.hostKeys, keys), 100 * coverage(profile.ciphers, ciphers),
                100 * coverage(profile.macs, macs));
    EXPECT_GE(coverage(profile.kex, kex), 0.75) << profile.release;
    EXPECT_GE(coverage(profile.hostKeys, keys), 0.75) << profile.release;
    EXPECT_GE(coverage(profile.ciphers, ciphers), 0.75) << profile.release;
    for (const auto* list : {&kex, &keys, &ciphers, &macs}) {
      ASSERT_FALSE(list->empty());
      for (const auto& name : *list) EXPECT_FALSE(name.empty());
    }
    // OpenSSH's order, only gaps.
    std::size_t at = 0;
    for (const auto& name : kex) {
      while (at < profile.kex.size() && profile.kex[at] != name) ++at;
      EXPECT_LT(at, profile.kex.size()) << name << " out of order in " << profile.release;
    }
    const std::string joined = joinNames(ciphers);
    EXPECT_NE(joined.back(), ',');
    EXPECT_EQ(joined.find(",,"), std::string::npos);
  }
}

TEST(SshKexTest, ApplyingAProfileSucceeds) {
  for (const auto& profile : kexProfiles()) {
    ssh_bind bind = ssh_bind_new();
    ASSERT_NE(bind, nullptr);
    EXPECT_TRUE(applyKexProfile(bind, profile)) << profile.release;
    ssh_bind_free(bind);
  }
}

}  // namespace
}  // namespace decnet::decoy::ssh
