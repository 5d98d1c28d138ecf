#include "decoy/sandbox.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <termios.h>
#include <ucontext.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <vector>

namespace decnet::decoy {
namespace {

std::string errnoText(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

// Everything the decoy does after binding, by name. Names unknown to this architecture are
// skipped, so one list serves x86_64 and aarch64.
constexpr const char* kAllowed[] = {
    // I/O on descriptors it already has or accepts
    "read", "write", "readv", "writev", "pread64", "pwrite64", "recvfrom", "sendto", "recvmsg",
    "sendmsg", "recvmmsg", "sendmmsg", "accept", "accept4", "close", "shutdown", "getsockname",
    "getpeername", "setsockopt", "getsockopt", "fcntl", "lseek", "dup", "dup3", "pipe2", "fstat",
    "newfstatat", "statx", "fsync", "fdatasync", "flock",
    // event loop
    "epoll_create1", "epoll_ctl", "epoll_wait", "epoll_pwait", "epoll_pwait2", "eventfd2",
    "timerfd_create", "timerfd_settime", "timerfd_gettime", "poll", "ppoll", "select", "pselect6",
    // time and waiting
    "clock_gettime", "clock_getres", "gettimeofday", "time", "nanosleep", "clock_nanosleep",
    "futex", "futex_waitv", "sched_yield", "restart_syscall",
    // memory
    "mmap", "munmap", "mprotect", "madvise", "brk", "mremap", "mincore",
    // threads (one per SSH session) and signals
    "set_robust_list", "get_robust_list", "rseq", "gettid", "getpid", "getppid", "exit",
    "exit_group", "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack",
    "sched_getaffinity", "membarrier",
    // identity and limits (glibc, OpenSSL and libssh ask)
    "getrandom", "uname", "getuid", "geteuid", "getgid", "getegid", "getresuid", "getresgid",
    "getgroups", "prlimit64", "getrlimit", "sysinfo", "getcwd", "readlink", "readlinkat", "access",
    "faccessat", "faccessat2"};

void addRule(scmp_filter_ctx ctx, uint32_t action, const char* name,
             std::vector<scmp_arg_cmp> args = {}) {
  const int number = seccomp_syscall_resolve_name(name);
  if (number == __NR_SCMP_ERROR) return;
  seccomp_rule_add_array(ctx, action, number, static_cast<unsigned>(args.size()),
                         args.empty() ? nullptr : args.data());
}

std::atomic<int> deniedReports{0};
// "<tag>: seccomp: denied syscall ", made before the filter goes on: the handler only copies it.
char reportPrefix[160] = "decnet-decoy: seccomp: denied syscall ";
std::size_t reportPrefixLength = sizeof "decnet-decoy: seccomp: denied syscall " - 1;

void setReportTag(std::string_view tag) {
  constexpr std::string_view kRest = ": seccomp: denied syscall ";
  tag = tag.substr(0, sizeof reportPrefix - kRest.size() - 1);
  tag.copy(reportPrefix, tag.size());
  kRest.copy(reportPrefix + tag.size(), kRest.size());
  reportPrefixLength = tag.size() + kRest.size();
}

// A denied call must fail like ERRNO(EPERM) would, but an operator also needs to learn which
// call it was: SIGSYS carries the number, the handler reports it and fakes the EPERM return.
void onDeniedSyscall(int, siginfo_t* info, void* context) {
  auto* uc = static_cast<ucontext_t*>(context);
#if defined(__x86_64__)
  uc->uc_mcontext.gregs[REG_RAX] = -EPERM;
#elif defined(__aarch64__)
  uc->uc_mcontext.regs[0] = static_cast<unsigned long long>(-EPERM);
#else
  (void)uc;
#endif
  if (deniedReports.fetch_add(1) >= 32) return;  // a loop on a denied call must not flood
  char buffer[sizeof reportPrefix + 16];
  int n = info->si_syscall;
  char digits[16];
  int d = 0;
  do {
    digits[d++] = static_cast<char>('0' + n % 10);
    n /= 10;
  } while (n > 0 && d < 15);
  std::size_t length = 0;
  while (length < reportPrefixLength) {
    buffer[length] = reportPrefix[length];
    ++length;
  }
  while (d > 0 && length < sizeof(buffer) - 1) buffer[length++] = digits[--d];
  buffer[length++] = '\n';
  const ssize_t ignored = ::write(STDERR_FILENO, buffer, length);
  (void)ignored;
}

}  // namespace

Result<void> dropPrivileges(const std::string& user) {
  std::vector<char> buffer(16384);
  passwd entry{};
  passwd* found = nullptr;
  if (::getpwnam_r(user.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 ||
      found == nullptr) {
    return fail(Errc::kInvalid, "unknown user \"" + user + "\"");
  }
  const uid_t uid = found->pw_uid;
  const gid_t gid = found->pw_gid;
  if (::geteuid() == uid && ::getuid() == uid) return {};
  if (::geteuid() != 0) {
    return fail(Errc::kTerminal, "cannot become \"" + user + "\": not running as root");
  }
  // No supplementary groups at all: a decoy needs none, and initgroups() read the group
  // database through NSS on every one of a thousand starts.
  if (::setgroups(0, nullptr) != 0) return fail(Errc::kTerminal, errnoText("setgroups"));
  if (::setresgid(gid, gid, gid) != 0) return fail(Errc::kTerminal, errnoText("setresgid"));
  if (::setresuid(uid, uid, uid) != 0) return fail(Errc::kTerminal, errnoText("setresuid"));
  // Belt and braces: a decoy that could become root again must not serve attackers.
  if (uid != 0 && (::setuid(0) == 0 || ::seteuid(0) == 0)) {
    return fail(Errc::kTerminal, "privileges could be regained after dropping to " + user);
  }
  return {};
}

Result<void> applySandbox(int maxOpenFiles, std::string_view reportTag) {
  setReportTag(reportTag);
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    return fail(Errc::kTerminal, errnoText("prctl(PR_SET_NO_NEW_PRIVS)"));
  }
  const rlimit files{static_cast<rlim_t>(maxOpenFiles), static_cast<rlim_t>(maxOpenFiles)};
  if (::setrlimit(RLIMIT_NOFILE, &files) != 0) {
    return fail(Errc::kTerminal, errnoText("setrlimit(RLIMIT_NOFILE)"));
  }

  uint32_t defaultAction = SCMP_ACT_ERRNO(EPERM);
#if defined(__x86_64__) || defined(__aarch64__)
  struct sigaction action {};
  action.sa_sigaction = onDeniedSyscall;
  action.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigemptyset(&action.sa_mask);
  if (::sigaction(SIGSYS, &action, nullptr) == 0) defaultAction = SCMP_ACT_TRAP;
#endif

  scmp_filter_ctx ctx = seccomp_init(defaultAction);
  if (ctx == nullptr) return fail(Errc::kTerminal, "seccomp_init failed");
  // Threads started before the sandbox (ssh's background RSA key generation) get the filter too.
  seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
  for (const char* name : kAllowed) addRule(ctx, SCMP_ACT_ALLOW, name);

  // Read-only opens (OpenSSL and glibc may read /dev/urandom, /proc/self/..., config files).
  const auto writeFlags = static_cast<scmp_datum_t>(O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND);
  addRule(ctx, SCMP_ACT_ALLOW, "openat", {SCMP_A2(SCMP_CMP_MASKED_EQ, writeFlags, O_RDONLY)});
  addRule(ctx, SCMP_ACT_ALLOW, "open", {SCMP_A1(SCMP_CMP_MASKED_EQ, writeFlags, O_RDONLY)});
  // Non-blocking switches, pending-byte counts and isatty probes only.
  for (const unsigned long request :
       std::initializer_list<unsigned long>{FIONBIO, FIONREAD, FIOCLEX, TCGETS}) {
    addRule(ctx, SCMP_ACT_ALLOW, "ioctl",
            {SCMP_A1(SCMP_CMP_EQ, static_cast<scmp_datum_t>(request))});
  }
  // Socket pairs bridge SSH sessions to their threads; no network sockets may be created.
  addRule(ctx, SCMP_ACT_ALLOW, "socketpair", {SCMP_A0(SCMP_CMP_EQ, AF_UNIX)});
  // Threads only (pthread_create), never processes. clone3 passes its flags in memory a filter
  // cannot read, so it reports ENOSYS and glibc falls back to clone.
  addRule(ctx, SCMP_ACT_ALLOW, "clone",
          {SCMP_A0(SCMP_CMP_MASKED_EQ, static_cast<scmp_datum_t>(CLONE_THREAD),
                   static_cast<scmp_datum_t>(CLONE_THREAD))});
  addRule(ctx, SCMP_ACT_ERRNO(ENOSYS), "clone3");
  // Signals to its own threads only (abort, Asio wakeups).
  addRule(ctx, SCMP_ACT_ALLOW, "tgkill",
          {SCMP_A0(SCMP_CMP_EQ, static_cast<scmp_datum_t>(::getpid()))});

  const int rc = seccomp_load(ctx);
  seccomp_release(ctx);
  if (rc != 0) {
    errno = -rc;
    return fail(Errc::kTerminal, errnoText("seccomp_load"));
  }
  return {};
}

}  // namespace decnet::decoy
