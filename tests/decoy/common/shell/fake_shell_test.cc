#include "decoy/common/shell/fake_shell.h"

#include <gtest/gtest.h>

namespace decnet::decoy {
namespace {

FakeHost host() {
  return FakeHost{"SRV-ALPHA-42",
                  "Linux SRV-ALPHA-42 5.15.0-91-generic #101-Ubuntu SMP x86_64 GNU/Linux",
                  "OpenSSH_8.9p1 Ubuntu-3ubuntu0.6",
                  {{"root", "toor"}, {"admin", "admin"}}};
}

TEST(FakeShellTest, AnswersReconnaissance) {
  FakeShell shell(host(), "admin");
  EXPECT_EQ(shell.prompt(), "admin@SRV-ALPHA-42:~$ ");
  EXPECT_EQ(shell.run("whoami", true).output, "admin\n");
  EXPECT_EQ(shell.run("id", true).output.rfind("uid=1000(admin) gid=1000(admin)", 0), 0u);
  EXPECT_EQ(shell.run("uname -a", true).output,
            "Linux SRV-ALPHA-42 5.15.0-91-generic #101-Ubuntu SMP x86_64 GNU/Linux\n");
  EXPECT_EQ(shell.run("uname -r", true).output, "5.15.0-91-generic\n");
  EXPECT_EQ(shell.run("pwd", true).output, "/home/admin\n");
  const auto passwd = shell.run("cat /etc/passwd", true).output;
  EXPECT_EQ(passwd.rfind("root:x:0:0:root:/root:/bin/bash\n", 0), 0u);
  EXPECT_NE(passwd.find("admin:x:1000:1000:admin,,,:/home/admin:/bin/bash"), std::string::npos);
  EXPECT_EQ(shell.run("cat /etc/shadow", true).output, "cat: /etc/shadow: Permission denied\n");
  EXPECT_NE(shell.run("ls /", true).output.find("etc"), std::string::npos);
}

TEST(FakeShellTest, UnknownCommandsAreNotFound) {
  FakeShell shell(host(), "admin");
  auto outcome = shell.run("nmapx -sV", true);
  EXPECT_EQ(outcome.output, "-bash: nmapx: command not found\n");
  EXPECT_EQ(outcome.status, 127);
  outcome = shell.run("nmapx", false);
  EXPECT_EQ(outcome.output, "bash: line 1: nmapx: command not found\n");
}

TEST(FakeShellTest, ChainsPipesRedirectsAndCd) {
  FakeShell shell(host(), "root");
  EXPECT_EQ(shell.prompt(), "root@SRV-ALPHA-42:~# ");
  EXPECT_EQ(shell.run("cd /tmp && pwd", true).output, "/tmp\n");
  EXPECT_EQ(shell.prompt(), "root@SRV-ALPHA-42:/tmp# ");
  EXPECT_EQ(shell.run("cd /nowhere || echo failed", true).output,
            "-bash: cd: /nowhere: No such file or directory\nfailed\n");
  EXPECT_EQ(shell.run("cat /etc/passwd | grep admin", true).output,
            "admin:x:1000:1000:admin,,,:/home/admin:/bin/bash\n");
  EXPECT_EQ(shell.run("echo hi > /tmp/x; echo \"$USER at $HOME\"", true).output, "root at /root\n");
  EXPECT_EQ(shell.run("whoami; false && echo no; echo 'a  b'", true).output, "root\na  b\n");
  EXPECT_EQ(shell.run("uname -a 2>/dev/null | wc -l", true).output, "1\n");
  EXPECT_EQ(shell.run("grep root /etc/passwd", true).output, "root:x:0:0:root:/root:/bin/bash\n");
  EXPECT_EQ(shell.run("head -n 1 /etc/hostname", true).output, "SRV-ALPHA-42\n");
  EXPECT_EQ(shell.run("grep x /nope", true).output, "grep: /nope: No such file or directory\n");
}

TEST(FakeShellTest, ExitEndsTheSession) {
  FakeShell shell(host(), "admin");
  auto outcome = shell.run("exit", true);
  EXPECT_TRUE(outcome.exit);
  EXPECT_EQ(outcome.output, "logout\n");
  EXPECT_TRUE(shell.run("ls; logout; whoami", false).exit);
}

TEST(FakeShellTest, SurvivesHostileInput) {
  FakeShell shell(host(), "admin");
  for (const std::string& line :
       {std::string("'unterminated"), std::string("\"also"), std::string("${"), std::string("$"),
        std::string("|||;;&&"), std::string(">"), std::string("2>"), std::string("\\"),
        std::string("a\0b", 3), std::string(5000, 'x'), std::string("head -n 99999999999999")}) {
    (void)shell.run(line, true);
  }
  SUCCEED();
}

}  // namespace
}  // namespace decnet::decoy
