// The Repository contract run against the SQLite driver, in memory and on a file.
#include "controller/store/sqlite_repository.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>

#include "controller/store/repository.h"
#include "tests/contract/repository_contract.h"

namespace decnet::store::contract {
namespace {

namespace fs = std::filesystem;

RepositoryPtr unwrap(Result<RepositoryPtr> result) {
  EXPECT_TRUE(result.has_value()) << errorText(result.error());
  return result ? std::move(*result) : nullptr;
}

RepositoryFactory memoryFactory() {
  return {"Memory", [] { return unwrap(makeSqliteRepository(":memory:")); }, nullptr, nullptr};
}

// Each open() gets a new file in a nested directory (exercising directory creation), opened
// through the DSN parser as a real deployment would.
RepositoryFactory fileFactory() {
  struct State {
    fs::path dir;
    fs::path file;
    int counter = 0;
  };
  auto state = std::make_shared<State>();
  auto dsn = [state] { return "sqlite://" + fs::absolute(state->file).string(); };
  RepositoryFactory factory;
  factory.name = "File";
  factory.open = [state, dsn] {
    std::string pattern = (fs::temp_directory_path() / "decnet-sqlite-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) return RepositoryPtr();
    state->dir = pattern;
    state->file = state->dir / "nested" / ("store-" + std::to_string(++state->counter) + ".db");
    return unwrap(openRepository(dsn()));
  };
  factory.reopen = [dsn] { return unwrap(openRepository(dsn())); };
  factory.cleanup = [state] {
    std::error_code ignored;
    if (!state->dir.empty()) fs::remove_all(state->dir, ignored);
  };
  return factory;
}

INSTANTIATE_TEST_SUITE_P(Sqlite, RepositoryContractTest,
                         ::testing::Values(memoryFactory(), fileFactory()), factoryName);

TEST(OpenRepositoryTest, AcceptsSqliteDsns) {
  EXPECT_TRUE(openRepository("sqlite::memory:").has_value());

  std::string pattern = (fs::temp_directory_path() / "decnet-dsn-XXXXXX").string();
  ASSERT_NE(mkdtemp(pattern.data()), nullptr);
  const fs::path dir = pattern;
  auto absolute = openRepository("sqlite://" + (dir / "a" / "b" / "abs.db").string());
  ASSERT_TRUE(absolute.has_value()) << errorText(absolute.error());
  EXPECT_TRUE(fs::exists(dir / "a" / "b" / "abs.db"));

  auto plain = openRepository((dir / "plain.db").string());
  ASSERT_TRUE(plain.has_value()) << errorText(plain.error());
  EXPECT_TRUE(fs::exists(dir / "plain.db"));

  const auto cwd = fs::current_path();
  fs::current_path(dir);
  auto relative = openRepository("sqlite://rel/relative.db");
  fs::current_path(cwd);
  ASSERT_TRUE(relative.has_value()) << errorText(relative.error());
  EXPECT_TRUE(fs::exists(dir / "rel" / "relative.db"));

  absolute->reset();
  plain->reset();
  relative->reset();
  std::error_code ignored;
  fs::remove_all(dir, ignored);
}

TEST(OpenRepositoryTest, RejectsOtherSchemes) {
  auto mysql = openRepository("mysql://root@127.0.0.1:3306/decnet");
  ASSERT_FALSE(mysql.has_value());
  EXPECT_EQ(mysql.error().code, Errc::kInvalid);
  EXPECT_NE(mysql.error().message.find("MySQL driver is not built yet"), std::string::npos);

  for (const char* dsn : {"postgres://x/y", "", "sqlite://", "decnet.sqlite"}) {
    auto result = openRepository(dsn);
    ASSERT_FALSE(result.has_value()) << dsn;
    EXPECT_EQ(result.error().code, Errc::kInvalid) << dsn;
    EXPECT_NE(result.error().message.find("sqlite"), std::string::npos) << result.error().message;
  }
}

TEST(SqliteRepositoryTest, UidsAreVersion4Uuids) {
  auto repo = unwrap(makeSqliteRepository(":memory:"));
  ASSERT_NE(repo, nullptr);
  for (int i = 0; i < 20; ++i) {
    auto created = repo->create(makeObject("Fleet", "f" + std::to_string(i)));
    ASSERT_TRUE(created.has_value()) << errorText(created.error());
    const std::string& uid = created->metadata.uid;
    ASSERT_EQ(uid.size(), 36u) << uid;
    EXPECT_EQ(uid[8], '-');
    EXPECT_EQ(uid[13], '-');
    EXPECT_EQ(uid[14], '4') << uid;
    EXPECT_NE(std::string("89ab").find(uid[19]), std::string::npos) << uid;
  }
}

TEST(SqliteRepositoryTest, RejectsObjectsThatCannotBeStored) {
  auto repo = unwrap(makeSqliteRepository(":memory:"));
  ASSERT_NE(repo, nullptr);
  auto bad_spec = makeObject("Fleet", "x");
  bad_spec.spec = api::Json::array({1, 2});
  auto result = repo->create(bad_spec);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, Errc::kInvalid);

  auto bad_utf8 = makeObject("Fleet", "y");
  bad_utf8.metadata.labels["k"] = std::string("\xff\xfe");
  result = repo->create(bad_utf8);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, Errc::kInvalid);

  auto nameless = makeObject("Fleet", "");
  result = repo->create(nameless);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, Errc::kInvalid);

  auto revision = repo->currentRevision();
  ASSERT_TRUE(revision.has_value());
  EXPECT_EQ(*revision, 0);
}

TEST(SqliteRepositoryTest, UnopenableFileIsUnavailable) {
  auto result = makeSqliteRepository("/proc/decnet-no-such-dir/x.db");
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, Errc::kUnavailable) << errorText(result.error());
}

}  // namespace
}  // namespace decnet::store::contract
