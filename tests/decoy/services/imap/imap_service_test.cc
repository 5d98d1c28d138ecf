// The imap emulator in a real decoy process (sandbox on) against curl and raw sockets.
#include <gtest/gtest.h>

#include "tests/decoy/decoy_harness.h"

namespace decnet::decoy::testing {
namespace {

class ImapServiceTest : public DecoyServiceTest {
 protected:
  void SetUp() override {
    port_ = freePort();
    api::Json spec = {
        {"hostname", "mx-03"},
        {"services",
         {{{"name", "imap"}, {"ports", {port_}}, {"persona", {{"users", "bob:letmein"}}}}}}};
    startDecoy("imap", spec);
  }
};

TEST_F(ImapServiceTest, RawDialogueWithLiteral) {
  RawClient client(port_);
  ASSERT_TRUE(client.connected());
  EXPECT_EQ(client.receive(3s, "\r\n"),
            "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ "
            "AUTH=PLAIN] Dovecot ready.\r\n");
  client.send("a1 LOGIN admin {6}\r\n");
  EXPECT_EQ(client.receive(3s, "\r\n"), "+ OK\r\n");
  client.send("P@ss w\r\n");
  EXPECT_EQ(client.receive(6s, "\r\n"), "a1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n");
  client.send("a2 LOGOUT\r\n");
  EXPECT_EQ(client.receive(3s, "completed.\r\n"),
            "* BYE Logging out\r\na2 OK Logout completed.\r\n");
  EXPECT_TRUE(decoy_->waitFor({" imap - auth_attempt ", "principal=\"admin\"", "secret=\"P@ss w\"",
                               "outcome=\"failed\"", "method=\"login\""}))
      << decoy_->events();
  EXPECT_TRUE(
      decoy_->waitFor({" imap - command ", "tag=\"a1\"", "cmd=\"LOGIN\"", "arg=\"admin\""}));
  EXPECT_TRUE(decoy_->lines({"arg=\"P@ss w\""}).empty()) << decoy_->events();
}

TEST_F(ImapServiceTest, HostileInputIsRecordedAndServiceContinues) {
  {
    RawClient client(port_);
    client.receive(3s, "\r\n");
    client.send("x AUTHENTICATE PLAIN\r\n");
    EXPECT_EQ(client.receive(3s, "\r\n"), "+ \r\n");
    client.send("***garbage***\r\n");
    EXPECT_EQ(client.receive(3s, "\r\n"), "x BAD Invalid base64 data in continued response\r\n");
    client.send(std::string(100 * 1024, 'C') + "\r\n");
    EXPECT_EQ(client.receive(3s, "\r\n"), "* BYE Too long argument.\r\n");
    EXPECT_TRUE(client.closedByPeer());
  }
  EXPECT_TRUE(decoy_->waitFor(
      {" imap - command ", "anomaly=\"invalid_base64\"", "raw_b64=\"KioqZ2FyYmFnZSoqKg==\""}))
      << decoy_->events();
  EXPECT_TRUE(decoy_->waitFor({" imap - command ", "anomaly=\"line_too_long\""}));
  RawClient again(port_);
  EXPECT_NE(again.receive(3s, "\r\n").find("Dovecot ready."), std::string::npos);
}

TEST_F(ImapServiceTest, RealCurlClient) {
  if (run("command -v curl").exitCode != 0) GTEST_SKIP() << "curl not installed";
  const std::string url = "imap://127.0.0.1:" + std::to_string(port_) + "/";
  const auto denied =
      run("timeout 20 curl -sS --max-time 15 -u 'alice:Spr!ng 2024' " + url + " 2>&1");
  EXPECT_NE(denied.exitCode, 0) << denied.output;
  EXPECT_TRUE(decoy_->waitFor({" imap - auth_attempt ", "principal=\"alice\"",
                               "secret=\"Spr!ng 2024\"", "outcome=\"failed\""}))
      << denied.output << decoy_->events();
  const auto listed = run("timeout 20 curl -sS --max-time 15 -u 'bob:letmein' " + url + " 2>&1");
  EXPECT_EQ(listed.exitCode, 0) << listed.output;
  EXPECT_NE(listed.output.find("INBOX"), std::string::npos) << listed.output;
}

}  // namespace
}  // namespace decnet::decoy::testing
