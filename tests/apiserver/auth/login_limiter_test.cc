#include "apiserver/auth/login_limiter.h"

#include <gtest/gtest.h>

namespace decnet::apiserver::auth {
namespace {

TEST(LoginLimiter, TenFailuresAMinuteThenRefusedUntilTheWindowPasses) {
  LoginLimiter limiter;
  const auto start = LoginLimiter::Clock::now();
  for (int i = 0; i < 9; ++i) limiter.failed("10.0.0.9", start + std::chrono::seconds(i));
  EXPECT_EQ(limiter.retryAfter("10.0.0.9", start + std::chrono::seconds(9)), 0);
  limiter.failed("10.0.0.9", start + std::chrono::seconds(9));
  EXPECT_EQ(limiter.retryAfter("10.0.0.9", start + std::chrono::seconds(10)), 50)
      << "the first failure leaves the window at 60 s";
  EXPECT_EQ(limiter.retryAfter("10.0.0.8", start + std::chrono::seconds(10)), 0) << "per address";
  EXPECT_EQ(limiter.retryAfter("10.0.0.9", start + std::chrono::seconds(60)), 0);
}

}  // namespace
}  // namespace decnet::apiserver::auth
