// The correlator: the fold on its own (events in, records out), then the worker over a real
// SQLite telemetry database, as `decnet correlate` runs it.
#include "pipeline/correlator/correlator.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "api/types/clock.h"

namespace decnet::pipeline {
namespace {

CollectedEvent event(std::int64_t id, const std::string& time, const std::string& decky,
                     const std::string& service, const std::string& type,
                     const std::string& fields = "{}", const std::string& ip = "10.77.0.250") {
  CollectedEvent e;
  e.id = id;
  e.node = "local";
  e.sequenceId = id;
  e.time = time;
  e.decky = decky;
  e.service = service;
  e.eventType = type;
  e.attackerIp = ip;
  e.fieldsJson = fields;
  return e;
}

TEST(FoldEvents, SessionsAttackersAndCredentials) {
  std::map<std::string, AttackerRecord> attackers;
  std::vector<SessionRecord> open;
  const std::vector<CollectedEvent> events = {
      event(1, "2026-12-02T08:00:00Z", "corp-01", "ssh", "connect"),
      event(
          2, "2026-12-02T08:00:01Z", "corp-01", "ssh", "auth_attempt",
          R"j({"principal":"root","secret":"toor","outcome":"failed","client_version":"SSH-2.0-OpenSSH_9.2"})j"),
      event(3, "2026-12-02T08:00:02Z", "corp-01", "ssh", "command", R"j({"cmd":"uname -a"})j"),
      event(4, "2026-12-02T08:00:03Z", "corp-01", "ssh", "disconnect"),
      event(5, "2026-12-02T08:00:04Z", "corp-02", "http", "request",
            R"j({"path":"/","user_agent":"Mozilla/5.0 (compatible; Nmap Scripting Engine)"})j"),
      event(6, "2026-12-02T08:00:05Z", "corp-03", "ftp", "auth_attempt",
            R"j({"principal":"root","secret":"toor","outcome":"failed"})j"),
      event(7, "2026-12-02T08:00:06Z", "corp-01", "ssh", "connect"),
      event(8, "2026-12-02T08:00:07Z", "corp-01", "ssh", "connect", "{}", ""),  // no address
  };
  const CorrelationBatch batch = foldEvents(events, attackers, open, {});
  EXPECT_EQ(batch.cursor, 8);
  ASSERT_EQ(batch.attackers.size(), 1u);
  const AttackerRecord& a = batch.attackers[0];
  EXPECT_EQ(a.ip, "10.77.0.250");
  EXPECT_EQ(a.eventCount, 7);
  EXPECT_EQ(a.firstSeen, "2026-12-02T08:00:00Z");
  EXPECT_EQ(a.lastSeen, "2026-12-02T08:00:06Z");
  EXPECT_EQ(a.deckies, (std::vector<std::string>{"corp-01", "corp-02", "corp-03"}));
  EXPECT_EQ(a.services, (std::vector<std::string>{"ssh", "http", "ftp"}));
  ASSERT_EQ(a.traversal.size(), 4u);  // 01 -> 02 -> 03 -> 01
  EXPECT_EQ(a.traversal[3].decky, "corp-01");
  EXPECT_EQ(a.commands, (std::vector<std::string>{"uname -a"}));
  EXPECT_EQ(a.credentialCount, 2);
  EXPECT_EQ(a.sessionCount, 4);  // ssh (closed), http, ftp, ssh again
  EXPECT_EQ(a.clients.size(), 2u);
  EXPECT_EQ(a.gaps, 6);
  EXPECT_NEAR(a.gapMean, 1.0, 1e-9);
  EXPECT_EQ(a.revision, 1);

  ASSERT_EQ(batch.sessions.size(), 4u);
  const SessionRecord& first = batch.sessions[0];  // closed ones come first
  EXPECT_TRUE(first.closed);
  EXPECT_EQ(first.closeReason, "disconnect");
  EXPECT_EQ(first.eventCount, 4);
  EXPECT_EQ(first.commands, (std::vector<std::string>{"uname -a"}));
  ASSERT_EQ(first.credentials.size(), 1u);
  EXPECT_EQ(first.credentials[0].principal, "root");
  ASSERT_EQ(batch.credentials.size(), 2u);
  EXPECT_EQ(batch.credentials[1].decky, "corp-03");
}

TEST(FoldEvents, AnIdleGapStartsANewSession) {
  std::map<std::string, AttackerRecord> attackers;
  std::vector<SessionRecord> open;
  const auto batch = foldEvents({event(1, "2026-12-02T08:00:00Z", "corp-01", "http", "request"),
                                 event(2, "2026-12-02T08:04:59Z", "corp-01", "http", "request"),
                                 event(3, "2026-12-02T08:10:00Z", "corp-01", "http", "request")},
                                attackers, open, {});
  ASSERT_EQ(batch.sessions.size(), 2u);
  EXPECT_TRUE(batch.sessions[0].closed);
  EXPECT_EQ(batch.sessions[0].closeReason, "idle");
  EXPECT_EQ(batch.sessions[0].eventCount, 2);
  EXPECT_FALSE(batch.sessions[1].closed);
  EXPECT_EQ(batch.attackers[0].sessionCount, 2);
}

TEST(FoldEvents, AFoldedFloodCountsAsItsEvents) {
  // A line with count="N" stands for N events (the agent's or the collector's flood folding).
  std::map<std::string, AttackerRecord> attackers;
  std::vector<SessionRecord> open;
  const std::vector<CollectedEvent> events = {
      event(1, "2026-12-02T08:00:00Z", "corp-01", "ssh", "auth_attempt",
            R"j({"principal":"root","secret":"toor","outcome":"failed"})j"),
      event(2, "2026-12-02T08:00:01Z", "corp-01", "ssh", "auth_attempt",
            R"j({"principal":"root","secret":"toor","outcome":"failed","count":"900"})j"),
      event(3, "2026-12-02T08:00:02Z", "corp-01", "ssh", "auth_attempt",
            R"j({"principal":"root","secret":"x","count":"not a number"})j"),
  };
  const CorrelationBatch batch = foldEvents(events, attackers, open, {});
  ASSERT_EQ(batch.attackers.size(), 1u);
  EXPECT_EQ(batch.attackers[0].eventCount, 902);
  EXPECT_EQ(batch.attackers[0].eventTypes.at("auth_attempt"), 902);
  EXPECT_EQ(batch.attackers[0].credentialCount, 902);
  ASSERT_EQ(batch.credentials.size(), 3u);
  EXPECT_EQ(batch.credentials[1].attempts, 900);
  ASSERT_EQ(batch.sessions.size(), 1u);
  EXPECT_EQ(batch.sessions[0].eventCount, 902);
}

TEST(FoldEvents, HostileFieldsAreData) {
  std::map<std::string, AttackerRecord> attackers;
  std::vector<SessionRecord> open;
  const auto batch = foldEvents(
      {event(1, "not a time", "corp-01", "ssh", "command", "{not json"),
       event(2, "2026-12-02T08:00:00Z", "corp-01", "ssh", "command",
             R"j({"cmd":["x"],"ttl":"x"})j"),
       event(3, "2026-12-02T08:00:00Z", "corp-01", "ssh", "auth_attempt", R"j({"principal":7})j")},
      attackers, open, {});
  ASSERT_EQ(batch.attackers.size(), 1u);
  EXPECT_EQ(batch.attackers[0].eventCount, 3);
  EXPECT_EQ(batch.attackers[0].commands, (std::vector<std::string>{"[\"x\"]"}));
}

class CorrelatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("decnet-correlator-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    dsn_ = (dir_ / "telemetry.db").string();
    events_ = std::move(*openTelemetryStore(dsn_));
    analysis_ = std::move(*openAnalysisStore(dsn_));
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void store(std::vector<CollectedEvent> events) {
    for (auto& e : events) e.id = 0;
    ASSERT_TRUE(events_->commit(events, {}));
  }

  std::filesystem::path dir_;
  std::string dsn_;
  std::unique_ptr<TelemetryStore> events_;
  std::unique_ptr<AnalysisStore> analysis_;
};

TEST_F(CorrelatorTest, StepsContinueAcrossBatchesAndCopies) {
  // A session that spans two steps (and two correlator objects, as after a restart) stays one.
  // Recent times: the idle sweep closes sessions older than 5 min by the wall clock.
  const auto now = api::systemClock().now();
  const auto at = [&](int seconds) { return api::formatTime(now + std::chrono::seconds(seconds)); };
  store({event(1, at(0), "corp-01", "ssh", "connect"),
         event(2, at(1), "corp-01", "ssh", "auth_attempt",
               R"j({"principal":"root","secret":"toor","outcome":"failed"})j"),
         event(3, at(2), "corp-02", "ssh", "auth_attempt",
               R"j({"principal":"root","secret":"toor","outcome":"failed"})j")});
  ASSERT_TRUE(*analysis_->acquireLease("correlator", "me", std::chrono::seconds(10)));
  {
    Correlator first(*events_, *analysis_, {std::chrono::seconds(300), 2});
    EXPECT_EQ(*first.step("me"), 2u);
  }
  Correlator second(*events_, *analysis_, {std::chrono::seconds(300), 2});
  EXPECT_EQ(*second.step("me"), 1u);
  EXPECT_EQ(*second.step("me"), 0u);
  store({event(4, at(3), "corp-01", "ssh", "command", R"j({"cmd":"id"})j"),
         event(5, at(4), "corp-01", "ssh", "disconnect")});
  EXPECT_EQ(*second.step("me"), 2u);

  auto attackers = analysis_->attackers({});
  ASSERT_TRUE(attackers);
  ASSERT_EQ(attackers->size(), 1u);
  const AttackerRecord& a = attackers->front();
  EXPECT_EQ(a.eventCount, 5);
  EXPECT_EQ(a.sessionCount, 2);
  EXPECT_EQ(a.deckies, (std::vector<std::string>{"corp-01", "corp-02"}));
  ASSERT_EQ(a.traversal.size(), 3u);  // stored as rows across the steps: 01 -> 02 -> 01
  EXPECT_EQ(a.traversal[0].decky, "corp-01");
  EXPECT_EQ(a.traversal[1].decky, "corp-02");
  EXPECT_EQ(a.traversal[2].decky, "corp-01");
  EXPECT_EQ(a.traversal[2].time, at(3));
  EXPECT_EQ(a.commands, (std::vector<std::string>{"id"}));
  EXPECT_TRUE(a.credentialReused) << "root/toor on two deckies";
  EXPECT_EQ(a.revision, 3);

  AnalysisQuery corp01;
  corp01.decky = "corp-01";
  auto sessions = analysis_->sessions(corp01);
  ASSERT_EQ(sessions->size(), 1u);
  EXPECT_TRUE(sessions->front().closed);
  EXPECT_EQ(sessions->front().eventCount, 4);
  EXPECT_EQ(sessions->front().commands, (std::vector<std::string>{"id"}));
  auto credentials = analysis_->credentials({});
  ASSERT_EQ(credentials->size(), 2u);
  EXPECT_TRUE((*credentials)[0].reused);
  EXPECT_EQ(analysis_->counts()->openSessions, 1);
}

TEST_F(CorrelatorTest, WithoutTheLeaseNothingIsWritten) {
  store({event(1, "2026-12-02T08:00:00Z", "corp-01", "ssh", "connect")});
  ASSERT_TRUE(*analysis_->acquireLease("correlator", "other", std::chrono::seconds(10)));
  EXPECT_FALSE(*analysis_->acquireLease("correlator", "me", std::chrono::seconds(10)));
  Correlator correlator(*events_, *analysis_);
  auto stepped = correlator.step("me");
  ASSERT_FALSE(stepped);
  EXPECT_EQ(stepped.error().code, Errc::kConflict);
  EXPECT_EQ(*analysis_->cursor("correlator"), 0);
  EXPECT_TRUE(analysis_->attackers({})->empty());
  EXPECT_EQ(*analysis_->leaseHolder("correlator"), "other");
}

TEST_F(CorrelatorTest, IdleSessionsAreClosedByTheClock) {
  store({event(1, "2020-01-01T00:00:00Z", "corp-01", "ssh", "connect")});
  ASSERT_TRUE(*analysis_->acquireLease("correlator", "me", std::chrono::seconds(10)));
  Correlator correlator(*events_, *analysis_);
  ASSERT_EQ(*correlator.step("me"), 1u);  // the sweep ran before the session existed
  EXPECT_EQ(analysis_->counts()->openSessions, 1);
  EXPECT_EQ(*analysis_->closeIdleSessions(std::numeric_limits<std::int64_t>::max(), "me"), 1);
  auto sessions = analysis_->sessions({});
  EXPECT_EQ(sessions->front().closeReason, "idle");
}

TEST_F(CorrelatorTest, TraversalAndCommandsStayBoundedAcrossSteps) {
  // 700 commands, each on the other decky than the last: 700 hops wanted, 500 kept (the first);
  // commands: the latest 200. Steps of 64 events, so the bounds hold across many saves.
  const auto now = api::systemClock().now();
  std::vector<CollectedEvent> events;
  for (int i = 1; i <= 700; ++i) {
    events.push_back(event(i, api::formatTime(now + std::chrono::milliseconds(i)),
                           i % 2 ? "corp-01" : "corp-02", "ssh", "command",
                           R"j({"cmd":"echo )j" + std::to_string(i) + R"j("})j"));
  }
  store(events);
  ASSERT_TRUE(*analysis_->acquireLease("correlator", "me", std::chrono::seconds(10)));
  Correlator correlator(*events_, *analysis_, {std::chrono::seconds(300), 64});
  std::size_t consumed = 0;
  for (auto step = correlator.step("me"); step && *step > 0; step = correlator.step("me")) {
    consumed += *step;
  }
  EXPECT_EQ(consumed, 700u);
  auto attackers = analysis_->attackers({});
  ASSERT_EQ(attackers->size(), 1u);
  const AttackerRecord& a = attackers->front();
  ASSERT_EQ(a.traversal.size(), 500u);
  EXPECT_EQ(a.traversal[499].decky, "corp-02");
  EXPECT_EQ(a.commandCount, 700);
  ASSERT_EQ(a.commands.size(), 200u);
  EXPECT_EQ(a.commands.front(), "echo 501");
  EXPECT_EQ(a.commands.back(), "echo 700");
}

}  // namespace
}  // namespace decnet::pipeline
