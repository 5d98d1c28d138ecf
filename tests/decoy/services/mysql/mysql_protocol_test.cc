// MySQL packets and native-password verification, driven by bytes.
#include "decoy/services/mysql/mysql_protocol.h"

#include <gtest/gtest.h>

namespace decnet::decoy::mysql {
namespace {

const std::string kScramble = "abcdefghij0123456789";

std::string le32(std::uint32_t v) {
  std::string out;
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  return out;
}

std::string response41(const std::string& user, const std::string& auth, const std::string& db,
                       const std::string& plugin, std::uint32_t extra = 0) {
  const std::uint32_t caps = kClientProtocol41 | kClientSecureConnection | kClientPluginAuth |
                             kClientConnectWithDb | kClientPluginAuthLenenc | kClientConnectAttrs |
                             extra;
  std::string out = le32(caps) + le32(16777216) + std::string(1, '\x21') + std::string(23, '\0');
  out += user + '\0';
  out += lengthEncoded(auth);
  out += db + '\0';
  out += plugin + '\0';
  const std::string attrs = lengthEncoded("_client_name") + lengthEncoded("libmariadb") +
                            lengthEncoded("program_name") + lengthEncoded("mysql");
  out += lengthEncoded(attrs);
  return out;
}

TEST(MysqlProtocolTest, HandshakeLayout) {
  const std::string hs = handshake("5.5.5-10.11.6-MariaDB-0+deb12u1", 42, kScramble, 45);
  EXPECT_EQ(hs[0], '\x0a');
  EXPECT_EQ(hs.substr(1, 31), "5.5.5-10.11.6-MariaDB-0+deb12u1");
  EXPECT_EQ(hs[32], '\0');
  EXPECT_EQ(hs.substr(37, 8), "abcdefgh");
  const auto caps = static_cast<unsigned char>(hs[46]) | static_cast<unsigned char>(hs[47]) << 8;
  EXPECT_EQ(caps & kClientSsl, 0u);
  EXPECT_NE(caps & kClientProtocol41, 0u);
  EXPECT_NE(hs.find("ij0123456789\0mysql_native_password\0", 0), std::string::npos);
  EXPECT_EQ(hs.back(), '\0');
  std::string framed = packet(0, hs);
  Packet p;
  ASSERT_EQ(takePacket(framed, p), Frame::kPacket);
  EXPECT_EQ(p.payload, hs);
  EXPECT_TRUE(framed.empty());
}

TEST(MysqlProtocolTest, ParsesHandshakeResponse41) {
  const std::string auth = nativePasswordResponse("secret", kScramble);
  ASSERT_EQ(auth.size(), 20u);
  std::string anomaly;
  const auto r =
      parseHandshakeResponse(response41("root", auth, "shop", "mysql_native_password"), anomaly);
  ASSERT_TRUE(r) << anomaly;
  EXPECT_EQ(anomaly, "");
  EXPECT_EQ(r->user, "root");
  EXPECT_EQ(r->authResponse, auth);
  EXPECT_EQ(r->database, "shop");
  EXPECT_EQ(r->plugin, "mysql_native_password");
  ASSERT_EQ(r->attributes.size(), 2u);
  EXPECT_EQ(r->attributes[1].second, "mysql");
  EXPECT_TRUE(verifyNativePassword("secret", kScramble, auth));
  EXPECT_FALSE(verifyNativePassword("Secret", kScramble, auth));
  EXPECT_TRUE(verifyNativePassword("", kScramble, ""));
}

TEST(MysqlProtocolTest, HostileResponses) {
  std::string anomaly;
  EXPECT_FALSE(parseHandshakeResponse("ab", anomaly));
  EXPECT_EQ(anomaly, "short_handshake_response");
  EXPECT_FALSE(parseHandshakeResponse(le32(0) + std::string(40, 'x'), anomaly));
  EXPECT_EQ(anomaly, "pre_41_handshake_response");
  // The user never ends.
  EXPECT_FALSE(
      parseHandshakeResponse(le32(kClientProtocol41) + std::string(28, '\0') + "rootttt", anomaly));
  EXPECT_EQ(anomaly, "malformed_user");
  // A length-encoded auth response longer than the packet.
  std::string lying = le32(kClientProtocol41 | kClientPluginAuthLenenc) + std::string(28, '\0') +
                      "root" + '\0' + "\xfc\xff\xff" + "abc";
  EXPECT_FALSE(parseHandshakeResponse(lying, anomaly));
  EXPECT_EQ(anomaly, "malformed_auth_response");
  // SSLRequest.
  auto ssl =
      parseHandshakeResponse(le32(kClientProtocol41 | kClientSsl) + std::string(28, '\0'), anomaly);
  ASSERT_TRUE(ssl);
  EXPECT_TRUE(ssl->sslRequest);
  // Oversized frame header.
  std::string big("\xff\xff\xff\x01", 4);
  Packet p;
  EXPECT_EQ(takePacket(big, p), Frame::kTooLarge);
  std::string partial("\x05\x00\x00\x00ab", 6);
  EXPECT_EQ(takePacket(partial, p), Frame::kNeedMore);
}

TEST(MysqlProtocolTest, ResultSetAndErrors) {
  std::uint8_t sequence = 1;
  const std::string rs = resultSet(sequence, {"Database"}, {{"mysql"}, {std::nullopt}});
  EXPECT_EQ(sequence, 7);  // count, 1 column, EOF, 2 rows, EOF
  EXPECT_EQ(rs.substr(0, 5), std::string("\x01\x00\x00\x01\x01", 5));
  EXPECT_NE(rs.find("\x05mysql"), std::string::npos);
  const std::string err = errPayload(1045, "28000", "Access denied");
  EXPECT_EQ(err, std::string("\xff\x15\x04#28000Access denied"));
}

}  // namespace
}  // namespace decnet::decoy::mysql
