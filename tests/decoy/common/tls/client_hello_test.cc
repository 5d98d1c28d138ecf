// ClientHello parsing and JA3 on a ClientHello built byte by byte (GREASE, SNI, groups, ALPN).
#include "decoy/common/tls/client_hello.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace decnet::decoy::tls {
namespace {

std::string u16(unsigned value) {
  return {static_cast<char>(value >> 8), static_cast<char>(value & 0xff)};
}
std::string u24(unsigned value) {
  return {static_cast<char>(value >> 16), static_cast<char>((value >> 8) & 0xff),
          static_cast<char>(value & 0xff)};
}
std::string extension(unsigned type, const std::string& data) {
  return u16(type) + u16(static_cast<unsigned>(data.size())) + data;
}

// A TLS 1.3-style ClientHello as Chrome would send it, in one record unless `split`.
std::string clientHello(const std::string& sni, bool split = false) {
  std::string ciphers = u16(0x0a0a) + u16(0x1301) + u16(0x1302) + u16(0xc02f);
  const std::string name = std::string(1, '\0') + u16(static_cast<unsigned>(sni.size())) + sni;
  const std::string groups = u16(0x2a2a) + u16(29) + u16(23);
  const std::string alpn = std::string("\x02h2\x08http/1.1", 12);
  std::string extensions = extension(0x1a1a, "") +
                           extension(0, u16(static_cast<unsigned>(name.size())) + name) +
                           extension(10, u16(static_cast<unsigned>(groups.size())) + groups) +
                           extension(11, std::string("\x01\x00", 2)) +
                           extension(16, u16(static_cast<unsigned>(alpn.size())) + alpn) +
                           extension(0xff01, std::string(1, '\0'));
  std::string body = u16(0x0303) + std::string(32, 'R') + std::string(1, '\x20') +
                     std::string(32, 'S') + u16(static_cast<unsigned>(ciphers.size())) + ciphers +
                     std::string("\x01\x00", 2) + u16(static_cast<unsigned>(extensions.size())) +
                     extensions;
  const std::string handshake = "\x01" + u24(static_cast<unsigned>(body.size())) + body;
  const auto record = [](const std::string& payload) {
    return "\x16\x03\x01" + u16(static_cast<unsigned>(payload.size())) + payload;
  };
  if (!split) return record(handshake);
  return record(handshake.substr(0, 20)) + record(handshake.substr(20));
}

TEST(ClientHelloTest, Ja3OfAConstructedHello) {
  ClientHello hello;
  std::string anomaly;
  ASSERT_EQ(parseClientHello(clientHello("www.example.test"), hello, anomaly),
            HelloStatus::kComplete)
      << anomaly;
  EXPECT_EQ(hello.version, 771);
  EXPECT_EQ(hello.sni, "www.example.test");
  EXPECT_EQ(hello.alpn, (std::vector<std::string>{"h2", "http/1.1"}));
  const std::string ja3 = ja3String(hello);
  EXPECT_EQ(ja3, "771,4865-4866-49199,0-10-11-16-65281,29-23,0");
  EXPECT_EQ(md5Hex(ja3), "3b7a085177ee973b8acee3d3bc519df6");
}

TEST(ClientHelloTest, HelloAcrossRecordsAndPrefixes) {
  const std::string bytes = clientHello("a.b", true);
  ClientHello hello;
  std::string anomaly;
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    ASSERT_EQ(parseClientHello(bytes.substr(0, n), hello, anomaly), HelloStatus::kNeedMore) << n;
  }
  ASSERT_EQ(parseClientHello(bytes, hello, anomaly), HelloStatus::kComplete) << anomaly;
  EXPECT_EQ(hello.sni, "a.b");
}

TEST(ClientHelloTest, HostileBytes) {
  ClientHello hello;
  std::string anomaly;
  EXPECT_EQ(parseClientHello("GET / HTTP/1.1\r\n", hello, anomaly), HelloStatus::kNotTls);
  EXPECT_EQ(parseClientHello(std::string("\x16\x03\x01\x00\x00", 5), hello, anomaly),
            HelloStatus::kMalformed);
  EXPECT_EQ(
      parseClientHello(std::string("\x16\x03\x01\x00\x04\x02\x00\x00\x00", 9), hello, anomaly),
      HelloStatus::kMalformed);
  EXPECT_EQ(anomaly, "not_a_client_hello");
  // Lengths that point past the end, at every truncation of the body.
  std::string good = clientHello("x.y");
  for (std::size_t cut = 10; cut < good.size(); cut += 3) {
    std::string broken = good.substr(0, cut);
    const unsigned body = static_cast<unsigned>(broken.size() - 5);
    broken[3] = static_cast<char>(body >> 8);
    broken[4] = static_cast<char>(body & 0xff);
    EXPECT_NE(parseClientHello(broken, hello, anomaly), HelloStatus::kComplete) << cut;
  }
  EXPECT_TRUE(isGrease(0x0a0a));
  EXPECT_TRUE(isGrease(0xfafa));
  EXPECT_FALSE(isGrease(0x0a1a));
  EXPECT_FALSE(isGrease(0x1301));
}

}  // namespace
}  // namespace decnet::decoy::tls
