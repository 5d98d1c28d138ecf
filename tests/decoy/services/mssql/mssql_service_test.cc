// The mssql emulator in a real decoy process against raw TDS, a Python client, hydra and nmap.
#include <gtest/gtest.h>

#include <fstream>

#include "tests/decoy/decoy_harness.h"
#include "tests/decoy/services/mssql/mssql_login7.h"

namespace decnet::decoy::testing {
namespace {

class MssqlServiceTest : public DecoyServiceTest {
 protected:
  void SetUp() override {
    port_ = freePort();
    api::Json spec = {
        {"hostname", "sql-01"},
        {"services",
         {{{"name", "mssql"}, {"ports", {port_}}, {"persona", {{"users", "app:Appl3!"}}}}}}};
    startDecoy("mssql", spec);
  }
};

TEST_F(MssqlServiceTest, PreloginThenLoginFails) {
  RawClient client(port_);
  client.send(mssql::packet(mssql::kPrelogin, mssql::testing::preloginPayload(0, true)));
  const std::string prelogin = client.receive(3s, std::string("\xff\x0f\x00\x07\xd0", 5));
  EXPECT_EQ(prelogin.substr(0, 2), "\x04\x01");
  EXPECT_NE(prelogin.find(std::string("\xff\x0f\x00\x07\xd0\x00\x00\x02", 8)), std::string::npos);
  EXPECT_TRUE(
      decoy_->waitFor({" mssql - prelogin ", "client_version=\"8.0.341.0\"", "encryption=\"off\""}))
      << decoy_->events();
  client.send(mssql::packet(
      mssql::kLogin7,
      mssql::testing::login7Payload("WS-07", "sa", "Summer2024!", "sqlmap", "10.0.0.5", "master")));
  const std::string reply = client.receive(3s);
  EXPECT_NE(reply.find(mssql::utf8ToUtf16("Login failed for user 'sa'.")), std::string::npos);
  EXPECT_TRUE(decoy_->waitFor({" mssql - auth_attempt ", "principal=\"sa\"",
                               "secret=\"Summer2024!\"", "outcome=\"failed\"", "hostname=\"WS-07\"",
                               "app_name=\"sqlmap\"", "database=\"master\""}))
      << decoy_->events();
}

TEST_F(MssqlServiceTest, PersonaLoginSucceeds) {
  RawClient client(port_);
  client.send(mssql::packet(
      mssql::kLogin7, mssql::testing::login7Payload("h", "app", "Appl3!", "a", "s", "sales")));
  const std::string reply = client.receive(2s);
  ASSERT_GT(reply.size(), 9u);
  EXPECT_NE(reply.find(mssql::utf8ToUtf16("Microsoft SQL Server")), std::string::npos);
  EXPECT_TRUE(decoy_->waitFor({" mssql - auth_attempt ", "principal=\"app\"", "success"}));
  std::string batch("\x16\x00\x00\x00\x12\x00\x00\x00\x02\x00", 10);
  batch += std::string(12, '\0');
  batch += mssql::utf8ToUtf16("SELECT name FROM sys.databases");
  client.send(mssql::packet(mssql::kSqlBatch, batch));
  EXPECT_FALSE(client.receive(2s).empty());
  EXPECT_TRUE(decoy_->waitFor({" mssql - query ", "query=\"SELECT name FROM sys.databases\""}))
      << decoy_->events();
}

TEST_F(MssqlServiceTest, PythonClientLogin) {
  if (run("command -v python3").exitCode != 0) GTEST_SKIP() << "python3 is not installed";
  // An independent LOGIN7 builder, so the test does not only check the parser against itself.
  const std::string script = decoy_->dir() + "/login7.py";
  std::ofstream(script) << R"PY(
import socket, struct, sys
def u(s): return s.encode('utf-16-le')
def pw(s): return bytes((((b << 4) | (b >> 4)) & 0xff) ^ 0xa5 for b in u(s))
def pkt(t, body): return struct.pack('>BBHHBB', t, 1, len(body) + 8, 0, 1, 0) + body
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=5)
opts = [(0, bytes([16, 0, 0x10, 0, 0, 0])), (1, b'\x00'), (2, b'\x00'), (3, b'\x01\x02\x03\x04')]
head, data, off = b'', b'', len(opts) * 5 + 1
for t, v in opts:
    head += struct.pack('>BHH', t, off + len(data), len(v)); data += v
s.sendall(pkt(0x12, head + b'\xff' + data)); s.recv(4096)
fields = [u('kali'), u('hacker'), pw('hunter2'), u('pyscript'), u('target'), b'', u('DB-Library'), b'', u('tempdb')]
fixed = struct.pack('<IIIIII', 0, 0x74000004, 4096, 7, 999, 0) + b'\xe0\x03\x00\x00' + struct.pack('<II', 0, 0x409)
var, base = b'', 94
for f in fields:
    fixed += struct.pack('<HH', base + len(var), len(f) // 2); var += f
fixed += b'\x00' * 6 + struct.pack('<HHHHHHI', base + len(var), 0, base + len(var), 0, base + len(var), 0, 0)
body = fixed + var
body = struct.pack('<I', len(body)) + body[4:]
s.sendall(pkt(0x10, body))
reply = s.recv(4096)
print('failed' if u("Login failed for user 'hacker'.") in reply else 'unexpected')
)PY";
  const std::string out = run("timeout 20 python3 " + script + " " + std::to_string(port_)).output;
  EXPECT_NE(out.find("failed"), std::string::npos) << out;
  EXPECT_TRUE(decoy_->waitFor({" mssql - auth_attempt ", "principal=\"hacker\"",
                               "secret=\"hunter2\"", "hostname=\"kali\"", "app_name=\"pyscript\"",
                               "database=\"tempdb\"", "library=\"DB-Library\""}))
      << decoy_->events();
  EXPECT_TRUE(decoy_->waitFor({" mssql - prelogin ", "client_version=\"16.0.4096.0\""}));
}

// hydra's mssql module speaks a TDS 4.2 login: every guess is recorded and refused, so hydra
// goes through its list instead of giving up on connection errors.
TEST_F(MssqlServiceTest, HydraGuessesAreRecorded) {
  if (run("command -v hydra").exitCode != 0) GTEST_SKIP() << "hydra is not installed";
  const std::string list = decoy_->dir() + "/passwords";
  run("printf 'hunter2\\nWinter2024!\\n' > " + list);
  const auto result = run("timeout 60 hydra -l sa -P " + list + " -t 1 -s " +
                          std::to_string(port_) + " 127.0.0.1 mssql 2>&1");
  EXPECT_NE(result.output.find("0 valid password"), std::string::npos) << result.output;
  EXPECT_EQ(result.output.find("connection errors"), std::string::npos) << result.output;
  for (const char* password : {"hunter2", "Winter2024!"}) {
    EXPECT_TRUE(decoy_->waitFor({" mssql - auth_attempt ", "principal=\"sa\"",
                                 std::string("secret=\"") + password + "\"", "outcome=\"failed\""}))
        << decoy_->events();
  }
}

TEST_F(MssqlServiceTest, NmapIdentifiesSqlServer) {
  if (run("command -v nmap").exitCode != 0) GTEST_SKIP() << "nmap is not installed";
  const std::string out =
      run("timeout 120 nmap -n -Pn -sV -p " + std::to_string(port_) + " 127.0.0.1 2>&1").output;
  EXPECT_NE(out.find("Microsoft SQL Server"), std::string::npos) << out;
}

TEST_F(MssqlServiceTest, HostileInputIsRecordedAndServiceContinues) {
  {
    RawClient client(port_);
    client.send(std::string("\x12\x01\xff\xff\x00\x00\x01\x00", 8));
    EXPECT_TRUE(client.closedByPeer());
  }
  EXPECT_TRUE(decoy_->waitFor({" mssql - anomaly ", "anomaly=\"invalid_packet_length\""}))
      << decoy_->events();
  {
    RawClient client(port_);
    client.send(mssql::packet(mssql::kPrelogin, std::string("\x00\x10\x00\x00\x06", 5)));
    EXPECT_TRUE(client.closedByPeer());
  }
  EXPECT_TRUE(decoy_->waitFor({" mssql - anomaly ", "anomaly=\"prelogin_option_out_of_bounds\""}));
  {
    RawClient client(port_);
    client.send(mssql::packet(mssql::kLogin7, "truncated"));
    EXPECT_TRUE(client.closedByPeer());
  }
  EXPECT_TRUE(decoy_->waitFor({" mssql - anomaly ", "anomaly=\"login7_truncated\""}));
  {
    RawClient client(port_);
    client.send("GET / HTTP/1.0\r\n\r\n");
    EXPECT_TRUE(client.closedByPeer());
  }
  EXPECT_TRUE(decoy_->waitFor({" mssql - anomaly ", "anomaly=\"unknown_packet_type\""}));
  {
    RawClient client(port_);
    client.send(mssql::packet(mssql::kPrelogin, mssql::testing::preloginPayload(3, false)));
    EXPECT_TRUE(client.closedByPeer());
  }
  EXPECT_TRUE(decoy_->waitFor({" mssql - prelogin ", "encryption=\"required\""}));
  RawClient still(port_);
  still.send(mssql::packet(mssql::kPrelogin, mssql::testing::preloginPayload(0, false)));
  EXPECT_EQ(still.receive(2s).size(), 37u);
}

}  // namespace
}  // namespace decnet::decoy::testing
