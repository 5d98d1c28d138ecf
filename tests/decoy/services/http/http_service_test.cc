// The http emulator in a real decoy process (sandbox on) against curl and raw sockets.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "tests/decoy/decoy_harness.h"

namespace decnet::decoy::testing {
namespace {

class HttpServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    port_ = freePort();
    url_ = "http://127.0.0.1:" + std::to_string(port_);
    api::Json spec = {
        {"hostname", "SRV-WEB-11"},
        {"services",
         {{{"name", "http"},
           {"ports", {port_}},
           {"persona", {{"server_header", "nginx/1.18.0"}, {"fake_app", "wordpress"}}}}}}};
    decoy_ = std::make_unique<DecoyProcess>(spec);
    ASSERT_TRUE(decoy_->waitFor({" http - listening ", "port=\"" + std::to_string(port_) + "\""}))
        << decoy_->events() << decoy_->stderrText();
  }

  void TearDown() override {
    if (decoy_) {
      EXPECT_EQ(decoy_->stderrText().find("seccomp"), std::string::npos) << decoy_->stderrText();
      EXPECT_EQ(decoy_->stop(), 0);
    }
  }

  std::string curl(const std::string& args) {
    return run("timeout 20 curl -s --max-time 10 " + args).output;
  }

  int port_ = 0;
  std::string url_;
  std::unique_ptr<DecoyProcess> decoy_;
};

TEST_F(HttpServiceTest, ServesThePersona) {
  const std::string head = curl("-D - -o /dev/null " + url_ + "/");
  EXPECT_EQ(head.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << head;
  EXPECT_NE(head.find("\r\nServer: nginx/1.18.0\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("\r\nDate: "), std::string::npos);
  EXPECT_NE(head.find("\r\nContent-Type: text/html"), std::string::npos);
  EXPECT_NE(head.find("\r\nContent-Length: "), std::string::npos);
  EXPECT_NE(curl(url_ + "/").find("<meta name=\"generator\" content=\"WordPress 6.4.3\" />"),
            std::string::npos);
  EXPECT_NE(curl(url_ + "/wp-login.php").find("name=\"pwd\""), std::string::npos);

  // The request event carries the REFERENCE fields.
  ASSERT_TRUE(decoy_->waitFor({" http - request ", "path=\"/wp-login.php\""}));
  const std::string line = decoy_->lines({" http - request ", "path=\"/wp-login.php\""}).front();
  for (const char* field :
       {"src_ip=\"127.0.0.1\"", "method=\"GET\"", "query=\"\"", "user_agent=\"curl/",
        "headers_json=\"{", "body_preview=\"\"", "status=\"200\""}) {
    EXPECT_NE(line.find(field), std::string::npos) << field << " in " << line;
  }
  EXPECT_EQ(line.rfind("<134>1 ", 0), 0u);
  EXPECT_NE(line.find(" decky-test http - request [relay@55555 src_ip="), std::string::npos);
}

TEST_F(HttpServiceTest, HeadHasNoBodyAndUnknownPathsAre404) {
  const std::string head = run("timeout 20 curl -s -I " + url_ + "/").output;
  EXPECT_EQ(head.rfind("HTTP/1.1 200 OK", 0), 0u) << head;
  EXPECT_NE(head.find("Content-Length: "), std::string::npos);
  const std::string missing = curl("-i " + url_ + "/no/such/page");
  EXPECT_EQ(missing.rfind("HTTP/1.1 404 Not Found", 0), 0u) << missing;
  EXPECT_NE(missing.find("<hr><center>nginx/1.18.0</center>"), std::string::npos) << missing;
}

TEST_F(HttpServiceTest, KeepAliveReusesTheConnection) {
  const std::string counts =
      curl("-o /dev/null -o /dev/null -w '%{num_connects} ' " + url_ + "/ " + url_ + "/robots.txt");
  EXPECT_EQ(counts, "1 0 ") << counts;
}

TEST_F(HttpServiceTest, LoginFormYieldsAuthAttempt) {
  const std::string page =
      curl("-d 'log=admin&pwd=secret&wp-submit=Log+In' " + url_ + "/wp-login.php");
  EXPECT_NE(page.find("The password you entered for the username <strong>admin</strong> is "
                      "incorrect"),
            std::string::npos)
      << page;
  ASSERT_TRUE(
      decoy_->waitFor({" http - auth_attempt ", "principal=\"admin\"", "secret=\"secret\""}))
      << decoy_->events();
  const std::string line = decoy_->lines({" http - auth_attempt "}).front();
  EXPECT_NE(line.find("method=\"form\""), std::string::npos) << line;
  EXPECT_NE(line.find("secret_b64=\"c2VjcmV0\""), std::string::npos) << line;
  EXPECT_NE(line.find("outcome=\"failed\""), std::string::npos) << line;
  EXPECT_TRUE(decoy_->waitFor({" http - request ", "method=\"POST\"",
                               "body_preview=\"log=admin&pwd=secret&wp-submit=Log+In\""}));
}

TEST_F(HttpServiceTest, AuthorizationHeadersYieldAuthAttempts) {
  const std::string basic = curl("-i -u 'bob:hunter2' " + url_ + "/");
  EXPECT_EQ(basic.rfind("HTTP/1.1 401 Unauthorized", 0), 0u) << basic;
  EXPECT_NE(basic.find("WWW-Authenticate: Basic realm="), std::string::npos) << basic;
  EXPECT_TRUE(decoy_->waitFor({" http - auth_attempt ", "method=\"basic\"", "principal=\"bob\"",
                               "secret=\"hunter2\"", "outcome=\"failed\""}))
      << decoy_->events();
  curl("-o /dev/null -H 'Authorization: Bearer tok3n' " + url_ + "/");
  EXPECT_TRUE(decoy_->waitFor(
      {" http - auth_attempt ", "method=\"bearer\"", "principal=\"\"", "secret=\"tok3n\""}))
      << decoy_->events();
  curl(
      "-o /dev/null -H 'Authorization: Digest username=\"carol\", realm=\"x\", nonce=\"n\", "
      "uri=\"/\", response=\"6629fae49393a05397450978507c4ef1\"' " +
      url_ + "/");
  EXPECT_TRUE(decoy_->waitFor({" http - auth_attempt ", "method=\"digest\"", "principal=\"carol\"",
                               "secret=\"6629fae49393a05397450978507c4ef1\""}))
      << decoy_->events();
}

TEST_F(HttpServiceTest, GarbageGets400AndAnEventAndServiceContinues) {
  {
    RawClient client(port_);
    ASSERT_TRUE(client.connected());
    ASSERT_TRUE(client.send(std::string("GARBAGE\x00\xff\r\n\r\n", 13)));
    const std::string reply = client.receive();
    EXPECT_EQ(reply.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << reply;
  }
  EXPECT_TRUE(decoy_->waitFor({" http - request ", "anomaly=\"malformed_request_line\""}))
      << decoy_->events();
  {
    // A TLS ClientHello on the plain port, binary all the way.
    RawClient client(port_);
    ASSERT_TRUE(client.send(std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11)));
    EXPECT_EQ(client.receive().rfind("HTTP/1.1 400", 0), 0u);
  }
  EXPECT_TRUE(decoy_->waitFor({" http - request ", "tls_handshake"})) << decoy_->events();
  {
    // An oversized request line is bounded.
    RawClient client(port_);
    client.send("GET /" + std::string(9000, 'a'));
    EXPECT_EQ(client.receive().rfind("HTTP/1.1 414", 0), 0u);
  }
  {
    // A bad header line.
    RawClient client(port_);
    client.send("GET / HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n");
    EXPECT_EQ(client.receive().rfind("HTTP/1.1 400", 0), 0u);
  }
  {
    // Chunked body: read, then closed.
    RawClient client(port_);
    client.send(
        "POST /wp-login.php HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: "
        "application/x-www-form-urlencoded\r\n\r\n9\r\nlog=carl&\r\n8\r\npwd=pw12\r\n0\r\n\r\n");
    const std::string reply = client.receive(3s);
    EXPECT_EQ(reply.rfind("HTTP/1.1 200", 0), 0u) << reply;
    EXPECT_NE(reply.find("Connection: close"), std::string::npos) << reply;
  }
  EXPECT_TRUE(decoy_->waitFor({" http - auth_attempt ", "principal=\"carl\"", "secret=\"pw12\""}))
      << decoy_->events();
  // Still serving.
  EXPECT_NE(curl("-i " + url_ + "/").find("HTTP/1.1 200 OK"), std::string::npos);
}

TEST_F(HttpServiceTest, ConnectAndDisconnectAreRecorded) {
  curl("-o /dev/null " + url_ + "/");
  ASSERT_TRUE(decoy_->waitFor({" http - disconnect ", "bytes_in=", "duration_ms="}));
  const std::string connect = decoy_->lines({" http - connect "}).front();
  EXPECT_NE(connect.find("src_ip=\"127.0.0.1\""), std::string::npos);
  EXPECT_NE(connect.find("dst_port=\"" + std::to_string(port_) + "\""), std::string::npos);
  // The TTL of curl's SYN, as this host sends it (loopback: no hop on the way).
  std::ifstream defaultTtl("/proc/sys/net/ipv4/ip_default_ttl");
  std::string ttl;
  defaultTtl >> ttl;
  EXPECT_NE(connect.find("ttl=\"" + ttl + "\""), std::string::npos) << connect;
  const std::string disconnect = decoy_->lines({" http - disconnect "}).front();
  EXPECT_EQ(disconnect.find("bytes_out=\"0\""), std::string::npos) << disconnect;
}

TEST_F(HttpServiceTest, IdleMemoryIsSmall) {
  std::this_thread::sleep_for(200ms);
  const long rss = decoy_->status("VmRSS");
  const long anon = decoy_->status("RssAnon");
  const long threads = decoy_->status("Threads");
  std::printf("[ decoy ] idle http decoy: VmRSS %ld kB, RssAnon %ld kB, threads %ld\n", rss, anon,
              threads);
  EXPECT_GT(rss, 0);
  EXPECT_EQ(threads, 1);
  EXPECT_LT(anon, 4096);
  EXPECT_EQ(decoy_->status("NoNewPrivs"), 1);
  EXPECT_EQ(decoy_->status("Seccomp"), 2);  // filter mode
}

TEST(HttpServiceLimitsTest, ExcessConnectionsAreRefusedAndRecorded) {
  const int port = freePort();
  api::Json spec = {{"services", {{{"name", "http"}, {"ports", {port}}}}}};
  DecoyProcess decoy(spec, {"--max-connections", "2"});
  ASSERT_TRUE(decoy.waitFor({" http - listening "})) << decoy.events() << decoy.stderrText();
  RawClient first(port), second(port);
  ASSERT_TRUE(decoy.waitFor({" http - connect "}, 5s, 2));
  RawClient third(port);
  EXPECT_TRUE(third.closedByPeer());
  EXPECT_TRUE(decoy.waitFor({" http - connection_refused ", "reason=\"limit\""})) << decoy.events();
  // The first two still work.
  first.send("GET / HTTP/1.0\r\n\r\n");
  EXPECT_NE(first.receive().find("It works!"), std::string::npos);
  EXPECT_EQ(decoy.stop(), 0);
}

TEST(HttpServiceLimitsTest, UnknownServicesAndBusyPortsAreReported) {
  const int port = freePort();
  api::Json spec = {{"services",
                     {{{"name", "gopher"}, {"ports", {port}}},
                      {{"name", "http"}, {"ports", {port, port}}},
                      {{"name", "http"}, {"ports", {80}}, {"persona", {{"fake_app", "drupal"}}}}}}};
  DecoyProcess decoy(spec);
  ASSERT_TRUE(decoy.waitFor({" http - listening "})) << decoy.events();
  // A service without an emulator is a warning, not a failure: the others still serve.
  EXPECT_TRUE(decoy.waitFor({"<132>1 ", " gopher - not_emulated ", "error=\"no emulator"}));
  EXPECT_TRUE(decoy.waitFor({" http - bind_failed ", "port=\"" + std::to_string(port) + "\""}));
  EXPECT_TRUE(decoy.waitFor({" http - bind_failed ", "port=\"80\"", "persona.fake_app"}))
      << decoy.events();
  EXPECT_EQ(decoy.stop(), 0);
}

// A decky's web server follows its distro: a Windows decky is IIS, with IIS pages and headers.
TEST(HttpServiceFamilyTest, WindowsDeckyIsIis) {
  const int port = freePort();
  api::Json spec = {{"osFamily", "windows"},
                    {"distro", "win2019"},
                    {"services", {{{"name", "http"}, {"ports", {port}}}}}};
  DecoyProcess decoy(spec);
  ASSERT_TRUE(decoy.waitFor({" http - listening "})) << decoy.events() << decoy.stderrText();
  const std::string url = "http://127.0.0.1:" + std::to_string(port);
  const std::string home = run("timeout 20 curl -s -i --max-time 10 " + url + "/").output;
  EXPECT_EQ(home.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << home;
  EXPECT_NE(home.find("\r\nServer: Microsoft-IIS/10.0\r\n"), std::string::npos) << home;
  EXPECT_NE(home.find("\r\nX-Powered-By: ASP.NET\r\n"), std::string::npos) << home;
  EXPECT_NE(home.find("<title>IIS Windows Server</title>"), std::string::npos) << home;
  EXPECT_EQ(home.find("It works!"), std::string::npos) << home;
  const std::string missing = run("timeout 20 curl -s -i --max-time 10 " + url + "/nope").output;
  EXPECT_EQ(missing.rfind("HTTP/1.1 404 Not Found", 0), 0u) << missing;
  EXPECT_NE(missing.find("404 - File or directory not found."), std::string::npos) << missing;
  const std::string denied = run("timeout 20 curl -s -i --max-time 10 -u a:b " + url + "/").output;
  EXPECT_NE(denied.find("401 - Unauthorized: Access is denied due to invalid credentials."),
            std::string::npos)
      << denied;
  {
    // Malformed requests are answered by HTTP.sys, as on a real Windows host.
    RawClient client(port);
    client.send("GET / HTTP/1.1\r\nHost: x\r\nbroken header\r\n\r\n");
    const std::string reply = client.receive();
    EXPECT_EQ(reply.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << reply;
    EXPECT_NE(reply.find("Server: Microsoft-HTTPAPI/2.0"), std::string::npos) << reply;
  }
  EXPECT_TRUE(decoy.waitFor({" http - request ", "anomaly=\"malformed_header\"", "raw_b64="}));
  EXPECT_EQ(decoy.stop(), 0);
}

TEST(HttpServiceFamilyTest, IisDefaultAppAndDistroLandingPages) {
  const int iis = freePort(), nginx = freePort(), rocky = freePort();
  api::Json spec = {
      {"distro", "ubuntu22"},
      {"services",
       {{{"name", "http"}, {"ports", {iis}}, {"persona", {{"fake_app", "iis_default"}}}},
        {{"name", "http"}, {"ports", {nginx}}, {"persona", {{"server_header", "nginx/1.24.0"}}}},
        {{"name", "http"}, {"ports", {rocky}}}}}};
  DecoyProcess decoy(spec);
  ASSERT_TRUE(decoy.waitFor({" http - listening "}, 5s, 3)) << decoy.events() << decoy.stderrText();
  const auto get = [](int port, const std::string& path) {
    return run("timeout 20 curl -s -i --max-time 10 http://127.0.0.1:" + std::to_string(port) +
               path)
        .output;
  };
  const std::string iisHome = get(iis, "/");
  EXPECT_NE(iisHome.find("Server: Microsoft-IIS/10.0"), std::string::npos) << iisHome;
  EXPECT_NE(iisHome.find("<title>IIS Windows Server</title>"), std::string::npos) << iisHome;
  EXPECT_NE(get(iis, "/iisstart.htm").find("IIS Windows Server"), std::string::npos);
  const std::string nginxHome = get(nginx, "/");
  EXPECT_NE(nginxHome.find("<title>Welcome to nginx!</title>"), std::string::npos) << nginxHome;
  const std::string ubuntu = get(rocky, "/");
  EXPECT_NE(ubuntu.find("Server: Apache/2.4.52 (Ubuntu)"), std::string::npos) << ubuntu;
  EXPECT_NE(ubuntu.find("Apache2 Ubuntu Default Page"), std::string::npos) << ubuntu;
  EXPECT_EQ(decoy.stop(), 0);
}

TEST(HttpServiceFamilyTest, RhelDeckyShowsTheTestPage) {
  const int port = freePort();
  api::Json spec = {{"distro", "rocky9"}, {"services", {{{"name", "http"}, {"ports", {port}}}}}};
  DecoyProcess decoy(spec);
  ASSERT_TRUE(decoy.waitFor({" http - listening "})) << decoy.events() << decoy.stderrText();
  const std::string home =
      run("timeout 20 curl -s -i --max-time 10 http://127.0.0.1:" + std::to_string(port) + "/")
          .output;
  EXPECT_EQ(home.rfind("HTTP/1.1 403 Forbidden", 0), 0u) << home;
  EXPECT_NE(home.find("Server: Apache/2.4.57 (Rocky Linux)"), std::string::npos) << home;
  EXPECT_NE(home.find("HTTP Server Test Page powered by: Rocky Linux"), std::string::npos) << home;
  EXPECT_EQ(decoy.stop(), 0);
}

TEST(HttpServiceFamilyTest, TomcatManagerAsksForBasicAuth) {
  const int port = freePort();
  api::Json spec = {
      {"services", {{{"name", "http"}, {"ports", {port}}, {"persona", {{"fake_app", "tomcat"}}}}}}};
  DecoyProcess decoy(spec);
  ASSERT_TRUE(decoy.waitFor({" http - listening "})) << decoy.events() << decoy.stderrText();
  const std::string url = "http://127.0.0.1:" + std::to_string(port);
  const std::string manager =
      run("timeout 20 curl -s -i --max-time 10 -u tomcat:s3cret " + url + "/manager/html").output;
  EXPECT_EQ(manager.rfind("HTTP/1.1 401", 0), 0u) << manager;
  EXPECT_NE(manager.find("WWW-Authenticate: Basic realm=\"Tomcat Manager Application\""),
            std::string::npos)
      << manager;
  EXPECT_NE(manager.find("<h3>Apache Tomcat/9.0.58</h3>"), std::string::npos) << manager;
  EXPECT_EQ(manager.find("\r\nServer:"), std::string::npos) << manager;
  EXPECT_TRUE(decoy.waitFor({" http - auth_attempt ", "method=\"basic\"", "principal=\"tomcat\"",
                             "secret=\"s3cret\"", "path=\"/manager/html\""}))
      << decoy.events();
  EXPECT_EQ(decoy.stop(), 0);
}

TEST(HttpServiceFamilyTest, ResponseCodeBoundsComeFromTheDescriptor) {
  const int port = freePort();
  api::Json spec = {
      {"services",
       {{{"name", "http"}, {"ports", {port}}, {"persona", {{"response_code", "600"}}}},
        {{"name", "http"}, {"ports", {freePort()}}}}}};
  DecoyProcess decoy(spec);
  EXPECT_TRUE(decoy.waitFor({" http - bind_failed ", "persona.response_code", "200..599"}))
      << decoy.events();
  EXPECT_EQ(decoy.stop(), 0);
}

}  // namespace
}  // namespace decnet::decoy::testing
