#include "decoy/memory_trim.h"

#include <malloc.h>
#include <sys/mman.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace decnet::decoy {

bool canDropMapping(const MappingFacts& mapping) {
  const std::string_view perms = mapping.permissions;
  return mapping.inode != 0 && perms.size() == 4 && perms[0] == 'r' && perms[1] == '-' &&
         perms[3] == 'p' && mapping.anonymousKiB == 0 && mapping.swapKiB == 0;
}

namespace {

struct Range {
  unsigned long start = 0, end = 0;
};

// The mappings whose pages can be dropped, from /proc/self/smaps.
std::vector<Range> droppableMappings() {
  std::vector<Range> droppable;
  std::FILE* smaps = std::fopen("/proc/self/smaps", "re");
  if (smaps == nullptr) return droppable;
  // A mapping's header line comes first, its "Anonymous:" line later: decide on that line.
  Range current;
  unsigned long inode = 0, anonymous = 0;
  char perms[8] = {};
  bool inMapping = false;
  char line[512];
  while (std::fgets(line, sizeof line, smaps) != nullptr) {
    // Most lines are other "Key: value" lines: told apart by their first bytes, without a scan
    // (sscanf on every line was most of a decoy start's user time in this function).
    if (std::strncmp(line, "Anonymous:", 10) == 0) {
      if (inMapping) anonymous = std::strtoul(line + 10, nullptr, 10);
      continue;
    }
    if (std::strncmp(line, "Swap:", 5) == 0) {
      // "Swap:" comes after "Anonymous:"; decide here.
      if (inMapping &&
          canDropMapping({perms, inode, anonymous, std::strtoul(line + 5, nullptr, 10)})) {
        droppable.push_back(current);
      }
      inMapping = false;
      continue;
    }
    // A mapping's header starts with its address in lower-case hex; keys start upper-case.
    const char first = line[0];
    if (!((first >= '0' && first <= '9') || (first >= 'a' && first <= 'f'))) continue;
    unsigned long lineStart = 0, lineEnd = 0, lineInode = 0;
    char linePerms[8] = {};
    if (std::sscanf(line, "%lx-%lx %7s %*s %*s %lu", &lineStart, &lineEnd, linePerms, &lineInode) ==
        4) {
      current = {lineStart, lineEnd};
      inode = lineInode;
      std::memcpy(perms, linePerms, sizeof perms);
      anonymous = ~0UL;  // unknown until its line: never dropped without it
      inMapping = true;
    }
  }
  std::fclose(smaps);
  return droppable;
}

}  // namespace

// Start-up (the dynamic linker, static constructors, OpenSSL and libssh initialisation) touches
// code and read-only data of the binary and its libraries that serving never runs, and the
// kernel's fault-around maps up to 16 neighbours of every page touched. Dropping this process's
// page-table entries once leaves only what serving touches again (re-faulted from the page
// cache, with its neighbours). The drops come last: a library function called for the first
// time after them would walk every library's symbol tables (lazy binding) and fault them back.
void releaseStartupMemory() {
  const std::vector<Range> droppable = droppableMappings();
  ::malloc_trim(0);
  for (const Range& range : droppable) {
    ::madvise(reinterpret_cast<void*>(range.start), range.end - range.start, MADV_DONTNEED);
  }
}

}  // namespace decnet::decoy
