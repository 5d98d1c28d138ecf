// SmtpProtocol driven with bytes: ESMTP replies, AUTH, relay refusal and message events.
#include "decoy/services/smtp/smtp_protocol.h"

#include <gtest/gtest.h>

namespace decnet::decoy::smtp {
namespace {

std::string field(const text::LineEvent& event, const std::string& key) {
  for (const auto& [k, v] : event.fields) {
    if (k == key) return v;
  }
  return "<missing>";
}

const text::LineEvent* findEvent(const text::FeedResult& result, const std::string& type) {
  for (const auto& event : result.events) {
    if (event.type == type) return &event;
  }
  return nullptr;
}

SmtpConfig postfix() {
  SmtpConfig config;
  config.banner = "220 mail.example.com ESMTP Postfix (Debian/GNU)";
  config.hostname = "mail.example.com";
  return config;
}

struct Fixture {
  explicit Fixture(SmtpConfig config = postfix()) : protocol(std::move(config)), framer(65536) {}
  text::FeedResult send(std::string_view bytes) { return text::feed(protocol, framer, bytes); }
  SmtpProtocol protocol;
  text::LineFramer framer;
};

TEST(SmtpProtocolTest, EhloLists) {
  Fixture f;
  EXPECT_EQ(f.send("EHLO client.test\r\n").replies,
            "250-mail.example.com\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-VRFY\r\n"
            "250-ETRN\r\n250-AUTH PLAIN LOGIN\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n"
            "250-DSN\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n");
}

TEST(SmtpProtocolTest, AuthPlainAndLogin) {
  Fixture f;
  auto result = f.send(
      "AUTH PLAIN AGJvYgBwdzE=\r\nEHLO x\r\nAUTH PLAIN AGJvYgBwdzE=\r\n"
      "AUTH LOGIN\r\nYWxpY2U=\r\nc2VjcmV0\r\nAUTH PLAIN\r\n!!\r\n");
  EXPECT_NE(result.replies.find("503 5.5.1 Error: send HELO/EHLO first\r\n"), std::string::npos);
  EXPECT_NE(result.replies.find(
                "CHUNKING\r\n535 5.7.8 Error: authentication failed: authentication failure\r\n"
                "334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n535 5.7.8 Error: authentication "
                "failed: authentication failure\r\n334 \r\n501 5.5.2 Cannot decode response\r\n"),
            std::string::npos)
      << result.replies;
  std::vector<std::string> creds;
  for (const auto& e : result.events) {
    if (e.type == "auth_attempt") {
      creds.push_back(field(e, "method") + ":" + field(e, "principal") + ":" + field(e, "secret"));
    }
  }
  EXPECT_EQ(creds, (std::vector<std::string>{"plain:bob:pw1", "login:alice:secret"}));
  EXPECT_EQ(field(result.events.back(), "anomaly"), "invalid_base64");
}

TEST(SmtpProtocolTest, RelayAndMessage) {
  Fixture f;
  auto result = f.send(
      "HELO x\r\nMAIL FROM:<spam@evil.test>\r\nRCPT TO:<victim@other.test>\r\nDATA\r\n"
      "RCPT TO:<bob@example.com>\r\nDATA\r\nSubject: hi there\r\nFrom: a\r\n\r\n..dot\r\n.\r\n");
  EXPECT_EQ(result.replies,
            "250 mail.example.com\r\n250 2.1.0 Ok\r\n"
            "554 5.7.1 <victim@other.test>: Relay access denied\r\n"
            "554 5.5.1 Error: no valid recipients\r\n250 2.1.5 Ok\r\n"
            "354 End data with <CR><LF>.<CR><LF>\r\n250 2.0.0 Ok: queued as " +
                result.replies.substr(result.replies.size() - 12));
  const auto* message = findEvent(result, "message");
  ASSERT_NE(message, nullptr);
  EXPECT_EQ(field(*message, "from"), "spam@evil.test");
  EXPECT_EQ(field(*message, "to"), "bob@example.com");
  EXPECT_EQ(field(*message, "subject"), "hi there");
  const std::string body = "Subject: hi there\r\nFrom: a\r\n\r\n.dot\r\n";
  EXPECT_EQ(field(*message, "size"), std::to_string(body.size()));
  EXPECT_EQ(field(*message, "sha256"), text::sha256Hex(body));
  const auto* rcpt = findEvent(result, "rcpt_to");
  EXPECT_EQ(field(*rcpt, "accepted"), "false");
}

TEST(SmtpProtocolTest, OversizedMessageGets552AndBdatWorks) {
  SmtpConfig config = postfix();
  config.maxMessage = 100;
  config.openRelay = true;
  Fixture f(config);
  auto result = f.send("EHLO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n" +
                       std::string(200, 'x') + "\r\n.\r\n");
  EXPECT_NE(result.replies.find("552 5.3.4 Error: message file too big\r\n"), std::string::npos);
  EXPECT_EQ(field(*findEvent(result, "message"), "anomaly"), "message_too_large");
  result = f.send("MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nBDAT 5 LAST\r\nhello");
  EXPECT_NE(result.replies.find("250 2.0.0 Ok: queued as "), std::string::npos) << result.replies;
  EXPECT_EQ(field(*findEvent(result, "message"), "sha256"), text::sha256Hex("hello"));
}

// Found by smtp_fuzz: a BDAT count is buffered whole before the protocol sees it, so counts over
// the message limit are refused at once instead of holding up to a gigabyte.
TEST(SmtpProtocolTest, BdatOverTheLimitIsRefusedBeforeBuffering) {
  Fixture f;
  f.send("EHLO x\r\n");
  auto result =
      f.send("MAIL FROM:<a@b>\r\nRCPT TO:<u@mail.example.com>\r\nBDAT 999999999 LAST\r\n");
  EXPECT_NE(result.replies.find("552 5.3.4 Error: message file too big\r\n"), std::string::npos)
      << result.replies;
  EXPECT_TRUE(result.closed);
  const auto* message = findEvent(result, "message");
  ASSERT_NE(message, nullptr);
  EXPECT_EQ(field(*message, "anomaly"), "bdat_too_large");
}

TEST(SmtpProtocolTest, EximFlavour) {
  SmtpConfig config = postfix();
  config.mta = Mta::kExim;
  config.clientIp = "10.0.0.9";
  Fixture f(config);
  auto result = f.send("EHLO box\r\nAUTH PLAIN AGJvYgBwdzE=\r\nQUIT\r\n");
  EXPECT_EQ(result.replies.rfind("250-mail.example.com Hello box [10.0.0.9]\r\n", 0), 0u);
  EXPECT_NE(result.replies.find("535 Incorrect authentication data\r\n221 mail.example.com "
                                "closing connection\r\n"),
            std::string::npos);
}

}  // namespace
}  // namespace decnet::decoy::smtp
