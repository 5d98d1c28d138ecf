#include "decoy/event_writer.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <regex>
#include <thread>

#include "decoy/service.h"

namespace decnet::decoy {
namespace {

using std::chrono::microseconds;
using std::chrono::system_clock;

// 2026-04-18T08:27:21.862365Z
system_clock::time_point sampleTime() {
  return system_clock::time_point(microseconds(1776500841862365LL));
}

TEST(EventWriterTest, FormatsTheReferenceExample) {
  Interaction interaction{"http",
                          "request",
                          {{"src_ip", "10.77.0.250"},
                           {"src_port", "51514"},
                           {"method", "GET"},
                           {"path", "/wp-login.php"}},
                          "",
                          kSeverityInfo};
  EXPECT_EQ(formatLine(interaction, "corp-lan-03", sampleTime()),
            "<134>1 2026-04-18T08:27:21.862365+00:00 corp-lan-03 http - request [relay@55555 "
            "src_ip=\"10.77.0.250\" src_port=\"51514\" method=\"GET\" path=\"/wp-login.php\"]");
}

TEST(EventWriterTest, SeverityGivesThePriority) {
  Interaction interaction{"decoy", "x", {}, "", kSeverityWarning};
  EXPECT_EQ(formatLine(interaction, "h", sampleTime()).substr(0, 8), "<132>1 2");
  interaction.severity = kSeverityError;
  EXPECT_EQ(formatLine(interaction, "h", sampleTime()).substr(0, 8), "<131>1 2");
}

TEST(EventWriterTest, NoFieldsIsADashAndMessageFollows) {
  Interaction interaction{"ssh", "listening", {}, "ready", kSeverityInfo};
  EXPECT_EQ(formatLine(interaction, "d1", sampleTime()),
            "<134>1 2026-04-18T08:27:21.862365+00:00 d1 ssh - listening - ready");
}

TEST(EventWriterTest, EscapesBackslashQuoteAndBracket) {
  Interaction interaction{"http", "request", {{"path", R"(/a\b"c]d)"}}, "", kSeverityInfo};
  const std::string line = formatLine(interaction, "d1", sampleTime());
  EXPECT_NE(line.find(R"(path="/a\\b\"c\]d")"), std::string::npos) << line;
}

TEST(EventWriterTest, HeaderFieldsAreTruncatedAndSpaceFree) {
  Interaction interaction{std::string(60, 'a'), std::string(40, 'm') + " x", {}, "", kSeverityInfo};
  const std::string line = formatLine(interaction, std::string(300, 'h'), sampleTime());
  EXPECT_NE(line.find(" " + std::string(255, 'h') + " " + std::string(48, 'a') + " - " +
                      std::string(32, 'm') + " -"),
            std::string::npos)
      << line;
  Interaction empty{"", "", {}, "", kSeverityInfo};
  EXPECT_EQ(formatLine(empty, "", sampleTime()),
            "<134>1 2026-04-18T08:27:21.862365+00:00 - - - - -");
  Interaction spaced{"a b", "t", {}, "", kSeverityInfo};
  EXPECT_NE(formatLine(spaced, "h o", sampleTime()).find(" h_o a_b - t "), std::string::npos);
}

TEST(EventWriterTest, NonPrintableBytesBecomeQuestionMarks) {
  EXPECT_EQ(printable(std::string("a\0b\r\n\x7f", 6)), "a?b???");
  EXPECT_EQ(printable("caf\xc3\xa9"), "caf\xc3\xa9");  // valid UTF-8 stays
  EXPECT_EQ(printable("\xff\xfe"), "??");              // invalid bytes
  EXPECT_EQ(printable("\xc2\x85"), "?");               // C1 control (NEL)
  EXPECT_EQ(printable("\xc0\xaf"), "??");              // overlong '/'
  EXPECT_EQ(printable("\xed\xa0\x80"), "???");         // surrogate
  EXPECT_EQ(printable("\xe2\x82"), "??");              // truncated sequence
  Interaction interaction{"ssh", "auth_attempt", {{"cmd", "ls\r\n"}}, "x\ny", kSeverityInfo};
  const std::string line = formatLine(interaction, "d", sampleTime());
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_EQ(line.find('\r'), std::string::npos);
}

TEST(EventWriterTest, CredentialsArePrintableAndLossless) {
  Fields fields;
  addCredential(fields, "root", std::string("p\0w\xff\"d", 6), false);
  ASSERT_EQ(fields.size(), 4u);
  EXPECT_EQ(fields[0], (std::pair<std::string, std::string>{"principal", "root"}));
  EXPECT_EQ(fields[1].second, "p?w?\"d");
  EXPECT_EQ(fields[2].first, "secret_b64");
  std::string decoded;
  ASSERT_TRUE(base64Decode(fields[2].second, decoded));
  EXPECT_EQ(decoded, std::string("p\0w\xff\"d", 6));
  EXPECT_EQ(fields[3], (std::pair<std::string, std::string>{"outcome", "failed"}));
  Interaction interaction{"ssh", "auth_attempt", fields, "", kSeverityInfo};
  const std::string line = formatLine(interaction, "d", sampleTime());
  EXPECT_NE(line.find(R"(secret="p?w?\"d")"), std::string::npos) << line;
}

TEST(EventWriterTest, Base64RoundTrips) {
  EXPECT_EQ(base64Encode(""), "");
  EXPECT_EQ(base64Encode("f"), "Zg==");
  EXPECT_EQ(base64Encode("fo"), "Zm8=");
  EXPECT_EQ(base64Encode("foo"), "Zm9v");
  EXPECT_EQ(base64Encode("admin:secret"), "YWRtaW46c2VjcmV0");
  std::string out;
  EXPECT_TRUE(base64Decode("YWRtaW46c2VjcmV0", out));
  EXPECT_EQ(out, "admin:secret");
  EXPECT_TRUE(base64Decode("Zg==", out));
  EXPECT_EQ(out, "f");
  EXPECT_FALSE(base64Decode("Z!==", out));
  EXPECT_FALSE(base64Decode("Zg==Zg", out));
}

TEST(EventWriterTest, WritesWholeLinesFromManyThreads) {
  std::FILE* file = std::tmpfile();
  ASSERT_NE(file, nullptr);
  {
    EventWriter writer(file, "decky-1");
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&writer, t] {
        for (int i = 0; i < 200; ++i) {
          writer.record(
              {"ssh", "command", {{"cmd", std::string(100, 'a' + t)}}, "", kSeverityInfo});
        }
      });
    }
    for (auto& thread : threads) thread.join();
  }
  std::rewind(file);
  char buffer[1024];
  int lines = 0;
  const std::regex shape(
      R"(<134>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00 decky-1 ssh - command \[relay@55555 cmd="([a-d])\1{99}"\]
)");
  while (std::fgets(buffer, sizeof(buffer), file) != nullptr) {
    ++lines;
    EXPECT_TRUE(std::regex_match(buffer, shape)) << buffer;
  }
  EXPECT_EQ(lines, 800);
  std::fclose(file);
}

TEST(ServiceRegistryTest, HttpAndSshAreRegisteredOnce) {
  const auto names = ServiceRegistry::instance().names();
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  EXPECT_NE(std::find(names.begin(), names.end(), "http"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "ssh"), names.end());
  EXPECT_FALSE(ServiceRegistry::instance().find("gopher").has_value());
  EXPECT_EQ(ServiceRegistry::instance().find("gopher").error().code, Errc::kNotFound);
}

ServiceContext smallContext() {
  ServiceContext context;
  context.decky = "d";
  context.hostname = "d";
  context.maxConnections = 16;
  return context;
}

TEST(ServiceRegistryTest, InvalidPersonaListsEveryError) {
  auto factory = ServiceRegistry::instance().find("http");
  ASSERT_TRUE(factory.has_value());
  api::ServiceSpec spec{"http",
                        {},
                        {{"fake_app", "drupal"},
                         {"response_code", "99"},
                         {"extra_headers", "X-Bad\r\nInjected: 1"},
                         {"colour", "red"}}};
  auto created = (*factory)->create(spec, smallContext());
  ASSERT_FALSE(created.has_value());
  EXPECT_EQ(created.error().code, Errc::kInvalid);
  std::vector<std::string> paths;
  for (const auto& field : created.error().fields) paths.push_back(field.path);
  std::sort(paths.begin(), paths.end());
  EXPECT_EQ(paths, (std::vector<std::string>{"persona.colour", "persona.extra_headers",
                                             "persona.fake_app", "persona.response_code"}));

  auto ssh = ServiceRegistry::instance().find("ssh");
  ASSERT_TRUE(ssh.has_value());
  api::ServiceSpec sshSpec{"ssh", {}, {{"version", "bad-version"}, {"users", "nocolon"}}};
  auto sshCreated = (*ssh)->create(sshSpec, smallContext());
  ASSERT_FALSE(sshCreated.has_value());
  EXPECT_EQ(sshCreated.error().fields.size(), 2u);
}

}  // namespace
}  // namespace decnet::decoy
