// The https emulator in a real decoy process: curl -k over TLS, the ClientHello event with JA3
// and SNI, credentials over TLS, a certificate kept across restarts, and hostile bytes.
#include <gtest/gtest.h>

#include "tests/decoy/decoy_harness.h"

namespace decnet::decoy::testing {
namespace {

class HttpsServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (run("command -v curl").output.empty()) GTEST_SKIP() << "curl is not installed";
    port_ = freePort();
    url_ = "https://127.0.0.1:" + std::to_string(port_);
    api::Json spec = {{"hostname", "SRV-WEB-12"},
                      {"services",
                       {{{"name", "https"},
                         {"ports", {port_}},
                         {"persona", {{"fake_app", "wordpress"}, {"tls_cn", "web.corp.test"}}}}}}};
    decoy_ = std::make_unique<DecoyProcess>(spec);
    ASSERT_TRUE(decoy_->waitFor({" https - listening ", "port=\"" + std::to_string(port_) + "\""}))
        << decoy_->events() << decoy_->stderrText();
  }

  void TearDown() override {
    if (decoy_) {
      EXPECT_EQ(decoy_->stderrText().find("seccomp"), std::string::npos) << decoy_->stderrText();
      EXPECT_EQ(decoy_->stop(), 0);
    }
  }

  std::string curl(const std::string& args) {
    return run("timeout 20 curl -k -s --max-time 10 " + args).output;
  }

  int port_ = 0;
  std::string url_;
  std::unique_ptr<DecoyProcess> decoy_;
};

TEST_F(HttpsServiceTest, ServesOverTlsAndRecordsTheClientHello) {
  const std::string head =
      curl("-D - -o /dev/null --resolve web.corp.test:" + std::to_string(port_) +
           ":127.0.0.1 https://web.corp.test:" + std::to_string(port_) + "/");
  EXPECT_EQ(head.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << head << decoy_->events();
  EXPECT_NE(head.find("\r\nServer: Apache/2.4.62 (Debian)\r\n"), std::string::npos) << head;
  ASSERT_TRUE(decoy_->waitFor({" https - tls_client_hello ", "sni=\"web.corp.test\""}))
      << decoy_->events();
  const std::string hello = decoy_->lines({" https - tls_client_hello "}).front();
  EXPECT_NE(hello.find("ja3_string=\"771,"), std::string::npos) << hello;
  const auto at = hello.find("ja3=\"");
  ASSERT_NE(at, std::string::npos) << hello;
  EXPECT_EQ(hello.find('"', at + 5), at + 5 + 32) << hello;  // 32 hex digits
  EXPECT_TRUE(decoy_->waitFor({" https - request ", "method=\"GET\"", "status=\"200\""}));
  // The certificate names the persona's CN.
  const std::string cert =
      run("echo | timeout 10 openssl s_client -connect 127.0.0.1:" + std::to_string(port_) +
          " 2>/dev/null | openssl x509 -noout "
          "-subject 2>/dev/null")
          .output;
  EXPECT_NE(cert.find("web.corp.test"), std::string::npos) << cert;
}

TEST_F(HttpsServiceTest, BasicAuthAndFormLoginOverTls) {
  const std::string basic = curl("-i -u 'bob:hunter2' " + url_ + "/");
  EXPECT_EQ(basic.rfind("HTTP/1.1 401 Unauthorized", 0), 0u) << basic;
  EXPECT_TRUE(decoy_->waitFor({" https - auth_attempt ", "method=\"basic\"", "principal=\"bob\"",
                               "secret=\"hunter2\"", "secret_b64=\"aHVudGVyMg==\"",
                               "outcome=\"failed\"", "path=\"/\""}))
      << decoy_->events();
  const std::string page =
      curl("-d 'log=admin&pwd=s3cret&wp-submit=Log+In' " + url_ + "/wp-login.php");
  EXPECT_NE(page.find("is incorrect"), std::string::npos) << page;
  EXPECT_TRUE(decoy_->waitFor({" https - auth_attempt ", "method=\"form\"", "principal=\"admin\"",
                               "secret=\"s3cret\"", "path=\"/wp-login.php\""}))
      << decoy_->events();
  // Keep-alive works over TLS too.
  const std::string counts =
      curl("-o /dev/null -o /dev/null -w '%{num_connects} ' " + url_ + "/ " + url_ + "/robots.txt");
  EXPECT_EQ(counts, "1 0 ") << counts;
}

TEST_F(HttpsServiceTest, HostileBytesAreRecordedAndServiceContinues) {
  {
    RawClient client(port_);
    client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    client.receive(1s);
  }
  EXPECT_TRUE(decoy_->waitFor({" https - request ", "anomaly=\"not_tls\"", "raw_b64="}))
      << decoy_->events();
  {
    RawClient client(port_);
    client.send(std::string("\x16\x03\x01\x00\x05\x02\x00\x00\x01\x00", 10));
    client.receive(1s);
  }
  EXPECT_TRUE(decoy_->waitFor({" https - request ", "anomaly=\"not_a_client_hello\""}))
      << decoy_->events();
  {
    RawClient client(port_);
    std::string garbage = std::string("\x16\x03\x01\x40\x00", 5) + std::string(0x4000, '\x01');
    client.send(garbage);
    client.receive(1s);
  }
  EXPECT_NE(curl("-i " + url_ + "/").find("HTTP/1.1 200 OK"), std::string::npos);
}

TEST(HttpsStateTest, CertificateSurvivesRestarts) {
  if (run("command -v openssl").output.empty()) GTEST_SKIP() << "openssl is not installed";
  char pattern[] = "/tmp/decnet-https-state-XXXXXX";
  const std::string state = ::mkdtemp(pattern);
  const auto fingerprint = [&]() {
    const int port = freePort();
    api::Json spec = {{"hostname", "files01"},
                      {"services", {{{"name", "https"}, {"ports", {port}}}}}};
    DecoyProcess decoy(spec, {"--state-dir", state});
    EXPECT_TRUE(decoy.waitFor({" https - listening "})) << decoy.events() << decoy.stderrText();
    const std::string out =
        run("echo | timeout 10 openssl s_client -connect 127.0.0.1:" + std::to_string(port) +
            " 2>/dev/null | openssl x509 -noout -fingerprint -subject "
            "2>/dev/null")
            .output;
    EXPECT_EQ(decoy.stop(), 0);
    return out;
  };
  const std::string first = fingerprint();
  EXPECT_NE(first.find("CN = files01"), std::string::npos) << first;
  EXPECT_EQ(fingerprint(), first);
  run("rm -rf " + state);
}

}  // namespace
}  // namespace decnet::decoy::testing
