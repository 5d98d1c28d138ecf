// TDS framing, PRELOGIN and LOGIN7, driven by bytes.
#include "decoy/services/mssql/mssql_protocol.h"

#include <gtest/gtest.h>

#include "tests/decoy/services/mssql/mssql_login7.h"

namespace decnet::decoy::mssql {
namespace {

TEST(MssqlProtocolTest, PreloginAnswerMatchesRealServers) {
  Prelogin request;
  std::string anomaly;
  ASSERT_TRUE(parsePrelogin(testing::preloginPayload(0, false), request, anomaly)) << anomaly;
  EXPECT_EQ(request.clientVersion, "8.0.341.0");
  EXPECT_EQ(request.encryption, 0);
  EXPECT_EQ(request.instance, "MSSQLServer");
  EXPECT_FALSE(request.mars);
  // The bytes nmap's ms-sql-s signatures expect of SQL Server 2019.
  const std::string expected(
      "\x04\x01\x00\x25\x00\x00\x01\x00\x00\x00\x15\x00\x06\x01\x00\x1b\x00\x01\x02\x00\x1c\x00"
      "\x01\x03\x00\x1d\x00\x00\xff\x0f\x00\x07\xd0\x00\x00\x02\x00",
      37);
  EXPECT_EQ(preloginResponse("15.0.2000", request), expected);
  Prelogin withMars;
  ASSERT_TRUE(parsePrelogin(testing::preloginPayload(1, true), withMars, anomaly));
  EXPECT_TRUE(withMars.mars);
  EXPECT_EQ(preloginResponse("15.0.2000", withMars).size(), 37u + 6u);
}

TEST(MssqlProtocolTest, HostilePrelogin) {
  Prelogin prelogin;
  std::string anomaly;
  EXPECT_FALSE(parsePrelogin(std::string("\x00\x00\x05\x00\x06", 5), prelogin, anomaly));
  EXPECT_EQ(anomaly, "prelogin_option_out_of_bounds");
  EXPECT_FALSE(parsePrelogin(std::string("\x00\x00", 2), prelogin, anomaly));
  EXPECT_EQ(anomaly, "prelogin_truncated");
  EXPECT_FALSE(parsePrelogin("", prelogin, anomaly));
  std::string huge("\x12\x01\xff\xff\x00\x00\x01\x00", 8);
  Packet packet;
  EXPECT_EQ(takePacket(huge, packet, anomaly), Frame::kBad);
  std::string tiny("\x12\x01\x00\x03\x00\x00\x01\x00", 8);
  EXPECT_EQ(takePacket(tiny, packet, anomaly), Frame::kBad);
  EXPECT_EQ(anomaly, "invalid_packet_length");
}

TEST(MssqlProtocolTest, Login7AndPassword) {
  EXPECT_EQ(decodePassword(encodePassword("P@ssw0rd!é")), "P@ssw0rd!é");
  // "a" is 0x61 0x00 -> nibble swap 0x16 0x00 -> XOR A5: 0xb3 0xa5.
  EXPECT_EQ(encodePassword("a"), std::string("\xb3\xa5", 2));
  Login7 login;
  std::string anomaly;
  ASSERT_TRUE(parseLogin7(
      testing::login7Payload("WS-01", "sa", "Secret123", "sqlcmd", "db.local", "master"), login,
      anomaly));
  EXPECT_EQ(anomaly, "");
  EXPECT_EQ(login.hostname, "WS-01");
  EXPECT_EQ(login.username, "sa");
  EXPECT_EQ(login.password, "Secret123");
  EXPECT_EQ(login.appName, "sqlcmd");
  EXPECT_EQ(login.serverName, "db.local");
  EXPECT_EQ(login.library, "ODBC");
  EXPECT_EQ(login.database, "master");
  EXPECT_FALSE(parseLogin7("short", login, anomaly));
  EXPECT_EQ(anomaly, "login7_truncated");
  std::string lying = testing::login7Payload("h", "sa", "x", "a", "s", "d");
  lying[40] = '\xff';  // the user name points past the end
  lying[41] = '\x7f';
  anomaly.clear();
  ASSERT_TRUE(parseLogin7(lying, login, anomaly));
  EXPECT_EQ(anomaly, "login7_field_out_of_bounds");
  EXPECT_EQ(login.username, "");
}

// hydra's mssql module logs in with a TDS 4.2 login record: 30-byte fields, each followed by
// its length byte.
TEST(MssqlProtocolTest, LegacyLoginAsHydraSendsIt) {
  std::string record(512, '\0');
  const auto put = [&](std::size_t at, std::size_t size, const std::string& text) {
    record.replace(at, text.size(), text);
    record[at + size] = static_cast<char>(text.size());
  };
  put(31, 30, "alice");
  put(62, 30, "pw-mssql");
  put(140, 30, "squelda 1.0");
  put(462, 10, "MSDBLIB");
  Login7 login;
  std::string anomaly;
  ASSERT_TRUE(parseLegacyLogin(record, login, anomaly));
  EXPECT_EQ(anomaly, "");
  EXPECT_EQ(login.tdsVersion, 0x42u);
  EXPECT_EQ(login.hostname, "");
  EXPECT_EQ(login.username, "alice");
  EXPECT_EQ(login.password, "pw-mssql");
  EXPECT_EQ(login.appName, "squelda 1.0");
  EXPECT_EQ(login.library, "MSDBLIB");
  record[61] = '\x7f';  // a length past its field is clamped and reported
  ASSERT_TRUE(parseLegacyLogin(record, login, anomaly));
  EXPECT_EQ(anomaly, "legacy_login_length_out_of_bounds");
  EXPECT_EQ(login.username.size(), 30u);
  EXPECT_FALSE(parseLegacyLogin(record.substr(0, 92), login, anomaly));
  EXPECT_EQ(anomaly, "legacy_login_truncated");
  // Only the fields that fit: a short record still yields its user and password.
  anomaly.clear();
  ASSERT_TRUE(parseLegacyLogin(record.substr(0, 100), login, anomaly));
  EXPECT_EQ(login.password, "pw-mssql");
  EXPECT_EQ(login.appName, "");
}

TEST(MssqlProtocolTest, LoginFailedTokens) {
  const std::string reply = loginFailed("sa", "DB01");
  EXPECT_EQ(reply.substr(0, 2), "\x04\x01");
  EXPECT_EQ(static_cast<unsigned char>(reply[8]), 0xaa);
  EXPECT_EQ(reply.substr(11, 4), std::string("\x18\x48\x00\x00", 4));  // 18456
  EXPECT_NE(reply.find(utf8ToUtf16("Login failed for user 'sa'.")), std::string::npos);
  EXPECT_EQ(static_cast<unsigned char>(reply[reply.size() - 13]), 0xfd);
}

}  // namespace
}  // namespace decnet::decoy::mssql
