// The decoy records: one append-only file, the last line of a decky wins, compacted, older
// agents' per-decky files folded in.
#include "agents/runtime/decoy_records.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace decnet::agents {
namespace {

namespace fs = std::filesystem;

class DecoyRecordsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/decnet-records-XXXXXX";
    dir_ = ::mkdtemp(pattern);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static api::Json record(int pid, const std::string& hash = "h") {
    return {{"pid", pid}, {"hash", hash}, {"namespace", "ns"}, {"hostname", "host"}};
  }
  std::string text() const {
    std::ifstream in(dir_ + "/decoys.jsonl");
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  std::size_t lineCount() const {
    const std::string all = text();
    return static_cast<std::size_t>(std::count(all.begin(), all.end(), '\n'));
  }
  // The files in the directory besides decoys.jsonl.
  std::size_t otherFiles() const {
    std::size_t count = 0;
    for (const auto& file : fs::directory_iterator(dir_)) {
      if (file.path().filename() != "decoys.jsonl") ++count;
    }
    return count;
  }

  std::string dir_;
};

TEST_F(DecoyRecordsTest, ARestartSeesTheLastRecordOfEachDeckyAndNoStoppedOnes) {
  {
    DecoyRecords records(dir_);
    EXPECT_TRUE(records.load().empty());
    records.put("d1", record(101, "first"));
    records.put("d2", record(102));
    records.put("d1", record(111, "second"));  // restarted with a new spec
    records.put("d3", record(103));
    records.erase("d2");
    EXPECT_EQ(records.pid("d1"), 111);
    EXPECT_EQ(records.pid("d2"), 0);
    EXPECT_EQ(otherFiles(), 0u) << "no file per decoy";
  }
  DecoyRecords restarted(dir_);
  const auto loaded = restarted.load();
  ASSERT_EQ(loaded.size(), 2u);
  EXPECT_EQ(loaded.at("d1"), record(111, "second"));
  EXPECT_EQ(loaded.at("d3"), record(103));
  EXPECT_EQ(restarted.pid("d3"), 103);
  EXPECT_EQ(lineCount(), 2u) << "rewritten with the live records only:\n" << text();
}

TEST_F(DecoyRecordsTest, LinesCutShortOrMalformedAreSkippedAndTheRestKept) {
  {
    DecoyRecords records(dir_);
    records.load();
    records.put("d1", record(101));
  }
  // A crash in the middle of the next line, then a later agent appends after it.
  std::ofstream(dir_ + "/decoys.jsonl", std::ios::app) << "{\"decky\":\"d2\",\"rec";
  std::ofstream(dir_ + "/decoys.jsonl", std::ios::app)
      << "\n{\"decky\":\"d3\",\"record\":" << record(103).dump() << "}\n";
  // Lines that parse but hold no usable record (edited by hand, corrupted) are skipped too.
  std::ofstream(dir_ + "/decoys.jsonl", std::ios::app)
      << "{\"decky\":\"d4\",\"record\":{\"pid\":\"104\"}}\n"
      << "{\"decky\":\"d5\",\"record\":{\"pid\":105,\"hash\":5}}\n"
      << "{\"decky\":\"d6\",\"record\":{\"pid\":106,\"spec\":[]}}\n"
      << "[\"d7\"]\n";
  DecoyRecords restarted(dir_);
  const auto loaded = restarted.load();
  ASSERT_EQ(loaded.size(), 2u) << text();
  EXPECT_EQ(loaded.at("d1"), record(101));
  EXPECT_EQ(loaded.at("d3"), record(103));
}

TEST_F(DecoyRecordsTest, ALineTheDiskTakesOnlyInPartIsCutBack) {
  {
    DecoyRecords records(dir_);
    records.load();
    records.put("d1", record(101));
  }
  const auto before = fs::file_size(dir_ + "/decoys.jsonl");
  // A child whose file size limit lets only part of the next line in, as a full disk would.
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::signal(SIGXFSZ, SIG_IGN);  // the write comes back short (EFBIG) instead of killing it
    DecoyRecords records(dir_);
    records.load();
    const rlimit limit{static_cast<rlim_t>(before + 10), static_cast<rlim_t>(before + 10)};
    if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) ::_exit(10);
    records.put("d2", record(102));
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_EQ(fs::file_size(dir_ + "/decoys.jsonl"), before) << "the partial line is cut back:\n"
                                                           << text();
  DecoyRecords restarted(dir_);
  restarted.load();
  restarted.put("d3", record(103));
  DecoyRecords again(dir_);
  const auto loaded = again.load();
  EXPECT_EQ(loaded.size(), 2u) << text();
  EXPECT_EQ(loaded.at("d3"), record(103)) << "the next line is whole";
}

TEST_F(DecoyRecordsTest, StaysSmallWhenDecoysStartAndStopForever) {
  DecoyRecords records(dir_);
  records.load();
  records.put("kept", record(1));
  for (int i = 0; i < 5000; ++i) {
    records.put("churn-" + std::to_string(i % 7), record(1000 + i));
    if (i % 3 == 0) records.erase("churn-" + std::to_string(i % 7));
  }
  // Eight live records at most; stale lines are rewritten away before they pass 2 x live + 64.
  EXPECT_LE(lineCount(), 2u * 8 + 65) << text();
  EXPECT_EQ(records.pid("kept"), 1);
  EXPECT_EQ(otherFiles(), 0u) << "no temporary file left behind";
  DecoyRecords restarted(dir_);
  const auto loaded = restarted.load();
  EXPECT_EQ(loaded.at("kept"), record(1));
  EXPECT_EQ(loaded.at("churn-1"), record(1000 + 4999));  // 4999 % 7 == 1, 4999 % 3 != 0
}

TEST_F(DecoyRecordsTest, FoldsInAndDeletesTheFilesOfOlderAgents) {
  // The agent before: run/<decky>.json with the whole record.
  std::ofstream(dir_ + "/d1.json") << record(101, "one").dump();
  // The one before that: the spec alone in run/<decky>.json, "PID HASH" in run/<decky>.pid.
  std::ofstream(dir_ + "/d2.json") << api::Json{{"namespace", "ns"}, {"hostname", "host"}}.dump();
  std::ofstream(dir_ + "/d2.pid") << "102 two\n";
  // Unreadable leftovers go too.
  std::ofstream(dir_ + "/d3.json") << "{\"pid\":";
  std::ofstream(dir_ + "/d4.json") << "{\"pid\":\"104\"}";
  DecoyRecords records(dir_);
  const auto loaded = records.load();
  ASSERT_EQ(loaded.size(), 2u);
  EXPECT_EQ(loaded.at("d1"), record(101, "one"));
  EXPECT_EQ(loaded.at("d2"), record(102, "two"));
  EXPECT_EQ(otherFiles(), 0u) << "the per-decky files are folded in and gone";
  DecoyRecords again(dir_);
  EXPECT_EQ(again.load().size(), 2u) << "kept in decoys.jsonl";
}

TEST_F(DecoyRecordsTest, ErasingAnUnknownDeckyWritesNothing) {
  DecoyRecords records(dir_);
  records.load();
  records.erase("never-started");
  EXPECT_EQ(lineCount(), 0u);
}

}  // namespace
}  // namespace decnet::agents
