#pragma once
// The contract every Repository driver passes. A driver's test file includes this header once,
// builds one RepositoryFactory per configuration and instantiates the suite:
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, RepositoryContractTest,
//                            ::testing::Values(memoryFactory(), fileFactory()),
//                            contract::factoryName);
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "api/types/clock.h"
#include "api/types/object.h"
#include "api/types/result.h"
#include "controller/store/repository.h"

namespace decnet::store::contract {

struct RepositoryFactory {
  std::string name;                     // test-name suffix: "Memory", "File"
  std::function<RepositoryPtr()> open;  // a fresh, empty store
  // When set, the store keeps data across connections: reopen() opens the same storage as the
  // last open() (the "reopen keeps everything" test runs only then).
  std::function<RepositoryPtr()> reopen;
  std::function<void()> cleanup;  // optional; runs after each test
};

inline std::string factoryName(const ::testing::TestParamInfo<RepositoryFactory>& info) {
  return info.param.name;
}

inline api::Object makeObject(const std::string& kind, const std::string& name,
                              api::Json spec = api::Json::object()) {
  api::Object object;
  object.kind = kind;
  object.metadata.name = name;
  object.spec = std::move(spec);
  return object;
}

inline std::string errorText(const Error& error) {
  return std::string(errcName(error.code)) + ": " + error.message;
}

// Unwraps a Result inside a test, failing it (fatally) with the error text.
#define DECNET_ASSERT_OK_AND_ASSIGN(lhs, expr)                              \
  auto lhs##_result = (expr);                                               \
  ASSERT_TRUE(lhs##_result.has_value()) << errorText(lhs##_result.error()); \
  auto lhs = std::move(*lhs##_result)

#define DECNET_EXPECT_ERRC(expr, errc)                                                 \
  do {                                                                                 \
    auto decnet_result_ = (expr);                                                      \
    ASSERT_FALSE(decnet_result_.has_value()) << "expected " << errcName(errc);         \
    EXPECT_EQ(decnet_result_.error().code, errc) << errorText(decnet_result_.error()); \
  } while (false)

class RepositoryContractTest : public ::testing::TestWithParam<RepositoryFactory> {
 protected:
  void SetUp() override {
    repo_ = GetParam().open();
    ASSERT_NE(repo_, nullptr);
  }
  void TearDown() override {
    repo_.reset();
    if (GetParam().cleanup) GetParam().cleanup();
  }

  std::int64_t revision() {
    auto current = repo_->currentRevision();
    EXPECT_TRUE(current.has_value()) << errorText(current.error());
    return current.value_or(-1);
  }

  std::vector<Change> changesSince(std::int64_t from) {
    auto changes = repo_->changesSince(from, 1000);
    EXPECT_TRUE(changes.has_value()) << errorText(changes.error());
    return changes.value_or(std::vector<Change>{});
  }

  RepositoryPtr repo_;
};

TEST_P(RepositoryContractTest, CreateAssignsIdentity) {
  auto input = makeObject("Fleet", "alpha", {{"replicas", 3}});
  input.status = {{"phase", "Pending"}};
  input.metadata.resourceVersion = 42;  // ignored on create
  input.metadata.generation = 9;        // ignored on create
  DECNET_ASSERT_OK_AND_ASSIGN(created, repo_->create(input));
  EXPECT_FALSE(created.metadata.uid.empty());
  EXPECT_GT(created.metadata.resourceVersion, 0);
  EXPECT_EQ(created.metadata.resourceVersion, revision());
  EXPECT_EQ(created.metadata.generation, 1);
  EXPECT_TRUE(api::parseTime(created.metadata.creationTimestamp).has_value())
      << created.metadata.creationTimestamp;
  EXPECT_EQ(created.spec, input.spec);
  EXPECT_EQ(created.status, input.status);

  DECNET_ASSERT_OK_AND_ASSIGN(got, repo_->get({"Fleet", "alpha"}));
  EXPECT_EQ(api::toJson(got), api::toJson(created));

  DECNET_ASSERT_OK_AND_ASSIGN(other, repo_->create(makeObject("Fleet", "beta")));
  EXPECT_NE(other.metadata.uid, created.metadata.uid);
  EXPECT_GT(other.metadata.resourceVersion, created.metadata.resourceVersion);
}

TEST_P(RepositoryContractTest, CreateKeepsGivenUidAndTimestamp) {
  auto input = makeObject("Fleet", "alpha");
  input.metadata.uid = "0b5f3e2c-1111-4222-8333-444455556666";
  input.metadata.creationTimestamp = "2024-01-02T03:04:05.000000Z";
  DECNET_ASSERT_OK_AND_ASSIGN(created, repo_->create(input));
  EXPECT_EQ(created.metadata.uid, input.metadata.uid);
  EXPECT_EQ(created.metadata.creationTimestamp, input.metadata.creationTimestamp);
}

TEST_P(RepositoryContractTest, CreateRoundTripsMetadata) {
  auto input = makeObject("Decky", "d1", {{"services", {{{"name", "ssh"}, {"port", 22}}}}});
  input.metadata.labels = {{"fleet", "alpha"}, {"role", "decoy"}};
  input.metadata.annotations = {{"note", "hello"}};
  input.metadata.ownerReferences.push_back({api::kApiVersion, "Fleet", "alpha", "uid-1", true});
  input.metadata.finalizers = {"decnet.io/cleanup"};
  DECNET_ASSERT_OK_AND_ASSIGN(created, repo_->create(input));
  DECNET_ASSERT_OK_AND_ASSIGN(got, repo_->get({"Decky", "d1"}));
  EXPECT_EQ(got.metadata.labels, input.metadata.labels);
  EXPECT_EQ(got.metadata.annotations, input.metadata.annotations);
  EXPECT_EQ(got.metadata.ownerReferences, input.metadata.ownerReferences);
  EXPECT_EQ(got.metadata.finalizers, input.metadata.finalizers);
  EXPECT_EQ(got.spec, input.spec);
  EXPECT_EQ(api::toJson(got), api::toJson(created));
}

TEST_P(RepositoryContractTest, DuplicateCreateIsAlreadyExists) {
  DECNET_ASSERT_OK_AND_ASSIGN(first, repo_->create(makeObject("Fleet", "alpha", {{"a", 1}})));
  const auto before = revision();
  DECNET_EXPECT_ERRC(repo_->create(makeObject("Fleet", "alpha", {{"a", 2}})), Errc::kAlreadyExists);
  EXPECT_EQ(revision(), before);
  DECNET_ASSERT_OK_AND_ASSIGN(got, repo_->get({"Fleet", "alpha"}));
  EXPECT_EQ(got.spec, first.spec);
  // The same name under another kind is a different object.
  EXPECT_TRUE(repo_->create(makeObject("Decky", "alpha")).has_value());
}

TEST_P(RepositoryContractTest, GetMissingIsNotFound) {
  DECNET_EXPECT_ERRC(repo_->get({"Fleet", "nope"}), Errc::kNotFound);
}

TEST_P(RepositoryContractTest, ListIsSortedByNameWithRevision) {
  std::int64_t empty_revision = -1;
  DECNET_ASSERT_OK_AND_ASSIGN(none, repo_->list("Fleet", &empty_revision));
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(empty_revision, 0);

  for (const char* name : {"charlie", "alpha", "bravo"}) {
    ASSERT_TRUE(repo_->create(makeObject("Fleet", name)).has_value());
  }
  ASSERT_TRUE(repo_->create(makeObject("Decky", "aaa")).has_value());
  std::int64_t at = -1;
  DECNET_ASSERT_OK_AND_ASSIGN(fleets, repo_->list("Fleet", &at));
  ASSERT_EQ(fleets.size(), 3u);
  EXPECT_EQ(fleets[0].metadata.name, "alpha");
  EXPECT_EQ(fleets[1].metadata.name, "bravo");
  EXPECT_EQ(fleets[2].metadata.name, "charlie");
  for (const auto& fleet : fleets) EXPECT_EQ(fleet.kind, "Fleet");
  EXPECT_EQ(at, revision());

  DECNET_ASSERT_OK_AND_ASSIGN(deckies, repo_->list("Decky", nullptr));
  ASSERT_EQ(deckies.size(), 1u);
  EXPECT_EQ(deckies[0].metadata.name, "aaa");
}

TEST_P(RepositoryContractTest, UpdateBumpsGenerationOnlyOnSpecChange) {
  DECNET_ASSERT_OK_AND_ASSIGN(created, repo_->create(makeObject("Fleet", "alpha", {{"n", 1}})));
  auto changed = created;
  changed.spec["n"] = 2;
  DECNET_ASSERT_OK_AND_ASSIGN(updated, repo_->update(changed));
  EXPECT_EQ(updated.metadata.generation, 2);
  EXPECT_GT(updated.metadata.resourceVersion, created.metadata.resourceVersion);
  EXPECT_EQ(updated.metadata.resourceVersion, revision());
  EXPECT_EQ(updated.spec["n"], 2);
  EXPECT_EQ(updated.metadata.uid, created.metadata.uid);
  EXPECT_EQ(updated.metadata.creationTimestamp, created.metadata.creationTimestamp);
  DECNET_ASSERT_OK_AND_ASSIGN(got, repo_->get({"Fleet", "alpha"}));
  EXPECT_EQ(api::toJson(got), api::toJson(updated));
}

TEST_P(RepositoryContractTest, MetadataOnlyChangeBumpsResourceVersionNotGeneration) {
  DECNET_ASSERT_OK_AND_ASSIGN(created, repo_->create(makeObject("Fleet", "alpha", {{"n", 1}})));
  auto labelled = created;
  labelled.metadata.labels["tier"] = "edge";
  DECNET_ASSERT_OK_AND_ASSIGN(updated, repo_->update(labelled));
  EXPECT_EQ(updated.metadata.generation, 1);
  EXPECT_GT(updated.metadata.resourceVersion, created.metadata.resourceVersion);
  EXPECT_EQ(updated.metadata.labels.at("tier"), "edge");

  auto finalized = updated;
  finalized.metadata.finalizers.push_back("decnet.io/cleanup");
  finalized.metadata.deletionTimestamp = "2024-01-02T03:04:05.000000Z";
  DECNET_ASSERT_OK_AND_ASSIGN(again, repo_->update(finalized));
  EXPECT_EQ(again.metadata.generation, 1);
  EXPECT_GT(again.metadata.resourceVersion, updated.metadata.resourceVersion);
  EXPECT_TRUE(again.deleting());
  EXPECT_TRUE(again.hasFinalizer("decnet.io/cleanup"));
}

// managedFields (server-side apply's owners) is stored; a write that leaves it null keeps it, an
// empty list drops it, and an unchanged one is no change.
TEST_P(RepositoryContractTest, ManagedFieldsAreKeptReplacedOrDropped) {
  auto object = makeObject("Fleet", "alpha", {{"n", 1}});
  const api::Json owners = api::Json::parse(
      R"([{"manager":"kubectl","operation":"Apply","apiVersion":"decnet.io/v1alpha1",)"
      R"("time":"2026-12-02T00:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:n":{}}}}])");
  object.metadata.managedFields = owners;
  DECNET_ASSERT_OK_AND_ASSIGN(created, repo_->create(object));
  EXPECT_EQ(created.metadata.managedFields, owners);

  auto blind = created;  // a writer that does not speak for owners
  blind.metadata.managedFields = nullptr;
  blind.spec = {{"n", 2}};
  DECNET_ASSERT_OK_AND_ASSIGN(kept, repo_->update(blind));
  EXPECT_EQ(kept.metadata.managedFields, owners);

  DECNET_ASSERT_OK_AND_ASSIGN(same, repo_->update(kept));
  EXPECT_EQ(same.metadata.resourceVersion, kept.metadata.resourceVersion);

  auto changed = kept;
  changed.metadata.managedFields[0]["manager"] = "gitops";
  DECNET_ASSERT_OK_AND_ASSIGN(replaced, repo_->update(changed));
  EXPECT_GT(replaced.metadata.resourceVersion, kept.metadata.resourceVersion);
  EXPECT_EQ(replaced.metadata.managedFields[0]["manager"], "gitops");

  auto cleared = replaced;
  cleared.metadata.managedFields = api::Json::array();
  DECNET_ASSERT_OK_AND_ASSIGN(dropped, repo_->update(cleared));
  EXPECT_TRUE(dropped.metadata.managedFields.is_null());
}

TEST_P(RepositoryContractTest, IdenticalUpdateIsNoop) {
  DECNET_ASSERT_OK_AND_ASSIGN(created, repo_->create(makeObject("Fleet", "alpha", {{"n", 1}})));
  const auto before = revision();
  DECNET_ASSERT_OK_AND_ASSIGN(same, repo_->update(created));
  EXPECT_EQ(same.metadata.resourceVersion, created.metadata.resourceVersion);
  EXPECT_EQ(same.metadata.generation, 1);
  EXPECT_EQ(revision(), before);
  EXPECT_TRUE(changesSince(before).empty());

  // Status and server-owned fields in the request do not count as changes either.
  auto noisy = created;
  noisy.status = {{"phase", "Other"}};
  noisy.metadata.generation = 77;
  DECNET_ASSERT_OK_AND_ASSIGN(still, repo_->update(noisy));
  EXPECT_EQ(still.metadata.resourceVersion, created.metadata.resourceVersion);
  EXPECT_EQ(revision(), before);
}

TEST_P(RepositoryContractTest, StaleUpdateConflictsAndWritesNothing) {
  DECNET_ASSERT_OK_AND_ASSIGN(created, repo_->create(makeObject("Fleet", "alpha", {{"n", 1}})));
  auto first = created;
  first.spec["n"] = 2;
  DECNET_ASSERT_OK_AND_ASSIGN(updated, repo_->update(first));
  const auto before = revision();

  auto stale = created;  // still carries the old resourceVersion
  stale.spec["n"] = 3;
  auto result = repo_->update(stale);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, Errc::kConflict);
  EXPECT_NE(result.error().message.find("has been modified"), std::string::npos)
      << result.error().message;
  EXPECT_EQ(revision(), before);
  DECNET_ASSERT_OK_AND_ASSIGN(got, repo_->get({"Fleet", "alpha"}));
  EXPECT_EQ(got.spec["n"], 2);
  EXPECT_EQ(got.metadata.resourceVersion, updated.metadata.resourceVersion);
}

TEST_P(RepositoryContractTest, UnconditionalUpdate) {
  DECNET_ASSERT_OK_AND_ASSIGN(created, repo_->create(makeObject("Fleet", "alpha", {{"n", 1}})));
  auto blind = makeObject("Fleet", "alpha", {{"n", 5}});  // resourceVersion 0
  DECNET_ASSERT_OK_AND_ASSIGN(updated, repo_->update(blind));
  EXPECT_EQ(updated.spec["n"], 5);
  EXPECT_EQ(updated.metadata.generation, 2);
  EXPECT_EQ(updated.metadata.uid, created.metadata.uid);
}

TEST_P(RepositoryContractTest, UpdateMissingIsNotFound) {
  DECNET_EXPECT_ERRC(repo_->update(makeObject("Fleet", "ghost")), Errc::kNotFound);
  DECNET_EXPECT_ERRC(repo_->updateStatus(makeObject("Fleet", "ghost")), Errc::kNotFound);
  DECNET_EXPECT_ERRC(repo_->remove({"Fleet", "ghost"}, 0), Errc::kNotFound);
  EXPECT_EQ(revision(), 0);
}

TEST_P(RepositoryContractTest, UpdateKeepsStatusUidAndCreationTimestamp) {
  auto input = makeObject("Fleet", "alpha", {{"n", 1}});
  input.status = {{"phase", "Ready"}};
  DECNET_ASSERT_OK_AND_ASSIGN(created, repo_->create(input));
  auto changed = created;
  changed.spec["n"] = 2;
  changed.status = {{"phase", "Hacked"}};
  changed.metadata.uid = "someone-else";
  changed.metadata.creationTimestamp = "1999-01-01T00:00:00.000000Z";
  DECNET_ASSERT_OK_AND_ASSIGN(updated, repo_->update(changed));
  EXPECT_EQ(updated.status, input.status);
  EXPECT_EQ(updated.metadata.uid, created.metadata.uid);
  EXPECT_EQ(updated.metadata.creationTimestamp, created.metadata.creationTimestamp);
  DECNET_ASSERT_OK_AND_ASSIGN(got, repo_->get({"Fleet", "alpha"}));
  EXPECT_EQ(got.status, input.status);
}

TEST_P(RepositoryContractTest, UpdateStatusKeepsSpecAndGeneration) {
  DECNET_ASSERT_OK_AND_ASSIGN(created, repo_->create(makeObject("Fleet", "alpha", {{"n", 1}})));
  auto report = created;
  report.spec["n"] = 99;  // ignored by the status subresource
  report.metadata.labels["ignored"] = "yes";
  report.status = {{"phase", "Ready"}, {"readyDeckies", 3}};
  DECNET_ASSERT_OK_AND_ASSIGN(updated, repo_->updateStatus(report));
  EXPECT_EQ(updated.status, report.status);
  EXPECT_EQ(updated.spec["n"], 1);
  EXPECT_TRUE(updated.metadata.labels.empty());
  EXPECT_EQ(updated.metadata.generation, 1);
  EXPECT_GT(updated.metadata.resourceVersion, created.metadata.resourceVersion);

  const auto before = revision();
  DECNET_ASSERT_OK_AND_ASSIGN(same, repo_->updateStatus(updated));
  EXPECT_EQ(same.metadata.resourceVersion, updated.metadata.resourceVersion);
  EXPECT_EQ(revision(), before);
  EXPECT_TRUE(changesSince(before).empty());
}

TEST_P(RepositoryContractTest, StaleUpdateStatusConflicts) {
  DECNET_ASSERT_OK_AND_ASSIGN(created, repo_->create(makeObject("Fleet", "alpha", {{"n", 1}})));
  auto changed = created;
  changed.spec["n"] = 2;
  ASSERT_TRUE(repo_->update(changed).has_value());
  const auto before = revision();
  auto stale = created;
  stale.status = {{"phase", "Ready"}};
  DECNET_EXPECT_ERRC(repo_->updateStatus(stale), Errc::kConflict);
  EXPECT_EQ(revision(), before);
  DECNET_ASSERT_OK_AND_ASSIGN(got, repo_->get({"Fleet", "alpha"}));
  EXPECT_TRUE(got.status.empty());
}

TEST_P(RepositoryContractTest, StaleRemoveConflicts) {
  DECNET_ASSERT_OK_AND_ASSIGN(created, repo_->create(makeObject("Fleet", "alpha", {{"n", 1}})));
  auto changed = created;
  changed.spec["n"] = 2;
  ASSERT_TRUE(repo_->update(changed).has_value());
  const auto before = revision();
  DECNET_EXPECT_ERRC(repo_->remove({"Fleet", "alpha"}, created.metadata.resourceVersion),
                     Errc::kConflict);
  EXPECT_EQ(revision(), before);
  EXPECT_TRUE(repo_->get({"Fleet", "alpha"}).has_value());
}

TEST_P(RepositoryContractTest, RemoveThenGetIsNotFound) {
  DECNET_ASSERT_OK_AND_ASSIGN(created, repo_->create(makeObject("Fleet", "alpha", {{"n", 1}})));
  DECNET_ASSERT_OK_AND_ASSIGN(removed,
                              repo_->remove({"Fleet", "alpha"}, created.metadata.resourceVersion));
  EXPECT_EQ(removed.metadata.name, "alpha");
  EXPECT_EQ(removed.metadata.uid, created.metadata.uid);
  EXPECT_EQ(removed.spec, created.spec);
  EXPECT_GT(removed.metadata.resourceVersion, created.metadata.resourceVersion);
  EXPECT_EQ(removed.metadata.resourceVersion, revision());
  DECNET_EXPECT_ERRC(repo_->get({"Fleet", "alpha"}), Errc::kNotFound);
  DECNET_ASSERT_OK_AND_ASSIGN(fleets, repo_->list("Fleet", nullptr));
  EXPECT_TRUE(fleets.empty());

  // Unconditional remove (resource_version 0).
  ASSERT_TRUE(repo_->create(makeObject("Fleet", "beta")).has_value());
  EXPECT_TRUE(repo_->remove({"Fleet", "beta"}, 0).has_value());
  DECNET_EXPECT_ERRC(repo_->get({"Fleet", "beta"}), Errc::kNotFound);
}

TEST_P(RepositoryContractTest, ChangesSinceOrderTypesAndLimit) {
  const auto start = revision();
  DECNET_ASSERT_OK_AND_ASSIGN(a, repo_->create(makeObject("Fleet", "a", {{"n", 1}})));
  auto a2 = a;
  a2.spec["n"] = 2;
  DECNET_ASSERT_OK_AND_ASSIGN(a_updated, repo_->update(a2));
  DECNET_ASSERT_OK_AND_ASSIGN(b, repo_->create(makeObject("Decky", "b")));
  DECNET_ASSERT_OK_AND_ASSIGN(a_removed, repo_->remove({"Fleet", "a"}, 0));

  auto changes = changesSince(start);
  ASSERT_EQ(changes.size(), 4u);
  EXPECT_EQ(changes[0].type, Change::Type::kAdded);
  EXPECT_EQ(changes[1].type, Change::Type::kModified);
  EXPECT_EQ(changes[2].type, Change::Type::kAdded);
  EXPECT_EQ(changes[3].type, Change::Type::kDeleted);
  EXPECT_EQ(changes[0].revision, a.metadata.resourceVersion);
  EXPECT_EQ(changes[1].revision, a_updated.metadata.resourceVersion);
  EXPECT_EQ(changes[2].revision, b.metadata.resourceVersion);
  EXPECT_EQ(changes[3].revision, a_removed.metadata.resourceVersion);
  for (std::size_t i = 1; i < changes.size(); ++i) {
    EXPECT_GT(changes[i].revision, changes[i - 1].revision);
  }
  for (const auto& change : changes) {
    EXPECT_EQ(change.object.metadata.resourceVersion, change.revision);
  }
  EXPECT_EQ(changes[1].object.spec["n"], 2);
  EXPECT_EQ(changes[2].object.key(), (api::ObjectKey{"Decky", "b"}));
  // The deleted object is the last stored state.
  EXPECT_EQ(changes[3].object.key(), (api::ObjectKey{"Fleet", "a"}));
  EXPECT_EQ(changes[3].object.spec["n"], 2);
  EXPECT_EQ(changes[3].object.metadata.uid, a.metadata.uid);

  DECNET_ASSERT_OK_AND_ASSIGN(first_two, repo_->changesSince(start, 2));
  ASSERT_EQ(first_two.size(), 2u);
  EXPECT_EQ(first_two[0].revision, changes[0].revision);
  EXPECT_EQ(first_two[1].revision, changes[1].revision);
  DECNET_ASSERT_OK_AND_ASSIGN(rest, repo_->changesSince(first_two[1].revision, 10));
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(rest[0].revision, changes[2].revision);
  EXPECT_TRUE(changesSince(revision()).empty());
}

TEST_P(RepositoryContractTest, RevisionsStrictlyIncreaseAndAreNeverReused) {
  EXPECT_EQ(revision(), 0);
  std::set<std::int64_t> seen;
  std::int64_t last = 0;
  for (int round = 0; round < 3; ++round) {
    DECNET_ASSERT_OK_AND_ASSIGN(created, repo_->create(makeObject("Fleet", "alpha")));
    EXPECT_GT(created.metadata.resourceVersion, last);
    EXPECT_TRUE(seen.insert(created.metadata.resourceVersion).second);
    DECNET_ASSERT_OK_AND_ASSIGN(removed, repo_->remove({"Fleet", "alpha"}, 0));
    EXPECT_GT(removed.metadata.resourceVersion, created.metadata.resourceVersion);
    EXPECT_TRUE(seen.insert(removed.metadata.resourceVersion).second);
    last = removed.metadata.resourceVersion;
    EXPECT_EQ(revision(), last);
  }
  auto changes = changesSince(0);
  ASSERT_EQ(changes.size(), seen.size());
  std::set<std::int64_t> logged;
  for (const auto& change : changes) logged.insert(change.revision);
  EXPECT_EQ(logged, seen);
}

TEST_P(RepositoryContractTest, CompactMakesOlderRevisionsGone) {
  std::vector<std::int64_t> revisions;
  for (const char* name : {"a", "b", "c", "d"}) {
    DECNET_ASSERT_OK_AND_ASSIGN(created, repo_->create(makeObject("Fleet", name)));
    revisions.push_back(created.metadata.resourceVersion);
  }
  const auto current = revision();
  ASSERT_TRUE(repo_->compact(revisions[1]).has_value());
  EXPECT_EQ(revision(), current);  // compaction is not a write

  DECNET_EXPECT_ERRC(repo_->changesSince(revisions[0], 10), Errc::kGone);
  DECNET_EXPECT_ERRC(repo_->changesSince(0, 10), Errc::kGone);
  DECNET_ASSERT_OK_AND_ASSIGN(after, repo_->changesSince(revisions[1], 10));
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(after[0].revision, revisions[2]);
  EXPECT_EQ(after[1].revision, revisions[3]);

  // Compacting to an older revision never un-compacts.
  ASSERT_TRUE(repo_->compact(revisions[0]).has_value());
  DECNET_EXPECT_ERRC(repo_->changesSince(revisions[0], 10), Errc::kGone);

  // Compacting past the head clamps to the head; new writes still take fresh revisions.
  ASSERT_TRUE(repo_->compact(current + 100).has_value());
  DECNET_ASSERT_OK_AND_ASSIGN(head, repo_->changesSince(current, 10));
  EXPECT_TRUE(head.empty());
  DECNET_EXPECT_ERRC(repo_->changesSince(current - 1, 10), Errc::kGone);
  DECNET_ASSERT_OK_AND_ASSIGN(e, repo_->create(makeObject("Fleet", "e")));
  EXPECT_EQ(e.metadata.resourceVersion, current + 1);
  DECNET_ASSERT_OK_AND_ASSIGN(tail, repo_->changesSince(current, 10));
  ASSERT_EQ(tail.size(), 1u);
  EXPECT_EQ(tail[0].revision, e.metadata.resourceVersion);
  DECNET_ASSERT_OK_AND_ASSIGN(objects, repo_->list("Fleet", nullptr));
  EXPECT_EQ(objects.size(), 5u);  // compaction drops history, never objects
}

TEST_P(RepositoryContractTest, ConcurrentReadModifyWriteLosesNoUpdate) {
  DECNET_ASSERT_OK_AND_ASSIGN(created,
                              repo_->create(makeObject("Fleet", "shared", {{"counter", 0}})));
  constexpr int kThreads = 2;
  constexpr int kUpdatesPerThread = 100;
  constexpr int kMaxAttempts = 100000;  // bounds the loop if the driver misbehaves
  std::vector<int> failures(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      int done = 0;
      for (int attempt = 0; done < kUpdatesPerThread && attempt < kMaxAttempts; ++attempt) {
        auto current = repo_->get({"Fleet", "shared"});
        if (!current) {
          ++failures[t];
          continue;
        }
        auto next = *current;
        next.spec["counter"] = next.spec["counter"].get<int>() + 1;
        auto written = repo_->update(next);
        if (written) {
          ++done;
        } else if (written.error().code != Errc::kConflict) {
          ++failures[t];
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(failures[t], 0) << "thread " << t;
  DECNET_ASSERT_OK_AND_ASSIGN(final_object, repo_->get({"Fleet", "shared"}));
  EXPECT_EQ(final_object.spec["counter"], kThreads * kUpdatesPerThread);
  EXPECT_EQ(final_object.metadata.generation, 1 + kThreads * kUpdatesPerThread);
  EXPECT_EQ(final_object.metadata.resourceVersion,
            created.metadata.resourceVersion + kThreads * kUpdatesPerThread);
}

TEST_P(RepositoryContractTest, ReopenKeepsObjectsAndRevision) {
  if (!GetParam().reopen) GTEST_SKIP() << "storage does not outlive its connection";
  DECNET_ASSERT_OK_AND_ASSIGN(a, repo_->create(makeObject("Fleet", "a", {{"n", 1}})));
  DECNET_ASSERT_OK_AND_ASSIGN(b, repo_->create(makeObject("Fleet", "b")));
  ASSERT_TRUE(repo_->remove({"Fleet", "b"}, 0).has_value());
  ASSERT_TRUE(repo_->compact(a.metadata.resourceVersion).has_value());
  const auto before = revision();
  repo_.reset();

  repo_ = GetParam().reopen();
  ASSERT_NE(repo_, nullptr);
  EXPECT_EQ(revision(), before);
  DECNET_ASSERT_OK_AND_ASSIGN(got, repo_->get({"Fleet", "a"}));
  EXPECT_EQ(api::toJson(got), api::toJson(a));
  DECNET_EXPECT_ERRC(repo_->get({"Fleet", "b"}), Errc::kNotFound);
  DECNET_EXPECT_ERRC(repo_->changesSince(0, 10), Errc::kGone);
  DECNET_ASSERT_OK_AND_ASSIGN(changes, repo_->changesSince(a.metadata.resourceVersion, 10));
  EXPECT_EQ(changes.size(), 2u);
  // The revision counter survives: the deleted name's revisions are not handed out again.
  DECNET_ASSERT_OK_AND_ASSIGN(again, repo_->create(makeObject("Fleet", "b")));
  EXPECT_EQ(again.metadata.resourceVersion, before + 1);
}

}  // namespace decnet::store::contract
