// FtpProtocol driven with bytes: replies and events of the vsftpd state machine.
#include "decoy/services/ftp/ftp_protocol.h"

#include <gtest/gtest.h>

namespace decnet::decoy::ftp {
namespace {

const text::LineEvent* findEvent(const text::FeedResult& result, const std::string& type) {
  for (const auto& event : result.events) {
    if (event.type == type) return &event;
  }
  return nullptr;
}

std::string field(const text::LineEvent& event, const std::string& key) {
  for (const auto& [k, v] : event.fields) {
    if (k == key) return v;
  }
  return "<missing>";
}

struct Fixture {
  explicit Fixture(FtpConfig config = {}) : protocol(std::move(config)), framer(4096) {}
  text::FeedResult send(std::string_view bytes) { return text::feed(protocol, framer, bytes); }
  FtpProtocol protocol;
  text::LineFramer framer;
};

TEST(FtpProtocolTest, GreetsAndRefusesLogin) {
  Fixture f;
  EXPECT_EQ(f.protocol.greeting().reply, "220 (vsFTPd 3.0.3)\r\n");
  auto result = f.send("USER alice\r\nPASS s3cr\x01t\r\n");
  EXPECT_EQ(result.replies, "331 Please specify the password.\r\n530 Login incorrect.\r\n");
  const auto* auth = findEvent(result, "auth_attempt");
  ASSERT_NE(auth, nullptr);
  EXPECT_EQ(field(*auth, "principal"), "alice");
  EXPECT_EQ(field(*auth, "secret"), "s3cr?t");
  EXPECT_EQ(field(*auth, "secret_b64"), "czNjcgF0");
  EXPECT_EQ(field(*auth, "outcome"), "failed");
  // The PASS command event never carries the password.
  ASSERT_EQ(result.events.size(), 3u);
  EXPECT_EQ(field(result.events[1], "cmd"), "PASS");
  EXPECT_EQ(field(result.events[1], "arg"), "");
}

TEST(FtpProtocolTest, CommandsBeforeLoginAndUnknown) {
  Fixture f;
  auto result = f.send("SYST\r\nPASS x\r\nFEAT\nopts utf8 on\r\n");
  EXPECT_EQ(
      result.replies,
      "530 Please login with USER and PASS.\r\n503 Login with USER first.\r\n"
      "211-Features:\r\n EPRT\r\n EPSV\r\n MDTM\r\n PASV\r\n REST STREAM\r\n SIZE\r\n TVFS\r\n"
      "211 End\r\n200 Always in UTF8 mode.\r\n");
}

TEST(FtpProtocolTest, ThreeFailuresClose) {
  Fixture f;
  auto result = f.send("USER a\r\nPASS 1\r\nUSER a\r\nPASS 2\r\nUSER a\r\nPASS 3\r\nNOOP\r\n");
  EXPECT_TRUE(result.closed);
  EXPECT_EQ(result.replies.find("NOOP"), std::string::npos);
}

TEST(FtpProtocolTest, LoggedInSessionAndDataCommands) {
  FtpConfig config;
  config.users = {{"bob", "pw"}};
  config.localIp = "10.1.2.3";
  Fixture f(config);
  auto result = f.send("USER bob\r\nPASS pw\r\nSYST\r\nPWD\r\nTYPE I\r\nRETR /etc/passwd\r\n");
  EXPECT_EQ(result.replies,
            "331 Please specify the password.\r\n230 Login successful.\r\n215 UNIX Type: L8\r\n"
            "257 \"/\" is the current directory\r\n200 Switching to Binary mode.\r\n"
            "425 Use PORT or PASV first.\r\n");
  ASSERT_NE(findEvent(result, "download_attempt"), nullptr);
  EXPECT_EQ(field(*findEvent(result, "download_attempt"), "path"), "/etc/passwd");
  EXPECT_EQ(field(*findEvent(result, "auth_attempt"), "outcome"), "success");

  result = f.send("PASV\r\nSTOR x.sh\r\nXYZZY\r\nQUIT\r\n");
  EXPECT_EQ(result.replies.rfind("227 Entering Passive Mode (10,1,2,3,", 0), 0u) << result.replies;
  EXPECT_NE(result.replies.find(").\r\n425 Failed to establish connection.\r\n500 Unknown "
                                "command.\r\n221 Goodbye.\r\n"),
            std::string::npos)
      << result.replies;
  const auto* upload = findEvent(result, "upload");
  ASSERT_NE(upload, nullptr);
  EXPECT_EQ(field(*upload, "name"), "x.sh");
  EXPECT_EQ(field(*upload, "sha256"),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_TRUE(result.closed);
}

TEST(FtpProtocolTest, HostileInputIsRecorded) {
  Fixture f;
  auto result = f.send(std::string("USER a\0b\r\n", 10));
  EXPECT_EQ(field(result.events[0], "anomaly"), "nul_byte");
  result = f.send(std::string(100 * 1024, 'A') + "\r\nNOOP\r\n");
  EXPECT_TRUE(result.closed);
  EXPECT_EQ(result.replies, "500 Input line too long.\r\n");
  EXPECT_EQ(field(result.events.back(), "anomaly"), "line_too_long");
}

}  // namespace
}  // namespace decnet::decoy::ftp
