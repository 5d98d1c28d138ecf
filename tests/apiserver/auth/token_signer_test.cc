#include "apiserver/auth/token_signer.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

namespace decnet::apiserver::auth {
namespace {

TokenSigner signer(char fill = 'k') { return TokenSigner(std::string(32, fill)); }

TEST(TokenSigner, IssuedTokensVerifyWithTheirClaims) {
  const std::string token = signer().issue("alice", "viewer", std::chrono::hours(1), true);
  EXPECT_EQ(std::count(token.begin(), token.end(), '.'), 2) << "a JWT: header.payload.signature";
  auto claims = signer().verify(token, unixNow());
  ASSERT_TRUE(claims) << claims.error().message;
  EXPECT_EQ(claims->subject, "alice");
  EXPECT_EQ(claims->role, "viewer");
  EXPECT_EQ(claims->id.size(), 32u);
  EXPECT_TRUE(claims->mustChangePassword);
  EXPECT_NEAR(static_cast<double>(claims->expiresAt - claims->issuedAt), 3600, 1);
  EXPECT_NE(signer().issue("alice", "viewer", std::chrono::hours(1)), token) << "fresh ids";
}

TEST(TokenSigner, ForgedExpiredAndForeignTokensAreRefused) {
  const std::string token = signer().issue("alice", "viewer", std::chrono::hours(1));
  // Another key, a payload swapped for an admin one, an expired token, and junk.
  EXPECT_EQ(signer('x').verify(token, unixNow()).error().code, Errc::kUnauthorized);
  const std::string admin = signer('x').issue("alice", "admin", std::chrono::hours(1));
  const auto dot = token.find('.'), last = token.rfind('.');
  const auto adminDot = admin.find('.'), adminLast = admin.rfind('.');
  const std::string swapped =
      token.substr(0, dot) + admin.substr(adminDot, adminLast - adminDot) + token.substr(last);
  EXPECT_FALSE(signer().verify(swapped, unixNow()));
  auto expired = signer().verify(token, unixNow() + 3601);
  ASSERT_FALSE(expired);
  EXPECT_NE(expired.error().message.find("expired"), std::string::npos);
  EXPECT_FALSE(signer().verify("not-a-token", unixNow()));
  EXPECT_FALSE(signer().verify("a.b.c", unixNow()));
  EXPECT_FALSE(signer().verify("", unixNow()));
}

TEST(TokenSigner, TheKeyIsMadeOncePrivateAndReused) {
  const std::string path = ::testing::TempDir() + "token-signer-test.key";
  std::remove(path.c_str());
  auto made = TokenSigner::loadOrCreate(path);
  ASSERT_TRUE(made) << made.error().message;
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  const std::string token = made->issue("admin", "admin", std::chrono::minutes(5));
  auto again = TokenSigner::loadOrCreate(path);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->verify(token, unixNow())) << "the same key after a restart";
  std::ofstream(path, std::ios::trunc) << "short";
  EXPECT_FALSE(TokenSigner::loadOrCreate(path));
  std::remove(path.c_str());
}

}  // namespace
}  // namespace decnet::apiserver::auth
