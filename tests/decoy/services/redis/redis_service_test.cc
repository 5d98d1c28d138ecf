// The redis emulator in a real decoy process against redis-cli and raw sockets.
#include <gtest/gtest.h>

#include "tests/decoy/decoy_harness.h"

namespace decnet::decoy::testing {
namespace {

class RedisServiceTest : public DecoyServiceTest {
 protected:
  void start(api::Json persona) {
    port_ = freePort();
    api::Json spec = {
        {"hostname", "cache-01"},
        {"services", {{{"name", "redis"}, {"ports", {port_}}, {"persona", persona}}}}};
    startDecoy("redis", spec);
  }
  bool haveCli() { return run("command -v redis-cli").exitCode == 0; }
  std::string cli(const std::string& args) {
    return run("timeout 20 redis-cli -h 127.0.0.1 -p " + std::to_string(port_) + " " + args +
               " 2>&1")
        .output;
  }
};

TEST_F(RedisServiceTest, RawRespAndInline) {
  start(api::Json::object());
  RawClient client(port_);
  ASSERT_TRUE(client.connected());
  client.send("*1\r\n$4\r\nPING\r\n");
  EXPECT_EQ(client.receive(3s, "\r\n"), "+PONG\r\n");
  client.send("ECHO hello\r\n");
  EXPECT_EQ(client.receive(3s, "hello\r\n"), "$5\r\nhello\r\n");
  client.send("*1\r\n$4\r\ninfo\r\n");
  const std::string info = client.receive(3s, "# Keyspace\r\n");
  EXPECT_NE(info.find("# Server\r\nredis_version:7.2.7\r\n"), std::string::npos) << info;
  EXPECT_NE(info.find("os:Linux "), std::string::npos);
  EXPECT_NE(info.find("tcp_port:" + std::to_string(port_)), std::string::npos);
  EXPECT_TRUE(decoy_->waitFor({" redis - command ", "cmd=\"ECHO\"", "args=\"hello\""}))
      << decoy_->events();
}

TEST_F(RedisServiceTest, RedisCliWithPassword) {
  start({{"password", "s3cret"}});
  if (!haveCli()) GTEST_SKIP() << "redis-cli is not installed";
  EXPECT_NE(cli("--no-auth-warning -a wrongpw INFO").find("AUTH failed: WRONGPASS"),
            std::string::npos);
  EXPECT_TRUE(decoy_->waitFor({" redis - auth_attempt ", "principal=\"default\"",
                               "secret=\"wrongpw\"", "outcome=\"failed\""}))
      << decoy_->events();
  EXPECT_NE(cli("INFO").find("NOAUTH Authentication required."), std::string::npos);
  const std::string info = cli("--no-auth-warning -a s3cret INFO server");
  EXPECT_NE(info.find("redis_version:7.2.7"), std::string::npos) << info;
  EXPECT_TRUE(decoy_->waitFor({" redis - auth_attempt ", "secret=\"s3cret\"",
                               "secret_b64=\"czNjcmV0\"", "outcome=\"success\""}))
      << decoy_->events();
  EXPECT_NE(cli("--user admin --pass x --no-auth-warning PING").find("WRONGPASS"),
            std::string::npos);
  EXPECT_TRUE(decoy_->waitFor({" redis - auth_attempt ", "principal=\"admin\"", "secret=\"x\""}));
}

TEST_F(RedisServiceTest, RedisCliConfigAttack) {
  start(api::Json::object());
  if (!haveCli()) GTEST_SKIP() << "redis-cli is not installed";
  EXPECT_EQ(cli("CONFIG GET dir"), "dir\n/var/lib/redis\n");
  EXPECT_EQ(cli("CONFIG SET dir /root/.ssh"), "OK\n");
  EXPECT_EQ(cli("CONFIG SET dbfilename authorized_keys"), "OK\n");
  EXPECT_EQ(cli("SET x 'ssh-rsa AAAA attacker'"), "OK\n");
  EXPECT_EQ(cli("SAVE"), "OK\n");
  EXPECT_TRUE(decoy_->waitFor(
      {" redis - command ", "cmd=\"CONFIG\"", "args=\"SET dbfilename authorized_keys\""}))
      << decoy_->events();
  EXPECT_TRUE(decoy_->waitFor({" redis - command ", "cmd=\"SAVE\""}));
  EXPECT_NE(cli("FLURB a b").find("ERR unknown command 'FLURB', with args beginning with: 'a' 'b'"),
            std::string::npos);
  EXPECT_EQ(cli("AUTH anything"), "OK\n");
  EXPECT_TRUE(decoy_->waitFor({" redis - auth_attempt ", "secret=\"anything\"", "success"}));
}

TEST_F(RedisServiceTest, HostileInputIsRecordedAndServiceContinues) {
  start(api::Json::object());
  {
    RawClient client(port_);
    client.send("*1\r\n$999999999999\r\n");
    EXPECT_EQ(client.receive(3s, "\r\n"), "-ERR Protocol error: invalid bulk length\r\n");
    EXPECT_TRUE(client.closedByPeer());
  }
  EXPECT_TRUE(decoy_->waitFor({" redis - command ", "anomaly=\"invalid_bulk_length\"", "raw_b64="}))
      << decoy_->events();
  {
    RawClient client(port_);
    client.send(std::string(70000, 'A'));
    EXPECT_NE(client.receive(3s, "\r\n").find("too big inline request"), std::string::npos);
  }
  EXPECT_TRUE(decoy_->waitFor({" redis - command ", "anomaly=\"inline_too_long\""}));
  {
    RawClient client(port_);
    client.send("POST / HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_TRUE(client.closedByPeer());
  }
  EXPECT_TRUE(decoy_->waitFor({" redis - command ", "anomaly=\"cross_protocol\""}));
  {
    RawClient client(port_);
    client.send(std::string("\x16\x03\x01\x00\x05garbage\xff\r\n", 16));
    client.send("*1\r\n$4\r\nPING\r\n");
    EXPECT_NE(client.receive(3s, "PONG\r\n").find("+PONG\r\n"), std::string::npos);
  }
}

}  // namespace
}  // namespace decnet::decoy::testing
