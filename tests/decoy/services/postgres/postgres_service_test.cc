// The postgres emulator in a real decoy process against psql, nmap and raw sockets.
#include <gtest/gtest.h>

#include "decoy/services/postgres/postgres_protocol.h"
#include "tests/decoy/decoy_harness.h"

namespace decnet::decoy::testing {
namespace {

std::string be32(std::uint32_t v) {
  std::string out;
  for (int i = 3; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  return out;
}

std::string startupPacket(const std::string& body) {
  return be32(static_cast<std::uint32_t>(body.size() + 4)) + body;
}

class PostgresServiceTest : public ::testing::Test {
 protected:
  void start(api::Json persona) {
    port_ = freePort();
    api::Json spec = {
        {"hostname", "pg-01"},
        {"services", {{{"name", "postgres"}, {"ports", {port_}}, {"persona", persona}}}}};
    decoy_ = std::make_unique<DecoyProcess>(spec);
    ASSERT_TRUE(
        decoy_->waitFor({" postgres - listening ", "port=\"" + std::to_string(port_) + "\""}))
        << decoy_->events() << decoy_->stderrText();
  }
  void TearDown() override {
    if (decoy_) {
      EXPECT_EQ(decoy_->stderrText().find("seccomp"), std::string::npos) << decoy_->stderrText();
      EXPECT_EQ(decoy_->stop(), 0);
    }
  }
  bool have(const std::string& tool) { return run("command -v " + tool).exitCode == 0; }
  std::string psql(const std::string& password, const std::string& user, const std::string& sql) {
    return run("PGPASSWORD='" + password +
               "' PGCONNECT_TIMEOUT=10 timeout 20 psql \"host=127.0.0.1 port=" +
               std::to_string(port_) + " user=" + user +
               " dbname=shop sslmode=disable\" -X -A -t -c '" + sql + "' 2>&1")
        .output;
  }

  int port_ = 0;
  std::unique_ptr<DecoyProcess> decoy_;
};

TEST_F(PostgresServiceTest, PsqlFailsThenSucceeds) {
  start({{"users", "postgres:secret"}, {"version", "14.9"}});
  if (!have("psql")) GTEST_SKIP() << "psql is not installed";
  const std::string denied = psql("wrong", "admin", "select 1");
  EXPECT_NE(denied.find("password authentication failed for user \"admin\""), std::string::npos)
      << denied;
  EXPECT_TRUE(decoy_->waitFor(
      {" postgres - startup ", "user=\"admin\"", "database=\"shop\"", "application_name=\"psql\""}))
      << decoy_->events();
  EXPECT_TRUE(decoy_->waitFor({" postgres - auth_attempt ", "principal=\"admin\"", "secret=\"md5",
                               "method=\"md5\"", "outcome=\"failed\"", "salt_b64="}))
      << decoy_->events();
  const std::string version = psql("secret", "postgres", "select version()");
  EXPECT_EQ(version.rfind("PostgreSQL 14.9 on x86_64-pc-linux-gnu", 0), 0u) << version;
  EXPECT_TRUE(decoy_->waitFor(
      {" postgres - auth_attempt ", "principal=\"postgres\"", "outcome=\"success\""}));
  EXPECT_TRUE(decoy_->waitFor({" postgres - query ", "query=\"select version()\""}));
  const std::string denied2 = psql("secret", "postgres", "drop table users");
  EXPECT_NE(denied2.find("permission denied"), std::string::npos) << denied2;
  const std::string server =
      run("PGPASSWORD=secret timeout 20 psql \"host=127.0.0.1 port=" + std::to_string(port_) +
          " user=postgres sslmode=prefer\" -X -c '\\conninfo' 2>&1")
          .output;
  EXPECT_NE(server.find("You are connected to database \"postgres\""), std::string::npos) << server;
}

TEST_F(PostgresServiceTest, CleartextRecordsThePassword) {
  start({{"auth_method", "cleartext"}});
  if (!have("psql")) GTEST_SKIP() << "psql is not installed";
  psql("hunter2", "bob", "select 1");
  EXPECT_TRUE(decoy_->waitFor({" postgres - auth_attempt ", "principal=\"bob\"",
                               "secret=\"hunter2\"", "method=\"cleartext\""}))
      << decoy_->events();
}

TEST_F(PostgresServiceTest, RawProtocol) {
  start(api::Json::object());
  RawClient client(port_);
  client.send(startupPacket(be32(postgres::kSslRequest)));
  EXPECT_EQ(client.receive(2s, "N"), "N");
  client.send(
      startupPacket(be32(postgres::kProtocol3) + std::string("user\0eve\0database\0db\0\0", 22)));
  const std::string auth = client.receive(2s, std::string("\0\0\0\x05", 4));
  ASSERT_EQ(auth.size(), 13u);
  EXPECT_EQ(auth.substr(0, 9), std::string("R\0\0\0\x0c\0\0\0\x05", 9));
  const std::string salt = auth.substr(9, 4);
  const std::string hash = postgres::md5Password("eve", "pw", salt);
  client.send("p" + be32(static_cast<std::uint32_t>(hash.size() + 5)) + hash + '\0');
  const std::string fail = client.receive(2s, "auth_failed");
  EXPECT_NE(fail.find("28P01"), std::string::npos);
  EXPECT_TRUE(client.closedByPeer());
  EXPECT_TRUE(decoy_->waitFor({" postgres - auth_attempt ", "secret=\"" + hash + "\""}));
}

TEST_F(PostgresServiceTest, HostileInputIsRecordedAndServiceContinues) {
  start(api::Json::object());
  {
    RawClient client(port_);
    client.send(be32(0x7fffffff) + be32(postgres::kProtocol3));
    EXPECT_TRUE(client.closedByPeer());
  }
  EXPECT_TRUE(decoy_->waitFor({" postgres - anomaly ", "anomaly=\"invalid_startup_length\""}))
      << decoy_->events();
  {
    RawClient client(port_);
    client.send(startupPacket(be32(postgres::kProtocol3) + std::string("user\0x\0\0", 8)));
    client.receive(2s, std::string("\0\0\0\x05", 4));
    client.send("p" + be32(0xfffffff0));
    EXPECT_NE(client.receive(2s, "length").find("invalid message length"), std::string::npos);
  }
  EXPECT_TRUE(decoy_->waitFor({" postgres - anomaly ", "anomaly=\"invalid_message_length\""}));
  {
    RawClient client(port_);
    client.send(startupPacket(be32(0x00020000) + "garbage"));
    EXPECT_NE(client.receive(2s, "3.0").find("unsupported frontend protocol 2.0"),
              std::string::npos);
  }
  {
    RawClient client(port_);
    client.send(startupPacket(be32(postgres::kCancelRequest) + be32(4242) + be32(7)));
    EXPECT_TRUE(client.closedByPeer());
  }
  EXPECT_TRUE(decoy_->waitFor({" postgres - cancel ", "pid=\"4242\""}));
  if (have("nmap")) {
    const std::string out =
        run("timeout 120 nmap -n -Pn -sV -p " + std::to_string(port_) + " 127.0.0.1 2>&1").output;
    EXPECT_NE(out.find("postgresql"), std::string::npos) << out;
  }
}

}  // namespace
}  // namespace decnet::decoy::testing
