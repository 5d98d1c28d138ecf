#pragma once
// Line-oriented protocols (FTP, SMTP, POP3, IMAP, and later telnet- or redis-like ones) as plain
// state machines: bytes in, replies and events out, no Asio. LineSession (line_session.h) drives
// one on a socket; unit tests drive one with LineFramer and feed() directly.
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "decoy/event_writer.h"

namespace decnet::decoy::text {

// An event for the session to record on its connection.
struct LineEvent {
  std::string type;
  Fields fields;
  int severity = kSeverityInfo;
};

// What a protocol wants done after one input: reply (possibly after a delay), events, framing.
struct LineOutput {
  std::string reply;                   // bytes to send, CRLFs included
  std::chrono::milliseconds delay{0};  // wait before sending (failed logins are slow)
  bool close = false;                  // close once the reply is sent
  std::size_t rawBytes = 0;            // the next input is exactly this many raw bytes
  std::vector<LineEvent> events;

  // Appends `line` and CRLF to the reply.
  LineOutput& line(std::string_view text);
  // Appends an event.
  LineOutput& event(std::string type, Fields fields, int severity = kSeverityInfo);
};

// Why the framer or session gave up on the input.
enum class LineAnomaly { kLineTooLong, kTooManyLines };

// One protocol conversation. Every method gets hostile input and must not throw.
class LineProtocol {
 public:
  virtual ~LineProtocol() = default;
  // What the server says first.
  virtual LineOutput greeting() = 0;
  // One input line, without its CR LF (may contain NUL and any other byte).
  virtual LineOutput onLine(std::string_view line) = 0;
  // The raw bytes asked for with LineOutput::rawBytes (IMAP literals, SMTP BDAT).
  virtual LineOutput onRaw(std::string_view bytes) {
    (void)bytes;
    return {};
  }
  // The input broke a bound; `sample` is its start. The session closes if the output says so.
  virtual LineOutput onAnomaly(LineAnomaly anomaly, std::string_view sample) = 0;
  // No input for the idle timeout (`pending`: an unfinished line); the session closes after
  // sending the output.
  virtual LineOutput onIdle(std::string_view pending) {
    (void)pending;
    return {};
  }
};

// Splits a byte stream into lines (LF-terminated; a CR before the LF is dropped), raw blocks
// when asked, and over-long lines, which are reported once and then skipped to their end.
class LineFramer {
 public:
  struct Item {
    enum class Kind { kLine, kRaw, kTooLong } kind = Kind::kLine;
    std::string data;  // the line, the raw block, or the start of the over-long line
  };

  explicit LineFramer(std::size_t maxLine) : maxLine_(maxLine) {}
  // Adds received bytes.
  void append(std::string_view bytes) { buffer_.append(bytes); }
  // The next complete item, or nullopt when more bytes are needed.
  std::optional<Item> next();
  // The next item is exactly `n` raw bytes.
  void expectRaw(std::size_t n) { raw_ = n; }
  // Bytes received and not yet framed (for an idle-timeout anomaly).
  std::string_view pending() const { return buffer_; }

 private:
  std::size_t maxLine_;
  std::string buffer_;
  std::size_t raw_ = 0;
  bool skipping_ = false;  // inside an over-long line already reported
};

// Feeds `bytes` through `framer` into `protocol`, as a session would (delays ignored, stops at
// a close): the concatenated replies and every event. For unit tests and offline replay.
struct FeedResult {
  std::string replies;
  std::vector<LineEvent> events;
  bool closed = false;
};
FeedResult feed(LineProtocol& protocol, LineFramer& framer, std::string_view bytes);

// The `command` event for input that broke a bound (anomaly line_too_long or too_many_commands),
// naming the verb the input started with.
LineEvent boundEvent(LineAnomaly anomaly, std::string_view sample);
// At the idle timeout: an `incomplete_line` command event when a line was pending, then `reply`.
LineOutput idleOutput(std::string_view pending, std::string_view reply);

// Small helpers the line protocols share.
std::string upper(std::string_view text);
bool iequals(std::string_view a, std::string_view b);
// The first word (up to a space) and the rest after one space.
std::pair<std::string_view, std::string_view> splitVerb(std::string_view line);
// SASL PLAIN (RFC 4616) from its base64 form: authzid NUL authcid NUL passwd. Returns "" when
// well formed, else the anomaly ("invalid_base64", "malformed_sasl_plain"); on a malformed but
// decodable message `secret` holds the decoded bytes so nothing the client sent is lost.
std::string parseSaslPlain(std::string_view base64, std::string& principal, std::string& secret);
// Lowercase hex SHA-256 of `bytes`.
std::string sha256Hex(std::string_view bytes);
// The first `n` bytes of `bytes`, base64: what anomaly events keep of hostile input.
std::string rawSample(std::string_view bytes, std::size_t n = 1024);

}  // namespace decnet::decoy::text
