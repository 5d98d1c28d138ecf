// The pop3 emulator in a real decoy process (sandbox on) against curl and raw sockets.
#include <gtest/gtest.h>

#include "tests/decoy/decoy_harness.h"

namespace decnet::decoy::testing {
namespace {

class Pop3ServiceTest : public DecoyServiceTest {
 protected:
  void SetUp() override {
    port_ = freePort();
    api::Json spec = {
        {"hostname", "mx-02"},
        {"services",
         {{{"name", "pop3"}, {"ports", {port_}}, {"persona", {{"users", "bob:letmein"}}}}}}};
    startDecoy("pop3", spec);
  }
};

TEST_F(Pop3ServiceTest, RawDialogue) {
  RawClient client(port_);
  ASSERT_TRUE(client.connected());
  EXPECT_EQ(client.receive(3s, "\r\n"), "+OK Dovecot ready.\r\n");
  client.send("USER root\r\nPASS toor\r\n");
  EXPECT_EQ(client.receive(6s, "failed.\r\n"), "+OK\r\n-ERR [AUTH] Authentication failed.\r\n");
  client.send("QUIT\r\n");
  EXPECT_EQ(client.receive(3s, "\r\n"), "+OK Logging out.\r\n");
  EXPECT_TRUE(decoy_->waitFor({" pop3 - auth_attempt ", "principal=\"root\"", "secret=\"toor\"",
                               "secret_b64=\"dG9vcg==\"", "outcome=\"failed\"", "method=\"user\""}))
      << decoy_->events();
  EXPECT_TRUE(decoy_->lines({"arg=\"toor\""}).empty()) << decoy_->events();
}

TEST_F(Pop3ServiceTest, HostileInputIsRecordedAndServiceContinues) {
  {
    RawClient client(port_);
    client.receive(3s, "\r\n");
    client.send("AUTH PLAIN\r\n");
    EXPECT_EQ(client.receive(3s, "\r\n"), "+ \r\n");
    client.send("%%%not-base64%%%\r\n");
    EXPECT_EQ(client.receive(3s, "\r\n"), "-ERR Invalid base64 data in continued response\r\n");
    client.send(std::string(100 * 1024, 'B') + "\r\n");
    EXPECT_EQ(client.receive(3s, "\r\n"), "-ERR Input line too long.\r\n");
    EXPECT_TRUE(client.closedByPeer());
  }
  EXPECT_TRUE(decoy_->waitFor(
      {" pop3 - command ", "anomaly=\"invalid_base64\"", "raw_b64=\"JSUlbm90LWJhc2U2NCUlJQ==\""}))
      << decoy_->events();
  EXPECT_TRUE(decoy_->waitFor({" pop3 - command ", "anomaly=\"line_too_long\""}));
  RawClient again(port_);
  EXPECT_EQ(again.receive(3s, "\r\n"), "+OK Dovecot ready.\r\n");
}

TEST_F(Pop3ServiceTest, RealCurlClient) {
  if (run("command -v curl").exitCode != 0) GTEST_SKIP() << "curl not installed";
  const std::string url = "pop3://127.0.0.1:" + std::to_string(port_) + "/";
  const auto denied =
      run("timeout 20 curl -sS --max-time 15 -u 'alice:Spr!ng2024' " + url + " 2>&1");
  EXPECT_NE(denied.exitCode, 0) << denied.output;
  EXPECT_TRUE(decoy_->waitFor({" pop3 - auth_attempt ", "principal=\"alice\"",
                               "secret=\"Spr!ng2024\"", "outcome=\"failed\""}))
      << denied.output << decoy_->events();
  const auto listed = run("timeout 20 curl -sS --max-time 15 -u 'bob:letmein' " + url + " 2>&1");
  EXPECT_EQ(listed.exitCode, 0) << listed.output;
  EXPECT_NE(listed.output.find("1 "), std::string::npos) << listed.output;
  const auto message = run("timeout 20 curl -sS --max-time 15 -u 'bob:letmein' " + url + "1 2>&1");
  EXPECT_NE(message.output.find("Subject: Cron <root@mx-02>"), std::string::npos) << message.output;
  EXPECT_TRUE(decoy_->waitFor({" pop3 - retr ", "message=\"1\""})) << decoy_->events();
}

}  // namespace
}  // namespace decnet::decoy::testing
