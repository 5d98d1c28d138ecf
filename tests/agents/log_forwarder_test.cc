#include "agents/log_forwarder.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace decnet::agents {
namespace {

namespace fs = std::filesystem;

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

TEST_F(LogForwarderTest, ForgetShipsTheLastLinesThenDropsTheLog) {
  LogForwarder forwarder(dir_, "n1");
  append("d1", "<134>1 T d1 ssh - connect - first\n");
  forwarder.poll();
  append("d1", "<134>1 T d1 ssh - disconnect - last\n");
  forwarder.forget("d1");
  EXPECT_FALSE(fs::exists(dir_ + "/logs/d1.log"));
  EXPECT_NE(spool().find("] last"), std::string::npos) << "the last line was shipped";
  forwarder.poll();
  const std::string out = spool();
  EXPECT_EQ(out.find("] first"), out.rfind("] first")) << "nothing is sent twice: " << out;
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

}  // namespace
}  // namespace decnet::agents
