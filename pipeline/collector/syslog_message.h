#pragma once
// One RFC 5424 event line as the collector sees it (docs: REFERENCE.md §2). Pure: no I/O.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/types/result.h"

namespace decnet::pipeline {

// Longest header fields RFC 5424 §6 allows; longer ones make a line invalid.
inline constexpr std::size_t kMaxHostname = 255;
inline constexpr std::size_t kMaxAppName = 48;
inline constexpr std::size_t kMaxProcId = 128;
inline constexpr std::size_t kMaxMsgId = 32;

struct SdParam {
  std::string name;
  std::string value;  // unescaped

  bool operator==(const SdParam&) const = default;
};

struct SdElement {
  std::string id;
  std::vector<SdParam> params;  // in line order

  bool operator==(const SdElement&) const = default;
};

struct SyslogMessage {
  int priority = 0;  // 0..191
  int version = 1;
  std::string timestamp;                         // as sent ("-" becomes "")
  std::string hostname, appName, procId, msgId;  // "-" becomes ""
  std::vector<SdElement> data;
  std::string message;  // MSG, BOM stripped
  // The first non-empty SD param value (in any element) of the names src_ip, src, client_ip,
  // remote_ip, remote_addr, target_ip, ip in THAT priority order; else a key=value of those
  // names in MSG (same order); else "".
  std::string attackerAddress;
  std::optional<std::int64_t> sequenceId;  // [meta sequenceId="N"], when present and numeric

  // The value of the first param `name` in the first element `sdId` that has it; nullptr if none.
  const std::string* param(std::string_view sdId, std::string_view name) const;

  bool operator==(const SyslogMessage&) const = default;
};

// Parses one RFC 5424 line (no trailing newline; a trailing \r\n or \n is tolerated). The header
// is strict (PRI 0..191 as <N> with no leading zeros beyond "<0>", version "1", timestamp RFC 3339
// or "-", field length limits HOSTNAME 255, APP-NAME 48, PROCID 128, MSGID 32, printable
// US-ASCII); structured data is lenient: escapes \" \\ \] unescaped, an unknown backslash escape
// kept as is (backslash included), a PARAM without quotes or an unterminated element makes the
// line invalid but never crashes. kTerminal with a short reason ("bad PRI", "truncated structured
// data", ...) when it is not RFC 5424; the caller keeps such lines raw.
Result<SyslogMessage> parseSyslog(std::string_view line);

}  // namespace decnet::pipeline
