#pragma once
// MySQL client/server protocol pieces the emulator needs (HandshakeV10, HandshakeResponse41,
// AuthSwitchRequest, OK/ERR/EOF, text result sets) and mysql_native_password verification.
// No I/O: tests feed bytes.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace decnet::decoy::mysql {

inline constexpr std::uint32_t kClientLongPassword = 1;
inline constexpr std::uint32_t kClientConnectWithDb = 8;
inline constexpr std::uint32_t kClientProtocol41 = 512;
inline constexpr std::uint32_t kClientSsl = 2048;
inline constexpr std::uint32_t kClientSecureConnection = 32768;
inline constexpr std::uint32_t kClientPluginAuth = 1u << 19;
inline constexpr std::uint32_t kClientConnectAttrs = 1u << 20;
inline constexpr std::uint32_t kClientPluginAuthLenenc = 1u << 21;
// What the emulated server advertises: a stock server without TLS, compression or
// CLIENT_DEPRECATE_EOF (MariaDB never sets it).
inline constexpr std::uint32_t kServerCapabilities = 0x003ff7ff & ~(kClientSsl | 32u);

inline constexpr std::size_t kMaxPacket = 1024 * 1024;  // larger declared packets are refused

// One framed packet: 3-byte little-endian length, sequence id, payload.
struct Packet {
  std::uint8_t sequence = 0;
  std::string payload;
};

enum class Frame { kNeedMore, kPacket, kTooLarge };

// Takes the next packet off the front of `buffer`.
Frame takePacket(std::string& buffer, Packet& packet);
// Frames `payload` with sequence id `sequence`.
std::string packet(std::uint8_t sequence, std::string_view payload);

// HandshakeV10 payload. `scramble` is 20 bytes.
std::string handshake(std::string_view serverVersion, std::uint32_t connectionId,
                      std::string_view scramble, std::uint8_t charset);

struct HandshakeResponse {
  std::uint32_t capabilities = 0;
  std::uint32_t maxPacket = 0;
  std::uint8_t charset = 0;
  std::string user;
  std::string authResponse;
  std::string database;
  std::string plugin;
  std::vector<std::pair<std::string, std::string>> attributes;
  bool sslRequest = false;  // the 32-byte SSLRequest instead of a full response
};

// Parses HandshakeResponse41 (or an SSLRequest); nullopt with `anomaly` set when malformed.
std::optional<HandshakeResponse> parseHandshakeResponse(std::string_view payload,
                                                        std::string& anomaly);

// AuthSwitchRequest payload asking for `plugin` with `scramble`.
std::string authSwitch(std::string_view plugin, std::string_view scramble);

// SHA1(password) XOR SHA1(scramble + SHA1(SHA1(password))): what a client sends.
std::string nativePasswordResponse(std::string_view password, std::string_view scramble);
// True when `response` proves knowledge of `password` (empty password: empty response).
bool verifyNativePassword(std::string_view password, std::string_view scramble,
                          std::string_view response);

std::string okPayload(std::uint16_t status = 0x0002);
std::string errPayload(std::uint16_t code, std::string_view sqlState, std::string_view message);
std::string eofPayload(std::uint16_t status = 0x0002);

// A whole text result set (column count, definitions, EOF, rows, EOF) starting at `sequence`;
// a nullopt cell is SQL NULL. Returns the framed packets; `sequence` is advanced.
std::string resultSet(std::uint8_t& sequence, const std::vector<std::string>& columns,
                      const std::vector<std::vector<std::optional<std::string>>>& rows);

std::string lengthEncoded(std::string_view text);

}  // namespace decnet::decoy::mysql
