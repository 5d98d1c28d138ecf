// hydra against ssh, ftp and a WordPress login form on one decky: every attempt hydra makes is
// recorded with its principal and secret, and the decky keeps answering while it runs. Loopback;
// skips when hydra is absent.
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "tests/decoy/decoy_harness.h"

namespace decnet::decoy::testing {
namespace {

const std::vector<std::string> kUsers = {"root", "admin", "oracle"};
const std::vector<std::string> kPasswords = {"123456", "hunter2", "Winter2024!"};

class HydraTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (run("command -v hydra").exitCode != 0) GTEST_SKIP() << "hydra is not installed";
    ssh_ = freePort();
    ftp_ = freePort();
    http_ = freePort();
    api::Json spec = {
        {"hostname", "SRV-WEB-31"},
        {"distro", "debian"},
        {"services",
         {{{"name", "ssh"}, {"ports", {ssh_}}, {"persona", {{"users", "deploy:Tr0ub4dor"}}}},
          {{"name", "ftp"}, {"ports", {ftp_}}, {"persona", {{"users", "deploy:Tr0ub4dor"}}}},
          {{"name", "http"}, {"ports", {http_}}, {"persona", {{"fake_app", "wordpress"}}}}}}};
    decoy_ = std::make_unique<DecoyProcess>(spec);
    ASSERT_TRUE(decoy_->waitFor({" http - listening "}, 10s)) << decoy_->events();
    ASSERT_TRUE(decoy_->waitFor({" ssh - listening "}, 10s)) << decoy_->events();
    users_ = decoy_->dir() + "/users.txt";
    passwords_ = decoy_->dir() + "/passwords.txt";
    std::ofstream users(users_), passwords(passwords_);
    for (const auto& u : kUsers) users << u << "\n";
    for (const auto& p : kPasswords) passwords << p << "\n";
  }

  // Every (user, password) pair hydra should have tried appears as an auth_attempt of `service`.
  void expectEveryPairRecorded(const std::string& service) {
    for (const auto& user : kUsers) {
      for (const auto& password : kPasswords) {
        EXPECT_TRUE(
            decoy_->waitFor({" " + service + " - auth_attempt ", "principal=\"" + user + "\"",
                             "secret=\"" + password + "\"", "outcome=\"failed\""},
                            10s))
            << service << " " << user << ":" << password << "\n"
            << "hydra said:\n"
            << readFile(decoy_->dir() + "/" + (service == "http" ? "form" : service) + ".out")
            << decoy_->events();
      }
    }
  }

  // A page fetch that must answer within a second while hydra runs; its status goes to `file`.
  std::string probe(const std::string& file) const {
    return "curl -s -o /dev/null -w '%{http_code}' --max-time 1 http://127.0.0.1:" +
           std::to_string(http_) + "/ > " + file;
  }

  int ssh_ = 0, ftp_ = 0, http_ = 0;
  std::string users_, passwords_;
  std::unique_ptr<DecoyProcess> decoy_;
};

TEST_F(HydraTest, EveryAttemptOnSshFtpAndAFormIsRecorded) {
  const std::string lists = " -L " + users_ + " -P " + passwords_ + " -I -q ";
  // Three attacks at once, as a scanning kit runs them; each bounded in time.
  const std::string ssh = "timeout 120 hydra" + lists + "-t 4 -s " + std::to_string(ssh_) +
                          " 127.0.0.1 ssh > " + decoy_->dir() + "/ssh.out 2>&1";
  const std::string ftp = "timeout 120 hydra" + lists + "-t 4 -s " + std::to_string(ftp_) +
                          " 127.0.0.1 ftp > " + decoy_->dir() + "/ftp.out 2>&1";
  const std::string form = "timeout 120 hydra" + lists + "-t 4 -s " + std::to_string(http_) +
                           " 127.0.0.1 http-post-form "
                           "'/wp-login.php:log=^USER^&pwd=^PASS^&wp-submit=Log+In:F=is incorrect'"
                           " > " +
                           decoy_->dir() + "/form.out 2>&1";
  const std::string status = decoy_->dir() + "/probe.out";
  run("(" + ssh + ") & (" + ftp + ") & (" + form + ") & sleep 2; " + probe(status) + "; wait");
  EXPECT_EQ(readFile(status), "200") << "the decky stopped answering during the attack";
  expectEveryPairRecorded("ssh");
  expectEveryPairRecorded("ftp");
  expectEveryPairRecorded("http");
  // hydra found nothing: none of its guesses is a listed login.
  for (const char* out : {"/ssh.out", "/ftp.out", "/form.out"}) {
    const std::string text = readFile(decoy_->dir() + out);
    EXPECT_NE(text.find("0 valid password"), std::string::npos) << out << ":\n" << text;
  }
  EXPECT_EQ(decoy_->stop(), 0);
}

}  // namespace
}  // namespace decnet::decoy::testing
