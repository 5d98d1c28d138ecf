// kill -9 a process in the middle of SQLite writes, then check the store is still consistent.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>

#include "api/types/object.h"
#include "controller/store/repository.h"
#include "controller/store/sqlite_repository.h"

namespace decnet::store {
namespace {

namespace fs = std::filesystem;

constexpr int kRounds = 16;
constexpr int kNames = 12;

// The child: random writes until killed (bounded in time in case the parent dies).
[[noreturn]] void writeForever(const std::string& path, int ready_fd, unsigned seed) {
  auto repo = makeSqliteRepository(path);
  if (!repo) _exit(2);
  if (write(ready_fd, "r", 1) != 1) _exit(3);
  close(ready_fd);
  std::mt19937 rng(seed);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  for (std::uint64_t i = 0; std::chrono::steady_clock::now() < deadline; ++i) {
    const api::ObjectKey key{i % 3 == 0 ? "Decky" : "Fleet", "o" + std::to_string(rng() % kNames)};
    auto current = (*repo)->get(key);
    if (!current) {
      api::Object object;
      object.kind = key.kind;
      object.metadata.name = key.name;
      object.spec = {{"i", i}, {"pad", std::string(rng() % 300, 'x')}};
      (void)(*repo)->create(object);
      continue;
    }
    auto next = *current;
    switch (rng() % 6) {
      case 0:
        (void)(*repo)->remove(key, next.metadata.resourceVersion);
        break;
      case 1:
        next.status = {{"observed", i}};
        (void)(*repo)->updateStatus(next);
        break;
      case 2:
        next.metadata.labels["i"] = std::to_string(i);
        (void)(*repo)->update(next);
        break;
      case 3:
        if (auto head = (*repo)->currentRevision(); head && *head > 40) {
          (void)(*repo)->compact(*head - 40);
        }
        break;
      default:
        next.spec["i"] = i;
        (void)(*repo)->update(next);
        break;
    }
  }
  _exit(0);
}

struct Snapshot {
  std::int64_t revision = 0;
  std::int64_t objects = 0;
};

// Checks the on-disk invariants with raw SQL, then that the driver reopens and keeps writing.
void checkConsistent(const std::string& path, std::int64_t previous_revision, Snapshot& snapshot) {
  if (!fs::exists(path)) {
    // Killed before the first open created the file.
    EXPECT_EQ(previous_revision, 0);
    return;
  }
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE);
    EXPECT_EQ(db.execAndGet("PRAGMA integrity_check").getString(), "ok");
    if (!db.tableExists("meta")) {
      // Killed before the first migration committed: nothing may have been written.
      EXPECT_FALSE(db.tableExists("objects"));
      EXPECT_EQ(previous_revision, 0);
      return;
    }
    const std::int64_t revision = db.execAndGet("SELECT revision FROM meta").getInt64();
    const std::int64_t compacted = db.execAndGet("SELECT compacted FROM meta").getInt64();
    snapshot.revision = revision;
    EXPECT_GE(revision, previous_revision);
    EXPECT_LE(compacted, revision);

    EXPECT_EQ(db.execAndGet("SELECT COUNT(*) - COUNT(DISTINCT revision) FROM changes").getInt64(),
              0);
    EXPECT_LE(db.execAndGet("SELECT COALESCE(MAX(revision), 0) FROM changes").getInt64(), revision);
    EXPECT_EQ(
        db.execAndGet("SELECT COUNT(*) FROM changes WHERE revision <= " + std::to_string(compacted))
            .getInt64(),
        0);
    if (revision > compacted) {
      EXPECT_EQ(
          db.execAndGet("SELECT COUNT(*) FROM changes WHERE revision = " + std::to_string(revision))
              .getInt64(),
          1)
          << "the head revision has no change row";
    }

    // The newest change row per key must describe the object row exactly (or a deletion).
    std::map<std::pair<std::string, std::string>, std::pair<std::string, std::string>> latest;
    SQLite::Statement changes(db,
                              "SELECT kind, name, type, document FROM changes ORDER BY revision");
    while (changes.executeStep()) {
      latest[{changes.getColumn(0).getString(), changes.getColumn(1).getString()}] = {
          changes.getColumn(2).getString(), changes.getColumn(3).getString()};
    }
    std::set<std::int64_t> object_revisions;
    SQLite::Statement objects(db,
                              "SELECT kind, name, resource_version, generation, uid, document "
                              "FROM objects");
    while (objects.executeStep()) {
      ++snapshot.objects;
      const std::string kind = objects.getColumn(0).getString();
      const std::string name = objects.getColumn(1).getString();
      const std::int64_t rv = objects.getColumn(2).getInt64();
      const std::string document = objects.getColumn(5).getString();
      SCOPED_TRACE(kind + "/" + name + " rv " + std::to_string(rv));
      EXPECT_GT(rv, 0);
      EXPECT_LE(rv, revision);
      EXPECT_TRUE(object_revisions.insert(rv).second) << "two objects share a revision";

      std::vector<api::ParseIssue> issues;
      auto object = api::fromJson(api::Json::parse(document), issues);
      ASSERT_TRUE(object.has_value());
      EXPECT_EQ(object->metadata.resourceVersion, rv);
      EXPECT_EQ(object->metadata.generation, objects.getColumn(3).getInt64());
      EXPECT_EQ(object->metadata.uid, objects.getColumn(4).getString());

      auto it = latest.find({kind, name});
      if (rv > compacted) {
        ASSERT_NE(it, latest.end()) << "no change row for a live object";
        EXPECT_NE(it->second.first, "DELETED");
        EXPECT_TRUE(it->second.second == document) << "the row differs from its change row";
        SQLite::Statement at(db, "SELECT kind, name FROM changes WHERE revision = ?");
        at.bind(1, rv);
        ASSERT_TRUE(at.executeStep()) << "the object's own change row is missing";
        EXPECT_EQ(at.getColumn(0).getString(), kind);
        EXPECT_EQ(at.getColumn(1).getString(), name);
      } else if (it != latest.end()) {
        ADD_FAILURE() << "a change newer than the object exists";
      }
      if (it != latest.end()) latest.erase(it);
    }
    for (const auto& [key, change] : latest) {
      EXPECT_EQ(change.first, "DELETED") << key.first << "/" << key.second << " lost its row";
    }
  }

  auto repo = makeSqliteRepository(path);
  if (!repo) {
    ADD_FAILURE() << "reopen failed: " << repo.error().message;
    return;
  }
  auto head = (*repo)->currentRevision();
  EXPECT_TRUE(head.has_value());
  EXPECT_EQ(head.value_or(-1), snapshot.revision);
  api::Object probe;
  probe.kind = "Probe";
  probe.metadata.name = "p" + std::to_string(snapshot.revision);
  auto created = (*repo)->create(probe);
  EXPECT_TRUE(created.has_value());
  if (created) {
    EXPECT_EQ(created->metadata.resourceVersion, snapshot.revision + 1);
    snapshot.revision = created->metadata.resourceVersion;
  }
}

TEST(SqliteCrashTest, KillNineLeavesTheStoreConsistent) {
  std::string pattern = (fs::temp_directory_path() / "decnet-crash-XXXXXX").string();
  ASSERT_NE(mkdtemp(pattern.data()), nullptr);
  const fs::path dir = pattern;
  const std::string path = (dir / "crash.db").string();
  const unsigned seed = std::random_device{}();
  std::mt19937 rng(seed);
  RecordProperty("seed", std::to_string(seed));

  std::int64_t revision = 0;
  for (int round = 0; round < kRounds && !HasFailure(); ++round) {
    SCOPED_TRACE("round " + std::to_string(round) + " seed " + std::to_string(seed));
    int ready[2];
    ASSERT_EQ(pipe(ready), 0);
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      close(ready[0]);
      writeForever(path, ready[1], seed + static_cast<unsigned>(round));
    }
    close(ready[1]);
    // Every fourth round dies while opening (pragmas, migrations); the rest mid-write.
    const bool during_open = round % 4 == 0;
    if (!during_open) {
      pollfd fd{ready[0], POLLIN, 0};
      EXPECT_EQ(poll(&fd, 1, 10000), 1) << "child never became ready";
    }
    const auto delay = std::chrono::microseconds(during_open ? rng() % 3000 : 2000 + rng() % 30000);
    std::this_thread::sleep_for(delay);
    kill(child, SIGKILL);
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    close(ready[0]);
    if (!WIFSIGNALED(status)) {
      ADD_FAILURE() << "child exited by itself with status " << WEXITSTATUS(status);
    }

    Snapshot snapshot;
    checkConsistent(path, revision, snapshot);
    revision = snapshot.revision;
    std::printf("round %d: killed after %lld us, revision %lld, %lld objects\n", round,
                static_cast<long long>(delay.count()), static_cast<long long>(revision),
                static_cast<long long>(snapshot.objects));
  }
  EXPECT_GT(revision, kRounds) << "the child barely wrote anything";
  std::error_code ignored;
  fs::remove_all(dir, ignored);
}

}  // namespace
}  // namespace decnet::store
