#include "agents/log_forwarder.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "agents/spool_reader.h"

namespace decnet::agents {
namespace {

namespace fs = std::filesystem;

// An http request line as a decoy writes it (RFC 5424, real timestamp: the folder parses it).
std::string request(const std::string& path, int srcPort,
                    const std::string& attacker = "10.77.0.250") {
  return "<134>1 2026-04-18T08:27:21.862365+00:00 d1 http - request [relay@55555 src_ip=\"" +
         attacker + "\" src_port=\"" + std::to_string(srcPort) +
         "\" dst_port=\"80\" method=\"GET\" path=\"" + path + "\"]\n";
}

std::vector<std::string> linesOf(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

class LogForwarderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/decnet-forwarder-XXXXXX";
    dir_ = ::mkdtemp(pattern);
    fs::create_directories(dir_ + "/logs");
  }
  void TearDown() override { fs::remove_all(dir_); }
  void append(const std::string& decky, const std::string& text) {
    std::ofstream(dir_ + "/logs/" + decky + ".log", std::ios::app) << text;
  }
  std::string spool() {
    std::ifstream in(dir_ + "/spool/n1.log");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  // Every line of the node's spool, rotated segments first.
  static std::vector<std::string> allSpooled(const LogForwarder& forwarder) {
    std::vector<std::string> lines;
    SpoolReader reader(*forwarder.spool(), 0);
    while (auto line = reader.next()) lines.push_back(*line);
    return lines;
  }
  std::string dir_;
};

TEST(StampSequenceTest, AddsMetaAfterTheStructuredData) {
  EXPECT_EQ(
      stampSequence(
          "<134>1 2026-01-01T00:00:00.000000+00:00 d1 http - request [relay@55555 a=\"x\"] hi", 7),
      "<134>1 2026-01-01T00:00:00.000000+00:00 d1 http - request [relay@55555 a=\"x\"][meta "
      "sequenceId=\"7\"] hi");
  EXPECT_EQ(stampSequence("<134>1 2026-01-01T00:00:00Z d1 ssh - connect - msg", 1),
            "<134>1 2026-01-01T00:00:00Z d1 ssh - connect [meta sequenceId=\"1\"] msg");
  // An escaped ] inside a value does not end the element.
  EXPECT_EQ(stampSequence("<134>1 T d1 http - request [relay@55555 p=\"a\\]b\"]", 2),
            "<134>1 T d1 http - request [relay@55555 p=\"a\\]b\"][meta sequenceId=\"2\"]");
  EXPECT_EQ(stampSequence("not syslog at all", 3), "");
  EXPECT_EQ(stampSequence("<134>1 T d1 http - request [unterminated", 3), "");
}

TEST_F(LogForwarderTest, ForwardsCompleteLinesWithIncreasingSequenceAndKeepsRawLines) {
  LogForwarder forwarder(dir_, "n1");
  append("d1", "<134>1 T d1 http - request - one\n<134>1 T d1 http - request - two\npartial");
  append("d2", "garbage line\n");
  forwarder.poll();
  const std::string out = spool();
  EXPECT_NE(out.find("sequenceId=\"1\"] one"), std::string::npos) << out;
  EXPECT_NE(out.find("sequenceId=\"2\"] two"), std::string::npos) << out;
  EXPECT_NE(out.find("garbage line\n"), std::string::npos) << "non-RFC 5424 lines are kept raw";
  EXPECT_EQ(out.find("partial"), std::string::npos) << "an incomplete line waits";
  EXPECT_EQ(forwarder.rawLines(), 1u);
  append("d1", " line\n");
  forwarder.poll();
  EXPECT_NE(spool().find("partial line"), std::string::npos);
}

TEST_F(LogForwarderTest, ResumesAfterARestartWithoutRepeatsOrGaps) {
  {
    LogForwarder forwarder(dir_, "n1");
    append("d1", "<134>1 T d1 ssh - connect - a\n");
    forwarder.poll();
  }
  append("d1", "<134>1 T d1 ssh - connect - b\n");
  LogForwarder restarted(dir_, "n1");
  restarted.poll();
  const std::string out = spool();
  EXPECT_EQ(out.find(" a\n"), out.rfind(" a\n")) << "line a forwarded once: " << out;
  EXPECT_NE(out.find("sequenceId=\"2\"] b"), std::string::npos) << out;
}

TEST_F(LogForwarderTest, ForgetRetiresTheLogAndTheNextPollShipsItsLastLines) {
  LogForwarder forwarder(dir_, "n1");
  append("d1", "<134>1 T d1 ssh - connect - first\n");
  forwarder.poll();
  append("d1", "<134>1 T d1 ssh - disconnect - last\n");
  forwarder.forget("d1");
  EXPECT_FALSE(fs::exists(dir_ + "/logs/d1.log"));
  EXPECT_EQ(spool().find("] last"), std::string::npos) << "forget itself writes nothing";
  forwarder.poll();
  EXPECT_NE(spool().find("] last"), std::string::npos) << "the next poll shipped the last line";
  EXPECT_TRUE(fs::is_empty(dir_ + "/logs/retired")) << "a shipped retired log is deleted";
  forwarder.poll();
  const std::string out = spool();
  EXPECT_EQ(out.find("] first"), out.rfind("] first")) << "nothing is sent twice: " << out;
  EXPECT_EQ(out.find("] last"), out.rfind("] last")) << "nothing is sent twice: " << out;
}

TEST_F(LogForwarderTest, ARetiredLogNeitherMixesWithNorDelaysTheDeckysNextIncarnation) {
  LogForwarder forwarder(dir_, "n1");
  append("d1", "<134>1 T d1 decnet - decoy_start [relay@55555 pid=\"10\"] start\n");
  forwarder.poll();
  append("d1", "<134>1 T d1 ssh - listening [relay@55555 port=\"22\" proto=\"tcp\"]\n");
  forwarder.forget("d1");
  append("d1", "<134>1 T d1 decnet - decoy_start [relay@55555 pid=\"11\"] again\n");
  forwarder.poll();
  const auto lines = linesOf(spool());
  ASSERT_EQ(lines.size(), 3u) << spool();
  EXPECT_NE(spool().find("port=\"22\""), std::string::npos) << "the old log's last line shipped";
  EXPECT_NE(spool().find("] again"), std::string::npos) << "the new log is read from its start";
  const auto state = forwarder.readiness("d1");
  EXPECT_TRUE(state.started);
  EXPECT_TRUE(state.services.empty()) << "the old decoy's listening line is not the new one's";
}

TEST_F(LogForwarderTest, TwoIncarnationsRetiredBetweenPollsShipInTurn) {
  LogForwarder forwarder(dir_, "n1");
  // A longer first log: its offset sorts after the second's in a name, not in time.
  append("d1", "<134>1 T d1 ssh - connect - first incarnation\n");
  forwarder.poll();
  append("d1", "<134>1 T d1 ssh - disconnect - first incarnation ends\n");
  forwarder.forget("d1");
  append("d1", "<134>1 T d1 ssh - connect - second\n");
  forwarder.forget("d1");
  forwarder.poll();
  const std::string out = spool();
  ASSERT_NE(out.find("first incarnation ends"), std::string::npos) << out;
  ASSERT_NE(out.find("] second"), std::string::npos) << out;
  EXPECT_LT(out.find("first incarnation ends"), out.find("] second")) << out;
}

TEST_F(LogForwarderTest, LogsRetiredBeforeARestartAreShippedOnceAfterIt) {
  {
    LogForwarder forwarder(dir_, "n1");
    append("d1", "<134>1 T d1 ssh - connect - first\n");
    forwarder.poll();
    append("d1", "<134>1 T d1 ssh - disconnect - last\n");
    forwarder.forget("d1");  // stopped before the next poll
  }
  LogForwarder restarted(dir_, "n1");
  restarted.poll();
  restarted.poll();
  const std::string out = spool();
  EXPECT_EQ(out.find("] first"), out.rfind("] first")) << "resumed at the retired offset: " << out;
  EXPECT_NE(out.find("] last"), std::string::npos) << out;
  EXPECT_EQ(out.find("] last"), out.rfind("] last")) << out;
  EXPECT_TRUE(fs::is_empty(dir_ + "/logs/retired"));
}

TEST_F(LogForwarderTest, TracksServiceReadinessPerDecoyIncarnation) {
  LogForwarder forwarder(dir_, "n1");
  append("d1",
         "<134>1 T d1 decnet - decoy_start [relay@55555 pid=\"10\"] start\n"
         "<134>1 T d1 ssh - listening [relay@55555 port=\"22\" proto=\"tcp\"]\n"
         "<131>1 T d1 http - bind_failed [relay@55555 port=\"80\" error=\"Address in use\"]\n");
  forwarder.poll();
  auto state = forwarder.readiness("d1");
  EXPECT_TRUE(state.started);
  EXPECT_TRUE(state.services["ssh"].ready);
  EXPECT_EQ(state.services["ssh"].ports, std::vector<int>{22});
  EXPECT_FALSE(state.services["http"].ready);
  EXPECT_NE(state.services["http"].message.find("Address in use"), std::string::npos);
  // A new incarnation starts from scratch; a restarted forwarder rebuilds from the log.
  append("d1", "<134>1 T d1 decnet - decoy_start [relay@55555 pid=\"11\"] start\n");
  forwarder.poll();
  EXPECT_TRUE(forwarder.readiness("d1").services.empty());
  append("d1", "<134>1 T d1 http - listening [relay@55555 port=\"80\" proto=\"tcp\"]\n");
  forwarder.poll();
  LogForwarder restarted(dir_, "n1");
  EXPECT_TRUE(restarted.readiness("d1").services["http"].ready);
  EXPECT_EQ(restarted.readiness("d1").services.count("ssh"), 0u);
}

TEST_F(LogForwarderTest, RotatesTheSpoolAndKeepsEveryLineInOrder) {
  LogForwarderOptions options;
  options.spool.segmentBytes = 2000;
  LogForwarder forwarder(dir_, "n1", options);
  for (int i = 0; i < 40; ++i) {
    append("d1", "<134>1 T d1 ssh - connect [relay@55555 n=\"" + std::to_string(i) + "\"] x\n");
    if (i % 10 == 9) forwarder.poll();
  }
  EXPECT_TRUE(fs::exists(dir_ + "/spool/n1.log.00000000000000000001"));
  EXPECT_GE(forwarder.spool()->rotated().size(), 1u);
  const auto lines = allSpooled(forwarder);
  ASSERT_EQ(lines.size(), 40u);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(sequenceIdOf(lines[i]), static_cast<std::int64_t>(i + 1)) << lines[i];
  }
}

TEST_F(LogForwarderTest, WithoutACollectorTheCapBoundsTheSpool) {
  LogForwarderOptions options;
  options.spool = {2000, 6000};
  LogForwarder forwarder(dir_, "n1", options);
  for (int round = 0; round < 20; ++round) {
    for (int i = 0; i < 10; ++i) append("d1", "<134>1 T d1 ssh - connect - line\n");
    forwarder.poll();
  }
  std::uint64_t bytes = 0;
  for (const auto& entry : fs::directory_iterator(dir_ + "/spool")) {
    if (entry.path().filename() != "n1.state") bytes += entry.file_size();
  }
  EXPECT_LE(bytes, 6000u);
  const auto kept = allSpooled(forwarder);
  EXPECT_GT(forwarder.linesDroppedByCap(), 0u);
  EXPECT_EQ(forwarder.linesDroppedByCap() + kept.size(), 200u) << "every line kept or counted";
  EXPECT_EQ(sequenceIdOf(kept.back()), 200);
}

TEST_F(LogForwarderTest, FoldsAFloodOfIdenticalEventsIntoACountLine) {
  LogForwarderOptions options;
  options.fold.window = std::chrono::milliseconds(300);
  LogForwarder forwarder(dir_, "n1", options);
  std::string flood;
  for (int i = 0; i < 1000; ++i) flood += request("/wp-login.php", 40000 + i);
  append("d1", flood);
  forwarder.poll();
  EXPECT_EQ(linesOf(spool()).size(), 100u) << "the first 100 of the window pass";
  EXPECT_EQ(forwarder.linesFolded(), 900u);
  std::this_thread::sleep_for(std::chrono::milliseconds(350));
  forwarder.poll();  // the window has ended
  const auto lines = linesOf(spool());
  ASSERT_EQ(lines.size(), 101u);
  EXPECT_NE(lines[99].find("src_port=\"40099\""), std::string::npos) << lines[99];
  // The last held-back line stands for all 900, stamped like any line.
  EXPECT_NE(lines[100].find("src_port=\"40999\" dst_port=\"80\" method=\"GET\" "
                            "path=\"/wp-login.php\" count=\"900\"][meta sequenceId=\"101\"]"),
            std::string::npos)
      << lines[100];
  // A new window starts afresh.
  append("d1", request("/wp-login.php", 50000));
  forwarder.poll();
  EXPECT_EQ(linesOf(spool()).size(), 102u);
}

TEST_F(LogForwarderTest, FoldsOnlyWhatIsIdentical) {
  LogForwarder forwarder(dir_, "n1");
  std::string lines;
  for (int i = 0; i < 300; ++i) lines += request("/page-" + std::to_string(i), 40000);
  for (int i = 0; i < 150; ++i) lines += request("/", 40000, "10.77.0." + std::to_string(i));
  // Lines without an attacker address or not RFC 5424 are never folded.
  for (int i = 0; i < 150; ++i) {
    lines += "<134>1 2026-04-18T08:27:21.862365+00:00 d1 http - request [relay@55555 path=\"/\"]\n";
    lines += "<134>1 T d1 http - request [relay@55555 src_ip=\"10.77.0.250\" path=\"/\"]\n";
  }
  append("d1", lines);
  forwarder.drain();
  EXPECT_EQ(forwarder.linesFolded(), 0u);
  EXPECT_EQ(linesOf(spool()).size(), 750u);
}

TEST_F(LogForwarderTest, NeverFoldsTheDecoysReadinessLines) {
  LogForwarder forwarder(dir_, "n1");
  std::string lines;
  for (int i = 0; i < 150; ++i) {
    for (const std::string type : {"decoy_start", "listening", "bind_failed"}) {
      lines += "<134>1 2026-04-18T08:27:21.862365+00:00 d1 http - " + type +
               " [relay@55555 src_ip=\"10.77.0.250\" port=\"80\"]\n";
    }
  }
  append("d1", lines);
  forwarder.drain();
  EXPECT_EQ(forwarder.linesFolded(), 0u);
  EXPECT_EQ(linesOf(spool()).size(), 450u);
}

TEST_F(LogForwarderTest, DrainWritesTheCountsOfWindowsStillOpen) {
  LogForwarder forwarder(dir_, "n1");  // 1 s windows: none ends during the test
  std::string flood;
  for (int i = 0; i < 130; ++i) flood += request("/admin", 40000 + i);
  append("d1", flood);
  forwarder.poll();
  EXPECT_EQ(linesOf(spool()).size(), 100u);
  forwarder.drain();
  const auto lines = linesOf(spool());
  ASSERT_EQ(lines.size(), 101u);
  EXPECT_NE(lines[100].find("count=\"30\""), std::string::npos) << lines[100];
}

}  // namespace
}  // namespace decnet::agents

namespace decnet::agents {
namespace {

TEST_F(LogForwarderTest, DecoyLogBlocksAreGivenBackOnceSpooled) {
  LogForwarder forwarder(dir_, "n1");
  std::string text;
  for (int i = 0; i < 40000; ++i) text += request("/p" + std::to_string(i), 1000 + i % 50000);
  append("d1", text);  // about 6 MiB, every path distinct: nothing folds
  forwarder.poll();
  const std::string log = dir_ + "/logs/d1.log";
  struct stat info {};
  ASSERT_EQ(::stat(log.c_str(), &info), 0);
  EXPECT_EQ(static_cast<std::size_t>(info.st_size), text.size()) << "offsets stay valid";
  EXPECT_LT(static_cast<std::uint64_t>(info.st_blocks) * 512, 1024u * 1024u)
      << "the spooled part of the decoy's log still takes disk";
  append("d1", request("/after", 1));
  forwarder.poll();
  const auto lines = allSpooled(forwarder);
  ASSERT_EQ(lines.size(), 40001u);
  EXPECT_NE(lines.back().find("path=\"/after\""), std::string::npos);
}

}  // namespace
}  // namespace decnet::agents
