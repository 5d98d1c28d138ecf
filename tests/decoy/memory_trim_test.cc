#include "decoy/memory_trim.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstring>

namespace decnet::decoy {
namespace {

constexpr std::size_t kPage = 4096;

ElfW(Phdr)
    segment(std::uint32_t type, std::uint32_t flags, std::uintptr_t address, std::size_t size) {
  ElfW(Phdr) header{};
  header.p_type = type;
  header.p_flags = flags;
  header.p_vaddr = address;
  header.p_memsz = size;
  header.p_filesz = size;
  return header;
}

TEST(MemoryTrimTest, DropsWholePagesOfReadOnlySegmentsOnly) {
  const std::array headers = {
      segment(PT_PHDR, PF_R, 0x40, 0x100),
      segment(PT_LOAD, PF_R, 0x0, 0x1234),            // headers, .rodata: pages 0-1
      segment(PT_LOAD, PF_R | PF_X, 0x2000, 0x3000),  // .text: pages 2-4
      segment(PT_LOAD, PF_R, 0x5000, 0x1800),         // ends inside page 6 ...
      segment(PT_LOAD, PF_R | PF_W, 0x6800, 0x2000),  // ... which the data segment shares
      segment(PT_GNU_RELRO, PF_R, 0x6800, 0x1000),    // relocated, then made read-only
      segment(PT_LOAD, PF_R, 0x10000, 0),             // empty: nothing
  };
  const std::uintptr_t base = 0x7f0000000000;
  const auto ranges = droppablePages(base, headers, kPage);
  ASSERT_EQ(ranges.size(), 3u);
  EXPECT_EQ(ranges[0].start, base + 0x0);
  EXPECT_EQ(ranges[0].end, base + 0x2000) << "a partly used last page is still a file page";
  EXPECT_EQ(ranges[1].start, base + 0x2000);
  EXPECT_EQ(ranges[1].end, base + 0x5000);
  EXPECT_EQ(ranges[2].start, base + 0x5000);
  EXPECT_EQ(ranges[2].end, base + 0x6000) << "the page shared with writable data is kept";
}

TEST(MemoryTrimTest, KeepsRelroEvenInsideAReadOnlySegment) {
  const std::array headers = {
      segment(PT_LOAD, PF_R, 0x0, 0x8000),
      segment(PT_GNU_RELRO, PF_R, 0x3100, 0x1000),  // pages 3 and 4
  };
  const auto ranges = droppablePages(0, headers, kPage);
  ASSERT_EQ(ranges.size(), 2u);
  EXPECT_EQ(ranges[0].start, 0x0u);
  EXPECT_EQ(ranges[0].end, 0x3000u);
  EXPECT_EQ(ranges[1].start, 0x5000u);
  EXPECT_EQ(ranges[1].end, 0x8000u);
}

// Read-only data of this test binary (.rodata of a read-only segment), 64 pages of it.
constexpr auto kTable = [] {
  std::array<unsigned char, 64 * kPage> table{};
  for (std::size_t i = 0; i < table.size(); ++i) table[i] = static_cast<unsigned char>(i * 7 + 1);
  return table;
}();

// Pointers the dynamic linker relocates at start (.data.rel.ro, inside RELRO in a PIE).
const char* const kNames[] = {"alpha", "bravo", "charlie", "delta"};

// Whether pages are mapped into this process (/proc/self/pagemap's "present" bit). The file is
// opened first: after the trim, reading its name's string literal would fault .rodata in again,
// and the kernel maps a fault's neighbours too (fault-around).
class PageMap {
 public:
  PageMap() : fd_(::open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC)) {}
  ~PageMap() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool open() const { return fd_ >= 0; }
  bool present(const void* address) const {
    std::uint64_t entry = 0;
    const auto offset = static_cast<off_t>(reinterpret_cast<std::uintptr_t>(address) / kPage * 8);
    return ::pread(fd_, &entry, sizeof entry, offset) == sizeof entry && (entry >> 63) != 0;
  }

 private:
  int fd_;
};

TEST(MemoryTrimTest, DropsCleanPagesOfLoadedObjectsAndKeepsRelocatedOnes) {
  ASSERT_EQ(static_cast<std::size_t>(::sysconf(_SC_PAGESIZE)), kPage);
  const PageMap pages;
  ASSERT_TRUE(pages.open());
  const unsigned char* volatile table = kTable.data();
  const char* const* volatile names = kNames;
  // A page in the middle of the table, away from other read-only data.
  const std::size_t offset = kTable.size() / 2;
  const unsigned char* page = table + offset;
  EXPECT_EQ(page[0], static_cast<unsigned char>(offset * 7 + 1));  // touched: mapped
  ASSERT_TRUE(pages.present(page));
  ASSERT_TRUE(pages.present(names));

  releaseStartupMemory();
  const bool tablePresent = pages.present(page);
  const bool namesPresent = pages.present(names);

  EXPECT_FALSE(tablePresent) << "a read-only file page is dropped";
  EXPECT_TRUE(namesPresent) << "relocated pointers exist only in this process";
  EXPECT_STREQ(names[2], "charlie") << "and keep their relocated values";
  EXPECT_EQ(page[1], static_cast<unsigned char>((offset + 1) * 7 + 1))
      << "a dropped page faults back from the file";
}

}  // namespace
}  // namespace decnet::decoy
