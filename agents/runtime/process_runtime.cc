#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "agents/runtime/decoy_mount_namespace.h"
#include "agents/runtime/decoy_records.h"
#include "agents/runtime/descriptor_slots.h"
#include "agents/runtime/runtime_driver.h"
#include "agents/write_fully.h"
#include "api/types/clock.h"
#include "api/types/hash.h"

namespace decnet::agents {
namespace fs = std::filesystem;

namespace {

using SteadyClock = std::chrono::steady_clock;

// Decoys make their RSA host keys one at a time under a host-wide lock, in the background. While
// the agent starts decoys it holds that lock itself, and lets go once no decoy has started for
// this long: a burst of a thousand starts is not slowed by keys that no decky needs to be Ready.
constexpr auto kKeygenQuiet = std::chrono::seconds(2);

// The decoys' shared stderr is rotated beyond this size (one older file kept).
constexpr off_t kDecoyErrorsLimit = 8 << 20;

std::string hashOf(const DecoySpec& spec) {
  return stableHashHex(spec.namespaceName + "\n" + std::to_string(spec.namespaceId) + "\n" +
                       spec.hostname + "\n" + spec.spec.dump());
}

// The NUL-separated argv of a live process; empty when it is gone.
// Read with read(2): a process exiting during the read makes it fail with ESRCH, which an
// ifstream turns into an exception that would end the agent.
std::vector<std::string> commandLine(int pid) {
  std::vector<std::string> args;
  const int fd =
      ::open(("/proc/" + std::to_string(pid) + "/cmdline").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return args;
  std::string text;
  char buffer[4096];
  ssize_t n = 0;
  while ((n = ::read(fd, buffer, sizeof buffer)) > 0) text.append(buffer, n);
  ::close(fd);
  if (n < 0) return {};
  for (std::size_t start = 0; start < text.size();) {
    const std::size_t end = std::min(text.find('\0', start), text.size());
    args.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return args;
}

// True when `pid` is a decoy serving `decky` (guards against pid reuse after a reboot or crash).
bool isDecoyFor(int pid, const std::string& decky) {
  const auto args = commandLine(pid);
  // decnet-decoy, or `decnet decoy` as started by agents before the lean binary existed.
  bool decoy = !args.empty() && fs::path(args[0]).filename() == "decnet-decoy";
  bool named = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "decoy") decoy = true;
    if (args[i] == "--decky" && i + 1 < args.size() && args[i + 1] == decky) named = true;
  }
  return decoy && named;
}

// A line in the decky's log marking a new decoy incarnation (readiness starts over). Built
// before fork: between fork and exec the child may only make async-signal-safe calls, so it
// writes the two halves around its pid, formatted by hand.
struct StartMarker {
  std::string head;  // "<134>1 TIME DECKY decnet - decoy_start [relay@55555 pid=\""
  std::string tail = "\"] decoy starting\n";
};

StartMarker startMarker(const std::string& decky) {
  return {"<134>1 " + api::formatTime(api::systemClock().now()) + " " + decky +
          " decnet - decoy_start [relay@55555 pid=\""};
}

void writeStartMarker(int fd, const StartMarker& marker, int pid) {
  char digits[16];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + pid % 10);
    pid /= 10;
  } while (pid > 0 && n < 15);
  char buffer[512];
  std::size_t length = 0;
  const auto append = [&](const char* data, std::size_t size) {
    for (std::size_t k = 0; k < size && length < sizeof(buffer); ++k) buffer[length++] = data[k];
  };
  append(marker.head.data(), marker.head.size());
  while (n > 0) append(&digits[--n], 1);
  append(marker.tail.data(), marker.tail.size());
  ssize_t written = ::write(fd, buffer, length);
  (void)written;
}

// The descriptor the decoy reads its spec from (--spec-fd 3).
constexpr int kSpecFd = 3;

// A memfd holding `text`, at offset 0; -1 (errno) on failure. The decoy gets its spec this way,
// not through a file: one file less to create and delete per decky.
int memoryFileWith(const std::string& text) {
  const int fd = ::memfd_create("decky-spec", MFD_CLOEXEC);
  if (fd < 0) return -1;
  if (!writeFully(fd, text)) {
    ::close(fd);
    return -1;
  }
  ::lseek(fd, 0, SEEK_SET);  // the child shares this offset: it reads from the start
  return fd;
}

// What the decoy's child needs between clone and exec, all prepared before.
struct ChildSetup {
  int logFd = -1;
  int errFd = -1;
  int netnsFd = -1;   // the decky's network namespace, entered before the mount namespace
  int mountsFd = -1;  // the decoy mount namespace (decoy_mount_namespace.h)
  int specFd = -1;    // a memfd holding the spec; the decoy reads it as fd kSpecFd
  const StartMarker* marker = nullptr;
  char** argv = nullptr;
  // Above 0: the descriptor fields above hold slots (descriptor_slots.h), all below this
  // number, and the child starts on the agent's own table, keeping only the entries below it.
  int sharedTableBelow = 0;
};

// The child's side: async-signal-safe calls only, on its own stack, then exec.
int childMain(void* argument) {
  const auto* setup = static_cast<const ChildSetup*>(argument);
  // First of all, a table of its own, or the closes below would close the agent's descriptors.
  // Kernels before 5.9 lack CLOSE_RANGE_UNSHARE: they copy the whole table, as without slots.
  if (setup->sharedTableBelow > 0 &&
      ::close_range(static_cast<unsigned>(setup->sharedTableBelow), ~0U, CLOSE_RANGE_UNSHARE) !=
          0 &&
      ::unshare(CLONE_FILES) != 0) {
    std::_Exit(126);
  }
  // The marker must precede everything the decoy writes, so the child writes it.
  writeStartMarker(setup->logFd, *setup->marker, static_cast<int>(::getpid()));
  // Own session: a Ctrl-C on the agent's terminal must not reach the decoys.
  ::setsid();
  ::dup2(setup->logFd, STDOUT_FILENO);
  ::dup2(setup->errFd >= 0 ? setup->errFd : setup->logFd, STDERR_FILENO);
  const int devnull = ::open("/dev/null", O_RDONLY);
  if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
  // The network namespace is reached through /run/netns, which the decoy mount namespace does
  // not show: enter it first.
  if ((setup->netnsFd >= 0 && ::setns(setup->netnsFd, CLONE_NEWNET) != 0) ||
      (setup->mountsFd >= 0 && ::setns(setup->mountsFd, CLONE_NEWNS) != 0)) {
    constexpr char kMessage[] = "decnet agent: cannot enter the decky's namespaces\n";
    ssize_t written = ::write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
    (void)written;
    std::_Exit(126);
  }
  // The spec goes in as kSpecFd (inheritable); nothing else of the agent (API listener,
  // database, netlink sockets) leaks into the decoy.
  if (setup->specFd == kSpecFd) {
    ::fcntl(kSpecFd, F_SETFD, 0);
  } else if (::dup2(setup->specFd, kSpecFd) != kSpecFd) {
    std::_Exit(126);
  }
  ::close_range(kSpecFd + 1, ~0U, 0);
  // The agent blocks SIGINT/SIGTERM for sigwait, and every signal around the clone: the decoy
  // starts with none blocked.
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::execv(setup->argv[0], setup->argv);
  std::_Exit(127);
}

// Starts the decoy as posix_spawn does: the child shares the agent's memory until it execs
// (CLONE_VM | CLONE_VFORK), so a large agent pays no copy-on-write faults per decoy, as it
// did with fork(); with setup.sharedTableBelow, its descriptor table too (CLONE_FILES) until
// it takes the low part of it. Only the calling thread waits, and only until the exec. -1
// (errno) on failure.
pid_t spawnChild(ChildSetup& setup) {
  constexpr std::size_t kStack = 64 * 1024;
  std::unique_ptr<char[]> stack(new char[kStack]);
  sigset_t all, previous;
  sigfillset(&all);
  // No signal may run a handler in the child while it shares our memory.
  ::pthread_sigmask(SIG_SETMASK, &all, &previous);
  const int flags =
      CLONE_VM | CLONE_VFORK | SIGCHLD | (setup.sharedTableBelow > 0 ? CLONE_FILES : 0);
  const pid_t pid = ::clone(childMain, stack.get() + kStack, flags, &setup);
  const int error = errno;
  ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  errno = error;
  return pid;
}

// A pidfd for `pid`: readable once the process has exited (a zombie counts), whoever its parent
// is. -1 when the kernel cannot give one (the callers then fall back to polling).
int openPidFd(int pid) {
  return static_cast<int>(::syscall(SYS_pidfd_open, static_cast<pid_t>(pid), 0));
}

// Waits up to `timeout` for the process behind `pidfd` to exit; true once it has.
bool waitForExit(int pidfd, std::chrono::milliseconds timeout) {
  pollfd watched{pidfd, POLLIN, 0};
  return ::poll(&watched, 1, static_cast<int>(timeout.count())) > 0;
}

class ProcessRuntime final : public RuntimeDriver {
 public:
  explicit ProcessRuntime(ProcessRuntimeOptions options)
      : options_(std::move(options)), exits_(::epoll_create1(EPOLL_CLOEXEC)) {
    std::error_code ec;
    fs::create_directories(runDir(), ec);
    fs::create_directories(options_.dataDir + "/logs", ec);
    fs::create_directories(options_.dataDir + "/state", ec);
    keygenLock_ = ::open(keygenLockPath().c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    decoyErrors_ = openDecoyErrors();
    rotateDecoyErrors();
    if (auto mounts = makeDecoyMountNamespace()) {
      decoyMounts_ = *mounts;
    } else {
      // Decoys then copy the agent's mounts, as before: slower with many deckies, not wrong.
      spdlog::debug("decoys start in the agent's mount namespace: {}", mounts.error().message);
    }
    adopt();
  }

  ~ProcessRuntime() override {
    for (auto& [decky, entry] : entries_) unwatch(entry);
    if (exits_ >= 0) ::close(exits_);
    if (decoyMounts_ >= 0) ::close(decoyMounts_);
    if (keygenLock_ >= 0) ::close(keygenLock_);  // releases the lock when held
    if (decoyErrors_ >= 0) ::close(decoyErrors_);
  }

  Result<DecoyState> ensure(const DecoySpec& spec) override {
    std::lock_guard lock(mutex_);
    const std::string hash = hashOf(spec);
    auto it = entries_.find(spec.decky);
    if (it != entries_.end()) {
      Entry& entry = it->second;
      entry.spec = spec;
      entry.wanted = true;
      if (entry.state.running && entry.state.specHash == hash) return entry.state;
      if (entry.state.running) {
        spdlog::info("decoy {}: spec changed; restarting", spec.decky);
        stopDecoy(entry);
      } else if (SteadyClock::now() < entry.nextStart) {
        return entry.state;  // crashed recently: supervise() restarts it after the backoff
      }
      return startLocked(entry);
    }
    Entry entry;
    entry.spec = spec;
    auto [inserted, ok] = entries_.emplace(spec.decky, std::move(entry));
    (void)ok;
    return startLocked(inserted->second);
  }

  Result<void> remove(const std::string& decky) override {
    // Taken out under the lock, stopped outside it: deckies torn down together wait for their
    // decoys' exits in parallel, not one after the other.
    Entry stopping;
    {
      std::lock_guard lock(mutex_);
      auto it = entries_.find(decky);
      if (it != entries_.end()) {
        unwatch(it->second);  // its epoll entry points into the map node erased here
        stopping = std::move(it->second);
        entries_.erase(it);
      } else if (int pid = records_.pid(decky); pid > 0 && isDecoyFor(pid, decky)) {
        stopping.state.pid = pid;
        stopping.state.running = true;
        stopping.adopted = true;
      }
    }
    if (stopping.state.running) {
      stopping.pidfd = openPidFd(stopping.state.pid);
      stopDecoy(stopping);
    }
    records_.erase(decky);
    std::error_code ec;
    fs::remove_all(statePath(decky), ec);  // a decky deleted for good takes its keys along
    return {};
  }

  DecoyState state(const std::string& decky) override {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(decky);
    return it == entries_.end() ? DecoyState{} : it->second.state;
  }

  std::vector<std::string> list() override {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    for (const auto& [name, entry] : entries_) out.push_back(name);
    return out;
  }

  std::vector<std::string> supervise() override {
    std::lock_guard lock(mutex_);
    const auto now = SteadyClock::now();
    if (holdingKeygen_ && now - lastStart_ >= kKeygenQuiet) {
      ::flock(keygenLock_, LOCK_UN);  // the decoys waiting for it make their keys now
      holdingKeygen_ = false;
    }
    // Decoys whose pidfd turned readable have exited; the rest are left alone, so an idle agent
    // makes one epoll_wait here instead of a syscall per decoy. A sweep every 10 s covers
    // decoys without a pidfd.
    std::array<epoll_event, 64> ready{};
    bool signalled = false;
    for (int n = 64; n == 64;) {
      n = exits_ < 0 ? 0 : ::epoll_wait(exits_, ready.data(), 64, 0);
      for (int i = 0; i < n; ++i) static_cast<Entry*>(ready[i].data.ptr)->exitSignalled = true;
      signalled = signalled || n > 0;
    }
    // Without an exit, a look at every entry once a second is enough: restarts wait for their
    // backoff (1 s at least), and decoys without a pidfd are rare.
    if (!signalled && now - lastScan_ < std::chrono::seconds(1)) return {};
    lastScan_ = now;
    const bool sweep = now - lastSweep_ >= std::chrono::seconds(10);
    if (sweep) {
      lastSweep_ = now;
      rotateDecoyErrors();
    }
    std::vector<std::string> changed;
    for (auto& [name, entry] : entries_) {
      const bool suspect = entry.exitSignalled || entry.pidfd < 0 || sweep;
      entry.exitSignalled = false;
      if (entry.state.running && suspect && exited(entry)) {
        unwatch(entry);
        entry.state.running = false;
        entry.state.restarts++;
        entry.backoff = std::min(std::chrono::seconds(60),
                                 std::max(std::chrono::seconds(1), entry.backoff * 2));
        entry.nextStart = now + entry.backoff;
        spdlog::warn("decoy {} ({}); restarting in {}s", name, entry.state.lastError,
                     entry.backoff.count());
        changed.push_back(name);
      }
      if (entry.state.running && entry.backoff.count() > 0 &&
          now - entry.startedAt > std::chrono::seconds(30)) {
        entry.backoff = std::chrono::seconds(0);  // stable again: the next crash restarts fast
      }
      if (!entry.state.running && entry.wanted && now >= entry.nextStart &&
          !entry.spec.decky.empty()) {
        auto started = startLocked(entry);
        if (!started) spdlog::warn("decoy {}: restart failed: {}", name, started.error().message);
        changed.push_back(name);
      }
    }
    return changed;
  }

 private:
  struct Entry {
    DecoySpec spec;
    DecoyState state;
    bool adopted = false;  // not our child: liveness by kill(0), no waitpid
    bool wanted = true;
    int pidfd = -1;              // the running decoy's, in exits_; -1: none
    bool exitSignalled = false;  // its pidfd turned readable
    std::chrono::seconds backoff{0};
    SteadyClock::time_point nextStart{};
    SteadyClock::time_point startedAt{};
  };

  std::string runDir() const { return options_.dataDir + "/run"; }
  std::string decoyErrorsPath() const { return options_.dataDir + "/logs/decoys.stderr"; }

  int openDecoyErrors() const {
    return ::open(decoyErrorsPath().c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  }

  // Keeps the decoys' shared stderr under kDecoyErrorsLimit: the full file becomes
  // "decoys.stderr.1" (replacing the one before). Running decoys keep writing to the old one
  // until they restart. Run at the start and by the 10 s sweep (under mutex_).
  void rotateDecoyErrors() {
    struct stat status {};
    if (decoyErrors_ < 0 || ::fstat(decoyErrors_, &status) != 0 ||
        status.st_size < kDecoyErrorsLimit) {
      return;
    }
    const std::string path = decoyErrorsPath();
    if (::rename(path.c_str(), (path + ".1").c_str()) != 0) return;
    ::close(decoyErrors_);
    decoyErrors_ = openDecoyErrors();
  }
  std::string keygenLockPath() const { return options_.dataDir + "/state/.keygen.lock"; }
  std::string statePath(const std::string& decky) const {
    return options_.dataDir + "/state/" + decky;
  }

  // Decoys survive an agent restart; pick them up instead of starting duplicates.
  void adopt() {
    for (const auto& [decky, record] : records_.load()) {
      const int pid = record.value("pid", 0);
      if (pid <= 0 || ::kill(pid, 0) != 0 || !isDecoyFor(pid, decky)) {
        records_.erase(decky);
        continue;
      }
      Entry entry;
      entry.adopted = true;
      entry.state.running = true;
      entry.state.pid = pid;
      entry.state.specHash = record.value("hash", "");
      entry.startedAt = SteadyClock::now();
      entry.spec.decky = decky;
      entry.spec.namespaceName = record.value("namespace", "");
      entry.spec.hostname = record.value("hostname", "");
      entry.spec.spec = record.value("spec", api::Json::object());
      spdlog::info("adopted running decoy {} (pid {})", decky, pid);
      watch(entries_.emplace(decky, std::move(entry)).first->second);
    }
  }

  bool exited(Entry& entry) {
    const int pid = entry.state.pid;
    if (!entry.adopted) {
      int status = 0;
      const int reaped = ::waitpid(pid, &status, WNOHANG);
      if (reaped == 0) return false;
      if (reaped == pid) {
        entry.state.lastError = WIFEXITED(status)
                                    ? "exited with code " + std::to_string(WEXITSTATUS(status))
                                    : "killed by signal " + std::to_string(WTERMSIG(status));
        return true;
      }
      // ECHILD: not ours after all; fall back to the liveness check.
    }
    if (::kill(pid, 0) == 0 && isDecoyFor(pid, entry.spec.decky.empty() ? "" : entry.spec.decky))
      return false;
    entry.state.lastError = "process " + std::to_string(pid) + " is gone";
    return true;
  }

  Result<DecoyState> startLocked(Entry& entry) {
    const DecoySpec& spec = entry.spec;
    const std::string hash = hashOf(spec);
    api::Json record = {
        {"namespace", spec.namespaceName}, {"hostname", spec.hostname}, {"spec", spec.spec}};
    const int specFd = memoryFileWith(record.dump());
    if (specFd < 0) {
      return fail(Errc::kUnavailable,
                  std::string("cannot hold a decoy's spec in memory: ") + std::strerror(errno));
    }
    const std::string logPath = decoyLogPath(options_.dataDir, spec.decky);
    const int logFd = ::open(logPath.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (logFd < 0) {
      ::close(specFd);
      return fail(Errc::kUnavailable, "cannot open " + logPath);
    }
    const int errFd = decoyErrors_;  // shared by all decoys, kept open

    // Host keys and certificates outlive the decoy: readable only by root, which the decoy
    // still is when it loads them (before it drops to the unprivileged user).
    const std::string stateDir = statePath(spec.decky);
    std::error_code dirError;
    fs::create_directories(stateDir, dirError);
    fs::permissions(stateDir, fs::perms::owner_all, fs::perm_options::replace, dirError);
    // In the decoy mount namespace the child enters the network namespace for the decoy.
    int netnsFd = -1;
    if (decoyMounts_ >= 0 && !spec.namespaceName.empty()) {
      const std::string netns = "/run/netns/" + spec.namespaceName;
      netnsFd = ::open(netns.c_str(), O_RDONLY | O_CLOEXEC);
      if (netnsFd < 0) {
        ::close(specFd);
        ::close(logFd);
        return fail(Errc::kUnavailable, "cannot open " + netns + ": " + std::strerror(errno));
      }
    }
    // The lock makes decoys started together generate their RSA host keys one at a time.
    std::vector<std::string> args = {options_.binary, "--decky", spec.decky};
    for (const auto& [flag, value] :
         {std::pair<const char*, std::string>{"--spec-fd", std::to_string(kSpecFd)},
          {"--netns", netnsFd >= 0 ? std::string() : spec.namespaceName},
          {"--hostname", spec.hostname},
          {"--user", options_.user},
          {"--state-dir", stateDir},
          {"--keygen-lock", keygenLockPath()}}) {
      args.push_back(flag);
      args.push_back(value);
    }
    if (!options_.sandbox) args.push_back("--no-sandbox");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);

    // Not waited for: a decoy making its key now keeps the lock until done (about a second);
    // the next start tries again.
    lastStart_ = SteadyClock::now();
    if (!holdingKeygen_ && keygenLock_ >= 0) {
      holdingKeygen_ = ::flock(keygenLock_, LOCK_EX | LOCK_NB) == 0;
    }
    const StartMarker marker = startMarker(spec.decky);
    ChildSetup setup{logFd, errFd, netnsFd, decoyMounts_, specFd, &marker, argv.data()};
    handOverInSlots(setup);
    const pid_t pid = spawnChild(setup);
    slots_.release();
    ::close(specFd);
    if (netnsFd >= 0) ::close(netnsFd);
    if (pid < 0) {
      ::close(logFd);
      return fail(Errc::kUnavailable, std::string("cannot start a decoy: ") + std::strerror(errno));
    }
    ::close(logFd);
    // What a restarted agent needs to adopt this decoy (adopt()).
    record["pid"] = pid;
    record["hash"] = hash;
    records_.put(spec.decky, record);
    entry.adopted = false;
    entry.state.running = true;
    entry.state.pid = pid;
    entry.state.specHash = hash;
    entry.startedAt = SteadyClock::now();
    watch(entry);
    spdlog::info("decoy {} started (pid {})", spec.decky, pid);
    return entry.state;
  }

  // Moves the child's descriptors into the low slots, so the child can start on the agent's
  // descriptor table; leaves `setup` as it is when a slot cannot take one.
  void handOverInSlots(ChildSetup& setup) {
    if (!slots_.usable()) return;
    ChildSetup slotted = setup;
    std::size_t index = 0;
    for (int* fd :
         {&slotted.logFd, &slotted.errFd, &slotted.netnsFd, &slotted.mountsFd, &slotted.specFd}) {
      if (*fd >= 0 && (*fd = slots_.hold(index, *fd)) < 0) {
        slots_.release();
        return;
      }
      ++index;
    }
    slotted.sharedTableBelow = slots_.highest() + 1;
    setup = slotted;
  }

  // Stops the decoy of `entry`, touching nothing else: an entry still in entries_ needs mutex_
  // held; remove() stops one it has taken out, without the lock.
  void stopDecoy(Entry& entry) {
    if (!entry.state.running || entry.state.pid <= 0) return;
    const int pid = entry.state.pid;
    ::kill(pid, SIGTERM);
    if (entry.pidfd >= 0) {
      // Returns the moment the decoy exits (an adopted one too, even while its new parent has
      // not reaped it yet); SIGKILL after a 2 s grace.
      if (!waitForExit(entry.pidfd, std::chrono::seconds(2))) {
        ::kill(pid, SIGKILL);
        waitForExit(entry.pidfd, std::chrono::seconds(1));
      }
      if (!entry.adopted) ::waitpid(pid, nullptr, 0);
    } else {
      for (int i = 0; i < 40; ++i) {  // 2 s grace
        if (!entry.adopted) {
          if (::waitpid(pid, nullptr, WNOHANG) == pid) break;
        } else if (::kill(pid, 0) != 0) {
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        if (i == 39) {
          ::kill(pid, SIGKILL);
          if (!entry.adopted) ::waitpid(pid, nullptr, 0);
        }
      }
    }
    unwatch(entry);
    entry.state.running = false;
    entry.state.pid = 0;
  }

  // Puts the running decoy's pidfd in exits_, so supervise() learns of its exit.
  void watch(Entry& entry) {
    unwatch(entry);
    entry.pidfd = openPidFd(entry.state.pid);
    if (entry.pidfd < 0 || exits_ < 0) return;
    epoll_event interest{};
    interest.events = EPOLLIN;
    interest.data.ptr = &entry;  // std::map nodes stay put; unwatch() runs before an erase
    if (::epoll_ctl(exits_, EPOLL_CTL_ADD, entry.pidfd, &interest) != 0) unwatch(entry);
  }

  void unwatch(Entry& entry) {
    if (entry.pidfd < 0) return;
    ::close(entry.pidfd);  // also leaves exits_
    entry.pidfd = -1;
    entry.exitSignalled = false;
  }

  const ProcessRuntimeOptions options_;
  DecoyRecords records_{options_.dataDir + "/run"};  // what a restarted agent adopts
  const int exits_;                                  // epoll over the running decoys' pidfds
  int decoyMounts_ = -1;  // where decoys start (decoy_mount_namespace.h); -1: the agent's own
  // Above the numbers a child dup2()s onto (0-3, kSpecFd); guarded by mutex_.
  DescriptorSlots slots_{kSpecFd + 1};
  // The stderr of every decoy (logs/decoys.stderr): a decoy writes there only when something is
  // wrong, each line tagged "decnet-decoy[DECKY]", so one file serves them all and a start
  // creates none. -1: decoys write stderr into their log.
  int decoyErrors_ = -1;
  int keygenLock_ = -1;  // the decoys' keygen lock, held during a burst of starts (kKeygenQuiet)
  bool holdingKeygen_ = false;
  SteadyClock::time_point lastStart_{};
  std::mutex mutex_;
  std::map<std::string, Entry> entries_;
  SteadyClock::time_point lastSweep_ = SteadyClock::now();
  SteadyClock::time_point lastScan_{};
};

}  // namespace

std::string decoyLogPath(const std::string& dataDir, const std::string& decky) {
  return dataDir + "/logs/" + decky + ".log";
}

RuntimeDriverPtr makeProcessRuntime(ProcessRuntimeOptions options) {
  return std::make_unique<ProcessRuntime>(std::move(options));
}

}  // namespace decnet::agents
