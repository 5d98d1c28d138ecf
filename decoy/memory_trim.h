#pragma once
// The decoy's start-up leaves pages of the binary and its libraries mapped, and heap free, that
// serving never touches again. These calls hand them back, so a decoy is charged only for what
// it uses.
#include <string_view>

namespace decnet::decoy {

// One mapping as /proc/self/smaps describes it.
struct MappingFacts {
  std::string_view permissions;    // "r-xp", "r--p", ...
  unsigned long inode = 0;         // 0 for anonymous memory
  unsigned long anonymousKiB = 0;  // pages copied on write (relocations): exist nowhere else
  unsigned long swapKiB = 0;       // the same, swapped out
};

// True when dropping the mapping's page-table entries loses nothing: a private, read-only
// mapping of a file with no page copied on write, resident or swapped out (those would be
// re-read from the file).
[[nodiscard]] bool canDropMapping(const MappingFacts& mapping);

// Drops the resident pages of every droppable mapping from this process (they fault back from
// the page cache when touched) and returns the allocator's free pages to the kernel. Call when
// a burst of one-time work (start-up, key generation) has ended. Best effort, never fails.
void releaseStartupMemory();

}  // namespace decnet::decoy
