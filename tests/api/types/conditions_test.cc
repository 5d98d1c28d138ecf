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

TEST(ConditionsTest, ConditionHasMatchesStatusAndReasonAndReadsMissingFieldsAsFindConditionDoes) {
  Json status = Json::object();
  setCondition(status, {"ServicesReady", "False", "NotEmulated", "smb", "", 1}, kNow);
  EXPECT_TRUE(conditionHas(status, "ServicesReady", "False"));
  EXPECT_TRUE(conditionHas(status, "ServicesReady", "False", "NotEmulated"));
  EXPECT_FALSE(conditionHas(status, "ServicesReady", "False", "Crashed"));
  EXPECT_FALSE(conditionHas(status, "ServicesReady", "True"));
  EXPECT_FALSE(conditionHas(status, "Scheduled", "False"));
  // A condition without a status reads as Unknown, like findCondition's.
  status["conditions"].push_back({{"type", "Scheduled"}});
  EXPECT_TRUE(conditionHas(status, "Scheduled", "Unknown"));
  EXPECT_EQ(findCondition(status, "Scheduled")->status, "Unknown");
  EXPECT_FALSE(conditionHas(Json::array(), "Scheduled", "Unknown"));
}

}  // namespace
}  // namespace decnet::api
