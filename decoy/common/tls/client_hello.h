#pragma once
// The TLS ClientHello as the client sent it, parsed from raw record bytes before OpenSSL sees
// them, and its JA3 fingerprint (Salesforce JA3: version, ciphers, extensions, groups, point
// formats; GREASE values left out). Pure functions of bytes.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace decnet::decoy::tls {

inline constexpr std::size_t kMaxClientHello = 64 * 1024;  // bytes of records read for it

struct ClientHello {
  std::uint16_t version = 0;  // legacy_version (771 for TLS 1.2 and 1.3)
  std::vector<std::uint16_t> ciphers;
  std::vector<std::uint16_t> extensions;  // in the order sent
  std::vector<std::uint16_t> groups;      // supported_groups (elliptic curves)
  std::vector<std::uint8_t> pointFormats;
  std::string sni;
  std::vector<std::string> alpn;
};

enum class HelloStatus {
  kNeedMore,   // a prefix of a ClientHello: read more
  kComplete,   // `hello` filled; `consumed` bytes of records hold it
  kNotTls,     // the first byte is no TLS handshake record
  kMalformed,  // TLS records, but no valid ClientHello (`anomaly` says why)
};

// Parses the handshake records at the start of `bytes`. Never reads out of bounds.
HelloStatus parseClientHello(std::string_view bytes, ClientHello& hello, std::string& anomaly);

// True for the GREASE values of RFC 8701 (0x0a0a, 0x1a1a, ... 0xfafa).
bool isGrease(std::uint16_t value);

// "771,4865-4866,0-23-65281,29-23,0": the JA3 input string.
std::string ja3String(const ClientHello& hello);

// Lower-case hex MD5 of `text` (the JA3 hash of ja3String).
std::string md5Hex(std::string_view text);

}  // namespace decnet::decoy::tls
