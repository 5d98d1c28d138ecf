#include "apiserver/auth/certificate_authority.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "tests/support/process.h"

namespace decnet::apiserver::auth {
namespace {

using decnet::testing::run;

class CertificateAuthorityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/decnet-ca-XXXXXX";
    dir_ = ::mkdtemp(pattern);
  }
  void TearDown() override { run("rm -rf " + dir_); }
  std::string save(const std::string& name, const std::string& text) {
    std::ofstream(dir_ + "/" + name) << text;
    return dir_ + "/" + name;
  }
  std::string dir_;
};

TEST_F(CertificateAuthorityTest, MadeOnceWithAPrivateKeyAndAKubeadmStyleHash) {
  auto ca = CertificateAuthority::loadOrCreate(dir_ + "/pki");
  ASSERT_TRUE(ca) << ca.error().message;
  struct stat info {};
  ASSERT_EQ(::stat((dir_ + "/pki/ca.key").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_EQ(ca->hash().size(), 7u + 64u);
  EXPECT_EQ(ca->hash().rfind("sha256:", 0), 0u);
  // kubeadm documents this pipeline for --discovery-token-ca-cert-hash; the hash must agree.
  auto openssl = run("openssl x509 -pubkey -in " + dir_ +
                     "/pki/ca.crt | openssl pkey -pubin -outform der | sha256sum | cut -d' ' -f1");
  EXPECT_EQ("sha256:" + openssl.output.substr(0, 64), ca->hash());
  auto again = CertificateAuthority::loadOrCreate(dir_ + "/pki");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->hash(), ca->hash()) << "the same CA after a restart";
}

TEST_F(CertificateAuthorityTest, ServerCertificatesNameTheirHostsAndVerify) {
  auto ca = CertificateAuthority::loadOrCreate(dir_ + "/pki");
  ASSERT_TRUE(ca);
  auto server = ca->issueServer({"127.0.0.1", "decnet.example"}, std::chrono::hours(24));
  ASSERT_TRUE(server) << server.error().message;
  const std::string path = save("server.crt", server->certificatePem);
  auto verified = run("openssl verify -CAfile " + dir_ + "/pki/ca.crt " + path);
  EXPECT_NE(verified.output.find(": OK"), std::string::npos) << verified.output;
  auto names = run("openssl x509 -noout -ext subjectAltName -in " + path);
  EXPECT_NE(names.output.find("IP Address:127.0.0.1"), std::string::npos) << names.output;
  EXPECT_NE(names.output.find("DNS:decnet.example"), std::string::npos) << names.output;
  EXPECT_GT(secondsLeft(server->certificatePem), 23 * 3600);
}

TEST_F(CertificateAuthorityTest, NodeCertificatesTakeTheJoinedNameNotTheRequestedOne) {
  auto ca = CertificateAuthority::loadOrCreate(dir_ + "/pki");
  ASSERT_TRUE(ca);
  auto request = makeKeyAndRequest("system:node:someone-else");
  ASSERT_TRUE(request);
  auto signed_ = ca->signNode(request->requestPem, "sensor-1", std::chrono::hours(24));
  ASSERT_TRUE(signed_) << signed_.error().message;
  const std::string path = save("node.crt", *signed_);
  auto verified = run("openssl verify -purpose sslclient -CAfile " + dir_ + "/pki/ca.crt " + path);
  EXPECT_NE(verified.output.find(": OK"), std::string::npos) << verified.output;
  auto subject = run("openssl x509 -noout -subject -in " + path);
  EXPECT_NE(subject.output.find("O = system:nodes"), std::string::npos) << subject.output;
  EXPECT_NE(subject.output.find("CN = system:node:sensor-1"), std::string::npos) << subject.output;

  std::string tampered = request->requestPem;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(ca->signNode(tampered, "sensor-1", std::chrono::hours(24)));
  EXPECT_FALSE(ca->signNode("junk", "sensor-1", std::chrono::hours(24)));
}

}  // namespace
}  // namespace decnet::apiserver::auth
