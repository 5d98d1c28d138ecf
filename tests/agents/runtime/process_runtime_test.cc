// The process runtime and the decoys' keygen lock: held while decoys start, free once starts stop.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <thread>
#include <vector>

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

// A stand-in named decnet-decoy that passes the agent's adoption check (its command line keeps
// the decoy's name and --decky), copies the spec it was handed to <dir>/<decky>.spec, and stays up.
std::string writeNamedStandIn(const std::string& dir) {
  const std::string path = dir + "/decnet-decoy";
  std::ofstream(path) << "#!/bin/bash\n"
                         "decky=; fd=\n"
                         "for ((i = 1; i < $#; i++)); do j=$((i + 1)); case \"${!i}\" in\n"
                         "  --decky) decky=${!j} ;; --spec-fd) fd=${!j} ;; esac; done\n"
                         "cat <&$fd > " +
                             dir +
                             "/$decky.spec\n"
                             "exec -a decnet-decoy /bin/sh -c 'sleep 30; :' decnet-decoy \"$@\"\n";
  fs::permissions(path, fs::perms::owner_all);
  return path;
}

std::string readAll(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Waits until the stand-in has copied its spec and taken the decoy's name (up to 5 s).
bool standInReady(int pid) {
  for (int i = 0; i < 100; ++i) {
    if (readAll("/proc/" + std::to_string(pid) + "/cmdline").rfind("decnet-decoy", 0) == 0) {
      return true;
    }
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

// Starts decoy d1 (hostname host-1) from `binary` under an agent that then stops, as after a
// crash: its decoy keeps running. The decoy's state; pid 0 when it did not come up.
DecoyState startUnderAnAgentThatStops(const std::string& dir, const std::string& binary,
                                      const api::Json& spec) {
  auto driver = makeProcessRuntime({binary, dir, "nobody", false});
  auto started = driver->ensure({"d1", "", "host-1", spec, 0});
  if (!started || !standInReady(started->pid)) return {};
  return *started;
}

// Every descriptor of this process, and what each refers to.
std::map<int, std::string> descriptorsOf(const std::string& pid) {
  std::map<int, std::string> found;
  for (const auto& entry : fs::directory_iterator("/proc/" + pid + "/fd")) {
    std::error_code error;
    const auto target = fs::read_symlink(entry.path(), error);
    if (!error) found[std::stoi(entry.path().filename().string())] = target.string();
  }
  return found;
}

TEST_F(ProcessRuntimeTest, ADecoyGetsItsOwnDescriptorsAndNoneOfTheAgents) {
  auto driver = runtime();  // the stand-in execs sleep, which keeps what it was given
  // Then, as in the agent, many more descriptors (a pidfd per decoy, a socket per namespace),
  // some without close-on-exec.
  const std::string agentOnly = dir_ + "/agent-only";
  std::ofstream(agentOnly) << "x";
  std::vector<int> held;
  for (int i = 0; i < 300; ++i) {
    held.push_back(::open(agentOnly.c_str(), i % 2 ? O_RDONLY : O_RDONLY | O_CLOEXEC));
  }
  auto started = driver->ensure({"d1", "", "d1", api::Json::object(), 0});
  ASSERT_TRUE(started);
  const std::string pid = std::to_string(started->pid);
  for (int i = 0; i < 100 && readAll("/proc/" + pid + "/cmdline").rfind("sleep", 0) != 0; ++i) {
    std::this_thread::sleep_for(50ms);
  }
  // sleep's own start-up opens and closes a few files (locale data): wait for those to go; a
  // descriptor handed down by mistake stays.
  std::map<int, std::string> decoy = descriptorsOf(pid);
  for (int i = 0; i < 40 && !decoy.empty() && decoy.rbegin()->first > 3; ++i) {
    std::this_thread::sleep_for(50ms);
    decoy = descriptorsOf(pid);
  }
  EXPECT_EQ(decoy.size(), 4u);
  EXPECT_EQ(decoy[0], "/dev/null");
  EXPECT_EQ(decoy[1], decoyLogPath(dir_, "d1"));
  EXPECT_EQ(decoy[2], dir_ + "/logs/decoys.stderr") << "one stderr for all decoys";
  EXPECT_EQ(decoy[3].rfind("/memfd:decky-spec", 0), 0u) << decoy[3];
  for (const auto& [fd, target] : decoy) {
    EXPECT_LE(fd, 3) << "descriptor " << fd << " -> " << target;
  }
  // Nothing the decoy was handed stays open in the agent, but for the shared stderr.
  for (const auto& [fd, target] : descriptorsOf("self")) {
    EXPECT_NE(target, decoyLogPath(dir_, "d1")) << "descriptor " << fd;
    EXPECT_EQ(target.find("decky-spec"), std::string::npos) << "descriptor " << fd;
  }
  for (int fd : held) ::close(fd);
  ASSERT_TRUE(driver->remove("d1"));
}

TEST_F(ProcessRuntimeTest, HandsTheSpecOnADescriptorAndARestartedAgentAdoptsFromTheRecord) {
  const std::string binary = writeNamedStandIn(dir_);
  const api::Json spec = {{"services", api::Json::array({{{"name", "ssh"}}})}};
  int pid = 0;
  {
    auto driver = makeProcessRuntime({binary, dir_, "nobody", false});
    auto started = driver->ensure({"d1", "", "host-1", spec, 0});
    ASSERT_TRUE(started);
    pid = started->pid;
    ASSERT_TRUE(standInReady(pid));
    const api::Json seen = api::Json::parse(readAll(dir_ + "/d1.spec"), nullptr, false);
    ASSERT_TRUE(seen.is_object()) << "the decoy read no JSON from its --spec-fd";
    EXPECT_EQ(seen["spec"], spec);
    EXPECT_EQ(seen["hostname"], "host-1");
    EXPECT_FALSE(fs::exists(dir_ + "/run/d1.pid")) << "no file per decoy";
    EXPECT_FALSE(fs::exists(dir_ + "/run/d1.json")) << "no file per decoy";
  }  // the agent stops; its decoys keep running
  ASSERT_EQ(::kill(pid, 0), 0);
  auto restarted = makeProcessRuntime({binary, dir_, "nobody", false});
  ASSERT_EQ(restarted->list(), std::vector<std::string>{"d1"});
  EXPECT_EQ(restarted->state("d1").pid, pid);
  // The same spec keeps the adopted decoy: no restart.
  auto kept = restarted->ensure({"d1", "", "host-1", spec, 0});
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->pid, pid);
  ASSERT_TRUE(restarted->remove("d1"));
  EXPECT_EQ(::waitpid(pid, nullptr, WNOHANG), pid) << "stopped (a child of this test: reaped here)";
  restarted.reset();
  EXPECT_TRUE(makeProcessRuntime({binary, dir_, "nobody", false})->list().empty())
      << "the stop is recorded: nothing to adopt";
}

TEST_F(ProcessRuntimeTest, AdoptsADecoyRecordedByTheAgentBeforeInItsOwnFile) {
  const std::string binary = writeNamedStandIn(dir_);
  const api::Json spec = {{"services", api::Json::array({{{"name", "ssh"}}})}};
  const DecoyState started = startUnderAnAgentThatStops(dir_, binary, spec);
  const int pid = started.pid;
  ASSERT_GT(pid, 0);
  const api::Json record = {{"pid", pid},
                            {"hash", started.specHash},
                            {"namespace", ""},
                            {"hostname", "host-1"},
                            {"spec", spec}};
  // As the agent before decoys.jsonl left it: run/<decky>.json holding the whole record.
  fs::remove(dir_ + "/run/decoys.jsonl");
  std::ofstream(dir_ + "/run/d1.json") << record.dump();
  auto restarted = makeProcessRuntime({binary, dir_, "nobody", false});
  ASSERT_EQ(restarted->list(), std::vector<std::string>{"d1"});
  auto kept = restarted->ensure({"d1", "", "host-1", spec, 0});
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->pid, pid) << "same spec hash: no restart";
  EXPECT_FALSE(fs::exists(dir_ + "/run/d1.json")) << "folded into run/decoys.jsonl";
  ASSERT_TRUE(restarted->remove("d1"));
  EXPECT_EQ(::waitpid(pid, nullptr, WNOHANG), pid) << "stopped (a child of this test: reaped here)";
}

TEST_F(ProcessRuntimeTest, EveryDecoyWritesItsStderrToTheOneSharedFile) {
  // A stand-in that complains on stderr, as a decoy does when something is wrong.
  const std::string binary = dir_ + "/complaining.sh";
  std::ofstream(binary) << "#!/bin/sh\necho \"complaint from $2\" >&2\nexec sleep 30\n";
  fs::permissions(binary, fs::perms::owner_all);
  auto driver = makeProcessRuntime({binary, dir_, "nobody", false});
  ASSERT_TRUE(driver->ensure({"d1", "", "d1", api::Json::object(), 0}));
  ASSERT_TRUE(driver->ensure({"d2", "", "d2", api::Json::object(), 0}));
  std::string errors;
  for (int i = 0; i < 100; ++i) {
    errors = readAll(dir_ + "/logs/decoys.stderr");
    if (errors.find("from d1") != std::string::npos && errors.find("from d2") != std::string::npos)
      break;
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_NE(errors.find("complaint from d1\n"), std::string::npos) << errors;
  EXPECT_NE(errors.find("complaint from d2\n"), std::string::npos) << errors;
  EXPECT_FALSE(fs::exists(dir_ + "/logs/d1.stderr"));
  EXPECT_EQ(readAll(decoyLogPath(dir_, "d1")).find("complaint"), std::string::npos)
      << "stderr stays out of the event log";
  ASSERT_TRUE(driver->remove("d1"));
  ASSERT_TRUE(driver->remove("d2"));
}

TEST_F(ProcessRuntimeTest, TheSharedStderrIsRotatedBeyondEightMebibytes) {
  fs::create_directories(dir_ + "/logs");
  std::ofstream(dir_ + "/logs/decoys.stderr") << "old complaint\n";
  fs::resize_file(dir_ + "/logs/decoys.stderr", (8 << 20) + 1);
  auto driver = runtime();  // checked at the start and at every 10 s sweep
  EXPECT_EQ(fs::file_size(dir_ + "/logs/decoys.stderr.1"), (8u << 20) + 1);
  EXPECT_EQ(fs::file_size(dir_ + "/logs/decoys.stderr"), 0u);
  ASSERT_TRUE(driver->ensure({"d1", "", "d1", api::Json::object(), 0}));
  const auto descriptors = descriptorsOf(std::to_string(driver->state("d1").pid));
  ASSERT_TRUE(descriptors.contains(2));
  EXPECT_EQ(descriptors.at(2), dir_ + "/logs/decoys.stderr") << "a new decoy gets the new file";
  ASSERT_TRUE(driver->remove("d1"));
}

TEST_F(ProcessRuntimeTest, AdoptsADecoyRecordedByAnOlderAgentInAPidFile) {
  const std::string binary = writeNamedStandIn(dir_);
  const api::Json spec = {{"services", api::Json::array({{{"name", "http"}}})}};
  const DecoyState started = startUnderAnAgentThatStops(dir_, binary, spec);
  const int pid = started.pid;
  const std::string hash = started.specHash;
  ASSERT_GT(pid, 0);
  // Rewritten as older agents left it: "PID HASH" in run/d1.pid, only the spec in run/d1.json.
  std::ofstream(dir_ + "/run/d1.pid") << pid << " " << hash << "\n";
  std::ofstream(dir_ + "/run/d1.json", std::ios::trunc)
      << api::Json{{"namespace", ""}, {"hostname", "host-1"}, {"spec", spec}}.dump();
  auto restarted = makeProcessRuntime({binary, dir_, "nobody", false});
  ASSERT_EQ(restarted->list(), std::vector<std::string>{"d1"});
  auto kept = restarted->ensure({"d1", "", "host-1", spec, 0});
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->pid, pid) << "the spec hash came over from the pid file: no restart";
  EXPECT_FALSE(fs::exists(dir_ + "/run/d1.pid"));
  ASSERT_TRUE(restarted->remove("d1"));
  EXPECT_EQ(::waitpid(pid, nullptr, WNOHANG), pid) << "stopped (a child of this test: reaped here)";
}

}  // namespace
}  // namespace decnet::agents
