#include "decoy/memory_trim.h"

#include <malloc.h>
#include <sys/mman.h>

#include <cstdio>
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
    // Parsed into temporaries: a partial match ("Anonymous" starts with a hex digit) still
    // writes its first fields.
    unsigned long lineStart = 0, lineEnd = 0, lineInode = 0, anonymousKiB = 0, swapKiB = 0;
    char linePerms[8] = {};
    if (std::sscanf(line, "%lx-%lx %7s %*s %*s %lu", &lineStart, &lineEnd, linePerms, &lineInode) ==
        4) {
      current = {lineStart, lineEnd};
      inode = lineInode;
      std::memcpy(perms, linePerms, sizeof perms);
      anonymous = ~0UL;  // unknown until its line: never dropped without it
      inMapping = true;
    } else if (inMapping && std::sscanf(line, "Anonymous: %lu kB", &anonymousKiB) == 1) {
      anonymous = anonymousKiB;
    } else if (inMapping && std::sscanf(line, "Swap: %lu kB", &swapKiB) == 1) {
      // "Swap:" comes after "Anonymous:"; decide here.
      inMapping = false;
      if (canDropMapping({perms, inode, anonymous, swapKiB})) droppable.push_back(current);
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
