#pragma once
// Attacker interactions as RFC 5424 lines (docs/events.md): the only output of a decoy.
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace decnet::decoy {

// Syslog severities of the lines a decoy writes (facility local0: PRI = 128 + severity).
inline constexpr int kSeverityError = 3;    // <131>
inline constexpr int kSeverityWarning = 4;  // <132>
inline constexpr int kSeverityInfo = 6;     // <134>

using Fields = std::vector<std::pair<std::string, std::string>>;

// One thing that happened: a connection, a login attempt, a request, a command.
struct Interaction {
  std::string service;  // APP-NAME: the service slug ("ssh") or "decoy"
  std::string type;     // MSGID: the event type ("auth_attempt")
  Fields fields;        // structured data, in order; values are raw bytes (sanitized on output)
  std::string message;  // free text after the structured data; may be empty
  int severity = kSeverityInfo;
};

// Where services report what an attacker did. Never fails from the caller's view.
class InteractionSink {
 public:
  virtual ~InteractionSink() = default;
  // Records one interaction. Thread-safe; never throws; may block briefly on output.
  virtual void record(Interaction interaction) = 0;
};

// Bytes as UTF-8 text safe for a log line: control characters, DEL, C1 controls and invalid
// UTF-8 become '?'. Used for every value, and for credentials as the `secret` field.
std::string printable(std::string_view bytes);

// Standard base64 with padding (the lossless `secret_b64`).
std::string base64Encode(std::string_view bytes);

// Decodes standard or URL-safe base64, ignoring whitespace; false on invalid input.
bool base64Decode(std::string_view text, std::string& out);

// Appends the credential fields every service emits: principal, secret (printable),
// secret_b64 (lossless) and outcome ("success"/"failed").
void addCredential(Fields& fields, std::string_view principal, std::string_view secret,
                   bool success);

// The complete line (without newline) for `interaction` observed at `when`, from `hostname`.
std::string formatLine(const Interaction& interaction, std::string_view hostname,
                       std::chrono::system_clock::time_point when);

// Writes whole lines to a stdio stream, flushing each so a crash loses at most the current one.
class EventWriter final : public InteractionSink {
 public:
  // `out` is borrowed and must outlive the writer; `hostname` is the decky name.
  EventWriter(std::FILE* out, std::string hostname);

  // decnet::decoy::InteractionSink. Thread-safe: lines never interleave.
  void record(Interaction interaction) override;

 private:
  std::FILE* const out_;
  const std::string hostname_;
  std::mutex mutex_;
};

}  // namespace decnet::decoy
