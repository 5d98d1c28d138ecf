// The client's identification line and KEXINIT, fed as bytes in every chunking: client_version,
// the hassh input, and each way a hostile client can get them wrong.
#include "decoy/services/ssh/ssh_client_hello.h"

#include <gtest/gtest.h>

#include <vector>

namespace decnet::decoy::ssh {
namespace {

std::string u32(std::size_t value) {
  return {static_cast<char>(value >> 24), static_cast<char>(value >> 16),
          static_cast<char>(value >> 8), static_cast<char>(value)};
}

// A binary packet holding a KEXINIT with `lists` name-lists (RFC 4253 §6, §7.1).
std::string kexInitPacket(const std::vector<std::string>& lists, unsigned char type = 20) {
  std::string payload(1, static_cast<char>(type));
  payload += std::string(16, 'c');  // cookie
  for (const auto& list : lists) payload += u32(list.size()) + list;
  payload += std::string(1, '\0') + u32(0);  // first_kex_packet_follows, reserved
  const std::size_t padding = 4;
  return u32(payload.size() + padding + 1) + static_cast<char>(padding) + payload +
         std::string(padding, '\0');
}

const std::vector<std::string> kLists = {"curve25519-sha256,ext-info-c",
                                         "ssh-ed25519",
                                         "aes128-ctr",
                                         "aes128-ctr",
                                         "hmac-sha2-256",
                                         "hmac-sha2-256",
                                         "none",
                                         "none",
                                         "",
                                         ""};

TEST(SshClientHelloTest, ReadsVersionAndHasshInputInAnyChunking) {
  const std::string stream = "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n" + kexInitPacket(kLists);
  for (std::size_t chunk = 1; chunk <= stream.size(); chunk += (chunk < 40 ? 1 : 97)) {
    SshClientHello hello(255, 35000);
    SshClientHello::State state = SshClientHello::State::kNeedMore;
    for (std::size_t at = 0; at < stream.size(); at += chunk) {
      state = hello.feed(std::string_view(stream).substr(at, chunk));
    }
    ASSERT_EQ(state, SshClientHello::State::kDone) << "chunk " << chunk;
    EXPECT_EQ(*hello.version(), "SSH-2.0-OpenSSH_9.2p1 Debian-2");
    EXPECT_EQ(hello.hasshAlgorithms(),
              "curve25519-sha256,ext-info-c;aes128-ctr;hmac-sha2-256;none");
    EXPECT_EQ(hello.anomaly(), "");
  }
}

TEST(SshClientHelloTest, NamesWhatAHostileClientGotWrong) {
  struct Row {
    std::string bytes;
    std::string anomaly;
    bool versionSet;
  };
  std::string truncatedLists = kexInitPacket({"a", "b", "c"});
  const std::vector<Row> rows = {
      {"GET / HTTP/1.1\r\n", "invalid_identification", true},
      {std::string(300, 'A'), "identification_too_long", false},
      {"SSH-2.0-" + std::string(300, 'A') + "\r\n", "identification_too_long", false},
      {"SSH-2.0-x\r\n" + u32(5) + "\x01\x14zzzzzzzz", "malformed_packet", true},
      {"SSH-2.0-x\r\n" + u32(40000) + "\x04\x14", "malformed_packet", true},
      {"SSH-2.0-x\r\n" + kexInitPacket(kLists, 21), "unexpected_packet", true},
      {"SSH-2.0-x\r\n" + u32(12) + "\xff\x14" + std::string(12, 'p'), "unexpected_packet", true},
      {"SSH-2.0-x\r\n" + truncatedLists, "malformed_kexinit", true},
  };
  for (const auto& row : rows) {
    SshClientHello hello(255, 35000);
    EXPECT_EQ(hello.feed(row.bytes), SshClientHello::State::kAnomaly) << row.anomaly;
    EXPECT_EQ(hello.anomaly(), row.anomaly);
    EXPECT_EQ(hello.version().has_value(), row.versionSet) << row.anomaly;
    EXPECT_EQ(hello.hasshAlgorithms(), "");
    // Nothing after an anomaly changes the outcome.
    EXPECT_EQ(hello.feed("SSH-2.0-again\r\n"), SshClientHello::State::kAnomaly);
  }
}

TEST(SshClientHelloTest, WaitsForTheWholePacket) {
  SshClientHello hello(255, 35000);
  const std::string packet = kexInitPacket(kLists);
  EXPECT_EQ(hello.feed("SSH-1.99-PuTTY\n"), SshClientHello::State::kNeedMore);
  EXPECT_EQ(*hello.version(), "SSH-1.99-PuTTY");
  EXPECT_EQ(hello.feed(packet.substr(0, packet.size() - 1)), SshClientHello::State::kNeedMore);
  EXPECT_EQ(hello.feed(packet.substr(packet.size() - 1)), SshClientHello::State::kDone);
}

}  // namespace
}  // namespace decnet::decoy::ssh
