// The process runtime and the decoys' keygen lock: held while decoys start, free once starts stop.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "agents/runtime/runtime_driver.h"

namespace decnet::agents {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class ProcessRuntimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/decnet-runtime-XXXXXX";
    dir_ = ::mkdtemp(pattern);
    // A stand-in decoy: ignores its arguments and stays up until stopped.
    binary_ = dir_ + "/decoy.sh";
    std::ofstream(binary_) << "#!/bin/sh\nexec sleep 30\n";
    fs::permissions(binary_, fs::perms::owner_all);
  }
  void TearDown() override { fs::remove_all(dir_); }

  RuntimeDriverPtr runtime() { return makeProcessRuntime({binary_, dir_, "nobody", false}); }
  std::string lockPath() const { return dir_ + "/state/.keygen.lock"; }

  // True when a decoy polling for the keygen lock would get it now.
  bool keygenFree() const {
    const int fd = ::open(lockPath().c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) return false;
    const bool taken = ::flock(fd, LOCK_EX | LOCK_NB) == 0;
    ::close(fd);  // releases it again
    return taken;
  }

  // Calls supervise() as the agent's loop does (every 100 ms) for `duration`.
  static void superviseFor(RuntimeDriver& runtime, std::chrono::milliseconds duration) {
    const auto end = std::chrono::steady_clock::now() + duration;
    while (std::chrono::steady_clock::now() < end) {
      (void)runtime.supervise();
      std::this_thread::sleep_for(100ms);
    }
  }

  std::string dir_, binary_;
};

TEST_F(ProcessRuntimeTest, HoldsTheKeygenLockWhileDecoysStartAndLetsGoAfter) {
  auto driver = runtime();
  EXPECT_TRUE(keygenFree()) << "nothing started yet";
  ASSERT_TRUE(driver->ensure({"d1", "", "d1", api::Json::object(), 0}));
  ASSERT_TRUE(driver->ensure({"d2", "", "d2", api::Json::object(), 0}));
  EXPECT_FALSE(keygenFree()) << "no key is made while decoys start";
  superviseFor(*driver, 1000ms);
  EXPECT_FALSE(keygenFree()) << "still within the quiet period after the last start";
  superviseFor(*driver, 1500ms);
  EXPECT_TRUE(keygenFree()) << "2 s without a start: the decoys make their keys";
  ASSERT_TRUE(driver->remove("d1"));
  ASSERT_TRUE(driver->remove("d2"));
}

TEST_F(ProcessRuntimeTest, AStartDoesNotWaitForADecoyMakingItsKey) {
  auto driver = runtime();
  // A decoy holds the lock, making its key.
  const int decoy = ::open(lockPath().c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(decoy, 0);
  ASSERT_EQ(::flock(decoy, LOCK_EX | LOCK_NB), 0);
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(driver->ensure({"d1", "", "d1", api::Json::object(), 0}));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  ::close(decoy);  // its key is done
  // The next start takes the lock.
  ASSERT_TRUE(driver->ensure({"d2", "", "d2", api::Json::object(), 0}));
  EXPECT_FALSE(keygenFree());
  ASSERT_TRUE(driver->remove("d1"));
  ASSERT_TRUE(driver->remove("d2"));
}

}  // namespace
}  // namespace decnet::agents
