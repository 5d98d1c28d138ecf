#include "decoy/services/postgres/postgres_protocol.h"

#include <openssl/evp.h>

#include <charconv>

namespace decnet::decoy::postgres {
namespace {

std::uint32_t get32(std::string_view in, std::size_t at) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(in[at + i]);
  return v;
}

void put32(std::string& out, std::uint32_t v) {
  for (int i = 3; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void put16(std::string& out, std::uint16_t v) {
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v & 0xff));
}

std::string md5Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest, &size, EVP_md5(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < size; ++i) {
    const unsigned char b = digest[i];
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

}  // namespace

std::string Startup::param(std::string_view key) const {
  for (const auto& [name, value] : params) {
    if (name == key) return value;
  }
  return {};
}

Frame takeStartup(std::string& buffer, Startup& startup, std::string& anomaly) {
  if (buffer.size() < 4) return Frame::kNeedMore;
  const std::uint32_t length = get32(buffer, 0);
  if (length < 8 || length > kMaxStartup) {
    anomaly = "invalid_startup_length";
    return Frame::kBad;
  }
  if (buffer.size() < length) return Frame::kNeedMore;
  const std::string body = buffer.substr(4, length - 4);
  buffer.erase(0, length);
  startup = Startup{};
  startup.code = get32(body, 0);
  if (startup.code == kCancelRequest) {
    if (body.size() != 12) {
      anomaly = "malformed_cancel_request";
      return Frame::kBad;
    }
    startup.cancelPid = get32(body, 4);
    startup.cancelKey = get32(body, 8);
    return Frame::kOk;
  }
  if (startup.code == kSslRequest || startup.code == kGssEncRequest) {
    if (body.size() != 4) {
      anomaly = "malformed_ssl_request";
      return Frame::kBad;
    }
    return Frame::kOk;
  }
  if (startup.code >> 16 != 3) return Frame::kOk;  // the caller refuses the version
  // name\0value\0 ... \0
  std::size_t at = 4;
  while (at < body.size() && body[at] != '\0' && startup.params.size() < 64) {
    const auto nameEnd = body.find('\0', at);
    if (nameEnd == std::string::npos) break;
    const auto valueEnd = body.find('\0', nameEnd + 1);
    if (valueEnd == std::string::npos) break;
    startup.params.emplace_back(body.substr(at, nameEnd - at),
                                body.substr(nameEnd + 1, valueEnd - nameEnd - 1));
    at = valueEnd + 1;
  }
  if (at >= body.size() || body[at] != '\0') {
    anomaly = "malformed_startup_packet";
    return Frame::kBad;
  }
  return Frame::kOk;
}

Frame takeMessage(std::string& buffer, Message& message, std::size_t maxLength,
                  std::string& anomaly) {
  if (buffer.size() < 5) return Frame::kNeedMore;
  const std::uint32_t length = get32(buffer, 1);
  if (length < 4 || length > maxLength) {
    anomaly = "invalid_message_length";
    return Frame::kBad;
  }
  if (buffer.size() < 1 + static_cast<std::size_t>(length)) return Frame::kNeedMore;
  message.type = buffer[0];
  message.body = buffer.substr(5, length - 4);
  buffer.erase(0, 1 + length);
  return Frame::kOk;
}

std::string message(char type, std::string_view body) {
  std::string out(1, type);
  put32(out, static_cast<std::uint32_t>(body.size() + 4));
  out.append(body);
  return out;
}

std::string authentication(std::uint32_t code, std::string_view data) {
  std::string body;
  put32(body, code);
  body.append(data);
  return message('R', body);
}

std::string parameterStatus(std::string_view name, std::string_view value) {
  std::string body(name);
  body.push_back('\0');
  body.append(value);
  body.push_back('\0');
  return message('S', body);
}

std::string backendKeyData(std::uint32_t pid, std::uint32_t key) {
  std::string body;
  put32(body, pid);
  put32(body, key);
  return message('K', body);
}

std::string readyForQuery(char status) { return message('Z', std::string(1, status)); }

std::string errorResponse(std::string_view severity, std::string_view code, std::string_view text,
                          std::string_view file, int line, std::string_view routine) {
  std::string body;
  const auto field = [&body](char tag, std::string_view value) {
    if (value.empty()) return;
    body.push_back(tag);
    body.append(value);
    body.push_back('\0');
  };
  field('S', severity);
  field('V', severity);
  field('C', code);
  field('M', text);
  field('F', file);
  if (line > 0) field('L', std::to_string(line));
  field('R', routine);
  body.push_back('\0');
  return message('E', body);
}

std::string singleRow(const std::vector<std::string>& columns,
                      const std::vector<std::string>& values) {
  std::string description;
  put16(description, static_cast<std::uint16_t>(columns.size()));
  for (const auto& column : columns) {
    description.append(column);
    description.push_back('\0');
    put32(description, 0);   // table oid
    put16(description, 0);   // column number
    put32(description, 25);  // text
    put16(description, 0xffff);
    put32(description, 0xffffffff);  // typmod -1
    put16(description, 0);           // text format
  }
  std::string row;
  put16(row, static_cast<std::uint16_t>(values.size()));
  for (const auto& value : values) {
    put32(row, static_cast<std::uint32_t>(value.size()));
    row.append(value);
  }
  return message('T', description) + message('D', row) + message('C', std::string("SELECT 1\0", 9));
}

std::string md5Password(std::string_view user, std::string_view password, std::string_view salt) {
  return "md5" + md5Hex(md5Hex(std::string(password) + std::string(user)) + std::string(salt));
}

int postmasterErrorLine(std::string_view version) {
  int major = 0, minor = 0;
  const char* end = version.data() + version.size();
  auto [at, ec] = std::from_chars(version.data(), end, major);
  if (ec == std::errc() && at != end && *at == '.') std::from_chars(at + 1, end, minor);
  // Where each release's ProcessStartupPacket reports the error (PostgreSQL's own sources).
  if (major >= 15) return 2194;
  if (major == 14) return minor == 0 ? 2114 : 2138;
  if (major == 13) return minor <= 1 ? 2108 : minor <= 4 ? 2109 : 2133;
  if (major == 12) return minor <= 2 ? 2060 : minor <= 4 ? 2071 : minor == 5 ? 2092 : 2119;
  if (major == 11) return minor <= 2 ? 2015 : minor <= 9 ? 2016 : minor <= 13 ? 2037 : 2050;
  if (major == 10) return minor <= 1 ? 2065 : minor <= 7 ? 2064 : minor <= 14 ? 2065 : 2099;
  return 2031;  // 9.6
}

}  // namespace decnet::decoy::postgres
