// The snmp emulator in a real decoy process: raw UDP datagrams and the net-snmp tools on loopback.
#include <gtest/gtest.h>

#include "decoy/services/snmp/ber.h"
#include "tests/decoy/decoy_harness.h"

namespace decnet::decoy::testing {
namespace {

using snmp::berInteger;
using snmp::berNull;
using snmp::berOctets;
using snmp::berOid;
using snmp::berTlv;
using snmp::kTagSequence;
using snmp::Oid;

const Oid kSysDescr = {1, 3, 6, 1, 2, 1, 1, 1, 0};

// A UDP port that is free now (the decoy binds it a moment later).
int freeUdpPort() {
  for (int attempt = 0; attempt < 50; ++attempt) {
    const int port = freePort();
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    ::close(fd);
    if (ok) return port;
  }
  return 0;
}

class UdpClient {
 public:
  explicit UdpClient(int port) {
    fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  }
  ~UdpClient() { ::close(fd_); }
  void send(const std::string& bytes) { ::send(fd_, bytes.data(), bytes.size(), 0); }
  // One datagram, or "" when none arrives in time.
  std::string receive(std::chrono::milliseconds timeout = 2s) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return "";
    char buffer[65536];
    const ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
    return n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : "";
  }

 private:
  int fd_ = -1;
};

std::string getRequest(int version, const std::string& community, const Oid& oid) {
  const std::string binds = berTlv(kTagSequence, berTlv(kTagSequence, berOid(oid) + berNull()));
  const std::string pdu = berTlv(0xa0, berInteger(77) + berInteger(0) + berInteger(0) + binds);
  return berTlv(kTagSequence, berInteger(version) + berOctets(community) + pdu);
}

class SnmpServiceTest : public DecoyServiceTest {
 protected:
  void start(const api::Json& persona = api::Json::object()) {
    port_ = freeUdpPort();
    ASSERT_NE(port_, 0);
    api::Json service = {{"name", "snmp"}, {"ports", {port_}}};
    if (!persona.empty()) service["persona"] = persona;
    const api::Json spec = {{"hostname", "SRV-MON-07"}, {"services", {service}}};
    startDecoy("snmp", spec);
  }
};

TEST_F(SnmpServiceTest, AnswersTheRightCommunityOnly) {
  start();
  UdpClient client(port_);
  client.send(getRequest(1, "public", kSysDescr));
  const std::string reply = client.receive();
  ASSERT_FALSE(reply.empty());
  EXPECT_NE(reply.find("Linux SRV-MON-07 "), std::string::npos);
  EXPECT_NE(reply.find(berOid(kSysDescr)), std::string::npos);

  client.send(getRequest(1, "private", kSysDescr));
  EXPECT_EQ(client.receive(1500ms), "");

  ASSERT_TRUE(decoy_->waitFor({" snmp - get_request ", "secret=\"private\""}));
  const std::string failed = decoy_->lines({" snmp - get_request ", "secret=\"private\""}).front();
  for (const char* part :
       {"src_ip=\"127.0.0.1\"", "version=\"2c\"", "pdu=\"get\"", "principal=\"\"",
        "secret_b64=\"cHJpdmF0ZQ==\"", "outcome=\"failed\"", "oids=\"1.3.6.1.2.1.1.1.0\""}) {
    EXPECT_NE(failed.find(part), std::string::npos) << part << " in " << failed;
  }
  const auto ok =
      decoy_->lines({" snmp - get_request ", "secret=\"public\"", "outcome=\"success\""});
  ASSERT_EQ(ok.size(), 1u) << decoy_->events();
  EXPECT_NE(ok.front().find("dst_port=\"" + std::to_string(port_) + "\""), std::string::npos);
}

TEST_F(SnmpServiceTest, HostileDatagramsAreRecordedAndTheAgentKeepsAnswering) {
  start();
  UdpClient client(port_);
  const std::string good = getRequest(0, "public", kSysDescr);
  std::string deep = berNull();
  for (int i = 0; i < 500; ++i) deep = berTlv(kTagSequence, deep);
  std::string huge = good;
  huge.replace(1, 1, "\x84\x7f\xff\xff\xff");
  for (const std::string& bytes :
       {good.substr(0, 10), huge, deep, std::string(60000, '\x30'), std::string(1, '\0')}) {
    client.send(bytes);
    EXPECT_EQ(client.receive(300ms), "");
  }
  ASSERT_TRUE(
      decoy_->waitFor({" snmp - get_request ", "anomaly=\"length beyond datagram\""}, 5s, 2))
      << decoy_->events();
  EXPECT_TRUE(decoy_->waitFor({" snmp - get_request ", "anomaly=\"unexpected tag for version\""}));
  EXPECT_TRUE(decoy_->waitFor({" snmp - get_request ", "anomaly=", "raw_b64="}, 5s, 5));
  EXPECT_EQ(decoy_->lines({"<132>1 ", " snmp - get_request ", "anomaly="}).size(), 5u);
  client.send(good);
  const std::string reply = client.receive();
  EXPECT_NE(reply.find("Linux SRV-MON-07 "), std::string::npos);
}

TEST_F(SnmpServiceTest, NetSnmpToolsWalkTheAgent) {
  if (run("command -v snmpget snmpwalk").exitCode != 0) {
    GTEST_SKIP() << "net-snmp tools (snmpget, snmpwalk) are not installed";
  }
  start({{"community", "c0mmunity"}, {"persona", "factory"}});
  const std::string descr =
      run("timeout 20 snmpget -m '' -On -t 1 -r 1 -v2c -c c0mmunity 127.0.0.1:" +
          std::to_string(port_) + " 1.3.6.1.2.1.1.1.0 2>&1")
          .output;
  EXPECT_NE(descr.find(".1.3.6.1.2.1.1.1.0 = STRING: "), std::string::npos) << descr;
  EXPECT_NE(descr.find("SIMATIC"), std::string::npos) << descr;

  const std::string walk2 =
      run("timeout 30 snmpwalk -m '' -On -t 1 -r 1 -v2c -c c0mmunity 127.0.0.1:" +
          std::to_string(port_) + " 1.3.6.1.2.1.1 2>&1")
          .output;
  EXPECT_NE(walk2.find(".1.3.6.1.2.1.1.5.0 = STRING: \"SRV-MON-07\""), std::string::npos) << walk2;
  EXPECT_NE(walk2.find(".1.3.6.1.2.1.1.3.0 = Timeticks: "), std::string::npos) << walk2;
  EXPECT_NE(walk2.find(".1.3.6.1.2.1.1.7.0 = INTEGER: 72"), std::string::npos) << walk2;
  EXPECT_EQ(walk2.find("Timeout"), std::string::npos) << walk2;
  EXPECT_EQ(walk2.find(".1.3.6.1.2.1.2."), std::string::npos) << walk2;

  const std::string walk1 =
      run("timeout 30 snmpwalk -m '' -On -t 1 -r 1 -v1 -c c0mmunity 127.0.0.1:" +
          std::to_string(port_) + " 1.3.6.1.2.1.2 2>&1")
          .output;
  EXPECT_NE(walk1.find(".1.3.6.1.2.1.2.2.1.2.1 = STRING: \"lo\""), std::string::npos) << walk1;
  EXPECT_NE(walk1.find(".1.3.6.1.2.1.2.2.1.2.2 = STRING: \"eth0\""), std::string::npos) << walk1;
  EXPECT_NE(walk1.find(".1.3.6.1.2.1.2.2.1.10.2 = Counter32: "), std::string::npos) << walk1;
  EXPECT_NE(walk1.find(".1.3.6.1.2.1.2.2.1.6.2 = Hex-STRING: "), std::string::npos) << walk1;
  EXPECT_EQ(walk1.find("Timeout"), std::string::npos) << walk1;

  if (run("command -v snmpbulkwalk").exitCode == 0) {
    const std::string bulk =
        run("timeout 30 snmpbulkwalk -m '' -On -t 1 -r 1 -v2c -c c0mmunity 127.0.0.1:" +
            std::to_string(port_) + " 1.3.6.1.2.1 2>&1")
            .output;
    EXPECT_NE(bulk.find(".1.3.6.1.2.1.2.2.1.22.2 = OID: .0.0"), std::string::npos) << bulk;
  }

  const std::string wrong = run("timeout 20 snmpget -m '' -On -t 1 -r 0 -v2c -c public 127.0.0.1:" +
                                std::to_string(port_) + " 1.3.6.1.2.1.1.1.0 2>&1")
                                .output;
  EXPECT_NE(wrong.find("Timeout"), std::string::npos) << wrong;

  ASSERT_TRUE(decoy_->waitFor({" snmp - get_request ", "secret=\"public\"", "outcome=\"failed\""}));
  EXPECT_TRUE(decoy_->waitFor({" snmp - get_request ", "version=\"1\"", "pdu=\"getnext\"",
                               "secret=\"c0mmunity\"", "outcome=\"success\""}));
  EXPECT_TRUE(decoy_->waitFor({" snmp - get_request ", "version=\"2c\"", "pdu=\"get\"",
                               "oids=\"1.3.6.1.2.1.1.1.0\"", "secret=\"c0mmunity\""}));
}

}  // namespace
}  // namespace decnet::decoy::testing
