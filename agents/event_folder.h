#pragma once
// Folds floods of identical attacker events before they reach the spool, with the rule of
// pipeline/common/flood_gate.h: per key, the first lines of a window pass unchanged, the rest are
// held back and counted, and once the window ends they become one line: the last of them with
// count="N" added to its [relay@55555 ...] element. Lines that are not RFC 5424 or carry no
// relay@55555 element are never folded.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "pipeline/common/flood_gate.h"

namespace decnet::agents {

using FoldOptions = pipeline::FloodOptions;

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
  std::uint64_t linesFolded() const { return gate_.held(); }

 private:
  void addCountLine(std::string line, std::uint64_t count);

  pipeline::FloodGate<std::string> gate_;
  std::vector<std::string> ended_;  // count lines not yet taken
};

}  // namespace decnet::agents
