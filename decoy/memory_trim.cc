#include "decoy/memory_trim.h"

#include <malloc.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <unistd.h>

namespace decnet::decoy {
namespace {

// Removes `hole` from every range of `ranges`, splitting a range the hole lies inside.
void subtract(std::vector<PageRange>& ranges, PageRange hole) {
  std::vector<PageRange> kept;
  for (const PageRange& range : ranges) {
    if (hole.end <= range.start || hole.start >= range.end) {
      kept.push_back(range);
      continue;
    }
    if (range.start < hole.start) kept.push_back({range.start, hole.start});
    if (hole.end < range.end) kept.push_back({hole.end, range.end});
  }
  ranges = std::move(kept);
}

struct Collected {
  std::uintptr_t vdso = 0;  // the kernel's vDSO image: not a file, left alone
  std::size_t pageSize = 4096;
  std::vector<PageRange> ranges;
};

int collect(dl_phdr_info* info, std::size_t, void* data) {
  auto* collected = static_cast<Collected*>(data);
  // The vDSO's program headers follow its ELF header, at the address the kernel gave.
  const auto headersAt = reinterpret_cast<std::uintptr_t>(info->dlpi_phdr);
  if (collected->vdso != 0 && headersAt >= collected->vdso &&
      headersAt < collected->vdso + collected->pageSize) {
    return 0;
  }
  for (const PageRange& range :
       droppablePages(info->dlpi_addr, {info->dlpi_phdr, info->dlpi_phnum}, collected->pageSize)) {
    collected->ranges.push_back(range);
  }
  return 0;
}

}  // namespace

std::vector<PageRange> droppablePages(std::uintptr_t base, std::span<const ElfW(Phdr)> headers,
                                      std::size_t pageSize) {
  const auto down = [&](std::uintptr_t address) { return address & ~(pageSize - 1); };
  const auto up = [&](std::uintptr_t address) { return down(address + pageSize - 1); };
  const auto pagesOf = [&](const ElfW(Phdr) & header) {
    return PageRange{down(base + header.p_vaddr), up(base + header.p_vaddr + header.p_memsz)};
  };
  std::vector<PageRange> ranges;
  for (const auto& header : headers) {
    if (header.p_type == PT_LOAD && (header.p_flags & PF_W) == 0 && header.p_memsz > 0) {
      ranges.push_back(pagesOf(header));
    }
  }
  for (const auto& header : headers) {
    const bool written =
        (header.p_type == PT_LOAD && (header.p_flags & PF_W) != 0) || header.p_type == PT_GNU_RELRO;
    if (written && header.p_memsz > 0) subtract(ranges, pagesOf(header));
  }
  return ranges;
}

// Start-up (the dynamic linker, static constructors, OpenSSL and libssh initialisation) touches
// code and read-only data of the binary and its libraries that serving never runs, and the
// kernel's fault-around maps up to 16 neighbours of every page touched. Dropping this process's
// page-table entries once leaves only what serving touches again (re-faulted from the page
// cache, with its neighbours). The drops come last: a library function called for the first
// time after them would walk every library's symbol tables (lazy binding) and fault them back.
// The ranges come from the loaded objects' program headers, not from /proc/self/smaps, whose
// page-table walk of every mapping cost as much as the rest of the trim together.
void releaseStartupMemory() {
  Collected collected;
  collected.vdso = ::getauxval(AT_SYSINFO_EHDR);
  if (const long size = ::sysconf(_SC_PAGESIZE); size > 0) {
    collected.pageSize = static_cast<std::size_t>(size);
  }
  ::dl_iterate_phdr(collect, &collected);
  ::malloc_trim(0);
  for (const PageRange& range : collected.ranges) {
    ::madvise(reinterpret_cast<void*>(range.start), range.end - range.start, MADV_DONTNEED);
  }
}

}  // namespace decnet::decoy
