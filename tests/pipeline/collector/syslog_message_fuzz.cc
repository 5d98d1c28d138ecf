// libFuzzer target for the collector's input side: the RFC 6587 deframer and the RFC 5424
// parser, over hostile streams and over whatever the decoys' event writer can produce. Traps on
// any broken invariant: unbounded buffering, chunking-dependent frames, a parse that does not
// survive re-serialisation, or a writer line the parser cannot read back exactly.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "decoy/event_writer.h"
#include "pipeline/collector/frame_splitter.h"
#include "pipeline/collector/syslog_message.h"

namespace decnet::pipeline {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";
constexpr std::string_view kAddressKeys[] = {"src_ip",      "src",       "client_ip", "remote_ip",
                                             "remote_addr", "target_ip", "ip"};

void check(bool ok) {
  if (!ok) __builtin_trap();
}

bool printUsAscii(char c) {
  return static_cast<unsigned char>(c) >= 33 && static_cast<unsigned char>(c) <= 126;
}

bool sdNameChar(char c) { return printUsAscii(c) && c != '=' && c != ']' && c != '"'; }

// A header field as parsed: 1..max PRINTUSASCII, never the NILVALUE itself.
bool headerToken(std::string_view s, std::size_t max) {
  if (s.empty() || s.size() > max || s == "-") return false;
  for (char c : s) {
    if (!printUsAscii(c)) return false;
  }
  return true;
}

bool sdName(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!sdNameChar(c)) return false;
  }
  return true;
}

std::string nil(const std::string& s) { return s.empty() ? "-" : s; }

// The RFC 5424 line for `m`, so that parsing it gives `m` back.
std::string serialize(const SyslogMessage& m) {
  std::string line = "<" + std::to_string(m.priority) + ">1 " + nil(m.timestamp) + " " +
                     nil(m.hostname) + " " + nil(m.appName) + " " + nil(m.procId) + " " +
                     nil(m.msgId) + " ";
  if (m.data.empty()) line += '-';
  for (const auto& element : m.data) {
    line += "[" + element.id;
    for (const auto& p : element.params) {
      line += " " + p.name + "=\"";
      for (char c : p.value) {
        if (c == '\\' || c == '"' || c == ']') line += '\\';
        line += c;
      }
      line += '"';
    }
    line += ']';
  }
  if (!m.message.empty()) {
    line += ' ';
    line += kBom;  // a message that itself starts with a BOM keeps it
    line += m.message;
    if (m.message.back() == '\n') line += '\n';  // the parser strips one trailing newline
  }
  return line;
}

void checkParsed(std::string_view line) {
  const auto parsed = parseSyslog(line);
  if (!parsed) {
    check(parsed.error().code == Errc::kTerminal && !parsed.error().message.empty());
    return;
  }
  const SyslogMessage& m = *parsed;
  check(m.priority >= 0 && m.priority <= 191 && m.version == 1);
  check(m.timestamp.empty() || (m.timestamp.size() >= 20 && m.timestamp.size() <= 32));
  check(m.hostname.empty() || headerToken(m.hostname, kMaxHostname));
  check(m.appName.empty() || headerToken(m.appName, kMaxAppName));
  check(m.procId.empty() || headerToken(m.procId, kMaxProcId));
  check(m.msgId.empty() || headerToken(m.msgId, kMaxMsgId));
  std::size_t bytes = m.timestamp.size() + m.hostname.size() + m.appName.size() + m.procId.size() +
                      m.msgId.size() + m.message.size();
  bool addressInData = false;
  for (const auto& element : m.data) {
    check(sdName(element.id));
    bytes += element.id.size();
    for (const auto& p : element.params) {
      check(sdName(p.name));
      bytes += p.name.size() + p.value.size();
      for (std::string_view key : kAddressKeys) {
        addressInData |= p.name == key && !p.value.empty() && p.value == m.attackerAddress;
      }
    }
  }
  check(bytes <= line.size());
  check(m.attackerAddress.empty() || addressInData ||
        m.message.find(m.attackerAddress) != std::string::npos);
  if (m.sequenceId) {
    const std::string* text = m.param("meta", "sequenceId");
    check(text != nullptr && *m.sequenceId >= 0);
  }
  const auto reparsed = parseSyslog(serialize(m));
  check(reparsed.has_value() && *reparsed == m);
}

void checkSplitter(std::string_view stream, std::size_t maxFrame, std::size_t chunk) {
  struct Frame {
    std::string bytes;
    bool truncated;
    bool operator==(const Frame&) const = default;
  };
  std::vector<Frame> pieces, whole;
  std::size_t delivered = 0;
  FrameSplitter chunked(maxFrame);
  const auto onPiece = [&](std::string_view frame, bool truncated) {
    check(!frame.empty() && frame.size() <= maxFrame);
    delivered += frame.size();
    check(delivered <= stream.size());
    pieces.push_back({std::string(frame), truncated});
  };
  if (chunk == 0) chunk = stream.size() + 1;
  for (std::size_t at = 0; at < stream.size(); at += chunk) {
    chunked.feed(stream.substr(at, chunk), onPiece);
    check(chunked.buffered() <= maxFrame + 16);
  }
  const std::size_t dropped = chunked.finish(onPiece);
  check(chunked.buffered() == 0 && dropped <= stream.size());

  FrameSplitter atOnce(maxFrame);
  const auto onWhole = [&](std::string_view frame, bool truncated) {
    whole.push_back({std::string(frame), truncated});
  };
  atOnce.feed(stream, onWhole);
  check(atOnce.buffered() <= maxFrame + 16);
  check(atOnce.finish(onWhole) == dropped);
  check(pieces == whole);
  for (std::size_t i = 0; i < pieces.size() && i < 64; ++i) checkParsed(pieces[i].bytes);
}

// What formatLine() makes of a header field: PRINTUSASCII or '_', cut, "-" when empty.
std::string expectedToken(std::string_view value, std::size_t max) {
  std::string out;
  for (char c : value.substr(0, max)) out += printUsAscii(c) ? c : '_';
  return out == "-" ? "" : out;
}

std::string expectedName(std::string_view name) {
  std::string out;
  for (char c : name.substr(0, 32)) out += sdNameChar(c) ? c : '_';
  return out;
}

// Fields separated by 0x01: hostname, service, type, message, then name/value pairs.
void checkWriterRoundTrip(std::string_view input, std::uint8_t selector) {
  std::vector<std::string_view> parts;
  for (std::size_t at = 0;;) {
    const std::size_t end = input.find('\x01', at);
    parts.push_back(input.substr(at, end == std::string_view::npos ? end : end - at));
    if (end == std::string_view::npos) break;
    at = end + 1;
  }
  parts.resize(std::max<std::size_t>(parts.size(), 4));
  decoy::Interaction interaction{
      std::string(parts[1]), std::string(parts[2]), {}, std::string(parts[3]), selector & 7};
  for (std::size_t i = 4; i + 1 < parts.size(); i += 2) {
    interaction.fields.emplace_back(std::string(parts[i]), std::string(parts[i + 1]));
  }
  const auto when = std::chrono::system_clock::time_point(
      std::chrono::microseconds(std::int64_t{selector} * 987654321987LL));
  const std::string line = decoy::formatLine(interaction, parts[0], when);
  const auto parsed = parseSyslog(line);
  check(parsed.has_value());
  check(parsed->priority == 128 + (selector & 7));
  check(parsed->hostname == expectedToken(parts[0], kMaxHostname));
  check(parsed->appName == expectedToken(parts[1], kMaxAppName));
  check(parsed->procId.empty());
  check(parsed->msgId == expectedToken(parts[2], kMaxMsgId));
  std::vector<SdParam> params;
  for (const auto& [name, value] : interaction.fields) {
    std::string key = expectedName(name);
    if (!key.empty()) params.push_back({key, decoy::printable(value.substr(0, 64 * 1024))});
  }
  if (params.empty()) {
    check(parsed->data.empty());
  } else {
    check(parsed->data.size() == 1 && parsed->data[0].id == "relay@55555" &&
          parsed->data[0].params == params);
  }
  std::string message = decoy::printable(parts[3].substr(0, 64 * 1024));
  // The writer puts no BOM of its own, so a message that starts with U+FEFF loses it here.
  if (std::string_view(message).starts_with(kBom)) message.erase(0, kBom.size());
  check(parsed->message == message);
  checkParsed(line);
}

}  // namespace
}  // namespace decnet::pipeline

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace decnet::pipeline;
  if (size == 0) return 0;
  const std::uint8_t selector = data[0];
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  constexpr std::size_t kChunks[] = {0, 1, 2, 3, 7, 16, 61, 512};
  constexpr std::size_t kMaxFrames[] = {1, 2, 7, 16, 64, 300, 4096, 65536};
  checkParsed(input);
  checkSplitter(input, kMaxFrames[(selector >> 3) & 7], kChunks[selector & 7]);
  checkWriterRoundTrip(input, selector);
  return 0;
}
