// ImapProtocol driven with bytes: tokens, literals, SASL and Dovecot's replies.
#include "decoy/services/imap/imap_protocol.h"

#include <gtest/gtest.h>

namespace decnet::decoy::imap {
namespace {

std::string field(const text::LineEvent& event, const std::string& key) {
  for (const auto& [k, v] : event.fields) {
    if (k == key) return v;
  }
  return "<missing>";
}

std::vector<std::string> credentials(const text::FeedResult& result) {
  std::vector<std::string> out;
  for (const auto& event : result.events) {
    if (event.type == "auth_attempt") {
      out.push_back(field(event, "method") + ":" + field(event, "principal") + ":" +
                    field(event, "secret"));
    }
  }
  return out;
}

struct Fixture {
  explicit Fixture(ImapConfig config = {}) : protocol(std::move(config)), framer(65536) {}
  text::FeedResult send(std::string_view bytes) { return text::feed(protocol, framer, bytes); }
  ImapProtocol protocol;
  text::LineFramer framer;
};

TEST(ImapProtocolTest, Tokenizer) {
  const auto tokens = tokenize("a1 LOGIN \"j\\\"oe\" {3}\r\np w (X Y) BODY[HEADER.FIELDS (FROM)]");
  ASSERT_TRUE(tokens);
  EXPECT_EQ(*tokens, (std::vector<std::string>{"a1", "LOGIN", "j\"oe", "p w", "(", "X", "Y", ")",
                                               "BODY[HEADER.FIELDS (FROM)]"}));
  EXPECT_FALSE(tokenize("a1 LOGIN \"open"));
  EXPECT_FALSE(tokenize("a1 LOGIN {9}\r\nab"));
}

TEST(ImapProtocolTest, GreetingAndCapability) {
  Fixture f;
  EXPECT_EQ(f.protocol.greeting().reply,
            "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ "
            "AUTH=PLAIN] Dovecot ready.\r\n");
  EXPECT_EQ(f.send("c1 capability\r\n").replies,
            "* CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ AUTH=PLAIN\r\n"
            "c1 OK Pre-login capabilities listed, post-login capabilities have more.\r\n");
}

TEST(ImapProtocolTest, LoginWithQuotedStringsAndLiterals) {
  Fixture f;
  auto result = f.send("a1 LOGIN \"ad min\" \"p\\\"w\"\r\n");
  EXPECT_EQ(result.replies, "a1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n");
  EXPECT_EQ(credentials(result), (std::vector<std::string>{"login:ad min:p\"w"}));
  EXPECT_EQ(field(result.events[0], "arg"), "ad min");
  result = f.send("a2 LOGIN {4}\r\n");
  EXPECT_EQ(result.replies, "+ OK\r\n");
  result = f.send("root {6+}\r\nse cr\n\r\n");
  EXPECT_EQ(result.replies, "a2 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n");
  EXPECT_EQ(credentials(result), (std::vector<std::string>{"login:root:se cr?"}));
  EXPECT_EQ(field(result.events.back(), "secret_b64"), "c2UgY3IK");
}

TEST(ImapProtocolTest, AuthenticatePlain) {
  Fixture f;
  auto result = f.send("a1 AUTHENTICATE PLAIN AGJvYgBwdzE=\r\na2 AUTHENTICATE PLAIN\r\n");
  EXPECT_EQ(result.replies, "a1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n+ \r\n");
  result = f.send("emlkAGV2ZQBwdzI=\r\na3 AUTHENTICATE PLAIN\r\n@@@\r\n");
  EXPECT_EQ(result.replies,
            "a2 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n+ \r\n"
            "a3 BAD Invalid base64 data in continued response\r\n");
  EXPECT_EQ(credentials(result), (std::vector<std::string>{"plain:eve:pw2"}));
  EXPECT_EQ(field(result.events.back(), "anomaly"), "invalid_base64");
}

TEST(ImapProtocolTest, MailboxForListedUsers) {
  ImapConfig config;
  config.users = {{"bob", "pw"}};
  Fixture f(config);
  auto result = f.send(
      "1 LOGIN bob pw\r\n2 LIST \"\" *\r\n3 SELECT INBOX\r\n4 FETCH 1 FLAGS\r\n"
      "5 LOGOUT\r\n");
  EXPECT_EQ(result.replies.rfind("1 OK [CAPABILITY IMAP4rev1", 0), 0u) << result.replies;
  EXPECT_NE(result.replies.find("* LIST (\\HasNoChildren) \"/\" INBOX\r\n2 OK List completed"),
            std::string::npos);
  EXPECT_NE(result.replies.find("* 1 EXISTS\r\n"), std::string::npos);
  EXPECT_NE(result.replies.find("4 OK Fetch completed"), std::string::npos);
  EXPECT_NE(result.replies.find("* BYE Logging out\r\n5 OK Logout completed"), std::string::npos);
  EXPECT_TRUE(result.closed);
}

TEST(ImapProtocolTest, HostileInput) {
  Fixture f;
  auto result = f.send("a1 LOGIN {999999999}\r\n");
  EXPECT_TRUE(result.closed);
  EXPECT_EQ(field(result.events.back(), "anomaly"), "literal_too_large");
  Fixture g;
  result = g.send("\"unterminated\r\n");
  EXPECT_EQ(result.replies, "* BAD Error in IMAP command received by server.\r\n");
  EXPECT_EQ(field(result.events.back(), "anomaly"), "syntax_error");
  std::string junk;
  for (int i = 0; i < 12; ++i) junk += "x BOGUS\r\n";
  EXPECT_TRUE(g.send(junk).closed);
}

}  // namespace
}  // namespace decnet::decoy::imap
