// The mysql emulator in a real decoy process against the mysql client, nmap and raw sockets.
#include <gtest/gtest.h>

#include "decoy/event_writer.h"
#include "decoy/services/mysql/mysql_protocol.h"
#include "tests/decoy/decoy_harness.h"

namespace decnet::decoy::testing {
namespace {

class MysqlServiceTest : public DecoyServiceTest {
 protected:
  void SetUp() override {
    port_ = freePort();
    api::Json spec = {
        {"hostname", "db-01"},
        {"distro", "debian"},
        {"services",
         {{{"name", "mysql"}, {"ports", {port_}}, {"persona", {{"users", "root:secret,app:"}}}}}}};
    startDecoy("mysql", spec);
  }
  bool have(const std::string& tool) { return run("command -v " + tool).exitCode == 0; }
  std::string mysql(const std::string& args) {
    return run("timeout 20 mysql -h 127.0.0.1 -P " + std::to_string(port_) + " " + args + " 2>&1")
        .output;
  }
};

std::string le32(std::uint32_t v) {
  std::string out;
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  return out;
}

TEST_F(MysqlServiceTest, RawHandshakeAndLogin) {
  RawClient client(port_);
  std::string greeting = client.receive(3s, "mysql_native_password");
  mysql::Packet packet;
  ASSERT_EQ(mysql::takePacket(greeting, packet), mysql::Frame::kPacket);
  EXPECT_EQ(packet.sequence, 0);
  EXPECT_EQ(packet.payload.substr(0, 7),
            "\x0a"
            "5.5.5-");
  const auto versionEnd = packet.payload.find('\0');
  const std::string scramble =
      packet.payload.substr(versionEnd + 5, 8) +
      packet.payload.substr(versionEnd + 5 + 8 + 1 + 2 + 1 + 2 + 2 + 1 + 10, 12);
  const std::uint32_t caps = mysql::kClientProtocol41 | mysql::kClientSecureConnection |
                             mysql::kClientPluginAuth | mysql::kClientConnectWithDb;
  const std::string auth = mysql::nativePasswordResponse("secret", scramble);
  std::string response = le32(caps) + le32(1 << 24) + "\x21" + std::string(23, '\0') + "root" +
                         '\0' + static_cast<char>(auth.size()) + auth + "shop" + '\0' +
                         "mysql_native_password" + '\0';
  client.send(mysql::packet(1, response));
  std::string ok = client.receive(3s, std::string("\x02\x00\x00\x00", 4));
  ASSERT_GE(ok.size(), 5u);
  EXPECT_EQ(ok[3], '\x02');
  EXPECT_EQ(ok[4], '\x00') << "expected OK";
  client.send(mysql::packet(0, "\x03SELECT VERSION()"));
  EXPECT_NE(client.receive(3s, "deb12u1").find("10.11"), std::string::npos);
  EXPECT_TRUE(decoy_->waitFor({" mysql - auth_attempt ", "principal=\"root\"",
                               "secret_b64=\"" + base64Encode(auth) + "\"",
                               "scramble_b64=\"" + base64Encode(scramble) + "\"",
                               "database=\"shop\"", "outcome=\"success\""}))
      << decoy_->events();
  EXPECT_TRUE(decoy_->waitFor({" mysql - query ", "query=\"SELECT VERSION()\""}));
}

TEST_F(MysqlServiceTest, MysqlClientIsDeniedThenAccepted) {
  if (!have("mysql")) GTEST_SKIP() << "the mysql client is not installed";
  const std::string denied = mysql("-u admin -pwrong --skip-ssl -e 'select 1'");
  EXPECT_NE(denied.find("ERROR 1045 (28000): Access denied for user 'admin'@'127.0.0.1' (using "
                        "password: YES)"),
            std::string::npos)
      << denied;
  EXPECT_TRUE(decoy_->waitFor({" mysql - auth_attempt ", "principal=\"admin\"",
                               "auth_plugin=\"mysql_native_password\"", "outcome=\"failed\"",
                               "program_name=mysql"}))
      << decoy_->events();
  const std::string out = mysql("-u root -psecret --skip-ssl -e 'show databases'");
  EXPECT_NE(out.find("information_schema"), std::string::npos) << out;
  EXPECT_TRUE(decoy_->waitFor({" mysql - query ", "query=\"show databases\""}));
  const std::string version = mysql("-u root -psecret -N -e 'SELECT VERSION()'");
  EXPECT_NE(version.find("10.11"), std::string::npos) << version;
  const std::string nopass = mysql("-u app --skip-ssl -e status");
  EXPECT_NE(nopass.find("Server:"), std::string::npos) << nopass;
}

TEST_F(MysqlServiceTest, NmapIdentifiesMysql) {
  if (!have("nmap")) GTEST_SKIP() << "nmap is not installed";
  const std::string out =
      run("timeout 120 nmap -n -Pn -sV -p " + std::to_string(port_) + " 127.0.0.1 2>&1").output;
  EXPECT_NE(out.find("mysql"), std::string::npos) << out;
  EXPECT_NE(out.find("MariaDB"), std::string::npos) << out;
}

TEST_F(MysqlServiceTest, HostileInputIsRecordedAndServiceContinues) {
  {
    RawClient client(port_);
    client.receive(1s, "mysql_native_password");
    client.send("GET / HTTP/1.0\r\n\r\n");
    EXPECT_TRUE(client.closedByPeer());
  }
  EXPECT_TRUE(decoy_->waitFor({" mysql - anomaly ", "anomaly=\"packet_too_large\""}))
      << decoy_->events();
  {
    RawClient client(port_);
    client.receive(1s, "mysql_native_password");
    client.send(mysql::packet(1, le32(mysql::kClientProtocol41) + std::string(28, '\0') + "root"));
    const std::string reply = client.receive(3s, "Bad handshake");
    EXPECT_NE(reply.find("Bad handshake"), std::string::npos);
  }
  EXPECT_TRUE(decoy_->waitFor({" mysql - anomaly ", "anomaly=\"malformed_user\"", "raw_b64="}));
  {
    RawClient client(port_);
    client.receive(1s, "mysql_native_password");
    client.send(mysql::packet(7, "x"));
  }
  EXPECT_TRUE(decoy_->waitFor({" mysql - anomaly ", "anomaly=\"bad_sequence\""}));
  RawClient still(port_);
  EXPECT_NE(still.receive(3s, "mysql_native_password").find("MariaDB"), std::string::npos);
}

}  // namespace
}  // namespace decnet::decoy::testing
