#include "decoy/event_writer.h"

#include <cstdint>
#include <ctime>

namespace decnet::decoy {
namespace {

// A single field can be huge only by mistake (callers bound their previews); the cap keeps one
// hostile value from producing a multi-megabyte line that the agent's spooler must carry.
constexpr std::size_t kMaxValueBytes = 64 * 1024;

// Length of the valid UTF-8 sequence starting at s[i] that encodes a printable code point, or
// 0 when the byte starts an invalid (or overlong, surrogate, C1 control) sequence.
std::size_t utf8Printable(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char lead = byte(i);
  std::size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    if (lead == 0xC2) low = 0xA0;  // U+0080..U+009F are C1 controls
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;   // overlong
    if (lead == 0xED) high = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;   // overlong
    if (lead == 0xF4) high = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (i + length > s.size()) return 0;
  if (byte(i + 1) < low || byte(i + 1) > high) return 0;
  for (std::size_t k = 2; k < length; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return length;
}

// HOSTNAME, APP-NAME and MSGID are PRINTUSASCII without spaces; "-" stands for empty.
std::string headerToken(std::string_view value, std::size_t maxLength) {
  std::string out;
  for (char c : value.substr(0, maxLength)) {
    const auto u = static_cast<unsigned char>(c);
    out.push_back(u >= 33 && u <= 126 ? c : '_');
  }
  return out.empty() ? std::string("-") : out;
}

// SD-NAME: 1..32 PRINTUSASCII except '=', ']', '"' and space.
std::string paramName(std::string_view name) {
  std::string out;
  for (char c : name.substr(0, 32)) {
    const auto u = static_cast<unsigned char>(c);
    const bool ok = u >= 33 && u <= 126 && c != '=' && c != ']' && c != '"';
    out.push_back(ok ? c : '_');
  }
  return out;
}

void appendEscaped(std::string& line, std::string_view value) {
  for (char c : printable(value.substr(0, kMaxValueBytes))) {
    if (c == '\\' || c == '"' || c == ']') line.push_back('\\');
    line.push_back(c);
  }
}

std::string timestamp(std::chrono::system_clock::time_point when) {
  using namespace std::chrono;
  const auto micros = duration_cast<microseconds>(when.time_since_epoch()).count();
  auto seconds = static_cast<std::time_t>(micros / 1000000);
  auto fraction = static_cast<long>(micros % 1000000);
  if (fraction < 0) {  // before 1970: keep the fraction positive
    fraction += 1000000;
    --seconds;
  }
  std::tm tm{};
  ::gmtime_r(&seconds, &tm);
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%04d-%02d-%02dT%02d:%02d:%02d.%06ld+00:00",
                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                fraction);
  return buffer;
}

constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

}  // namespace

std::string printable(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (std::size_t i = 0; i < bytes.size();) {
    const auto u = static_cast<unsigned char>(bytes[i]);
    if (u < 0x80) {
      out.push_back(u >= 0x20 && u != 0x7F ? bytes[i] : '?');
      ++i;
    } else if (u == 0xC2 && i + 1 < bytes.size() &&
               static_cast<unsigned char>(bytes[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(bytes[i + 1]) <= 0x9F) {
      out.push_back('?');  // a C1 control: one code point, one mark
      i += 2;
    } else if (const std::size_t length = utf8Printable(bytes, i); length > 0) {
      out.append(bytes.substr(i, length));
      i += length;
    } else {
      out.push_back('?');
      ++i;
    }
  }
  return out;
}

std::string base64Encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v = static_cast<unsigned char>(bytes[i]) << 16 |
                            static_cast<unsigned char>(bytes[i + 1]) << 8 |
                            static_cast<unsigned char>(bytes[i + 2]);
    out += {kBase64[v >> 18], kBase64[(v >> 12) & 63], kBase64[(v >> 6) & 63], kBase64[v & 63]};
  }
  if (const std::size_t rest = bytes.size() - i; rest > 0) {
    std::uint32_t v = static_cast<unsigned char>(bytes[i]) << 16;
    if (rest == 2) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out +=
        {kBase64[v >> 18], kBase64[(v >> 12) & 63], rest == 2 ? kBase64[(v >> 6) & 63] : '=', '='};
  }
  return out;
}

bool base64Decode(std::string_view text, std::string& out) {
  out.clear();
  std::uint32_t accumulator = 0;
  int bits = 0;
  bool padding = false;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    if (c == '=') {
      padding = true;
      continue;
    }
    const int value = base64Value(c);
    if (value < 0 || padding) return false;  // junk, or data after padding
    accumulator = (accumulator << 6) | static_cast<std::uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((accumulator >> bits) & 0xFF));
    }
  }
  return bits < 6;  // a lone trailing sextet cannot encode a byte
}

void addCredential(Fields& fields, std::string_view principal, std::string_view secret,
                   bool success) {
  fields.emplace_back("principal", std::string(principal));
  fields.emplace_back("secret", printable(secret));
  fields.emplace_back("secret_b64", base64Encode(secret));
  fields.emplace_back("outcome", success ? "success" : "failed");
}

std::string formatLine(const Interaction& interaction, std::string_view hostname,
                       std::chrono::system_clock::time_point when) {
  std::string line;
  line.reserve(160);
  line += '<';
  line += std::to_string(128 + (interaction.severity & 7));
  line += ">1 ";
  line += timestamp(when);
  line += ' ';
  line += headerToken(hostname, 255);
  line += ' ';
  line += headerToken(interaction.service, 48);
  line += " - ";
  line += headerToken(interaction.type, 32);
  line += ' ';
  std::string params;
  for (const auto& [name, value] : interaction.fields) {
    const std::string key = paramName(name);
    if (key.empty()) continue;
    params += ' ';
    params += key;
    params += "=\"";
    appendEscaped(params, value);
    params += '"';
  }
  if (params.empty()) {
    line += '-';
  } else {
    line += "[relay@55555";
    line += params;
    line += ']';
  }
  if (!interaction.message.empty()) {
    line += ' ';
    line += printable(std::string_view(interaction.message).substr(0, kMaxValueBytes));
  }
  return line;
}

EventWriter::EventWriter(std::FILE* out, std::string hostname)
    : out_(out), hostname_(std::move(hostname)) {}

void EventWriter::record(Interaction interaction) {
  std::string line = formatLine(interaction, hostname_, std::chrono::system_clock::now());
  line += '\n';
  std::lock_guard lock(mutex_);
  if (out_ == nullptr) return;
  // A failed write (the agent went away) must not take the decoy down: the line is lost, the
  // attacker still sees a working service.
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
}

}  // namespace decnet::decoy
