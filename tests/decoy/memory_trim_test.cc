#include "decoy/memory_trim.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace decnet::decoy {
namespace {

TEST(MemoryTrimTest, DropsOnlyPrivateReadOnlyFilePagesNeverCopied) {
  EXPECT_TRUE(canDropMapping({"r-xp", 42, 0}));
  EXPECT_TRUE(canDropMapping({"r--p", 42, 0}));
  EXPECT_FALSE(canDropMapping({"r--p", 42, 4})) << "relocated pages exist nowhere else";
  EXPECT_FALSE(canDropMapping({"r--p", 42, 0, 8})) << "nor when they are swapped out";
  EXPECT_FALSE(canDropMapping({"rw-p", 42, 0}));
  EXPECT_FALSE(canDropMapping({"r--s", 42, 0}));
  EXPECT_FALSE(canDropMapping({"r-xp", 0, 0})) << "anonymous memory";
  EXPECT_FALSE(canDropMapping({"---p", 42, 0}));
  EXPECT_FALSE(canDropMapping({"", 42, 0}));
}

// Resident KiB of the mapping that starts at `address`, from /proc/self/smaps; -1 if none.
long residentKiB(const void* address) {
  std::FILE* smaps = std::fopen("/proc/self/smaps", "re");
  if (smaps == nullptr) return -1;
  const auto wanted = reinterpret_cast<unsigned long>(address);
  bool found = false;
  long rss = -1;
  char line[512];
  while (std::fgets(line, sizeof line, smaps) != nullptr) {
    unsigned long start = 0, end = 0;
    if (std::sscanf(line, "%lx-%lx ", &start, &end) == 2 && line[0] != 'R') {
      found = start == wanted;
    } else if (found && std::sscanf(line, "Rss: %ld kB", &rss) == 1) {
      break;
    }
  }
  std::fclose(smaps);
  return rss;
}

class TempFile {
 public:
  explicit TempFile(size_t size) {
    char pattern[] = "/tmp/decnet-trim-XXXXXX";
    fd_ = ::mkstemp(pattern);
    path_ = pattern;
    const std::string pages(size, 'f');
    EXPECT_EQ(::write(fd_, pages.data(), pages.size()), static_cast<ssize_t>(size));
  }
  ~TempFile() {
    ::close(fd_);
    ::unlink(path_.c_str());
  }
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
  std::string path_;
};

TEST(MemoryTrimTest, ReleasesCleanPagesAndKeepsCopiedOnes) {
  constexpr size_t kSize = 16 * 4096;
  TempFile file(kSize);
  // Read-only data as a library's .rodata: read, then trimmed away.
  auto* clean =
      static_cast<volatile char*>(::mmap(nullptr, kSize, PROT_READ, MAP_PRIVATE, file.fd(), 0));
  ASSERT_NE(clean, MAP_FAILED);
  // As RELRO: written after mapping (copied on write), then made read-only.
  auto* relocated =
      static_cast<char*>(::mmap(nullptr, kSize, PROT_READ | PROT_WRITE, MAP_PRIVATE, file.fd(), 0));
  ASSERT_NE(relocated, MAP_FAILED);
  relocated[5] = 'r';
  ASSERT_EQ(::mprotect(relocated, kSize, PROT_READ), 0);
  char sum = 0;
  for (size_t offset = 0; offset < kSize; offset += 4096) sum += clean[offset];
  EXPECT_EQ(sum, static_cast<char>('f' * 16));
  ASSERT_EQ(residentKiB(const_cast<char*>(clean)), static_cast<long>(kSize / 1024));

  releaseStartupMemory();

  EXPECT_EQ(residentKiB(const_cast<char*>(clean)), 0);
  EXPECT_GT(residentKiB(relocated), 0);
  EXPECT_EQ(relocated[5], 'r') << "a copied page must survive the trim";
  EXPECT_EQ(clean[4096 * 3], 'f') << "a dropped page faults back from the file";
  ::munmap(const_cast<char*>(clean), kSize);
  ::munmap(relocated, kSize);
}

}  // namespace
}  // namespace decnet::decoy
