#pragma once
// PostgreSQL frontend/backend protocol v3 pieces the emulator needs: startup packets (SSL,
// GSSENC, cancel, StartupMessage), typed messages, authentication requests, ParameterStatus,
// ErrorResponse, simple result sets, and md5 password hashing. No I/O: tests feed bytes.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace decnet::decoy::postgres {

inline constexpr std::uint32_t kProtocol3 = 196608;  // 3.0
inline constexpr std::uint32_t kCancelRequest = 80877102;
inline constexpr std::uint32_t kSslRequest = 80877103;
inline constexpr std::uint32_t kGssEncRequest = 80877104;
inline constexpr std::size_t kMaxStartup = 10000;  // PostgreSQL's MAX_STARTUP_PACKET_LENGTH

enum class Frame { kNeedMore, kOk, kBad };

struct Startup {
  std::uint32_t code = 0;  // protocol version or one of the request codes
  std::vector<std::pair<std::string, std::string>> params;
  std::uint32_t cancelPid = 0, cancelKey = 0;
  // The value of `key`, or "" when absent.
  std::string param(std::string_view key) const;
};

// Takes the next untyped startup-phase packet; kBad with `anomaly` set when malformed.
Frame takeStartup(std::string& buffer, Startup& startup, std::string& anomaly);

struct Message {
  char type = 0;
  std::string body;
};

// Takes the next typed message of at most `maxLength` bytes; kBad with `anomaly` when malformed.
Frame takeMessage(std::string& buffer, Message& message, std::size_t maxLength,
                  std::string& anomaly);

std::string message(char type, std::string_view body);
std::string authentication(std::uint32_t code, std::string_view data = {});
std::string parameterStatus(std::string_view name, std::string_view value);
std::string backendKeyData(std::uint32_t pid, std::uint32_t key);
std::string readyForQuery(char status = 'I');
// ErrorResponse with the fields a real server sends (severity twice, code, message, source).
std::string errorResponse(std::string_view severity, std::string_view code, std::string_view text,
                          std::string_view file = {}, int line = 0, std::string_view routine = {});
// RowDescription + one DataRow of text columns + CommandComplete "SELECT 1".
std::string singleRow(const std::vector<std::string>& columns,
                      const std::vector<std::string>& values);

// "md5" + md5hex(md5hex(password + user) + salt): what libpq sends for md5 auth.
std::string md5Password(std::string_view user, std::string_view password, std::string_view salt);

// The postmaster.c line a server of `version` names in its "unsupported frontend protocol"
// error: it differs per release, and scanners date the server by it.
int postmasterErrorLine(std::string_view version);

}  // namespace decnet::decoy::postgres
