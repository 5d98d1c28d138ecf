#include "apiserver/auth/password_hash.h"

#include <gtest/gtest.h>

namespace decnet::apiserver::auth {
namespace {

TEST(PasswordHash, YescryptWithAFreshSaltEachTime) {
  auto first = hashPassword("correct horse");
  auto second = hashPassword("correct horse");
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->rfind("$y$", 0), 0u) << *first;
  EXPECT_NE(*first, *second) << "salted";
  EXPECT_TRUE(passwordMatches("correct horse", *first));
  EXPECT_TRUE(passwordMatches("correct horse", *second));
  EXPECT_FALSE(passwordMatches("correct horsf", *first));
  EXPECT_FALSE(passwordMatches("", *first));
}

TEST(PasswordHash, MalformedHashesMatchNothing) {
  EXPECT_FALSE(passwordMatches("x", ""));
  EXPECT_FALSE(passwordMatches("x", "plain"));
  EXPECT_FALSE(passwordMatches("x", "$y$broken"));
}

}  // namespace
}  // namespace decnet::apiserver::auth
