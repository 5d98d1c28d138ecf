// TDS structures (see [MS-TDS] 2.2: packet header, PRELOGIN, LOGIN7 and the token stream).
#include "decoy/services/mssql/mssql_protocol.h"

#include <cstdio>
#include <vector>

namespace decnet::decoy::mssql {
namespace {

std::uint16_t be16(std::string_view in, std::size_t at) {
  return static_cast<std::uint16_t>(static_cast<unsigned char>(in[at]) << 8 |
                                    static_cast<unsigned char>(in[at + 1]));
}

std::uint16_t le16(std::string_view in, std::size_t at) {
  return static_cast<std::uint16_t>(static_cast<unsigned char>(in[at]) |
                                    static_cast<unsigned char>(in[at + 1]) << 8);
}

std::uint32_t le32(std::string_view in, std::size_t at) {
  return static_cast<std::uint32_t>(le16(in, at)) | static_cast<std::uint32_t>(le16(in, at + 2))
                                                        << 16;
}

void putBe16(std::string& out, std::uint16_t v) {
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v & 0xff));
}

void putLe16(std::string& out, std::uint16_t v) {
  out.push_back(static_cast<char>(v & 0xff));
  out.push_back(static_cast<char>(v >> 8));
}

void putLe32(std::string& out, std::uint32_t v) {
  putLe16(out, static_cast<std::uint16_t>(v & 0xffff));
  putLe16(out, static_cast<std::uint16_t>(v >> 16));
}

// B_VARCHAR: one byte of UCS-2 characters, then the characters.
std::string bVarchar(std::string_view utf8) {
  std::string utf16 = utf8ToUtf16(utf8).substr(0, 510);
  std::string out(1, static_cast<char>(utf16.size() / 2));
  return out + utf16;
}

// Major, minor and build of "15.0.2000[.x]".
void versionNumbers(std::string_view version, unsigned& major, unsigned& minor, unsigned& build) {
  major = 15;
  minor = 0;
  build = 2000;
  std::sscanf(std::string(version).c_str(), "%u.%u.%u", &major, &minor, &build);
}

std::string done(std::uint16_t status) {
  std::string out(1, static_cast<char>(0xfd));
  putLe16(out, status);
  putLe16(out, 0);
  out.append(8, '\0');
  return out;
}

std::string errorToken(std::uint32_t number, std::uint8_t state, std::uint8_t severity,
                       std::string_view text, std::string_view serverName) {
  std::string body;
  putLe32(body, number);
  body.push_back(static_cast<char>(state));
  body.push_back(static_cast<char>(severity));
  const std::string message = utf8ToUtf16(text).substr(0, 8000);
  putLe16(body, static_cast<std::uint16_t>(message.size() / 2));
  body += message;
  body += bVarchar(serverName);
  body += bVarchar("");
  putLe32(body, 1);
  std::string out(1, static_cast<char>(0xaa));
  putLe16(out, static_cast<std::uint16_t>(body.size()));
  return out + body;
}

}  // namespace

Frame takePacket(std::string& buffer, Packet& packet, std::string& anomaly) {
  // Known client packet types only: anything else (HTTP, TLS, probes) is judged on byte one.
  static constexpr std::string_view kClientTypes("\x01\x02\x03\x06\x07\x0e\x0f\x10\x11\x12\x17",
                                                 11);
  if (!buffer.empty() && kClientTypes.find(buffer[0]) == std::string_view::npos) {
    anomaly = "unknown_packet_type";
    return Frame::kBad;
  }
  if (buffer.size() < 8) return Frame::kNeedMore;
  const std::size_t length = be16(buffer, 2);
  if (length < 8 || length > kMaxPacket) {
    anomaly = "invalid_packet_length";
    return Frame::kBad;
  }
  if (buffer.size() < length) return Frame::kNeedMore;
  packet.type = static_cast<std::uint8_t>(buffer[0]);
  packet.status = static_cast<std::uint8_t>(buffer[1]);
  packet.payload = buffer.substr(8, length - 8);
  buffer.erase(0, length);
  return Frame::kOk;
}

std::string packet(std::uint8_t type, std::string_view payload) {
  std::string out;
  out.push_back(static_cast<char>(type));
  out.push_back('\x01');
  putBe16(out, static_cast<std::uint16_t>(payload.size() + 8));
  out += std::string("\x00\x00\x01\x00", 4);  // SPID 0, packet id 1, window 0
  out.append(payload);
  return out;
}

bool parsePrelogin(std::string_view payload, Prelogin& prelogin, std::string& anomaly) {
  for (std::size_t at = 0, count = 0; count < 32; at += 5, ++count) {
    if (at >= payload.size()) {
      anomaly = "prelogin_unterminated";
      return false;
    }
    const auto token = static_cast<unsigned char>(payload[at]);
    if (token == 0xff) return true;
    if (at + 5 > payload.size()) {
      anomaly = "prelogin_truncated";
      return false;
    }
    const std::size_t offset = be16(payload, at + 1);
    const std::size_t length = be16(payload, at + 3);
    if (offset + length > payload.size()) {
      anomaly = "prelogin_option_out_of_bounds";
      return false;
    }
    const std::string_view value = payload.substr(offset, length);
    if (token == 0 && length >= 6) {
      char text[48];
      std::snprintf(text, sizeof(text), "%u.%u.%u.%u", static_cast<unsigned char>(value[0]),
                    static_cast<unsigned char>(value[1]), be16(value, 2), le16(value, 4));
      prelogin.clientVersion = text;
    } else if (token == 1 && length >= 1) {
      prelogin.encryption = static_cast<unsigned char>(value[0]);
    } else if (token == 2) {
      prelogin.instance = std::string(value.substr(0, value.find('\0')));
    } else if (token == 4) {
      prelogin.mars = true;
    }
  }
  anomaly = "prelogin_too_many_options";
  return false;
}

std::string preloginResponse(std::string_view version, const Prelogin& request) {
  unsigned major = 0, minor = 0, build = 0;
  versionNumbers(version, major, minor, build);
  std::string data;
  data.push_back(static_cast<char>(major));
  data.push_back(static_cast<char>(minor));
  putBe16(data, static_cast<std::uint16_t>(build));
  data.append(2, '\0');
  std::vector<std::pair<std::uint8_t, std::string>> options = {
      {0, data}, {1, std::string(1, '\x02')}, {2, std::string(1, '\0')}, {3, std::string()}};
  if (request.mars) options.emplace_back(4, std::string(1, '\0'));
  std::string table, values;
  const std::size_t base = options.size() * 5 + 1;
  for (const auto& [token, value] : options) {
    table.push_back(static_cast<char>(token));
    putBe16(table, static_cast<std::uint16_t>(base + values.size()));
    putBe16(table, static_cast<std::uint16_t>(value.size()));
    values += value;
  }
  table.push_back(static_cast<char>(0xff));
  return packet(kReply, table + values);
}

std::string encryptionName(int encryption) {
  switch (encryption) {
    case 0:
      return "off";
    case 1:
      return "on";
    case 2:
      return "not_supported";
    case 3:
      return "required";
    case -1:
      return "";
    default:
      return std::to_string(encryption);
  }
}

bool parseLogin7(std::string_view payload, Login7& login, std::string& anomaly) {
  if (payload.size() < 86) {
    anomaly = "login7_truncated";
    return false;
  }
  const std::uint32_t declared = le32(payload, 0);
  if (declared > payload.size() || declared < 86) anomaly = "login7_length_mismatch";
  login.tdsVersion = le32(payload, 4);
  const auto field = [&](std::size_t at, bool password = false) {
    const std::size_t offset = le16(payload, at);
    const std::size_t chars = le16(payload, at + 2);
    if (chars == 0) return std::string();
    if (offset + chars * 2 > payload.size()) {
      anomaly = "login7_field_out_of_bounds";
      return std::string();
    }
    const std::string_view raw = payload.substr(offset, chars * 2);
    return password ? decodePassword(raw) : utf16ToUtf8(raw);
  };
  login.hostname = field(36);
  login.username = field(40);
  login.password = field(44, true);
  login.appName = field(48);
  login.serverName = field(52);
  login.library = field(60);
  login.language = field(64);
  login.database = field(68);
  login.sspi = le16(payload, 80) > 0;
  return true;
}

bool parseLegacyLogin(std::string_view payload, Login7& login, std::string& anomaly) {
  if (payload.size() < 93) {
    anomaly = "legacy_login_truncated";
    return false;
  }
  // Field at `at` of up to `size` bytes, its length in the byte after it; absent past the end.
  const auto field = [&](std::size_t at, std::size_t size) {
    if (at + size >= payload.size()) return std::string();
    std::size_t length = static_cast<unsigned char>(payload[at + size]);
    if (length > size) {
      anomaly = "legacy_login_length_out_of_bounds";
      length = size;
    }
    return std::string(payload.substr(at, length));
  };
  login.tdsVersion = 0x42;
  login.hostname = field(0, 30);
  login.username = field(31, 30);
  login.password = field(62, 30);
  login.appName = field(140, 30);
  login.serverName = field(171, 30);
  login.library = field(462, 10);
  return true;
}

std::string decodePassword(std::string_view obfuscated) {
  std::string plain;
  for (char c : obfuscated) {
    const auto b = static_cast<unsigned char>(static_cast<unsigned char>(c) ^ 0xa5);
    plain.push_back(static_cast<char>(((b << 4) | (b >> 4)) & 0xff));
  }
  return utf16ToUtf8(plain);
}

std::string encodePassword(std::string_view password) {
  std::string out;
  for (char c : utf8ToUtf16(password)) {
    const auto b = static_cast<unsigned char>(c);
    out.push_back(static_cast<char>((((b << 4) | (b >> 4)) & 0xff) ^ 0xa5));
  }
  return out;
}

std::string utf16ToUtf8(std::string_view utf16le) {
  std::string out;
  for (std::size_t i = 0; i + 1 < utf16le.size(); i += 2) {
    std::uint32_t cp = le16(utf16le, i);
    if (cp >= 0xd800 && cp <= 0xdbff && i + 3 < utf16le.size()) {
      const std::uint32_t low = le16(utf16le, i + 2);
      if (low >= 0xdc00 && low <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
        i += 2;
      } else {
        cp = '?';
      }
    } else if (cp >= 0xd800 && cp <= 0xdfff) {
      cp = '?';
    }
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else {
      out.push_back(static_cast<char>(0xf0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    }
  }
  return out;
}

std::string utf8ToUtf16(std::string_view utf8) {
  std::string out;
  for (std::size_t i = 0; i < utf8.size();) {
    const auto c = static_cast<unsigned char>(utf8[i]);
    std::uint32_t cp = '?';
    std::size_t width = 1;
    if (c < 0x80) {
      cp = c;
    } else if ((c >> 5) == 6 && i + 1 < utf8.size()) {
      cp = ((c & 0x1f) << 6) | (utf8[i + 1] & 0x3f);
      width = 2;
    } else if ((c >> 4) == 14 && i + 2 < utf8.size()) {
      cp = ((c & 0x0f) << 12) | ((utf8[i + 1] & 0x3f) << 6) | (utf8[i + 2] & 0x3f);
      width = 3;
    } else if ((c >> 3) == 30 && i + 3 < utf8.size()) {
      cp = ((c & 0x07) << 18) | ((utf8[i + 1] & 0x3f) << 12) | ((utf8[i + 2] & 0x3f) << 6) |
           (utf8[i + 3] & 0x3f);
      width = 4;
    }
    i += width;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      putLe16(out, static_cast<std::uint16_t>(0xd800 + (cp >> 10)));
      putLe16(out, static_cast<std::uint16_t>(0xdc00 + (cp & 0x3ff)));
    } else {
      putLe16(out, static_cast<std::uint16_t>(cp));
    }
  }
  return out;
}

std::string loginFailed(std::string_view user, std::string_view serverName) {
  return packet(
      kReply,
      errorToken(18456, 1, 14, "Login failed for user '" + std::string(user) + "'.", serverName) +
          done(0x0002));
}

std::string errorReply(std::uint32_t number, std::uint8_t severity, std::string_view text,
                       std::string_view serverName) {
  return packet(kReply, errorToken(number, 1, severity, text, serverName) + done(0x0002));
}

std::string loginAck(std::string_view version, std::string_view database) {
  unsigned major = 0, minor = 0, build = 0;
  versionNumbers(version, major, minor, build);
  std::string env(1, '\x01');
  env += bVarchar(database);
  env += bVarchar("master");
  std::string envToken(1, static_cast<char>(0xe3));
  putLe16(envToken, static_cast<std::uint16_t>(env.size()));
  envToken += env;
  std::string ack(1, '\x01');
  ack += std::string("\x74\x00\x00\x04", 4);  // TDS 7.4
  ack += bVarchar("Microsoft SQL Server");
  ack.push_back(static_cast<char>(major));
  ack.push_back(static_cast<char>(minor));
  ack.push_back(static_cast<char>(build >> 8));
  ack.push_back(static_cast<char>(build & 0xff));
  std::string ackToken(1, static_cast<char>(0xad));
  putLe16(ackToken, static_cast<std::uint16_t>(ack.size()));
  ackToken += ack;
  return packet(kReply, envToken + ackToken + done(0x0000));
}

std::string sqlBatchText(std::string_view payload) {
  if (payload.size() >= 4) {
    const std::uint32_t headers = le32(payload, 0);
    if (headers >= 4 && headers <= payload.size()) payload.remove_prefix(headers);
  }
  return utf16ToUtf8(payload);
}

}  // namespace decnet::decoy::mssql
