#include "pipeline/collector/event_fields.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace decnet::pipeline {
namespace {

// What the collector stored before the fast path: nlohmann's object, dumped.
std::string throughJsonTree(const SyslogMessage& message) {
  nlohmann::json fields = nlohmann::json::object();
  for (const auto& element : message.data) {
    if (element.id == "meta") continue;
    const bool relay = element.id.rfind("relay@", 0) == 0;
    for (const auto& param : element.params) {
      fields[relay ? param.name : element.id + "." + param.name] = param.value;
    }
  }
  return fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

SyslogMessage withData(std::vector<SdElement> data) {
  SyslogMessage message;
  message.data = std::move(data);
  return message;
}

TEST(EventFieldsTest, ADecoyLineGivesItsRelayFieldsByNameInNameOrder) {
  const auto message = withData({{"relay@55555",
                                  {{"src_ip", "10.77.0.250"},
                                   {"src_port", "51514"},
                                   {"method", "GET"},
                                   {"path", "/wp-login.php"}}},
                                 {"meta", {{"sequenceId", "7"}}}});
  EXPECT_EQ(fieldsJson(message),
            R"({"method":"GET","path":"/wp-login.php","src_ip":"10.77.0.250","src_port":"51514"})");
}

TEST(EventFieldsTest, MatchesTheJsonTreeByteForByte) {
  const std::vector<SyslogMessage> cases = {
      withData({}),
      withData({{"meta", {{"sequenceId", "1"}}}}),
      withData({{"relay@55555", {{"a", "1"}, {"b", "x"}, {"a", "2"}}}}),  // the last a wins
      withData({{"relay@55555", {{"path", "/a\"b\\c"}}}}),                // quote, backslash
      withData({{"origin", {{"ip", "192.0.2.1"}}}, {"relay@55555", {{"user", "root"}}}}),
      withData({{"relay@55555", {{"cmd", "ls\t-la\n"}}}}),        // control characters
      withData({{"relay@55555", {{"secret", "p\xC3\xA4ss"}}}}),   // UTF-8
      withData({{"relay@55555", {{"secret", "\xFF\xFE bad"}}}}),  // invalid UTF-8
      withData({{"relay@55555", {{"del", "\x7F"}, {"empty", ""}}}}),
      withData({{"x@1", {{"k", "v"}}}, {"relay@1", {{"x@1.k", "w"}}}}),  // the same name twice
  };
  for (const auto& message : cases) {
    EXPECT_EQ(fieldsJson(message), throughJsonTree(message));
  }
}

}  // namespace
}  // namespace decnet::pipeline
