// The smtp emulator in a real decoy process (sandbox on) against curl and raw sockets.
#include <gtest/gtest.h>

#include "tests/decoy/decoy_harness.h"

namespace decnet::decoy::testing {
namespace {

class SmtpServiceTest : public DecoyServiceTest {
 protected:
  void SetUp() override {
    port_ = freePort();
    api::Json spec = {{"hostname", "mail.corp.test"},
                      {"services", {{{"name", "smtp"}, {"ports", {port_}}}}}};
    startDecoy("smtp", spec);
  }
};

TEST_F(SmtpServiceTest, RawDialogue) {
  RawClient client(port_);
  ASSERT_TRUE(client.connected());
  EXPECT_EQ(client.receive(3s, "\r\n"), "220 mail.corp.test ESMTP Postfix (Debian/GNU)\r\n");
  client.send("EHLO scanner\r\nAUTH LOGIN\r\n");
  EXPECT_NE(client.receive(3s, "334 VXNlcm5hbWU6\r\n").find("250 CHUNKING\r\n334 VXNlcm5hbWU6"),
            std::string::npos);
  client.send("YWRtaW4=\r\n");  // admin
  EXPECT_EQ(client.receive(3s, "\r\n"), "334 UGFzc3dvcmQ6\r\n");
  client.send("UEBzc3cwcmQ=\r\n");  // P@ssw0rd
  EXPECT_EQ(client.receive(3s, "\r\n"),
            "535 5.7.8 Error: authentication failed: authentication failure\r\n");
  client.send(
      "MAIL FROM:<a@evil.test>\r\nRCPT TO:<x@gmail.com>\r\nRCPT TO:<ceo@corp.test>\r\n"
      "DATA\r\n");
  const std::string replies = client.receive(3s, "354 ");
  EXPECT_NE(replies.find("554 5.7.1 <x@gmail.com>: Relay access denied\r\n250 2.1.5 Ok\r\n354"),
            std::string::npos)
      << replies;
  client.send("Subject: invoice\r\n\r\nplease pay\r\n.\r\nQUIT\r\n");
  EXPECT_NE(client.receive(3s, "221 2.0.0 Bye\r\n").find("250 2.0.0 Ok: queued as "),
            std::string::npos);
  EXPECT_TRUE(decoy_->waitFor({" smtp - auth_attempt ", "principal=\"admin\"",
                               "secret=\"P@ssw0rd\"", "method=\"login\"", "outcome=\"failed\""}))
      << decoy_->events();
  EXPECT_TRUE(decoy_->waitFor(
      {" smtp - message ", "from=\"a@evil.test\"", "to=\"ceo@corp.test\"", "subject=\"invoice\""}))
      << decoy_->events();
  EXPECT_TRUE(
      decoy_->waitFor({" smtp - rcpt_to ", "address=\"x@gmail.com\"", "accepted=\"false\""}));
  EXPECT_TRUE(decoy_->waitFor({" smtp - ehlo ", "domain=\"scanner\""}));
}

TEST_F(SmtpServiceTest, HostileInputIsRecordedAndServiceContinues) {
  RawClient client(port_);
  client.receive(3s, "\r\n");
  client.send("EHLO x\r\nAUTH PLAIN\r\n");
  client.receive(3s, "334 \r\n");
  client.send("not*base64\r\n");
  EXPECT_EQ(client.receive(3s, "\r\n"), "501 5.5.2 Cannot decode response\r\n");
  client.send(std::string(100 * 1024, 'D') + "\r\nNOOP\r\n");
  EXPECT_EQ(client.receive(3s, "250 2.0.0 Ok\r\n"),
            "500 5.5.0 Error: line too long\r\n250 2.0.0 Ok\r\n");
  EXPECT_TRUE(decoy_->waitFor(
      {" smtp - command ", "anomaly=\"invalid_base64\"", "raw_b64=\"bm90KmJhc2U2NA==\""}))
      << decoy_->events();
  EXPECT_TRUE(decoy_->waitFor({" smtp - command ", "anomaly=\"line_too_long\""}));
}

TEST_F(SmtpServiceTest, RealCurlClient) {
  if (run("command -v curl").exitCode != 0) GTEST_SKIP() << "curl not installed";
  const std::string url = "smtp://127.0.0.1:" + std::to_string(port_);
  const auto result =
      run("printf 'Subject: t\\r\\n\\r\\nbody\\r\\n' | timeout 20 curl -sS "
          "--max-time 15 --mail-from a@b.test --mail-rcpt c@d.test --user "
          "'mallory:S3cret!' -T - " +
          url + " 2>&1");
  EXPECT_NE(result.exitCode, 0) << result.output;
  EXPECT_TRUE(decoy_->waitFor({" smtp - auth_attempt ", "principal=\"mallory\"",
                               "secret=\"S3cret!\"", "outcome=\"failed\""}))
      << result.output << decoy_->events();
  const auto relay =
      run("printf 'Subject: t\\r\\n\\r\\nbody\\r\\n' | timeout 20 curl -sS "
          "--max-time 15 --mail-from a@b.test --mail-rcpt c@d.test -T - " +
          url + " 2>&1");
  EXPECT_NE(relay.output.find("554"), std::string::npos) << relay.output;
  EXPECT_TRUE(decoy_->waitFor({" smtp - rcpt_to ", "address=\"c@d.test\"", "accepted=\"false\""}));
}

}  // namespace
}  // namespace decnet::decoy::testing
