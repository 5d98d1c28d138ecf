#pragma once
// The decoy's start-up leaves pages of the binary and its libraries mapped, and heap free, that
// serving never touches again. These calls hand them back, so a decoy is charged only for what
// it uses.
#include <link.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace decnet::decoy {

// [start, end) in bytes, page-aligned.
struct PageRange {
  std::uintptr_t start = 0, end = 0;
};

// The whole pages of one loaded ELF object (load bias `base`, its program headers) whose
// page-table entries can be dropped without losing anything: pages of read-only PT_LOAD
// segments, which fault back from the file. Pages shared with a writable segment or with the
// RELRO range (written by the dynamic linker's relocations, then made read-only) are kept.
[[nodiscard]] std::vector<PageRange> droppablePages(std::uintptr_t base,
                                                    std::span<const ElfW(Phdr)> headers,
                                                    std::size_t pageSize);

// Drops the resident pages of every loaded object's droppable pages from this process (they
// fault back from the page cache when touched) and returns the allocator's free pages to the
// kernel. Call when a burst of one-time work (start-up, key generation) has ended. Best effort,
// never fails.
void releaseStartupMemory();

}  // namespace decnet::decoy
