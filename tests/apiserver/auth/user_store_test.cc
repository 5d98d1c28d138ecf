#include "apiserver/auth/user_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <thread>

#include "apiserver/auth/password_hash.h"

namespace decnet::apiserver::auth {
namespace {

class UserStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "user-store-test-" + std::to_string(::getpid()) + ".db";
    auto opened = UserStore::open(path_);
    ASSERT_TRUE(opened) << opened.error().message;
    store_ = std::move(*opened);
  }
  void TearDown() override {
    store_.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path_ + suffix).c_str());
  }
  std::string path_;
  std::unique_ptr<UserStore> store_;
};

TEST_F(UserStoreTest, UsersAreAddedOnceWithAHashNotThePassword) {
  ASSERT_TRUE(store_->addUser("alice", "viewer", "s3cret-pass", false));
  auto again = store_->addUser("alice", "admin", "other", false);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::kAlreadyExists);
  auto alice = store_->findUser("alice");
  ASSERT_TRUE(alice && *alice);
  EXPECT_EQ((*alice)->role, "viewer");
  EXPECT_EQ((*alice)->passwordHash.find("s3cret-pass"), std::string::npos);
  EXPECT_TRUE(passwordMatches("s3cret-pass", (*alice)->passwordHash));
  EXPECT_FALSE(store_->findUser("bob")->has_value());
  struct stat info {};
  ASSERT_EQ(::stat(path_.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u) << "hashes are for root's eyes only";
}

TEST_F(UserStoreTest, EveryBadFieldIsReported) {
  auto bad = store_->addUser("Not A Name", "root", "", false);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::kInvalid);
  ASSERT_EQ(bad.error().fields.size(), 3u);
  EXPECT_EQ(bad.error().fields[0].path, "username");
  EXPECT_EQ(bad.error().fields[1].path, "role");
  EXPECT_EQ(bad.error().fields[2].path, "password");
}

TEST_F(UserStoreTest, APasswordChangeEndsEarlierSessionsAndRemovalIsFinal) {
  ASSERT_TRUE(store_->addUser("alice", "admin", "first-pass", true));
  EXPECT_TRUE((**store_->findUser("alice")).mustChangePassword);
  EXPECT_EQ((**store_->findUser("alice")).tokensValidFrom, 0);
  ASSERT_TRUE(store_->setPassword("alice", "second-pass", false));
  auto alice = **store_->findUser("alice");
  EXPECT_FALSE(alice.mustChangePassword);
  EXPECT_GT(alice.tokensValidFrom, 0);
  EXPECT_TRUE(passwordMatches("second-pass", alice.passwordHash));
  EXPECT_EQ(store_->setPassword("bob", "x", false).error().code, Errc::kNotFound);
  ASSERT_TRUE(store_->removeUser("alice"));
  EXPECT_EQ(store_->removeUser("alice").error().code, Errc::kNotFound);
  EXPECT_TRUE(store_->users()->empty());
}

TEST_F(UserStoreTest, TheGenerationMovesWithEveryChangeFromAnyConnection) {
  const auto start = *store_->generation();
  EXPECT_EQ(*store_->generation(), start) << "reads do not move it";
  ASSERT_TRUE(store_->addUser("alice", "viewer", "alice-password", false));
  const auto afterOwnWrite = *store_->generation();
  EXPECT_NE(afterOwnWrite, start);
  auto other = UserStore::open(path_);  // as `decnet user` from another process
  ASSERT_TRUE(other);
  ASSERT_TRUE((*other)->revokeToken("t1", 4102444800));
  EXPECT_NE(*store_->generation(), afterOwnWrite) << "another connection's commit";
  auto credentials = store_->credentials();
  ASSERT_TRUE(credentials);
  EXPECT_EQ((*credentials)->users.count("alice"), 1u);
  EXPECT_EQ((*credentials)->revokedTokens.count("t1"), 1u);
}

TEST_F(UserStoreTest, RevokedTokensAreRemembered) {
  EXPECT_FALSE((*store_->credentials())->revokedTokens.count("abc"));
  ASSERT_TRUE(store_->revokeToken("abc", 4102444800));
  EXPECT_TRUE((*store_->credentials())->revokedTokens.count("abc"));
  EXPECT_FALSE((*store_->credentials())->revokedTokens.count("abd"));
}

TEST_F(UserStoreTest, BootstrapTokensInKubeadmFormatExpire) {
  auto token = store_->createBootstrapToken(std::chrono::hours(1), "sensor-2");
  ASSERT_TRUE(token);
  EXPECT_EQ(token->size(), 23u);
  EXPECT_EQ((*token)[6], '.');
  EXPECT_TRUE(*store_->bootstrapTokenValid(*token));
  std::string wrong = *token;
  wrong.back() = wrong.back() == 'a' ? 'b' : 'a';
  EXPECT_FALSE(*store_->bootstrapTokenValid(wrong));
  EXPECT_FALSE(*store_->bootstrapTokenValid("short"));
  auto listed = store_->bootstrapTokens();
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].id, token->substr(0, 6));
  EXPECT_EQ((*listed)[0].description, "sensor-2");
  auto expired = store_->createBootstrapToken(std::chrono::seconds(0), "");
  ASSERT_TRUE(expired);
  EXPECT_FALSE(*store_->bootstrapTokenValid(*expired));
  ASSERT_TRUE(store_->removeBootstrapToken(token->substr(0, 6)));
  EXPECT_FALSE(*store_->bootstrapTokenValid(*token));
}

}  // namespace
}  // namespace decnet::apiserver::auth
