// The node spool's files: rotation, trim, the cap, and reading them in order across rotations.
#include "agents/spool_segments.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "agents/spool_reader.h"

namespace decnet::agents {
namespace {

namespace fs = std::filesystem;

// One stamped line of about 100 bytes.
std::string stamped(std::uint64_t sequence) {
  return "<134>1 2026-12-02T08:00:00.000001+00:00 d1 ssh - auth_attempt [relay@55555 "
         "src_ip=\"10.77.0.250\"][meta sequenceId=\"" +
         std::to_string(sequence) + "\"]\n";
}

class SpoolSegmentsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/decnet-segments-XXXXXX";
    dir_ = ::mkdtemp(pattern);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Appends lines from..to as one batch.
  static void append(SpoolSegments& spool, std::uint64_t from, std::uint64_t to) {
    std::string lines;
    for (auto i = from; i <= to; ++i) lines += stamped(i);
    ASSERT_TRUE(spool.append(lines, from, to));
  }
  // Everything the reader has now.
  static std::vector<std::int64_t> readAll(SpoolReader& reader) {
    std::vector<std::int64_t> sequences;
    while (auto line = reader.next()) sequences.push_back(sequenceIdOf(*line));
    return sequences;
  }
  static std::vector<std::int64_t> range(std::int64_t from, std::int64_t to) {
    std::vector<std::int64_t> out;
    for (auto i = from; i <= to; ++i) out.push_back(i);
    return out;
  }
  std::uint64_t spoolBytes() const {
    std::uint64_t total = 0;
    for (const auto& entry : fs::directory_iterator(dir_)) total += entry.file_size();
    return total;
  }

  std::string dir_;
};

TEST_F(SpoolSegmentsTest, RotatesAtTheSegmentSizeNamingSegmentsByTheirFirstSequence) {
  SpoolSegments spool(dir_, "n1", {1000, 1 << 30});
  append(spool, 1, 5);  // ~500 bytes: stays active
  EXPECT_TRUE(spool.rotated().empty());
  append(spool, 6, 10);  // reaches 1000: rotated
  append(spool, 11, 12);
  const auto rotated = spool.rotated();
  ASSERT_EQ(rotated.size(), 1u);
  EXPECT_EQ(rotated[0].path, dir_ + "/n1.log.00000000000000000001");
  EXPECT_EQ(rotated[0].firstSequence, 1u);
  EXPECT_TRUE(fs::exists(spool.activePath()));
  append(spool, 13, 25);
  ASSERT_EQ(spool.rotated().size(), 2u);
  EXPECT_EQ(spool.rotated()[1].path, dir_ + "/n1.log.00000000000000000011");
  // A restart finds them again.
  SpoolSegments restarted(dir_, "n1", {1000, 1 << 30});
  EXPECT_EQ(restarted.rotated().size(), 2u);
  append(restarted, 26, 40);
  EXPECT_EQ(restarted.rotated().back().path, dir_ + "/n1.log.00000000000000000026");
}

TEST_F(SpoolSegmentsTest, TrimDeletesOnlySegmentsWhoseEveryLineIsCommitted) {
  SpoolSegments spool(dir_, "n1", {1000, 1 << 30});
  append(spool, 1, 10);
  append(spool, 11, 20);
  append(spool, 21, 22);
  ASSERT_EQ(spool.rotated().size(), 2u);
  spool.trimCommitted(9);
  EXPECT_EQ(spool.rotated().size(), 2u) << "line 10 of the first segment is not committed";
  spool.trimCommitted(10);
  ASSERT_EQ(spool.rotated().size(), 1u);
  EXPECT_EQ(spool.rotated()[0].firstSequence, 11u);
  EXPECT_FALSE(fs::exists(dir_ + "/n1.log.00000000000000000001"));
  spool.trimCommitted(22);
  EXPECT_TRUE(spool.rotated().empty());
  EXPECT_TRUE(fs::exists(spool.activePath())) << "the active file is never trimmed";
  EXPECT_EQ(spool.linesDroppedByCap(), 0u);
}

TEST_F(SpoolSegmentsTest, TheCapDeletesTheOldestSegmentsAndCountsTheUncommittedLines) {
  SpoolSegments spool(dir_, "n1", {1000, 3000});
  for (std::uint64_t first = 1; first <= 91; first += 10) append(spool, first, first + 9);
  EXPECT_LE(spoolBytes(), 3000u);
  // 100 lines written, what is left is the newest; the rest were dropped and counted.
  SpoolReader reader(spool, 0);
  const auto left = readAll(reader);
  ASSERT_FALSE(left.empty());
  EXPECT_EQ(left.back(), 100);
  EXPECT_EQ(left, range(101 - static_cast<std::int64_t>(left.size()), 100));
  EXPECT_EQ(spool.linesDroppedByCap(), 100 - left.size());
  // Lines the collector has acknowledged are not counted as lost.
  spool.trimCommitted(95);  // keeps the segment 91..100
  const auto dropped = spool.linesDroppedByCap();
  append(spool, 101, 110);
  append(spool, 111, 120);  // over the cap: 91..100 goes
  EXPECT_FALSE(fs::exists(dir_ + "/n1.log.00000000000000000091"));
  EXPECT_EQ(spool.linesDroppedByCap() - dropped, 5u) << "only 96..100 were not acknowledged";
}

TEST_F(SpoolSegmentsTest, ReaderGoesThroughSegmentsInOrderThenFollowsTheActiveFile) {
  SpoolSegments spool(dir_, "n1", {1000, 1 << 30});
  append(spool, 1, 10);
  append(spool, 11, 20);
  append(spool, 21, 25);
  SpoolReader reader(spool, 0);
  EXPECT_EQ(readAll(reader), range(1, 25));
  append(spool, 26, 27);
  EXPECT_EQ(readAll(reader), range(26, 27)) << "it follows the active file";
  // The collector has 1..14: a new reader starts in the segment that holds 15.
  SpoolReader resumed(spool, 14);
  const auto rest = readAll(resumed);
  ASSERT_FALSE(rest.empty());
  EXPECT_EQ(rest.front(), 11);
  EXPECT_EQ(rest.back(), 27);
}

TEST_F(SpoolSegmentsTest, ReaderFinishesAFileRotatedUnderItThenMovesOn) {
  SpoolSegments spool(dir_, "n1", {1000, 1 << 30});
  append(spool, 1, 3);
  SpoolReader reader(spool, 0);
  EXPECT_EQ(readAll(reader), range(1, 3));  // now following the active file
  append(spool, 4, 12);                     // rotated under the reader
  append(spool, 13, 22);                    // and the next one too
  append(spool, 23, 24);
  EXPECT_EQ(spool.rotated().size(), 2u);
  EXPECT_EQ(readAll(reader), range(4, 24)) << "nothing lost, nothing twice";
  append(spool, 25, 34);  // rotated with 23..24 in it: the reader finishes that file first
  append(spool, 35, 44);
  EXPECT_EQ(readAll(reader), range(25, 44));
  // A segment deleted before it is read is skipped.
  fs::remove(spool.rotated()[1].path);  // 13..22
  SpoolReader fresh(spool, 0);
  auto expected = range(1, 12);
  for (auto i : range(23, 44)) expected.push_back(i);
  EXPECT_EQ(readAll(fresh), expected);
}

TEST_F(SpoolSegmentsTest, ReaderHoldsBackAPartialLine) {
  SpoolSegments spool(dir_, "n1");
  std::ofstream(spool.activePath(), std::ios::binary) << stamped(1) << "<134>1 partial";
  SpoolReader reader(spool, 0);
  EXPECT_EQ(readAll(reader), range(1, 1));
  std::ofstream(spool.activePath(), std::ios::binary | std::ios::app) << " line\n";
  auto line = reader.next();
  ASSERT_TRUE(line);
  EXPECT_EQ(*line, "<134>1 partial line");
}

}  // namespace
}  // namespace decnet::agents
