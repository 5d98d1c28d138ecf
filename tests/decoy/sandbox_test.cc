// Dropping privileges: the decoy becomes its user with no supplementary groups and cannot
// become root again; the seccomp filter refuses a call with EPERM and names the decky on stderr.
// Each runs in a forked child (neither can be undone); the privilege drop needs root.
#include "decoy/sandbox.h"

#include <grp.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace decnet::decoy {
namespace {

TEST(SandboxTest, DropPrivilegesLeavesOnlyTheUsersIdsAndNoGroups) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root";
  const passwd* nobody = ::getpwnam("nobody");
  ASSERT_NE(nobody, nullptr);
  const uid_t uid = nobody->pw_uid;
  const gid_t gid = nobody->pw_gid;
  // Root starts with a supplementary group, as an agent started from a login shell may.
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const gid_t extra[] = {0, 4};
    if (::setgroups(2, extra) != 0) ::_exit(10);
    if (!dropPrivileges("nobody")) ::_exit(11);
    if (::getuid() != uid || ::geteuid() != uid || ::getgid() != gid) ::_exit(12);
    if (::getgroups(0, nullptr) != 0) ::_exit(13);
    if (::setuid(0) == 0) ::_exit(14);
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "10: setgroups, 11: drop failed, 12: ids, 13: groups "
                                       "left, 14: root regained";
}

TEST(SandboxTest, ADeniedCallFailsWithEpermAndIsReportedUnderTheDeckysTag) {
  int pipeFds[2];
  ASSERT_EQ(::pipe(pipeFds), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::dup2(pipeFds[1], STDERR_FILENO);
    if (!applySandbox(64, "decnet-decoy[corp-07]")) ::_exit(10);
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);  // no new sockets after the sandbox
    ::_exit(fd < 0 && errno == EPERM ? 0 : 11);
  }
  ::close(pipeFds[1]);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  std::string report;
  char buffer[256];
  for (ssize_t n; (n = ::read(pipeFds[0], buffer, sizeof buffer)) > 0;) report.append(buffer, n);
  ::close(pipeFds[0]);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "10: no sandbox, 11: the call was not refused with EPERM";
  EXPECT_EQ(report,
            "decnet-decoy[corp-07]: seccomp: denied syscall " + std::to_string(SYS_socket) + "\n");
}

TEST(SandboxTest, AnUnknownUserIsRefused) {
  auto dropped = dropPrivileges("no-such-user-decnet");
  ASSERT_FALSE(dropped);
  EXPECT_EQ(dropped.error().code, Errc::kInvalid);
}

}  // namespace
}  // namespace decnet::decoy
