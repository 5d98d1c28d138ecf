// libFuzzer target: TDS packet framing and message reassembly over chunked reads, then PRELOGIN,
// LOGIN7, TDS 4.2 login and SQLBatch parsing and the replies built from what they yield, as the
// mssql service does. Byte 0 picks the read size; the rest is the client's stream.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "decoy/services/mssql/mssql_protocol.h"

namespace {

using namespace decnet::decoy::mssql;

constexpr std::size_t kChunks[] = {0, 1, 2, 3, 8, 9, 100, 4096};  // 0: all at once
constexpr std::string_view kVersion = "15.0.2000.5";
constexpr std::string_view kServerName = "SQL01";
constexpr int kMaxMessages = 1000;  // mssql_service.cc

// A reply packet's header must announce its real length.
void checkPacket(const std::string& reply) {
  if (reply.size() < 8 || reply.size() > kMaxPacket) __builtin_trap();
  const std::size_t length =
      static_cast<unsigned char>(reply[2]) << 8 | static_cast<unsigned char>(reply[3]);
  if (length != reply.size()) __builtin_trap();
}

// UTF-8 made from UTF-16 survives the way back and forth.
void checkText(const std::string& utf8) {
  if (utf16ToUtf8(utf8ToUtf16(utf8)) != utf8) __builtin_trap();
}

// Handles one whole message; false when the service would close.
bool handle(std::uint8_t type, const std::string& payload, bool& loggedIn) {
  if (type == kPrelogin && !loggedIn) {
    Prelogin prelogin;
    std::string anomaly;
    if (!parsePrelogin(payload, prelogin, anomaly)) {
      if (anomaly.empty()) __builtin_trap();
      return false;
    }
    (void)encryptionName(prelogin.encryption);
    if (prelogin.encryption == 3) return false;
    checkPacket(preloginResponse(kVersion, prelogin));
    return true;
  }
  if ((type == kLogin7 || type == kLegacyLogin) && !loggedIn) {
    Login7 login;
    std::string anomaly;
    const bool parsed = type == kLogin7 ? parseLogin7(payload, login, anomaly)
                                        : parseLegacyLogin(payload, login, anomaly);
    if (!parsed) return false;
    if (type == kLogin7) {
      checkText(login.username);
      checkText(login.password);
    } else if (login.username.size() > 30 || login.password.size() > 30) {
      __builtin_trap();
    }
    checkText(login.database);
    if (!login.sspi && login.username == "sa" && login.password == "secret") {
      loggedIn = true;
      checkPacket(loginAck(kVersion, login.database.empty() ? "master" : login.database));
      return true;
    }
    checkPacket(loginFailed(login.username, kServerName));
    return false;
  }
  if (type == kSqlBatch && loggedIn) {
    checkText(sqlBatchText(payload));
    checkPacket(
        errorReply(229, 14, "The SELECT permission was denied on the object.", kServerName));
    return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view stream(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::size_t chunk = kChunks[data[0] % 8];
  if (chunk == 0) chunk = stream.size();
  std::string buffer, message;
  std::uint8_t messageType = 0;
  bool loggedIn = false;
  int messages = 0;
  for (std::size_t at = 0; at < stream.size(); at += chunk) {
    buffer.append(stream.substr(at, chunk));
    for (;;) {
      const std::size_t before = buffer.size();
      Packet packet;
      std::string anomaly;
      const Frame frame = takePacket(buffer, packet, anomaly);
      if (frame == Frame::kNeedMore) {
        if (buffer.size() != before) __builtin_trap();
        break;
      }
      if (frame == Frame::kBad) {
        if (anomaly.empty()) __builtin_trap();
        return 0;
      }
      if (buffer.size() != before - 8 - packet.payload.size()) __builtin_trap();
      if (++messages > kMaxMessages) return 0;
      if (!message.empty() && packet.type != messageType) return 0;
      messageType = packet.type;
      message += packet.payload;
      if (message.size() > kMaxMessage) return 0;
      if ((packet.status & 0x01) == 0) continue;
      const std::string complete = std::move(message);
      message.clear();
      if (!handle(messageType, complete, loggedIn)) return 0;
    }
  }
  return 0;
}
