// Pop3Protocol driven with bytes: Dovecot's replies and the recorded events.
#include "decoy/services/pop3/pop3_protocol.h"

#include <gtest/gtest.h>

namespace decnet::decoy::pop3 {
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

struct Fixture {
  explicit Fixture(Pop3Config config = {}) : protocol(std::move(config)), framer(8192) {}
  text::FeedResult send(std::string_view bytes) { return text::feed(protocol, framer, bytes); }
  Pop3Protocol protocol;
  text::LineFramer framer;
};

TEST(Pop3ProtocolTest, UserPassFails) {
  Fixture f;
  EXPECT_EQ(f.protocol.greeting().reply, "+OK Dovecot ready.\r\n");
  auto result = f.send("CAPA\r\nUSER admin\r\nPASS hunter2\r\n");
  EXPECT_EQ(result.replies,
            "+OK\r\nCAPA\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nPIPELINING\r\nAUTH-RESP-CODE\r\nUSER\r\n"
            "SASL PLAIN\r\n.\r\n+OK\r\n-ERR [AUTH] Authentication failed.\r\n");
  const auto* auth = findEvent(result, "auth_attempt");
  ASSERT_NE(auth, nullptr);
  EXPECT_EQ(field(*auth, "principal"), "admin");
  EXPECT_EQ(field(*auth, "secret"), "hunter2");
  EXPECT_EQ(field(*auth, "method"), "user");
  for (const auto& event : result.events) EXPECT_NE(field(event, "arg"), "hunter2");
}

TEST(Pop3ProtocolTest, AuthPlainInlineAndContinued) {
  Fixture f;
  // "\0bob\0pw1" and "zid\0eve\0pw2"
  auto result = f.send("AUTH PLAIN AGJvYgBwdzE=\r\nAUTH PLAIN\r\nemlkAGV2ZQBwdzI=\r\n");
  EXPECT_EQ(result.replies,
            "-ERR [AUTH] Authentication failed.\r\n+ \r\n-ERR [AUTH] Authentication failed.\r\n");
  std::vector<std::string> principals;
  for (const auto& event : result.events) {
    if (event.type == "auth_attempt")
      principals.push_back(field(event, "principal") + ":" + field(event, "secret"));
  }
  EXPECT_EQ(principals, (std::vector<std::string>{"bob:pw1", "eve:pw2"}));
  result = f.send("AUTH PLAIN\r\n!!!notbase64\r\n");
  EXPECT_EQ(result.replies, "+ \r\n-ERR Invalid base64 data in continued response\r\n");
  EXPECT_EQ(field(result.events.back(), "anomaly"), "invalid_base64");
}

TEST(Pop3ProtocolTest, MailboxForListedUsers) {
  Pop3Config config;
  config.users = {{"bob", "pw"}};
  config.hostname = "mx1";
  Fixture f(config);
  auto result = f.send("USER bob\r\nPASS pw\r\nSTAT\r\nLIST\r\nRETR 2\r\nRETR 9\r\nQUIT\r\n");
  EXPECT_NE(result.replies.find("+OK Logged in.\r\n+OK 2 "), std::string::npos) << result.replies;
  EXPECT_NE(result.replies.find("+OK 2 messages:\r\n1 "), std::string::npos);
  EXPECT_NE(result.replies.find("Subject: Password expiry reminder\r\n"), std::string::npos);
  EXPECT_NE(result.replies.find("-ERR There's no message 9.\r\n+OK Logging out.\r\n"),
            std::string::npos);
  ASSERT_NE(findEvent(result, "retr"), nullptr);
  EXPECT_EQ(field(*findEvent(result, "retr"), "message"), "2");
  EXPECT_TRUE(result.closed);
}

TEST(Pop3ProtocolTest, TooManyBadCommandsAndLongLines) {
  Fixture f;
  std::string junk;
  for (int i = 0; i < 12; ++i) junk += "XYZ\r\n";
  auto result = f.send(junk);
  EXPECT_TRUE(result.closed);
  EXPECT_NE(result.replies.find("-ERR Too many invalid commands.\r\n"), std::string::npos);
  Fixture g;
  result = g.send(std::string(100 * 1024, 'x') + "\r\n");
  EXPECT_TRUE(result.closed);
  EXPECT_EQ(field(result.events.back(), "anomaly"), "line_too_long");
}

}  // namespace
}  // namespace decnet::decoy::pop3
