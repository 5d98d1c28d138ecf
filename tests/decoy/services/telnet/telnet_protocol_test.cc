#include "decoy/services/telnet/telnet_protocol.h"

#include <gtest/gtest.h>

namespace decnet::decoy::telnet {
namespace {

std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (int v : values) out.push_back(static_cast<char>(v));
  return out;
}

TEST(TelnetProtocolTest, GreetingIsLinuxTelnetdsThenCharacterMode) {
  // Exactly netkit/inetutils telnetd's first bytes, which nmap names "Linux telnetd".
  EXPECT_EQ(telnetGreeting(), bytes({kIac, kDo, kTtype, kIac, kDo, kTspeed, kIac, kDo, kXdisploc,
                                     kIac, kDo, kNewEnviron}));
  const std::string mode = telnetModeNegotiation();
  EXPECT_NE(mode.find(bytes({kIac, kWill, kEcho})), std::string::npos);
  EXPECT_NE(mode.find(bytes({kIac, kWill, kSga})), std::string::npos);
}

TEST(TelnetProtocolTest, StripsNegotiationAndAnswersOnce) {
  TelnetDecoder decoder;
  std::string data, replies;
  decoder.feed(bytes({kIac, kWill, kTtype, 'r', kIac, kDo, 5, 'o', kIac, kIac, 'o'}), data,
               replies);
  EXPECT_EQ(data, "ro\xffo");
  EXPECT_EQ(replies, bytes({kIac, kSb, kTtype, 1, kIac, kSe, kIac, kWont, 5}));
  replies.clear();
  decoder.feed(bytes({kIac, kDo, 5}), data, replies);
  EXPECT_EQ(replies, "");  // no loop
  decoder.feed(bytes({kIac, kSb, kTtype, 0, 'X', 'T', 'E', 'R', 'M', kIac, kSe}), data, replies);
  EXPECT_EQ(decoder.terminalType(), "XTERM");
}

TEST(TelnetProtocolTest, SplitSequencesAndLineEnds) {
  TelnetDecoder decoder;
  std::string data, replies;
  const std::string input = bytes({'a', '\r', 0, 'b', '\r', '\n', kIac, kWill, kEcho, 'c'});
  for (char c : input) decoder.feed(std::string_view(&c, 1), data, replies);
  EXPECT_EQ(data, "a\rb\rc");
  EXPECT_EQ(replies, bytes({kIac, kDont, kEcho}));
}

TEST(TelnetProtocolTest, HostileSubnegotiationIsBounded) {
  TelnetDecoder decoder;
  std::string data, replies;
  decoder.feed(bytes({kIac, kSb, kTtype}) + std::string(100000, 'A'), data, replies);
  EXPECT_EQ(decoder.anomaly(), "subnegotiation_too_long");
  decoder.feed(bytes({kIac, kSe}) + "ok", data, replies);
  EXPECT_EQ(data, "ok");
  for (int i = 0; i < 256; ++i) decoder.feed(bytes({kIac, kWill, i}), data, replies);
  EXPECT_LT(replies.size(), 3u * 256);
}

}  // namespace
}  // namespace decnet::decoy::telnet
