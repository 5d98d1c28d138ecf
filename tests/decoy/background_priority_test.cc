#include "decoy/background_priority.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

namespace decnet::decoy {
namespace {

// The nice value of this process's autogroup, or -100 without one.
int autogroupNice() {
  std::ifstream in("/proc/self/autogroup");
  std::string name, word;
  int nice = -100;
  in >> name >> word >> nice;
  return word == "nice" ? nice : -100;
}

TEST(BackgroundPriorityTest, LowersTheWholeSessionAndPutsItBack) {
  const int before = autogroupNice();
  if (before == -100) GTEST_SKIP() << "this kernel has no autogroup scheduling";
  BackgroundPriority priority;
  EXPECT_EQ(priority.original(), before);
  ASSERT_TRUE(priority.lower());
  EXPECT_EQ(autogroupNice(), 19);
  ASSERT_TRUE(priority.restore());
  EXPECT_EQ(autogroupNice(), before);
}

}  // namespace
}  // namespace decnet::decoy
