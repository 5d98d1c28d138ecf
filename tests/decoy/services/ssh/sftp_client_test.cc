// The sftp subsystem in a real decoy process against OpenSSH's sftp and scp (SFTP mode, the
// default since OpenSSH 9.0).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "tests/decoy/decoy_harness.h"

namespace decnet::decoy::testing {
namespace {

class SftpClientTest : public DecoyServiceTest {
 protected:
  void SetUp() override {
    if (run("command -v sftp").exitCode != 0) GTEST_SKIP() << "OpenSSH sftp client not installed";
    port_ = freePort();
    api::Json spec = {{"hostname", "SRV-ALPHA-42"},
                      {"services",
                       {{{"name", "ssh"},
                         {"ports", {port_}},
                         {"persona", {{"users", "root:toor,admin:s3cret!"}}}}}}};
    startDecoy("ssh", spec);
    const std::string askpass = decoy_->dir() + "/askpass";
    {
      std::ofstream out(askpass, std::ios::trunc);
      out << "#!/bin/sh\necho 's3cret!'\n";
    }
    ::chmod(askpass.c_str(), 0700);
    env_ = "SSH_ASKPASS=" + askpass + " SSH_ASKPASS_REQUIRE=force DISPLAY=x timeout 60 setsid -w ";
    options_ = " -F /dev/null -P " + std::to_string(port_) +
               " -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null "
               "-o PreferredAuthentications=password -o NumberOfPasswordPrompts=1 ";
    payload_ = decoy_->dir() + "/payload.bin";
    std::ofstream out(payload_, std::ios::trunc | std::ios::binary);
    for (int i = 0; i < 100000; ++i) out << static_cast<char>(i * 7 % 251);  // several WRITEs
  }

  std::string sha256(const std::string& file) {
    return run("sha256sum " + file + " | cut -d' ' -f1").output.substr(0, 64);
  }
  std::string env_, options_, payload_;
};

TEST_F(SftpClientTest, BatchPutLsCdMkdir) {
  const std::string batch = decoy_->dir() + "/batch";
  {
    std::ofstream out(batch, std::ios::trunc);
    out << "pwd\ncd /tmp\nput " << payload_ << "\nls -l\nmkdir loot\ncd loot\npwd\nls /tmp\n";
  }
  const auto result =
      run(env_ + "sftp -o BatchMode=no" + options_ + "-b " + batch + " admin@127.0.0.1 </dev/null");
  EXPECT_EQ(result.exitCode, 0) << result.output;
  EXPECT_NE(result.output.find("Remote working directory: /home/admin"), std::string::npos)
      << result.output;
  EXPECT_NE(result.output.find("Remote working directory: /tmp/loot"), std::string::npos)
      << result.output;
  EXPECT_NE(result.output.find("-rw-r--r--    ? admin    admin      100000"), std::string::npos)
      << result.output;
  EXPECT_NE(result.output.find("/tmp/loot"), std::string::npos) << result.output;
  EXPECT_TRUE(decoy_->waitFor({" ssh - session ", "kind=\"subsystem\"", "subsystem=\"sftp\""}))
      << decoy_->events();
  EXPECT_TRUE(decoy_->waitFor({" ssh - file_upload ", "name=\"payload.bin\"",
                               "path=\"/tmp/payload.bin\"", "size=\"100000\"",
                               "sha256=\"" + sha256(payload_) + "\"", "principal=\"admin\""}))
      << decoy_->events();
  EXPECT_TRUE(decoy_->waitFor({" ssh - command ", "cmd=\"sftp open /tmp/payload.bin (write)\""}))
      << decoy_->events();
  EXPECT_TRUE(decoy_->waitFor({" ssh - command ", "cmd=\"sftp mkdir /tmp/loot\""}))
      << decoy_->events();
}

TEST_F(SftpClientTest, GetReturnsFakePasswdAndNoSuchFile) {
  const std::string batch = decoy_->dir() + "/batch";
  const std::string local = decoy_->dir() + "/passwd";
  {
    std::ofstream out(batch, std::ios::trunc);
    out << "get /etc/passwd " << local << "\n-get /etc/nothing-here " << local << ".2\n";
  }
  const auto result =
      run(env_ + "sftp -o BatchMode=no" + options_ + "-b " + batch + " admin@127.0.0.1 </dev/null");
  EXPECT_EQ(result.exitCode, 0) << result.output;
  std::ifstream in(local);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("root:x:0:0:root:/root:/bin/bash"), std::string::npos) << text;
  EXPECT_NE(text.find("admin:x:1000:1000"), std::string::npos) << text;
  EXPECT_NE(result.output.find("not found"), std::string::npos) << result.output;
}

TEST_F(SftpClientTest, ScpUploadUsesSftp) {
  const auto result = run(env_ + "scp" + options_ + payload_ + " admin@127.0.0.1:/tmp/ </dev/null");
  EXPECT_EQ(result.exitCode, 0) << result.output;
  EXPECT_TRUE(decoy_->waitFor({" ssh - session ", "subsystem=\"sftp\""})) << decoy_->events();
  EXPECT_TRUE(
      decoy_->waitFor({" ssh - file_upload ", "name=\"payload.bin\"", "path=\"/tmp/payload.bin\"",
                       "size=\"100000\"", "sha256=\"" + sha256(payload_) + "\""}))
      << decoy_->events();
}

}  // namespace
}  // namespace decnet::decoy::testing
