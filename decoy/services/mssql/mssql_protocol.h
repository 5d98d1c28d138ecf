#pragma once
// TDS (MS-TDS) pieces the emulator needs: packet framing, PRELOGIN request/response, LOGIN7
// parsing with password de-obfuscation, and ERROR/LOGINACK/DONE token streams. No I/O: tests
// feed bytes.
#include <cstdint>
#include <string>
#include <string_view>

namespace decnet::decoy::mssql {

inline constexpr std::uint8_t kSqlBatch = 0x01;
inline constexpr std::uint8_t kLegacyLogin = 0x02;  // TDS 4.2 login (hydra, old DB-Library)
inline constexpr std::uint8_t kReply = 0x04;
inline constexpr std::uint8_t kLogin7 = 0x10;
inline constexpr std::uint8_t kPrelogin = 0x12;
inline constexpr std::size_t kMaxPacket = 32767;   // TDS packets never exceed this
inline constexpr std::size_t kMaxMessage = 65536;  // a multi-packet message, reassembled

struct Packet {
  std::uint8_t type = 0;
  std::uint8_t status = 0;  // bit 0: end of message
  std::string payload;
};

enum class Frame { kNeedMore, kOk, kBad };

// Takes the next TDS packet; kBad (with `anomaly`) when its header is impossible.
Frame takePacket(std::string& buffer, Packet& packet, std::string& anomaly);
// One packet of `type` carrying `payload` (status end-of-message, packet id 1).
std::string packet(std::uint8_t type, std::string_view payload);

struct Prelogin {
  std::string clientVersion;  // "a.b.c.d", "" when absent
  int encryption = -1;        // 0 off, 1 on, 2 not supported, 3 required; -1 absent
  std::string instance;
  bool mars = false;  // the client sent a MARS option
};

// Parses a PRELOGIN payload; false with `anomaly` when the option table is malformed.
bool parsePrelogin(std::string_view payload, Prelogin& prelogin, std::string& anomaly);
// The server's PRELOGIN answer (whole packet) for `version` "15.0.2000[.x]": VERSION,
// ENCRYPTION (not supported), INSTOPT, THREADID and MARS when the client asked.
std::string preloginResponse(std::string_view version, const Prelogin& request);
// "off", "on", "not_supported", "required" or the number.
std::string encryptionName(int encryption);

struct Login7 {
  std::uint32_t tdsVersion = 0;
  std::string hostname, username, password, appName, serverName, library, language, database;
  bool sspi = false;  // integrated (NTLM/Kerberos) authentication instead of a password
};

// Parses a LOGIN7 payload; false when it is unusable. `anomaly` may be set on success too (a
// field pointing outside the packet is read as empty).
bool parseLogin7(std::string_view payload, Login7& login, std::string& anomaly);

// Parses a TDS 4.2 login record (fixed 30-byte fields, each followed by its length) into the
// LOGIN7 shape; tdsVersion is 0x42. False when too short to hold a password.
bool parseLegacyLogin(std::string_view payload, Login7& login, std::string& anomaly);

// The password as typed: each byte XOR 0xA5 then nibble-swapped, UCS-2LE to UTF-8.
std::string decodePassword(std::string_view obfuscated);
// The inverse of decodePassword for a UTF-8 password (tests, clients).
std::string encodePassword(std::string_view password);
std::string utf16ToUtf8(std::string_view utf16le);
std::string utf8ToUtf16(std::string_view utf8);

// ERROR token 18456 "Login failed for user 'x'." + DONE(error), as one reply packet.
std::string loginFailed(std::string_view user, std::string_view serverName);
// LOGINACK + ENVCHANGE(database) + DONE, as one reply packet.
std::string loginAck(std::string_view version, std::string_view database);
// An ERROR token with `number` and `text` + DONE(error), as one reply packet.
std::string errorReply(std::uint32_t number, std::uint8_t severity, std::string_view text,
                       std::string_view serverName);
// The SQL text of an SQLBatch payload (ALL_HEADERS skipped).
std::string sqlBatchText(std::string_view payload);

}  // namespace decnet::decoy::mssql
