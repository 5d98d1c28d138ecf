// PostgreSQL startup and message framing, driven by bytes.
#include "decoy/services/postgres/postgres_protocol.h"

#include <gtest/gtest.h>

namespace decnet::decoy::postgres {
namespace {

std::string be32(std::uint32_t v) {
  std::string out;
  for (int i = 3; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  return out;
}

std::string startupPacket(const std::string& body) {
  return be32(static_cast<std::uint32_t>(body.size() + 4)) + body;
}

TEST(PostgresProtocolTest, ErrorLineDatesTheRelease) {
  // nmap names the release from this line: 14.1-14.5 and 15 are in its table, 14.9 is close.
  EXPECT_EQ(postmasterErrorLine("14.0"), 2114);
  EXPECT_EQ(postmasterErrorLine("14.9"), 2138);
  EXPECT_EQ(postmasterErrorLine("15.4"), 2194);
  EXPECT_EQ(postmasterErrorLine("13.3"), 2109);
  EXPECT_EQ(postmasterErrorLine("nonsense"), 2031);
}

TEST(PostgresProtocolTest, StartupMessages) {
  std::string buffer =
      startupPacket(be32(kSslRequest)) +
      startupPacket(be32(kProtocol3) + std::string("user\0bob\0database\0shop\0\0", 24));
  Startup startup;
  std::string anomaly;
  ASSERT_EQ(takeStartup(buffer, startup, anomaly), Frame::kOk);
  EXPECT_EQ(startup.code, kSslRequest);
  ASSERT_EQ(takeStartup(buffer, startup, anomaly), Frame::kOk);
  EXPECT_EQ(startup.code, kProtocol3);
  EXPECT_EQ(startup.param("user"), "bob");
  EXPECT_EQ(startup.param("database"), "shop");
  EXPECT_TRUE(buffer.empty());
  buffer = startupPacket(be32(kCancelRequest) + be32(1234) + be32(99));
  ASSERT_EQ(takeStartup(buffer, startup, anomaly), Frame::kOk);
  EXPECT_EQ(startup.cancelPid, 1234u);
  EXPECT_EQ(startup.cancelKey, 99u);
}

TEST(PostgresProtocolTest, HostileStartups) {
  Startup startup;
  std::string anomaly;
  std::string huge = be32(0x7fffffff) + be32(kProtocol3);
  EXPECT_EQ(takeStartup(huge, startup, anomaly), Frame::kBad);
  EXPECT_EQ(anomaly, "invalid_startup_length");
  std::string tiny = be32(2) + "xxxx";
  EXPECT_EQ(takeStartup(tiny, startup, anomaly), Frame::kBad);
  std::string unterminated = startupPacket(be32(kProtocol3) + std::string("user\0bob", 8));
  EXPECT_EQ(takeStartup(unterminated, startup, anomaly), Frame::kBad);
  EXPECT_EQ(anomaly, "malformed_startup_packet");
  std::string partial = be32(40) + be32(kProtocol3);
  EXPECT_EQ(takeStartup(partial, startup, anomaly), Frame::kNeedMore);
  Message message;
  std::string bad = "p" + be32(3);
  EXPECT_EQ(takeMessage(bad, message, 1000, anomaly), Frame::kBad);
  EXPECT_EQ(anomaly, "invalid_message_length");
  std::string big = "Q" + be32(5000);
  EXPECT_EQ(takeMessage(big, message, 1000, anomaly), Frame::kBad);
}

TEST(PostgresProtocolTest, Md5AndMessages) {
  // md5(md5("secret" + "bob") + salt), as libpq computes it.
  const std::string salt("\x01\x02\x03\x04", 4);
  const std::string hash = md5Password("bob", "secret", salt);
  EXPECT_EQ(hash.size(), 35u);
  EXPECT_EQ(hash.rfind("md5", 0), 0u);
  EXPECT_NE(hash, md5Password("bob", "Secret", salt));
  EXPECT_EQ(authentication(5, salt), std::string("R\0\0\0\x0c\0\0\0\x05\x01\x02\x03\x04", 13));
  EXPECT_EQ(readyForQuery(), std::string("Z\0\0\0\x05I", 6));
  const std::string error = errorResponse("FATAL", "28P01", "password authentication failed");
  EXPECT_EQ(error[0], 'E');
  EXPECT_NE(error.find(std::string("SFATAL\0VFATAL\0C28P01\0Mpassword", 29)), std::string::npos);
  EXPECT_EQ(error.back(), '\0');
  std::string framed = "p" + be32(8) + std::string("pass", 4);
  Message message;
  std::string anomaly;
  ASSERT_EQ(takeMessage(framed, message, 1000, anomaly), Frame::kOk);
  EXPECT_EQ(message.type, 'p');
  EXPECT_EQ(message.body, "pass");
}

}  // namespace
}  // namespace decnet::decoy::postgres
