// Host keys that survive restarts, the identification sent at accept, and the KEXINIT compared
// with Debian's real sshd through nmap.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>

#include "tests/decoy/decoy_harness.h"

namespace decnet::decoy::testing {
namespace {

api::Json sshSpec(int port, const std::string& hostname, const std::string& distro = "debian") {
  return {{"hostname", hostname},
          {"distro", distro},
          {"services", {{{"name", "ssh"}, {"ports", {port}}}}}};
}

bool listening(const DecoyProcess& decoy, int port) {
  return decoy.waitFor({" ssh - listening ", "port=\"" + std::to_string(port) + "\""});
}

// "SHA256:..." of the server's key of `type`, "" when it offers none.
std::string fingerprint(int port, const std::string& type) {
  const auto result = run("ssh-keyscan -T 5 -t " + type + " -p " + std::to_string(port) +
                          " 127.0.0.1 2>/dev/null | ssh-keygen -lf - 2>/dev/null");
  const auto at = result.output.find("SHA256:");
  if (at == std::string::npos) return "";
  return result.output.substr(at, result.output.find(' ', at) - at);
}

// The first 16 hex digits of SHA-256(hostname): how key files are named.
std::string nameHash(const std::string& hostname) {
  return run("printf %s '" + hostname + "' | sha256sum | cut -c1-16").output.substr(0, 16);
}

// "SHA256:..." of the public half of a key made by ssh-keygen.
std::string fingerprintOfFile(const std::string& publicKey) {
  const std::string output = run("ssh-keygen -lf " + publicKey).output;
  const auto at = output.find("SHA256:");
  return at == std::string::npos ? "" : output.substr(at, output.find(' ', at) - at);
}

std::string waitForFingerprint(int port, const std::string& type) {
  for (int i = 0; i < 40; ++i) {
    const std::string found = fingerprint(port, type);
    if (!found.empty()) return found;
    std::this_thread::sleep_for(500ms);
  }
  return "";
}

TEST(SshFingerprintTest, HostKeysSurviveRestartsAndFollowTheHostname) {
  char pattern[] = "/tmp/decnet-ssh-state-XXXXXX";
  const std::string state = ::mkdtemp(pattern);
  const int port = freePort();
  std::string ed25519, rsa;
  {
    DecoyProcess decoy(sshSpec(port, "web-01"), {"--state-dir", state});
    ASSERT_TRUE(listening(decoy, port)) << decoy.stderrText();
    ed25519 = waitForFingerprint(port, "ed25519");
    rsa = waitForFingerprint(port, "rsa");  // made in the background on a first start
    ASSERT_FALSE(ed25519.empty());
    ASSERT_FALSE(rsa.empty());
    EXPECT_FALSE(fingerprint(port, "ecdsa").empty());
    EXPECT_EQ(decoy.stderrText().find("seccomp"), std::string::npos) << decoy.stderrText();
  }
  // One file: ed25519 and ecdsa from the start, RSA appended once made.
  const std::string keys = state + "/" + nameHash("web-01") + "_ssh_host_keys";
  EXPECT_EQ(run("ls " + state).output, nameHash("web-01") + "_ssh_host_keys\n");
  EXPECT_EQ(run("grep -c 'BEGIN' " + keys).output, "3\n");
  {
    DecoyProcess decoy(sshSpec(port, "web-01"), {"--state-dir", state});
    ASSERT_TRUE(listening(decoy, port));
    EXPECT_EQ(fingerprint(port, "ed25519"), ed25519);
    EXPECT_EQ(fingerprint(port, "rsa"), rsa);  // from disk: there at once
  }
  // An RSA key cut short (a crash while it was appended) is made again; the others stay.
  ASSERT_EQ(run("truncate -s -200 " + keys).exitCode, 0);
  {
    DecoyProcess decoy(sshSpec(port, "web-01"), {"--state-dir", state});
    ASSERT_TRUE(listening(decoy, port));
    EXPECT_EQ(fingerprint(port, "ed25519"), ed25519);
    const std::string again = waitForFingerprint(port, "rsa");
    EXPECT_FALSE(again.empty());
    EXPECT_NE(again, rsa);
  }
  {
    DecoyProcess decoy(sshSpec(port, "web-02"), {"--state-dir", state});
    ASSERT_TRUE(listening(decoy, port));
    const std::string other = fingerprint(port, "ed25519");
    EXPECT_FALSE(other.empty());
    EXPECT_NE(other, ed25519);
  }
  run("rm -rf " + state);
}

TEST(SshFingerprintTest, KeysKeptByAnOlderDecoyAreStillServed) {
  char pattern[] = "/tmp/decnet-ssh-state-XXXXXX";
  const std::string state = ::mkdtemp(pattern);
  // The layout of decoys before the keys shared a file: <state>/ssh/<hash>_<type>_key.
  const std::string prefix = state + "/ssh/" + nameHash("web-01") + "_";
  ASSERT_EQ(run("mkdir " + state + "/ssh").exitCode, 0);
  std::map<std::string, std::string> expected;
  for (const auto& [type, options] : std::map<std::string, std::string>{
           {"ed25519", "-t ed25519"}, {"ecdsa", "-t ecdsa -b 256"}, {"rsa", "-t rsa -b 2048"}}) {
    const std::string file = prefix + type + "_key";
    ASSERT_EQ(run("ssh-keygen -q -N '' " + options + " -f " + file).exitCode, 0);
    expected[type] = fingerprintOfFile(file + ".pub");
    ASSERT_FALSE(expected[type].empty());
  }
  const int port = freePort();
  {
    DecoyProcess decoy(sshSpec(port, "web-01"), {"--state-dir", state});
    ASSERT_TRUE(listening(decoy, port)) << decoy.stderrText();
    for (const auto& [type, fingerprint] : expected) {
      EXPECT_EQ(waitForFingerprint(port, type), fingerprint) << type;
    }
  }
  EXPECT_NE(run("ls " + state).output.find("ssh\n"), std::string::npos);
  EXPECT_EQ(run("ls " + state).output.find("_ssh_host_keys"), std::string::npos)
      << "nothing new made while the old keys serve";
  run("rm -rf " + state);
}

TEST(SshFingerprintTest, ASetShortOfAKeyKeepsTheKeysItHas) {
  char pattern[] = "/tmp/decnet-ssh-state-XXXXXX";
  const std::string state = ::mkdtemp(pattern);
  const int port = freePort();
  const std::string keys = state + "/" + nameHash("web-01") + "_ssh_host_keys";
  std::string ed25519, ecdsa, rsa;
  {
    DecoyProcess decoy(sshSpec(port, "web-01"), {"--state-dir", state});
    ASSERT_TRUE(listening(decoy, port)) << decoy.stderrText();
    ed25519 = waitForFingerprint(port, "ed25519");
    ecdsa = waitForFingerprint(port, "ecdsa");
    rsa = waitForFingerprint(port, "rsa");
    ASSERT_FALSE(ed25519.empty() || ecdsa.empty() || rsa.empty());
  }
  // A crash in the middle of the first write: the ed25519 key whole, the ecdsa key cut short.
  std::ifstream in(keys);
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  const auto second = text.find("-----BEGIN ", 1);
  ASSERT_NE(second, std::string::npos) << text;
  std::ofstream(keys, std::ios::trunc) << text.substr(0, second + 100);
  {
    DecoyProcess decoy(sshSpec(port, "web-01"), {"--state-dir", state});
    ASSERT_TRUE(listening(decoy, port)) << decoy.stderrText();
    EXPECT_EQ(fingerprint(port, "ed25519"), ed25519) << "the whole key is kept";
    const std::string newEcdsa = fingerprint(port, "ecdsa");
    EXPECT_FALSE(newEcdsa.empty());
    EXPECT_NE(newEcdsa, ecdsa) << "the cut one is made again";
    EXPECT_FALSE(waitForFingerprint(port, "rsa").empty());
  }
  EXPECT_EQ(run("grep -c 'BEGIN' " + keys).output, "3\n") << "the set written anew, RSA after";
  run("rm -rf " + state);

  // An older decoy's files in part: only its ed25519 key.
  char olderPattern[] = "/tmp/decnet-ssh-state-XXXXXX";
  const std::string older = ::mkdtemp(olderPattern);
  ASSERT_EQ(run("mkdir " + older + "/ssh").exitCode, 0);
  const std::string file = older + "/ssh/" + nameHash("web-01") + "_ed25519_key";
  ASSERT_EQ(run("ssh-keygen -q -N '' -t ed25519 -f " + file).exitCode, 0);
  {
    DecoyProcess decoy(sshSpec(port, "web-01"), {"--state-dir", older});
    ASSERT_TRUE(listening(decoy, port)) << decoy.stderrText();
    EXPECT_EQ(fingerprint(port, "ed25519"), fingerprintOfFile(file + ".pub"));
    EXPECT_FALSE(fingerprint(port, "ecdsa").empty());
  }
  run("rm -rf " + older);
}

// A state dir with the host-wide keygen lock already held, and an ssh decoy started on it that
// serves with its ed25519 key (and waits for the lock to make its RSA key).
class LockedKeygen : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/decnet-ssh-state-XXXXXX";
    state_ = ::mkdtemp(pattern);
    lock_ = state_ + "/.keygen.lock";
    holder_ = ::open(lock_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    ASSERT_GE(holder_, 0);
    ASSERT_EQ(::flock(holder_, LOCK_EX), 0);
    port_ = freePort();
    decoy_.emplace(
        sshSpec(port_, "web-01"),
        std::vector<std::string>{"--state-dir", state_ + "/web-01", "--keygen-lock", lock_});
    ASSERT_TRUE(listening(*decoy_, port_)) << decoy_->stderrText();
    EXPECT_FALSE(waitForFingerprint(port_, "ed25519").empty());
  }
  void TearDown() override {
    decoy_.reset();
    if (holder_ >= 0) ::close(holder_);
    run("rm -rf " + state_);
  }
  // Lets the lock go.
  void release() {
    ::close(holder_);
    holder_ = -1;
  }

  std::string state_, lock_;
  int holder_ = -1;
  int port_ = 0;
  std::optional<DecoyProcess> decoy_;
};

// Decoys started together take turns making RSA keys: while another holder has the host-wide
// lock, this decoy serves with its ed25519 and ecdsa keys only (and makes no RSA key); the
// moment the lock is free it makes one.
TEST_F(LockedKeygen, RsaKeyWaitsForTheHostWideKeygenLock) {
  std::this_thread::sleep_for(2s);  // several RSA generations' worth of time
  EXPECT_EQ(fingerprint(port_, "rsa"), "") << "an RSA key was made while the lock was held";
  release();
  EXPECT_FALSE(waitForFingerprint(port_, "rsa").empty());
  EXPECT_EQ(decoy_->stderrText().find("seccomp"), std::string::npos) << decoy_->stderrText();
}

// Waiting decoys poll the lock rather than block on it, so a blocking taker (an operator, a bench
// measuring the decoys at rest) gets it at the next release instead of behind every decoy.
TEST_F(LockedKeygen, ABlockingTakerGoesBeforeWaitingDecoys) {
  std::this_thread::sleep_for(1s);  // the decoy is waiting for the lock by now
  const int taker = ::open(lock_.c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(taker, 0);
  std::atomic<bool> taken{false};
  std::thread blocking([&] { taken = ::flock(taker, LOCK_EX) == 0; });
  std::this_thread::sleep_for(200ms);
  release();  // the blocked taker is woken; the decoy only polls
  blocking.join();
  EXPECT_TRUE(taken);
  std::this_thread::sleep_for(4s);  // longer than the decoy's longest poll interval
  EXPECT_EQ(fingerprint(port_, "rsa"), "") << "the decoy took the lock from a blocked taker";
  ::close(taker);
  EXPECT_FALSE(waitForFingerprint(port_, "rsa").empty());
}

TEST(SshFingerprintTest, BannerGrabThatHalfClosesGetsTheIdentification) {
  const int port = freePort();
  DecoyProcess decoy(sshSpec(port, "web-01", "ubuntu22"));
  ASSERT_TRUE(listening(decoy, port));
  const auto result =
      run("printf '' | timeout 5 ncat --recv-only 127.0.0.1 " + std::to_string(port) +
          " 2>/dev/null | head -1; printf '' | timeout 5 ncat 127.0.0.1 " + std::to_string(port));
  EXPECT_EQ(result.output.rfind("SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.10\r\n", 0), 0u)
      << result.output;
  const auto second = result.output.find("SSH-2.0-", 5);
  EXPECT_NE(second, std::string::npos) << "a client that sends EOF at once: " << result.output;
}

// Section name -> algorithms, from `nmap --script ssh2-enum-algos` output.
std::map<std::string, std::vector<std::string>> enumAlgos(int port) {
  const auto result =
      run("nmap -n -sV -p " + std::to_string(port) + " --script ssh2-enum-algos 127.0.0.1 2>&1");
  std::map<std::string, std::vector<std::string>> out;
  std::istringstream in(result.output);
  std::string section;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("|   ", 0) == 0 && line.find(": (") != std::string::npos) {
      section = line.substr(4, line.find(':') - 4);
    } else if ((line.rfind("|       ", 0) == 0 || line.rfind("|_      ", 0) == 0) &&
               !section.empty()) {
      out[section].push_back(line.substr(line.find_first_not_of("|_ ")));
    } else if (line.find("VERSION") == std::string::npos &&
               line.find("/tcp") != std::string::npos) {
      out["_service"].push_back(line);
    }
  }
  return out;
}

TEST(SshFingerprintTest, KexinitMatchesDebianSshd) {
  if (::geteuid() != 0 || ::access("/usr/sbin/sshd", X_OK) != 0 ||
      run("command -v nmap ssh-keygen").exitCode != 0) {
    GTEST_SKIP() << "needs root, /usr/sbin/sshd, nmap and ssh-keygen";
  }
  char pattern[] = "/tmp/decnet-real-sshd-XXXXXX";
  const std::string dir = ::mkdtemp(pattern);
  ASSERT_EQ(run("mkdir -p /run/sshd && cd " + dir +
                " && ssh-keygen -q -t rsa -b 3072 -N '' -f rsa && ssh-keygen -q -t ecdsa -N '' "
                "-f ecdsa && ssh-keygen -q -t ed25519 -N '' -f ed25519 && printf "
                "'HostKey %s/rsa\\nHostKey %s/ecdsa\\nHostKey %s/ed25519\\nUsePAM no\\n"
                "PidFile none\\nListenAddress 127.0.0.1\\n' " +
                dir + " " + dir + " " + dir + " > sshd_config")
                .exitCode,
            0);
  const int realPort = freePort();
  const pid_t sshd = ::fork();
  if (sshd == 0) {
    const std::string portText = std::to_string(realPort);
    const std::string config = dir + "/sshd_config";
    ::execl("/usr/sbin/sshd", "/usr/sbin/sshd", "-D", "-f", config.c_str(), "-p", portText.c_str(),
            static_cast<char*>(nullptr));
    std::_Exit(127);
  }
  for (int i = 0; i < 50; ++i) {
    RawClient probe(realPort);
    if (probe.connected() && probe.receive(1s, "\n").rfind("SSH-2.0-OpenSSH_", 0) == 0) break;
    std::this_thread::sleep_for(100ms);
  }
  const int port = freePort();
  DecoyProcess decoy(sshSpec(port, "web-01", "debian"));
  ASSERT_TRUE(listening(decoy, port));
  ASSERT_FALSE(waitForFingerprint(port, "rsa").empty());  // all three host keys
  std::this_thread::sleep_for(300ms);
  // Under load nmap's script can time out and list nothing: scan again before judging.
  auto theirs = enumAlgos(realPort);
  auto ours = enumAlgos(port);
  for (int retry = 0;
       retry < 3 && (theirs["kex_algorithms"].empty() || ours["kex_algorithms"].empty()); ++retry) {
    if (theirs["kex_algorithms"].empty()) theirs = enumAlgos(realPort);
    if (ours["kex_algorithms"].empty()) ours = enumAlgos(port);
  }
  ::kill(sshd, SIGTERM);
  ::waitpid(sshd, nullptr, 0);
  run("rm -rf " + dir);
  ASSERT_FALSE(theirs["kex_algorithms"].empty()) << "real sshd did not answer";
  for (const char* section :
       {"kex_algorithms", "server_host_key_algorithms", "encryption_algorithms", "mac_algorithms",
        "compression_algorithms"}) {
    const auto& want = theirs[section];
    const auto& got = ours[section];
    std::size_t present = 0;
    std::string report;
    for (const auto& name : want) {
      const bool has = std::find(got.begin(), got.end(), name) != got.end();
      present += has ? 1 : 0;
      if (!has) report += " -" + name;
    }
    for (const auto& name : got) {
      if (std::find(want.begin(), want.end(), name) == want.end()) report += " +" + name;
    }
    std::printf("[ nmap ] %s: %zu/%zu of sshd's%s\n", section, present, want.size(),
                report.empty() ? " (identical)" : report.c_str());
    EXPECT_TRUE(report.find(" +") == std::string::npos) << section << ": extra" << report;
    if (std::string(section) != "mac_algorithms") {
      EXPECT_GE(4 * present, 3 * want.size()) << section << report;
    }
    // Same relative order for what both offer.
    std::vector<std::string> common;
    for (const auto& name : want) {
      if (std::find(got.begin(), got.end(), name) != got.end()) common.push_back(name);
    }
    std::vector<std::string> ourCommon;
    for (const auto& name : got) {
      if (std::find(want.begin(), want.end(), name) != want.end()) ourCommon.push_back(name);
    }
    EXPECT_EQ(common, ourCommon) << section;
  }
  ASSERT_FALSE(ours["_service"].empty());
  EXPECT_NE(ours["_service"].front().find("OpenSSH 9.2p1 Debian 2+deb12u3"), std::string::npos)
      << ours["_service"].front();
}

}  // namespace
}  // namespace decnet::decoy::testing
