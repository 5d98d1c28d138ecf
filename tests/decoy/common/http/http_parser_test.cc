// The HTTP framing and credential extraction of decoy/common/http, fed with bytes.
#include <gtest/gtest.h>

#include "decoy/common/http/http_credentials.h"
#include "decoy/common/http/http_request.h"

namespace decnet::decoy::http {
namespace {

using Status = RequestParser::Status;

TEST(RequestParserTest, ParsesPipelinedRequestsInPieces) {
  RequestParser parser;
  const std::string bytes =
      "GET /a?x=1 HTTP/1.1\r\nHost: h\r\nUser-Agent: t\r\n\r\n"
      "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello";
  parser.feed(bytes.substr(0, 10));
  EXPECT_EQ(parser.next(), Status::kNeedMore);
  parser.feed(bytes.substr(10));
  ASSERT_EQ(parser.next(), Status::kRequest);
  EXPECT_EQ(parser.request().method, "GET");
  EXPECT_EQ(parser.request().path, "/a");
  EXPECT_EQ(parser.request().query, "x=1");
  EXPECT_EQ(parser.request().headerOr("user-agent"), "t");
  EXPECT_TRUE(parser.request().wantsKeepAlive());
  parser.reset();
  ASSERT_EQ(parser.next(), Status::kRequest);
  EXPECT_EQ(parser.request().method, "POST");
  EXPECT_EQ(parser.request().body, "hello");
  EXPECT_EQ(parser.request().bodySize, 5u);
  parser.reset();
  EXPECT_EQ(parser.next(), Status::kNeedMore);
}

TEST(RequestParserTest, RejectsHostileHeads) {
  const auto errorOf = [](const std::string& bytes) {
    RequestParser parser;
    parser.feed(bytes);
    const Status status = parser.next();
    return status == Status::kError
               ? std::to_string(parser.errorStatus()) + " " + parser.errorAnomaly()
               : std::string("none");
  };
  EXPECT_EQ(errorOf(std::string("GARBAGE\x00\xff\r\n\r\n", 13)), "400 malformed_request_line");
  EXPECT_EQ(errorOf(std::string("\x16\x03\x01\x02\x00\x01", 6)),
            "400 malformed_request_line,tls_handshake");
  EXPECT_EQ(errorOf("GET /" + std::string(9000, 'a')), "414 request_line_too_long");
  EXPECT_EQ(errorOf("GET / HTTP/1.1\r\nHost: x\r\nno colon\r\n\r\n"), "400 malformed_header");
  EXPECT_EQ(errorOf("GET / HTTP/1.1\r\n\r\n"), "400 missing_host");
  EXPECT_EQ(errorOf("GET / HTTP/2.0\r\n\r\n"), "505 unsupported_version");
  EXPECT_EQ(errorOf("GET / HTTP/1.1\r\nHost: x\r\n" + std::string(41000, 'A') + ": b\r\n\r\n"),
            "431 headers_too_large");
  EXPECT_EQ(errorOf("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"),
            "400 conflicting_content_length");
  EXPECT_EQ(errorOf("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n"),
            "400 malformed_content_length");
  EXPECT_EQ(errorOf("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n"),
            "501 unsupported_transfer_encoding");
  std::string many = "GET / HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 120; ++i) many += "X-" + std::to_string(i) + ": y\r\n";
  EXPECT_EQ(errorOf(many + "\r\n"), "400 too_many_headers");
}

TEST(RequestParserTest, OversizedBodyIsAnswered413WithoutReading) {
  RequestParser parser;
  parser.feed("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n");
  ASSERT_EQ(parser.next(), Status::kRequest);
  EXPECT_EQ(parser.forcedStatus(), 413);
  EXPECT_TRUE(parser.mustClose());
  EXPECT_EQ(parser.request().anomaly, "body_too_large");
}

TEST(RequestParserTest, ExpectContinueIsOfferedOnce) {
  RequestParser parser;
  parser.feed("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n");
  EXPECT_EQ(parser.next(), Status::kNeedMore);
  EXPECT_TRUE(parser.takeContinue());
  EXPECT_FALSE(parser.takeContinue());
  parser.feed("abc");
  EXPECT_EQ(parser.next(), Status::kRequest);
  EXPECT_EQ(parser.request().body, "abc");
}

TEST(ChunkedTest, DecodesChunksAndFlagsMalformedOnes) {
  std::string out;
  bool complete = false, malformed = false;
  decodeChunked("4;ext=1\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n", out, complete, malformed);
  EXPECT_EQ(out, "Wikipedia");
  EXPECT_TRUE(complete);
  EXPECT_FALSE(malformed);

  out.clear();
  complete = false;
  decodeChunked("4\r\nWik", out, complete, malformed);
  EXPECT_EQ(out, "Wik");
  EXPECT_FALSE(complete);
  EXPECT_FALSE(malformed);

  out.clear();
  decodeChunked("zz\r\nabc", out, complete, malformed);
  EXPECT_TRUE(malformed);
  malformed = false;
  decodeChunked("3\r\nabcXY", out, complete, malformed);
  EXPECT_TRUE(malformed);
}

TEST(ChunkedTest, ParserClosesAfterAChunkedBody) {
  RequestParser parser;
  parser.feed(
      "POST /wp-login.php HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "9\r\nlog=carl&\r\n8\r\npwd=pw12\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n");
  ASSERT_EQ(parser.next(), Status::kRequest);
  EXPECT_EQ(parser.request().body, "log=carl&pwd=pw12");
  EXPECT_TRUE(parser.mustClose());
  EXPECT_EQ(parser.forcedStatus(), 0);

  RequestParser bad;
  bad.feed("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n");
  ASSERT_EQ(bad.next(), Status::kRequest);
  EXPECT_EQ(bad.forcedStatus(), 400);
  EXPECT_EQ(bad.request().anomaly, "malformed_chunked");
}

TEST(CredentialsTest, AuthorizationHeaders) {
  std::string anomaly;
  auto basic = parseAuthorization("Basic Ym9iOmh1bnRlcjI6eA==", anomaly);
  ASSERT_TRUE(basic);
  EXPECT_EQ(basic->method, "basic");
  EXPECT_EQ(basic->principal, "bob");
  EXPECT_EQ(basic->secret, "hunter2:x");
  EXPECT_EQ(anomaly, "");

  auto bearer = parseAuthorization("Bearer tok3n", anomaly);
  ASSERT_TRUE(bearer);
  EXPECT_EQ(bearer->method, "bearer");
  EXPECT_EQ(bearer->principal, "");
  EXPECT_EQ(bearer->secret, "tok3n");

  auto digest = parseAuthorization(
      "Digest username=\"carol\", realm=\"x y\", nonce=\"n\", uri=\"/\", "
      "response=\"6629fae49393a05397450978507c4ef1\", qop=auth",
      anomaly);
  ASSERT_TRUE(digest);
  EXPECT_EQ(digest->method, "digest");
  EXPECT_EQ(digest->principal, "carol");
  EXPECT_EQ(digest->secret, "6629fae49393a05397450978507c4ef1");
  ASSERT_EQ(digest->extra.size(), 2u);
  EXPECT_EQ(digest->extra[0].second, "x y");

  auto broken = parseAuthorization("Basic !!!", anomaly);
  ASSERT_TRUE(broken);
  EXPECT_EQ(anomaly, "malformed_basic_auth");
  EXPECT_FALSE(parseAuthorization("   ", anomaly));
}

TEST(CredentialsTest, FormFieldNames) {
  const std::pair<const char*, const char*> cases[] = {
      {"username=a&password=b", "a:b"},
      {"user=a&pass=b", "a:b"},
      {"email=a%40b.c&pwd=x+y", "a@b.c:x y"},
      {"login=a&passwd=b", "a:b"},
      {"log=a&pwd=b", "a:b"},
      {"uname=a&pass=b", "a:b"},
      {"pma_username=root&pma_password=toor&server=1", "root:toor"},
      {"PASSWORD=only", ":only"},
  };
  for (const auto& [body, expected] : cases) {
    auto found = credentialFromPairs(parseForm(body), "form");
    ASSERT_TRUE(found) << body;
    EXPECT_EQ(found->principal + ":" + found->secret, expected) << body;
  }
  EXPECT_FALSE(credentialFromPairs(parseForm("user=a&x=1"), "form"));
}

TEST(CredentialsTest, RequestBodiesAndQuery) {
  Request request;
  request.method = "POST";
  request.headers = {{"Content-Type", "application/json"}};
  request.body = R"({"username":"admin","password":"p\u00e4ss","n":1})";
  auto json = formCredential(request);
  ASSERT_TRUE(json);
  EXPECT_EQ(json->method, "json");
  EXPECT_EQ(json->principal, "admin");
  EXPECT_EQ(json->secret, "p\xc3\xa4ss");

  request.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=UTF-8"}};
  request.body = "log=carl&pwd=pw12";
  auto form = formCredential(request);
  ASSERT_TRUE(form);
  EXPECT_EQ(form->method, "form");
  EXPECT_EQ(form->principal, "carl");

  request.method = "GET";
  request.body.clear();
  request.query = "user=q&pass=w";
  auto query = formCredential(request);
  ASSERT_TRUE(query);
  EXPECT_EQ(query->method, "query");
  EXPECT_EQ(query->secret, "w");

  request.body = "not json";
  request.method = "POST";
  request.query.clear();
  request.headers = {{"Content-Type", "application/json"}};
  EXPECT_FALSE(formCredential(request));
}

TEST(CredentialsTest, XmlRpcStrings) {
  std::string method;
  const auto strings = xmlRpcStrings(
      "<methodCall><methodName>wp.getUsersBlogs</methodName><params><param><value><string>admin"
      "</string></value></param><param><value><string>pw</string></value></param></params>"
      "</methodCall>",
      method);
  EXPECT_EQ(method, "wp.getUsersBlogs");
  ASSERT_EQ(strings.size(), 2u);
  EXPECT_EQ(strings[1], "pw");
}

}  // namespace
}  // namespace decnet::decoy::http
