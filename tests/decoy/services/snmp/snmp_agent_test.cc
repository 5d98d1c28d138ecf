// The agent driven by bytes: answers, exceptions, errors, GetBulk limits, the community check,
// the recorded fields and hostile datagrams.
#include "decoy/services/snmp/snmp_agent.h"

#include <gtest/gtest.h>

#include <random>

#include "decoy/services/snmp/snmp_persona.h"

namespace decnet::decoy::snmp {
namespace {

using namespace std::chrono_literals;

const Oid kSysDescr = {1, 3, 6, 1, 2, 1, 1, 1, 0};
const Oid kSysUpTime = {1, 3, 6, 1, 2, 1, 1, 3, 0};

std::string request(int version, const std::string& community, std::uint8_t pdu,
                    const std::vector<Oid>& oids, std::int64_t a = 0, std::int64_t b = 0,
                    std::int64_t id = 4242) {
  std::string binds;
  for (const Oid& oid : oids) binds += berTlv(kTagSequence, berOid(oid) + berNull());
  const std::string body =
      berInteger(id) + berInteger(a) + berInteger(b) + berTlv(kTagSequence, binds);
  return berTlv(kTagSequence, berInteger(version) + berOctets(community) + berTlv(pdu, body));
}

struct Response {
  std::int64_t version = -1, id = 0, status = 0, index = 0;
  std::string community;
  std::vector<std::pair<Oid, std::pair<std::uint8_t, std::string>>> binds;
};

Response parse(const std::string& bytes) {
  Response r;
  BerReader top(bytes);
  BerReader message = top.enter(kTagSequence, "message");
  r.version = message.integer("version");
  r.community = message.octets("community");
  BerReader pdu = message.enter(0xa2, "response");
  r.id = pdu.integer("id");
  r.status = pdu.integer("status");
  r.index = pdu.integer("index");
  BerReader list = pdu.enter(kTagSequence, "list");
  while (list.ok() && !list.atEnd()) {
    BerReader bind = list.enter(kTagSequence, "bind");
    Oid name = bind.oid("name");
    std::string_view value;
    const std::uint8_t tag = bind.any(value);
    EXPECT_TRUE(bind.ok()) << bind.error();
    r.binds.push_back({name, {tag, std::string(value)}});
  }
  EXPECT_TRUE(top.ok() && message.ok() && pdu.ok() && list.ok());
  EXPECT_TRUE(top.atEnd() && message.atEnd());
  return r;
}

std::string field(const Fields& fields, const std::string& key) {
  for (const auto& [k, v] : fields) {
    if (k == key) return v;
  }
  return "<absent>";
}

class SnmpAgentTest : public ::testing::Test {
 protected:
  SnmpAgentTest() : agent_(config(), start_) {}

  static AgentConfig config() {
    PersonaInputs inputs;
    inputs.hostname = "SRV-MON-07";
    inputs.distro = api::catalog::findDistro("ubuntu22");
    return buildConfig(inputs);
  }

  AgentAnswer send(const std::string& bytes, std::chrono::seconds after = 1s) {
    return agent_.handle(bytes, start_ + after);
  }

  Agent::Clock::time_point start_ = Agent::Clock::now();
  Agent agent_;
};

TEST_F(SnmpAgentTest, AnswersSysDescrAndRecordsTheCommunity) {
  const auto answer = send(request(1, "public", 0xa0, {kSysDescr, kSysUpTime}));
  ASSERT_TRUE(answer.reply);
  const Response r = parse(*answer.reply);
  EXPECT_EQ(r.version, 1);
  EXPECT_EQ(r.community, "public");
  EXPECT_EQ(r.id, 4242);
  EXPECT_EQ(r.status, 0);
  ASSERT_EQ(r.binds.size(), 2u);
  EXPECT_EQ(r.binds[0].first, kSysDescr);
  EXPECT_EQ(r.binds[0].second.first, kTagOctetString);
  EXPECT_EQ(r.binds[0].second.second,
            "Linux SRV-MON-07 5.15.0-126-generic #136-Ubuntu SMP Wed Nov 6 10:38:22 UTC 2024 "
            "x86_64");
  EXPECT_EQ(r.binds[1].second.first, kTagTimeTicks);
  EXPECT_EQ(field(answer.fields, "version"), "2c");
  EXPECT_EQ(field(answer.fields, "pdu"), "get");
  EXPECT_EQ(field(answer.fields, "principal"), "");
  EXPECT_EQ(field(answer.fields, "secret"), "public");
  EXPECT_EQ(field(answer.fields, "secret_b64"), "cHVibGlj");
  EXPECT_EQ(field(answer.fields, "outcome"), "success");
  EXPECT_EQ(field(answer.fields, "oids"), "1.3.6.1.2.1.1.1.0,1.3.6.1.2.1.1.3.0");
  EXPECT_EQ(field(answer.fields, "anomaly"), "<absent>");
}

TEST_F(SnmpAgentTest, WrongCommunityGetsNoAnswer) {
  for (int version : {0, 1}) {
    const auto answer = send(request(version, "priv\x01te", 0xa0, {kSysDescr}));
    EXPECT_FALSE(answer.reply);
    EXPECT_EQ(field(answer.fields, "secret"), "priv?te");
    EXPECT_EQ(field(answer.fields, "outcome"), "failed");
    EXPECT_EQ(field(answer.fields, "oids"), "1.3.6.1.2.1.1.1.0");
  }
}

TEST_F(SnmpAgentTest, V2cExceptionsAndV1NoSuchName) {
  auto answer = send(request(
      1, "public", 0xa0,
      {{1, 3, 6, 1, 2, 1, 1, 1}, {1, 3, 6, 1, 2, 1, 1, 99, 0}, {1, 3, 6, 1, 4, 1, 9, 9, 0}}));
  Response r = parse(*answer.reply);
  ASSERT_EQ(r.binds.size(), 3u);
  EXPECT_EQ(r.binds[0].second.first, kTagNoSuchInstance);
  EXPECT_EQ(r.binds[1].second.first, kTagNoSuchObject);
  EXPECT_EQ(r.binds[2].second.first, kTagNoSuchObject);

  answer = send(request(1, "public", 0xa1, {{1, 3, 6, 1, 2, 1, 2, 2, 1, 22, 2}}));
  r = parse(*answer.reply);
  ASSERT_EQ(r.binds.size(), 1u);
  EXPECT_EQ(r.binds[0].second.first, kTagEndOfMibView);

  answer = send(request(0, "public", 0xa0, {kSysDescr, {1, 3, 6, 1, 2, 1, 1, 99, 0}}));
  r = parse(*answer.reply);
  EXPECT_EQ(r.version, 0);
  EXPECT_EQ(r.status, 2);  // noSuchName
  EXPECT_EQ(r.index, 2);
  ASSERT_EQ(r.binds.size(), 2u);
  EXPECT_EQ(r.binds[0].second.first, kTagNull);  // the request, echoed
  EXPECT_EQ(field(answer.fields, "version"), "1");

  answer = send(request(0, "public", 0xa1, {{1, 3, 6, 1, 2, 1, 2, 2, 1, 22, 2}}));
  EXPECT_EQ(parse(*answer.reply).status, 2);
}

TEST_F(SnmpAgentTest, GetNextWalksTheMibInOrder) {
  Oid cursor = {1, 3, 6, 1, 2, 1, 1};
  std::vector<Oid> seen;
  for (int i = 0; i < 200; ++i) {
    const auto answer = send(request(1, "public", 0xa1, {cursor}));
    const Response r = parse(*answer.reply);
    ASSERT_EQ(r.binds.size(), 1u);
    if (r.binds[0].second.first == kTagEndOfMibView) break;
    ASSERT_LT(cursor, r.binds[0].first);
    cursor = r.binds[0].first;
    seen.push_back(cursor);
  }
  ASSERT_GE(seen.size(), 8u + 2 * 22);
  EXPECT_EQ(seen.front(), kSysDescr);
  EXPECT_EQ(seen[7], (Oid{1, 3, 6, 1, 2, 1, 2, 1, 0}));  // ifNumber after the system group
  EXPECT_EQ(seen.back(), (Oid{1, 3, 6, 1, 2, 1, 2, 2, 1, 22, 2}));
}

TEST_F(SnmpAgentTest, GetBulkIsCappedAndFits) {
  auto answer = send(request(1, "public", 0xa5, {{1, 3, 6, 1, 2, 1, 1}}, 0, 10));
  Response r = parse(*answer.reply);
  EXPECT_EQ(r.binds.size(), 10u);
  EXPECT_EQ(field(answer.fields, "pdu"), "getbulk");

  answer = send(request(1, "public", 0xa5, {kSysDescr, {1, 3, 6, 1, 2, 1, 2}}, 1, 100000));
  ASSERT_TRUE(answer.reply);
  EXPECT_LE(answer.reply->size(), kMaxResponseBytes);
  r = parse(*answer.reply);
  EXPECT_EQ(r.status, 0);
  ASSERT_GE(r.binds.size(), 2u);
  EXPECT_LE(r.binds.size(), 1u + kMaxRepetitions);
  EXPECT_EQ(r.binds[0].first, (Oid{1, 3, 6, 1, 2, 1, 1, 2, 0}));  // the non-repeater

  // Past the end of the MIB: one endOfMibView row, then the agent stops.
  answer = send(request(1, "public", 0xa5, {{1, 3, 6, 1, 2, 1, 2, 2, 1, 22, 1}}, 0, 5));
  r = parse(*answer.reply);
  ASSERT_EQ(r.binds.size(), 2u);
  EXPECT_EQ(r.binds[1].second.first, kTagEndOfMibView);

  // A GET whose answer cannot fit is tooBig with no varbinds (v2c).
  std::vector<Oid> many(120, kSysDescr);
  answer = send(request(1, "public", 0xa0, many));
  r = parse(*answer.reply);
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(r.binds.empty());
}

TEST_F(SnmpAgentTest, SetIsRefused) {
  auto answer = send(request(1, "public", 0xa3, {{1, 3, 6, 1, 2, 1, 1, 5, 0}}));
  Response r = parse(*answer.reply);
  EXPECT_EQ(r.status, 6);  // noAccess
  EXPECT_EQ(r.index, 1);
  EXPECT_EQ(field(answer.fields, "pdu"), "set");
  answer = send(request(0, "public", 0xa3, {{1, 3, 6, 1, 2, 1, 1, 5, 0}}));
  EXPECT_EQ(parse(*answer.reply).status, 2);
  answer = send(request(1, "secret", 0xa3, {{1, 3, 6, 1, 2, 1, 1, 5, 0}}));
  EXPECT_FALSE(answer.reply);
  EXPECT_EQ(field(answer.fields, "outcome"), "failed");
}

TEST_F(SnmpAgentTest, UptimeAndCountersGrow) {
  const Oid inOctets = {1, 3, 6, 1, 2, 1, 2, 2, 1, 10, 2};
  auto valueAt = [&](const Oid& oid, std::chrono::seconds after) {
    const Response r = parse(*send(request(1, "public", 0xa0, {oid}), after).reply);
    const std::string encoded = berTlv(kTagInteger, r.binds.at(0).second.second);
    BerReader reader(encoded);
    return reader.integer("v");
  };
  const auto t1 = valueAt(kSysUpTime, 1s);
  const auto t2 = valueAt(kSysUpTime, 11s);
  EXPECT_EQ(t2 - t1, 1000);
  EXPECT_GT(t1, 3 * 86400 * 100);
  EXPECT_GT(valueAt(inOctets, 100s), valueAt(inOctets, 1s));
}

TEST_F(SnmpAgentTest, HostileDatagramsAreAnomaliesWithoutAnswer) {
  const std::string good = request(1, "public", 0xa0, {kSysDescr});
  std::string deep = berNull();
  for (int i = 0; i < 60; ++i) deep = berTlv(kTagSequence, deep);
  const std::string deepValue = berTlv(
      kTagSequence,
      berInteger(1) + berOctets("public") +
          berTlv(0xa0, berInteger(1) + berInteger(0) + berInteger(0) +
                           berTlv(kTagSequence, berTlv(kTagSequence, berOid(kSysDescr) + deep))));
  std::string hugeLength = good;
  hugeLength.replace(1, 1, "\x84\x7f\xff\xff\xff");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {good.substr(0, good.size() - 3), "length beyond datagram"},
      {hugeLength, "length beyond datagram"},
      {deepValue, "nesting too deep"},
      {deep, "unexpected tag for version"},
      {request(3, "public", 0xa0, {kSysDescr}), "unsupported version 3"},
      {request(0, "public", 0xa5, {kSysDescr}), "getbulk in v1"},
      {request(1, "public", 0xa4, {kSysDescr}), "unexpected trap pdu"},
      {request(1, "public", 0xa0, {kSysDescr}, 0, 0, 1LL << 40), "request-id out of range"},
      {good + "x", "trailing bytes after message"},
      {"GET / HTTP/1.0\r\n\r\n", "unexpected tag for message"},
  };
  for (const auto& [bytes, anomaly] : cases) {
    const auto answer = send(bytes);
    EXPECT_FALSE(answer.reply) << anomaly;
    EXPECT_EQ(field(answer.fields, "anomaly"), anomaly);
    EXPECT_NE(field(answer.fields, "raw_b64"), "<absent>");
  }
  EXPECT_EQ(field(send(request(3, "public", 0xa0, {})).fields, "version"), "3");
  // An arc past 2^32 inside the varbind.
  const std::string overflow = berTlv(
      kTagSequence,
      berInteger(1) + berOctets("public") +
          berTlv(0xa0, berInteger(1) + berInteger(0) + berInteger(0) +
                           berTlv(kTagSequence,
                                  berTlv(kTagSequence,
                                         std::string("\x06\x07\x2b\x90\x80\x80\x80\x80\x00", 9) +
                                             berNull()))));
  const auto answer = send(overflow);
  EXPECT_FALSE(answer.reply);
  EXPECT_EQ(field(answer.fields, "anomaly"), "arc overflow in varbind name");
}

TEST_F(SnmpAgentTest, RandomBytesNeverCrash) {
  std::mt19937 random(7);
  const std::string good = request(1, "public", 0xa5, {kSysDescr, kSysUpTime}, 1, 20);
  for (int i = 0; i < 20000; ++i) {
    std::string bytes = good;
    const int flips = 1 + static_cast<int>(random() % 4);
    for (int f = 0; f < flips; ++f) bytes[random() % bytes.size()] = static_cast<char>(random());
    if (random() % 4 == 0) bytes.resize(random() % bytes.size());
    const auto answer = send(bytes);
    if (answer.reply) {
      EXPECT_LE(answer.reply->size(), kMaxResponseBytes);
    }
  }
}

TEST(SnmpPersona, SysDescrFollowsTheDistroAndPersona) {
  EXPECT_EQ(linuxSysDescr(*api::catalog::findDistro("debian"), "web-01"),
            "Linux web-01 6.1.0-28-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22) "
            "x86_64");
  EXPECT_EQ(linuxSysDescr(*api::catalog::findDistro("alpine"), "a"),
            "Linux a 6.6.58-0-lts #1-Alpine SMP PREEMPT_DYNAMIC Tue, 22 Oct 2024 12:55:33 +0000 "
            "x86_64");

  PersonaInputs windows;
  windows.hostname = "WIN-FS-02";
  windows.osFamily = "windows";
  windows.distro = api::catalog::findDistro("win2019");
  AgentConfig config = buildConfig(windows);
  EXPECT_EQ(config.sysDescr,
            "Hardware: Intel64 Family 6 Model 85 Stepping 7 AT/AT COMPATIBLE - Software: Windows "
            "Version 6.3 (Build 17763 Multiprocessor Free)");
  EXPECT_EQ(oidText(config.sysObjectId), "1.3.6.1.4.1.311.1.1.3.1.2");
  EXPECT_EQ(config.sysName, "WIN-FS-02");

  PersonaInputs linux;
  linux.hostname = "host";
  linux.distro = api::catalog::findDistro("rocky9");
  config = buildConfig(linux);
  EXPECT_EQ(oidText(config.sysObjectId), "1.3.6.1.4.1.8072.3.2.10");
  ASSERT_EQ(config.interfaces.size(), 2u);
  EXPECT_EQ(config.interfaces[0].descr, "lo");
  EXPECT_EQ(config.interfaces[1].descr, "eth0");
  EXPECT_EQ(config.interfaces[1].mac.size(), 6u);
  EXPECT_EQ(buildConfig(linux).interfaces[1].mac, config.interfaces[1].mac);  // stable

  linux.kind = "water_plant";
  const AgentConfig plant = buildConfig(linux);
  EXPECT_NE(plant.sysDescr, config.sysDescr);
  EXPECT_NE(plant.sysLocation, config.sysLocation);
  EXPECT_NE(plant.sysObjectId, config.sysObjectId);
  linux.sysDescr = "Custom device";
  EXPECT_EQ(buildConfig(linux).sysDescr, "Custom device");
}

}  // namespace
}  // namespace decnet::decoy::snmp
