#include "api/types/conditions.h"

#include <gtest/gtest.h>

namespace decnet::api {
namespace {

constexpr const char* kNow = "2026-01-01T00:00:00Z";

Object objectAtGeneration(std::int64_t generation) {
  Object object;
  object.kind = "Fleet";
  object.metadata.generation = generation;
  return object;
}

TEST(ConditionsTest, ReadyCountsOnlyForTheGenerationItNames) {
  Object fleet = objectAtGeneration(3);
  setCondition(fleet.status, {"Ready", "True", "AllDeckiesReady", "", "", 2}, kNow);
  EXPECT_TRUE(conditionTrue(fleet.status, "Ready"));
  EXPECT_FALSE(conditionCurrent(fleet, "Ready"));
  EXPECT_FALSE(conditionMet(fleet, "Ready"));
  setCondition(fleet.status, {"Ready", "True", "AllDeckiesReady", "", "", 3}, kNow);
  EXPECT_TRUE(conditionMet(fleet, "Ready"));
  EXPECT_FALSE(conditionMet(fleet, "Ready", "False"));
  EXPECT_FALSE(conditionMet(fleet, "Degraded"));
}

TEST(ConditionsTest, WithoutAConditionGenerationStatusObservedGenerationDecides) {
  Object node = objectAtGeneration(2);
  setCondition(node.status, {"Ready", "True", "Heartbeat", "", "", 0}, kNow);
  EXPECT_TRUE(conditionMet(node, "Ready"));  // nothing says otherwise
  node.status["observedGeneration"] = 1;
  EXPECT_FALSE(conditionMet(node, "Ready"));
  node.status["observedGeneration"] = 2;
  EXPECT_TRUE(conditionMet(node, "Ready"));
  EXPECT_TRUE(conditionCurrent(objectAtGeneration(0), "Ready"));
}

}  // namespace
}  // namespace decnet::api
