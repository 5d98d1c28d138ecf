#include "agents/runtime/descriptor_slots.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

namespace decnet::agents {
namespace {

// Whether descriptors `a` and `b` refer to the same file.
bool sameFile(int a, int b) {
  struct stat first {
  }, second{};
  return ::fstat(a, &first) == 0 && ::fstat(b, &second) == 0 && first.st_dev == second.st_dev &&
         first.st_ino == second.st_ino;
}

TEST(DescriptorSlotsTest, HoldsDescriptorsInLowSlotsAndLetsGoOfThem) {
  const int devNull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  DescriptorSlots slots(4);
  ASSERT_TRUE(slots.usable());
  EXPECT_GE(slots.highest(), 4 + static_cast<int>(DescriptorSlots::kCount) - 1);

  const int file = ::open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(file, 0);
  const int slot = slots.hold(1, file);
  ASSERT_GE(slot, 4);
  ASSERT_LE(slot, slots.highest());
  EXPECT_TRUE(sameFile(slot, file));
  EXPECT_EQ(::fcntl(slot, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC) << "never inherited by accident";
  ::close(file);
  EXPECT_EQ(slots.hold(2, -1), -1) << "nothing to hold";
  EXPECT_EQ(slots.hold(DescriptorSlots::kCount, devNull), -1) << "no such slot";

  slots.release();
  EXPECT_TRUE(sameFile(slot, devNull)) << "the slot no longer keeps the file open";
  ::close(devNull);
}

}  // namespace
}  // namespace decnet::agents
