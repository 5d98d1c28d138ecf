// The ftp emulator in a real decoy process (sandbox on) against raw sockets, ftp, lftp, hydra.
#include <gtest/gtest.h>

#include <fstream>

#include "tests/decoy/decoy_harness.h"

namespace decnet::decoy::testing {
namespace {

class FtpServiceTest : public DecoyServiceTest {
 protected:
  void SetUp() override {
    port_ = freePort();
    api::Json spec = {
        {"hostname", "files-01"},
        {"services",
         {{{"name", "ftp"}, {"ports", {port_}}, {"persona", {{"users", "bob:letmein"}}}}}}};
    startDecoy("ftp", spec);
  }

  bool have(const std::string& tool) { return run("command -v " + tool).exitCode == 0; }
};

TEST_F(FtpServiceTest, RawDialogue) {
  RawClient client(port_);
  ASSERT_TRUE(client.connected());
  EXPECT_EQ(client.receive(3s, "\r\n"), "220 (vsFTPd 3.0.3)\r\n");
  client.send("SYST\r\nUSER root\r\nPASS toor\r\n");
  const std::string replies = client.receive(5s, "Login incorrect.\r\n");
  EXPECT_EQ(replies,
            "530 Please login with USER and PASS.\r\n331 Please specify the password.\r\n"
            "530 Login incorrect.\r\n");
  client.send("USER bob\r\nPASS letmein\r\nPASV\r\nRETR secret.txt\r\nQUIT\r\n");
  const std::string session = client.receive(5s, "221 Goodbye.\r\n");
  EXPECT_NE(session.find("230 Login successful.\r\n227 Entering Passive Mode (127,0,0,1,"),
            std::string::npos)
      << session;
  EXPECT_NE(session.find("425 Failed to establish connection.\r\n221 Goodbye.\r\n"),
            std::string::npos)
      << session;
  EXPECT_TRUE(client.closedByPeer());
  EXPECT_TRUE(decoy_->waitFor({" ftp - auth_attempt ", "principal=\"root\"", "secret=\"toor\"",
                               "secret_b64=\"dG9vcg==\"", "outcome=\"failed\""}))
      << decoy_->events();
  EXPECT_TRUE(decoy_->waitFor(
      {" ftp - auth_attempt ", "principal=\"bob\"", "secret=\"letmein\"", "outcome=\"success\""}));
  EXPECT_TRUE(decoy_->waitFor({" ftp - download_attempt ", "path=\"secret.txt\""}));
  EXPECT_TRUE(decoy_->waitFor({" ftp - command ", "cmd=\"PASS\"", "arg=\"\""}, 5s, 2));
  EXPECT_TRUE(decoy_->lines({"arg=\"toor\""}).empty()) << decoy_->events();
  EXPECT_TRUE(decoy_->lines({"arg=\"letmein\""}).empty()) << decoy_->events();
}

TEST_F(FtpServiceTest, HostileInputIsRecordedAndServiceContinues) {
  {
    RawClient client(port_);
    client.receive(3s, "\r\n");
    client.send(std::string("USER x\0y\r\n", 10));
    EXPECT_EQ(client.receive(3s, "\r\n"), "331 Please specify the password.\r\n");
    client.send(std::string(100 * 1024, 'A') + "\r\n");
    EXPECT_NE(client.receive(3s, "\r\n").find("500 Input line too long."), std::string::npos);
    EXPECT_TRUE(client.closedByPeer());
  }
  EXPECT_TRUE(decoy_->waitFor({" ftp - command ", "anomaly=\"nul_byte\"", "cmd=\"USER\""}))
      << decoy_->events();
  EXPECT_TRUE(decoy_->waitFor({" ftp - command ", "anomaly=\"line_too_long\"", "raw_b64=\"QUFB"}))
      << decoy_->events();
  RawClient again(port_);
  EXPECT_EQ(again.receive(3s, "\r\n"), "220 (vsFTPd 3.0.3)\r\n");
}

TEST_F(FtpServiceTest, RealFtpClient) {
  if (!have("ftp")) GTEST_SKIP() << "ftp client not installed";
  const auto result =
      run("printf 'user alice Sup3r!pass\\nquit\\n' | timeout 20 ftp -n -v 127.0.0.1 " +
          std::to_string(port_) + " 2>&1");
  EXPECT_NE(result.output.find("530 Login incorrect."), std::string::npos) << result.output;
  EXPECT_TRUE(decoy_->waitFor({" ftp - auth_attempt ", "principal=\"alice\"",
                               "secret=\"Sup3r!pass\"", "outcome=\"failed\""}))
      << decoy_->events();
  const auto ok =
      run("printf 'user bob letmein\\npwd\\nsystem\\nquit\\n' | timeout 20 ftp -n -v "
          "127.0.0.1 " +
          std::to_string(port_) + " 2>&1");
  EXPECT_NE(ok.output.find("230 Login successful."), std::string::npos) << ok.output;
  EXPECT_NE(ok.output.find("215 UNIX Type: L8"), std::string::npos) << ok.output;
}

TEST_F(FtpServiceTest, RealLftpClient) {
  if (!have("lftp")) GTEST_SKIP() << "lftp not installed";
  const auto result =
      run("timeout 20 lftp -e 'set net:max-retries 1; set net:timeout 5; quote SYST; quit' -u "
          "'carol,pa ss' -p " +
          std::to_string(port_) + " 127.0.0.1 2>&1");
  EXPECT_TRUE(decoy_->waitFor(
      {" ftp - auth_attempt ", "principal=\"carol\"", "secret=\"pa ss\"", "outcome=\"failed\""}))
      << result.output << decoy_->events();
  const auto ok =
      run("timeout 20 lftp -e 'set net:max-retries 1; quote SYST; quit' -u 'bob,letmein' -p " +
          std::to_string(port_) + " 127.0.0.1 2>&1");
  EXPECT_NE(ok.output.find("215 UNIX Type: L8"), std::string::npos) << ok.output;
}

TEST_F(FtpServiceTest, HydraFindsTheListedLogin) {
  if (!have("hydra")) GTEST_SKIP() << "hydra not installed";
  const std::string list = decoy_->dir() + "/passwords.txt";
  std::ofstream(list) << "123456\nletmein\n";
  const auto result = run("timeout 60 hydra -l bob -P " + list +
                          " -t 1 -f ftp://127.0.0.1:" + std::to_string(port_) + " 2>&1");
  EXPECT_NE(result.output.find("login: bob   password: letmein"), std::string::npos)
      << result.output;
  EXPECT_TRUE(decoy_->waitFor({" ftp - auth_attempt ", "principal=\"bob\"", "secret=\"123456\""}))
      << decoy_->events();
}

}  // namespace
}  // namespace decnet::decoy::testing
