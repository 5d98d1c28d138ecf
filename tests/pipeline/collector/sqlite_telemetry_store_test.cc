#include <gtest/gtest.h>

#include "pipeline/collector/telemetry_store.h"

namespace decnet::pipeline {
namespace {

CollectedEvent event(std::string node, std::optional<std::int64_t> sequence, std::string path) {
  return {0,      std::move(node), sequence,   "2026-12-03T10:00:00Z",        "corp-web-01",
          "http", "request",       "10.0.0.9", "{\"path\":\"" + path + "\"}", "",
          134};
}

std::unique_ptr<TelemetryStore> memoryStore() {
  auto store = openTelemetryStore("sqlite::memory:");
  EXPECT_TRUE(store) << store.error().message;
  return std::move(*store);
}

// 150 events span two full multi-row statements and single-row inserts for the rest; a repeat
// of a stored sequence number must be skipped wherever it falls.
TEST(SqliteTelemetryStoreTest, LargeBatchesStoreEveryEventOnceInOrder) {
  auto store = memoryStore();
  std::vector<CollectedEvent> batch;
  for (int i = 1; i <= 150; ++i) batch.push_back(event("node-a", i, "/" + std::to_string(i)));
  batch[9] = event("node-a", 5, "/again");                    // a repeat inside the first statement
  batch[99] = event("node-a", 5, "/again");                   // in the second
  batch[140] = event("node-a", 5, "/again");                  // among the single-row inserts
  batch[141] = event("remote:10.0.0.1", std::nullopt, "/a");  // no sequence: never a duplicate
  batch[142] = event("remote:10.0.0.1", std::nullopt, "/a");
  auto first = store->commit(batch, {});
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->stored, 147u);
  EXPECT_EQ(first->duplicates, 3u);

  auto again = store->commit(std::vector<CollectedEvent>(batch.begin(), batch.begin() + 130), {});
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->stored, 0u);
  EXPECT_EQ(again->duplicates, 130u);

  EventQuery all;
  all.limit = 1000;
  auto stored = store->query(all);
  ASSERT_TRUE(stored) << stored.error().message;
  ASSERT_EQ(stored->size(), 147u);
  std::vector<std::string> expected;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (i != 9 && i != 99 && i != 140) expected.push_back(batch[i].fieldsJson);
  }
  for (std::size_t i = 0; i < stored->size(); ++i) {
    EXPECT_EQ((*stored)[i].fieldsJson, expected[i]) << "row " << i;
    if (i > 0) EXPECT_GT((*stored)[i].id, (*stored)[i - 1].id);
  }
  EXPECT_EQ(*store->committedSequence("node-a"), 150);
}

}  // namespace
}  // namespace decnet::pipeline
