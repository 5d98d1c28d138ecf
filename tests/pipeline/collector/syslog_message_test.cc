#include "pipeline/collector/syslog_message.h"

#include <gtest/gtest.h>

#include <chrono>
#include <ostream>
#include <string>
#include <vector>

#include "decoy/event_writer.h"

namespace decnet::pipeline {

// Readable failures for whole-message comparisons.
void PrintTo(const SyslogMessage& m, std::ostream* os) {
  *os << "{pri=" << m.priority << " v=" << m.version << " ts='" << m.timestamp << "' host='"
      << m.hostname << "' app='" << m.appName << "' proc='" << m.procId << "' msgid='" << m.msgId
      << "' data=";
  for (const auto& element : m.data) {
    *os << "[" << element.id;
    for (const auto& p : element.params) *os << " " << p.name << "='" << p.value << "'";
    *os << "]";
  }
  *os << " msg='" << m.message << "' addr='" << m.attackerAddress << "' seq=";
  if (m.sequenceId) {
    *os << *m.sequenceId;
  } else {
    *os << "none";
  }
  *os << "}";
}

namespace {

struct ValidCase {
  const char* name;
  std::string line;
  SyslogMessage expected;
};

// Every field spelled out, so a row cannot pass by leaving one at its default.
SyslogMessage expect(int priority, std::string timestamp, std::string hostname, std::string appName,
                     std::string procId, std::string msgId, std::vector<SdElement> data,
                     std::string message, std::string attackerAddress = "",
                     std::optional<std::int64_t> sequenceId = std::nullopt) {
  SyslogMessage m;
  m.priority = priority;
  m.timestamp = std::move(timestamp);
  m.hostname = std::move(hostname);
  m.appName = std::move(appName);
  m.procId = std::move(procId);
  m.msgId = std::move(msgId);
  m.data = std::move(data);
  m.message = std::move(message);
  m.attackerAddress = std::move(attackerAddress);
  m.sequenceId = sequenceId;
  return m;
}

std::vector<ValidCase> validCases() {
  const std::string ts = "2026-04-18T08:27:21.862365+00:00";
  return {
      {"ReferenceExample",
       "<134>1 " + ts +
           " corp-lan-03 http - request [relay@55555 src_ip=\"10.77.0.250\" src_port=\"51514\" "
           "method=\"GET\" path=\"/wp-login.php\"]",
       expect(134, ts, "corp-lan-03", "http", "", "request",
              {{"relay@55555",
                {{"src_ip", "10.77.0.250"},
                 {"src_port", "51514"},
                 {"method", "GET"},
                 {"path", "/wp-login.php"}}}},
              "", "10.77.0.250")},
      {"NoStructuredData", "<132>1 2026-04-18T08:27:21Z d1 ssh 4242 listening - ready on port 22",
       expect(132, "2026-04-18T08:27:21Z", "d1", "ssh", "4242", "listening", {},
              "ready on port 22")},
      {"SeveralElements",
       "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
       "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"]"
       "[examplePriority@32473 class=\"high\"][empty@1] An application event",
       expect(165, "2003-10-11T22:14:15.003Z", "mymachine.example.com", "evntslog", "", "ID47",
              {{"exampleSDID@32473",
                {{"iut", "3"}, {"eventSource", "Application"}, {"eventID", "1011"}}},
               {"examplePriority@32473", {{"class", "high"}}},
               {"empty@1", {}}},
              "An application event")},
      {"MetaSequenceId",
       "<134>1 " + ts +
           " d2 ftp - connect [relay@55555 src_ip=\"10.0.0.9\"][meta sequenceId=\"42\"]",
       expect(134, ts, "d2", "ftp", "", "connect",
              {{"relay@55555", {{"src_ip", "10.0.0.9"}}}, {"meta", {{"sequenceId", "42"}}}}, "",
              "10.0.0.9", 42)},
      {"EscapesInValues",
       R"(<134>1 - h http - request [relay@55555 path="/a\\b\"c\]d" odd="x\ny" end="\\"])",
       expect(134, "", "h", "http", "", "request",
              {{"relay@55555", {{"path", R"(/a\b"c]d)"}, {"odd", R"(x\ny)"}, {"end", R"(\)"}}}},
              "")},
      {"UnescapedBracketInsideQuotes", R"(<134>1 - h a - e [x k="a]b"] m)",
       expect(134, "", "h", "a", "", "e", {{"x", {{"k", "a]b"}}}}, "m")},
      {"ExtraSpacesInElement", "<134>1 - h a - e [x  k=\"1\"   j=\"2\" ]",
       expect(134, "", "h", "a", "", "e", {{"x", {{"k", "1"}, {"j", "2"}}}}, "")},
      {"BomStrippedFromMessage", "<0>1 - - - - - - \xEF\xBB\xBFh\xC3\xA9llo \xEF\xBB\xBF",
       expect(0, "", "", "", "", "", {}, "h\xC3\xA9llo \xEF\xBB\xBF")},
      {"Ipv6SourceAddress",
       "<134>1 2024-02-29T23:59:59.5-05:30 d3 smb - connect [relay@55555 "
       "src_ip=\"2001:db8::1\" src_port=\"445\"]",
       expect(134, "2024-02-29T23:59:59.5-05:30", "d3", "smb", "", "connect",
              {{"relay@55555", {{"src_ip", "2001:db8::1"}, {"src_port", "445"}}}}, "",
              "2001:db8::1")},
      {"EmptyMessageAfterSpace", "<191>1 - h a - e [x k=\"v\"] ",
       expect(191, "", "h", "a", "", "e", {{"x", {{"k", "v"}}}}, "")},
      {"TrailingCrLfTolerated", "<134>1 - h a - e - text\r\n",
       expect(134, "", "h", "a", "", "e", {}, "text")},
      {"OnlyOneTrailingNewlineStripped", "<134>1 - h a - e - text\r\n\n",
       expect(134, "", "h", "a", "", "e", {}, "text\r\n")},
      {"LongestHeaderFields",
       "<134>1 - " + std::string(255, 'h') + " " + std::string(48, 'a') + " " +
           std::string(128, 'p') + " " + std::string(32, 'm') + " -",
       expect(134, "", std::string(255, 'h'), std::string(48, 'a'), std::string(128, 'p'),
              std::string(32, 'm'), {}, "")},
  };
}

class ValidLineTest : public testing::TestWithParam<ValidCase> {};

TEST_P(ValidLineTest, ParsesEveryField) {
  const auto parsed = parseSyslog(GetParam().line);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  EXPECT_EQ(*parsed, GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(SyslogMessage, ValidLineTest, testing::ValuesIn(validCases()),
                         [](const auto& info) { return std::string(info.param.name); });

struct InvalidCase {
  const char* name;
  std::string line;
  const char* reason;
};

std::vector<InvalidCase> invalidCases() {
  const std::string head = "<134>1 2026-04-18T08:27:21Z h app - ev ";
  return {
      {"Empty", "", "empty line"},
      {"NotSyslog", "hello", "bad PRI"},
      {"Rfc3164", "<34>Oct 11 22:14:15 host su: x", "missing version"},
      {"PriOver191", "<192>1 - h a - e -", "bad PRI"},
      {"PriLeadingZero", "<01>1 - h a - e -", "bad PRI"},
      {"PriDoubleZero", "<00>1 - h a - e -", "bad PRI"},
      {"PriFourDigits", "<1000>1 - h a - e -", "bad PRI"},
      {"PriUnclosed", "<13", "bad PRI"},
      {"PriEmpty", "<>1 - h a - e -", "bad PRI"},
      {"Version2", "<134>2 - h a - e -", "unsupported version"},
      {"VersionLeadingZero", "<134>01 - h a - e -", "bad version"},
      {"NoVersion", "<134> - h a - e -", "missing version"},
      {"TruncatedAfterPri", "<134>", "truncated header"},
      {"TruncatedAfterHostname", "<134>1 2026-04-18T08:27:21Z corp-lan-03", "truncated header"},
      {"TruncatedBeforeStructuredData", "<134>1 2026-04-18T08:27:21Z h app - ev",
       "truncated header"},
      {"TruncatedAtStructuredData", "<134>1 2026-04-18T08:27:21Z h app - ev ", "truncated header"},
      {"AppNameTooLong", "<134>1 - h " + std::string(49, 'a') + " - e -", "APP-NAME too long"},
      {"HostnameTooLong", "<134>1 - " + std::string(256, 'h') + " a - e -", "HOSTNAME too long"},
      {"MsgIdTooLong", "<134>1 - h a - " + std::string(33, 'm') + " -", "MSGID too long"},
      {"ControlByteInHostname", std::string("<134>1 - ho\x01st a - e -"), "bad byte in HOSTNAME"},
      {"HighByteInMsgId", "<134>1 - h a - ev\xFF -", "bad byte in MSGID"},
      {"NulInProcId", std::string("<134>1 - h a p\0 e -", 19), "bad byte in PROCID"},
      {"EmptyHostname", "<134>1 -  a - e -", "empty HOSTNAME"},
      {"Feb30", "<134>1 2026-02-30T00:00:00Z h a - e -", "bad TIMESTAMP"},
      {"LowercaseT", "<134>1 2026-04-18t08:27:21Z h a - e -", "bad TIMESTAMP"},
      {"SevenFractionDigits", "<134>1 2026-04-18T08:27:21.1234567Z h a - e -", "bad TIMESTAMP"},
      {"NoOffset", "<134>1 2026-04-18T08:27:21 h a - e -", "bad TIMESTAMP"},
      {"Hour24", "<134>1 2026-04-18T24:00:00Z h a - e -", "bad TIMESTAMP"},
      {"BsdDate", "<134>1 Apr 18 08:27:21 h a - e -", "bad TIMESTAMP"},
      {"NotStructuredData", head + "free text", "bad structured data"},
      {"TruncatedInElementId", head + "[relay@55555", "truncated structured data"},
      {"TruncatedAfterValue", head + "[relay@55555 src_ip=\"1.2.3.4\"",
       "truncated structured data"},
      {"TruncatedAfterEquals", head + "[relay@55555 src_ip=", "truncated structured data"},
      {"TruncatedInName", head + "[relay@55555 src", "truncated structured data"},
      {"UnterminatedQuote", head + "[relay@55555 src_ip=\"1.2.3.4]", "unterminated SD param value"},
      {"TrailingBackslash", head + "[relay@55555 a=\"b\\", "unterminated SD param value"},
      {"UnquotedValue", head + "[relay@55555 src_ip=1.2.3.4]", "unquoted SD param value"},
      {"NameWithoutValue", head + "[relay@55555 src_ip]", "no '=' after SD param name"},
      {"ParamsWithoutSpace", head + "[x a=\"1\"b=\"2\"]", "no SP between SD params"},
      {"EmptyId", head + "[]", "bad SD-ID"},
      {"IdWithEquals", head + "[a=b]", "bad SD-ID"},
      {"EmptyParamName", head + "[x =\"1\"]", "bad SD param name"},
      {"JunkAfterNil", head + "-x", "no SP after structured data"},
      {"JunkAfterElement", head + "[x]y", "no SP after structured data"},
  };
}

class InvalidLineTest : public testing::TestWithParam<InvalidCase> {};

TEST_P(InvalidLineTest, RejectsWithReason) {
  const auto parsed = parseSyslog(GetParam().line);
  ASSERT_FALSE(parsed.has_value());
  EXPECT_EQ(parsed.error().code, Errc::kTerminal);
  EXPECT_EQ(parsed.error().message, GetParam().reason);
}

INSTANTIATE_TEST_SUITE_P(SyslogMessage, InvalidLineTest, testing::ValuesIn(invalidCases()),
                         [](const auto& info) { return std::string(info.param.name); });

std::string addressOf(const std::string& sdAndMessage) {
  const auto parsed = parseSyslog("<134>1 - h a - e " + sdAndMessage);
  EXPECT_TRUE(parsed.has_value()) << sdAndMessage;
  return parsed ? parsed->attackerAddress : "<invalid>";
}

TEST(AttackerAddressTest, PriorityOrderBeatsLineOrder) {
  EXPECT_EQ(addressOf(R"([relay@55555 ip="9.9.9.9" src_ip="1.1.1.1"])"), "1.1.1.1");
  EXPECT_EQ(addressOf(R"([a ip="9.9.9.9" target_ip="8.8.8.8"][b src="2.2.2.2"])"), "2.2.2.2");
  EXPECT_EQ(addressOf(R"([a remote_addr="7.7.7.7" remote_ip="6.6.6.6" client_ip="5.5.5.5"])"),
            "5.5.5.5");
  EXPECT_EQ(addressOf(R"([a ip="9.9.9.9"])"), "9.9.9.9");
}

TEST(AttackerAddressTest, EmptyValuesAreSkipped) {
  EXPECT_EQ(addressOf(R"([a src_ip="" ip="5.5.5.5"])"), "5.5.5.5");
}

TEST(AttackerAddressTest, StructuredDataBeatsMessage) {
  EXPECT_EQ(addressOf(R"([a ip="9.9.9.9"] src_ip=1.1.1.1)"), "9.9.9.9");
}

TEST(AttackerAddressTest, MessageFallback) {
  EXPECT_EQ(addressOf("- login from client_ip=1.2.3.4 port=22"), "1.2.3.4");
  EXPECT_EQ(addressOf("[a port=\"22\"] client_ip=1.2.3.4"), "1.2.3.4");
  EXPECT_EQ(addressOf("- ip=9.9.9.9 remote_ip=3.3.3.3"), "3.3.3.3");
  EXPECT_EQ(addressOf("- peer client_ip=\"10.0.0.1\"."), "10.0.0.1");
  EXPECT_EQ(addressOf("- seen ip=1.2.3.4."), "1.2.3.4");
  EXPECT_EQ(addressOf("- src_ip=fe80::1%eth0, bye"), "fe80::1%eth0");
  EXPECT_EQ(addressOf("- src_ip= ip=4.4.4.4"), "4.4.4.4");
}

TEST(AttackerAddressTest, KeysMustBeWholeWords) {
  EXPECT_EQ(addressOf("- zip=12345 vip=1.1.1.1 my_src=2.2.2.2 ip:3.3.3.3"), "");
  EXPECT_EQ(addressOf("- noip=1.1.1.1 ip=2.2.2.2"), "2.2.2.2");
}

TEST(AttackerAddressTest, NoneIsEmpty) {
  EXPECT_EQ(addressOf(R"([relay@55555 src_port="22" method="GET"] hello)"), "");
  EXPECT_EQ(addressOf("-"), "");
}

std::optional<std::int64_t> sequenceOf(const std::string& sd) {
  const auto parsed = parseSyslog("<134>1 - h a - e " + sd);
  EXPECT_TRUE(parsed.has_value()) << sd;
  return parsed ? parsed->sequenceId : std::nullopt;
}

TEST(SequenceIdTest, NumericOnly) {
  EXPECT_EQ(sequenceOf(R"([meta sequenceId="0"])"), 0);
  EXPECT_EQ(sequenceOf(R"([meta sequenceId="2147483647"])"), 2147483647);
  EXPECT_EQ(sequenceOf(R"([x a="b"][meta sysUpTime="5" sequenceId="7"])"), 7);
  EXPECT_EQ(sequenceOf(R"([meta sequenceId="abc"])"), std::nullopt);
  EXPECT_EQ(sequenceOf(R"([meta sequenceId="12x"])"), std::nullopt);
  EXPECT_EQ(sequenceOf(R"([meta sequenceId="-5"])"), std::nullopt);
  EXPECT_EQ(sequenceOf(R"([meta sequenceId="+5"])"), std::nullopt);
  EXPECT_EQ(sequenceOf(R"([meta sequenceId=""])"), std::nullopt);
  EXPECT_EQ(sequenceOf(R"([meta sequenceId="99999999999999999999"])"), std::nullopt);
  EXPECT_EQ(sequenceOf(R"([relay@55555 sequenceId="5"])"), std::nullopt);
  EXPECT_EQ(sequenceOf("-"), std::nullopt);
}

TEST(SyslogMessageTest, ParamLooksUpByElementAndName) {
  const auto parsed = parseSyslog(R"(<134>1 - h a - e [x k="1"][y k="2" j="3"][y k="4"])");
  ASSERT_TRUE(parsed.has_value());
  ASSERT_NE(parsed->param("y", "k"), nullptr);
  EXPECT_EQ(*parsed->param("y", "k"), "2");
  EXPECT_EQ(*parsed->param("y", "j"), "3");
  EXPECT_EQ(*parsed->param("x", "k"), "1");
  EXPECT_EQ(parsed->param("x", "j"), nullptr);
  EXPECT_EQ(parsed->param("z", "k"), nullptr);
}

// What decoys write must come back field for field.
TEST(SyslogMessageTest, ReadsBackTheEventWriter) {
  const auto when =
      std::chrono::system_clock::time_point(std::chrono::microseconds(1776500841862365LL));
  std::string allBytes;
  for (int c = 0; c < 256; ++c) allBytes.push_back(static_cast<char>(c));
  decoy::Interaction interaction{"ssh",
                                 "auth_attempt",
                                 {{"src_ip", "192.0.2.7"},
                                  {"path", R"(/a\b"c]d\)"},
                                  {"bytes", allBytes},
                                  {"utf8", "h\xC3\xA9llo \xE2\x82\xAC"},
                                  {"empty", ""},
                                  {"name with space", "v"}},
                                 "tried [root] \"toor\" \\ ok\nnext",
                                 decoy::kSeverityWarning};
  decoy::addCredential(interaction.fields, "root", "to\"or]\x01", false);
  const std::string line = decoy::formatLine(interaction, "corp-lan-03", when);
  const auto parsed = parseSyslog(line);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message << "\n" << line;
  EXPECT_EQ(parsed->priority, 132);
  EXPECT_EQ(parsed->timestamp, "2026-04-18T08:27:21.862365+00:00");
  EXPECT_EQ(parsed->hostname, "corp-lan-03");
  EXPECT_EQ(parsed->appName, "ssh");
  EXPECT_EQ(parsed->procId, "");
  EXPECT_EQ(parsed->msgId, "auth_attempt");
  ASSERT_EQ(parsed->data.size(), 1u);
  EXPECT_EQ(parsed->data[0].id, "relay@55555");
  ASSERT_EQ(parsed->data[0].params.size(), interaction.fields.size());
  for (std::size_t i = 0; i < interaction.fields.size(); ++i) {
    const auto& [name, value] = interaction.fields[i];
    EXPECT_EQ(parsed->data[0].params[i].name, name == "name with space" ? "name_with_space" : name);
    EXPECT_EQ(parsed->data[0].params[i].value, decoy::printable(value)) << name;
  }
  EXPECT_EQ(*parsed->param("relay@55555", "path"), R"(/a\b"c]d\)");
  EXPECT_EQ(*parsed->param("relay@55555", "secret"), "to\"or]?");
  EXPECT_EQ(parsed->message, "tried [root] \"toor\" \\ ok?next");
  EXPECT_EQ(parsed->attackerAddress, "192.0.2.7");
}

TEST(SyslogMessageTest, ReadsBackTheEventWriterWithoutFields) {
  const auto when = std::chrono::system_clock::time_point(std::chrono::microseconds(0));
  const decoy::Interaction interaction{"decoy", "started", {}, "", decoy::kSeverityInfo};
  const auto parsed = parseSyslog(decoy::formatLine(interaction, "-", when));
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->timestamp, "1970-01-01T00:00:00.000000+00:00");
  EXPECT_EQ(parsed->hostname, "");
  EXPECT_TRUE(parsed->data.empty());
  EXPECT_EQ(parsed->message, "");
}

}  // namespace
}  // namespace decnet::pipeline
