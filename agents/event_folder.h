#pragma once
// Folds floods of identical attacker events before they reach the spool. Identical: the same
// decky, service (APP-NAME), event type (MSGID), attacker address, message and structured data,
// except the fields that differ between connections of one flood (src_port, duration_ms,
// bytes_in, bytes_out). Per such key, the first `linesPerWindow` lines of a window pass
// unchanged; the rest are held back and counted, and once the window ends they become one line:
// the last of them with count="N" added to its [relay@55555 ...] element. Lines that are not
// RFC 5424, carry no attacker address or no relay@55555 element, or are the decoy's readiness
// lines (decoy_start, listening, bind_failed, not_emulated) are never folded.
#include <chrono>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace decnet::agents {

struct FoldOptions {
  std::uint32_t linesPerWindow = 100;  // identical lines that pass per key and window
  std::chrono::milliseconds window{1000};
  std::size_t maxKeys = 10000;  // windows open at once; past it new keys pass unfolded
};

class EventFolder {
 public:
  using Clock = std::chrono::steady_clock;

  explicit EventFolder(FoldOptions options = {});

  // true when the decky's line is to be written now; false when it was held back (folded).
  // Not thread-safe (the LogForwarder's poll owns it).
  bool admit(const std::string& decky, const std::string& line, Clock::time_point now);
  // The count lines of the windows that ended by `now` (all of them with Clock::time_point::max()),
  // unstamped; those windows are forgotten.
  std::vector<std::string> takeEnded(Clock::time_point now);
  // Lines held back so far (each is counted in some count line).
  std::uint64_t linesFolded() const { return folded_; }

 private:
  struct Window {
    Clock::time_point start;
    std::uint32_t passed = 0;
    std::uint64_t held = 0;
    std::string lastHeld;
  };
  // "" when the line is never folded.
  std::string keyOf(const std::string& decky, const std::string& line) const;
  void close(std::unordered_map<std::string, Window>::iterator window);

  const FoldOptions options_;
  std::unordered_map<std::string, Window> windows_;
  std::vector<std::string> ended_;  // count lines not yet taken
  std::uint64_t folded_ = 0;
};

}  // namespace decnet::agents
