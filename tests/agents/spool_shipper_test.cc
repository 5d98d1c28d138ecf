// The agent's spool shipper against the real collector (loopback, a SQLite file): every stamped
// line arrives once, across a collector that stops and comes back, lines appended meanwhile and
// spool rotations; what the collector has committed is trimmed from the spool.
#include "agents/spool_shipper.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "pipeline/collector/collector.h"
#include "tests/support/process.h"

namespace decnet::agents {
namespace {

std::string stamped(int sequence) {
  return "<134>1 2026-12-02T08:00:00.000001+00:00 corp-lan-01 ssh - auth_attempt "
         "[relay@55555 src_ip=\"10.77.0.250\" principal=\"root\"][meta sequenceId=\"" +
         std::to_string(sequence) + "\"]";
}

class SpoolShipperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/decnet-ship-XXXXXX";
    dir_ = ::mkdtemp(pattern);
    port_ = decnet::testing::freePort();
    spool_ = std::make_shared<SpoolSegments>(dir_, "sensor-1");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Appends lines from..to as the forwarder does, in batches of `batch`.
  void append(int from, int to, int batch = 1000) {
    for (int first = from; first <= to; first += batch) {
      const int last = std::min(to, first + batch - 1);
      std::string lines;
      for (int i = first; i <= last; ++i) lines += stamped(i) + "\n";
      ASSERT_TRUE(spool_->append(lines, first, last));
    }
  }

  ShipperOptions shipperOptions() const {
    return {spool_, "127.0.0.1:" + std::to_string(port_), std::chrono::milliseconds(50),
            std::chrono::milliseconds(500)};
  }

  std::unique_ptr<pipeline::Collector> startCollector(pipeline::TelemetryStore& store) {
    pipeline::CollectorOptions options;
    options.listen = "127.0.0.1:" + std::to_string(port_);
    auto collector = std::make_unique<pipeline::Collector>(store, options);
    EXPECT_TRUE(collector->start());
    return collector;
  }

  // Waits (10 s at most) until the store holds `count` events.
  std::int64_t waitFor(pipeline::TelemetryStore& store, std::int64_t count) {
    for (int i = 0; i < 200 && *store.eventCount() < count; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return *store.eventCount();
  }

  // Waits (10 s at most) until the shipper has `sequence` acknowledged.
  static std::int64_t waitForAck(const SpoolShipper& shipper, std::int64_t sequence) {
    for (int i = 0; i < 200 && shipper.acknowledged() < sequence; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return shipper.acknowledged();
  }

  std::string dir_;
  int port_ = 0;
  std::shared_ptr<SpoolSegments> spool_;
};

TEST_F(SpoolShipperTest, EveryLineOnceAcrossACollectorRestart) {
  auto store = pipeline::openTelemetryStore("sqlite://" + dir_ + "/telemetry.db");
  ASSERT_TRUE(store);
  append(1, 50);
  SpoolShipper shipper(shipperOptions());
  shipper.start();  // the collector is not up yet: the shipper keeps trying
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto collector = startCollector(**store);
  EXPECT_EQ(waitFor(**store, 50), 50);
  EXPECT_EQ(waitForAck(shipper, 50), 50);

  collector->stop();  // the collector goes away; lines keep coming
  collector.reset();
  append(51, 80);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  collector = startCollector(**store);
  EXPECT_EQ(waitFor(**store, 80), 80);
  append(81, 100);
  EXPECT_EQ(waitFor(**store, 100), 100);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(*store.value()->eventCount(), 100) << "nothing doubled";
  EXPECT_EQ(*store.value()->committedSequence("sensor-1"), 100);
  EXPECT_GE(shipper.connections(), 2u);
  // The second connection resent nothing the collector had (it learnt the committed position).
  EXPECT_EQ(shipper.linesSent(), 100u);
  shipper.stop();
  collector->stop();
}

TEST_F(SpoolShipperTest, SegmentsAreDeletedOnceTheCollectorHasCommittedThem) {
  spool_ = std::make_shared<SpoolSegments>(dir_, "sensor-1", SpoolLimits{2000, 1 << 30});
  append(1, 70, 14);  // about 2 KiB a batch: every batch rotates
  append(71, 75);
  ASSERT_EQ(spool_->rotated().size(), 5u);
  auto store = pipeline::openTelemetryStore("sqlite://" + dir_ + "/telemetry.db");
  ASSERT_TRUE(store);
  auto collector = startCollector(**store);
  SpoolShipper shipper(shipperOptions());
  shipper.start();
  EXPECT_EQ(waitFor(**store, 75), 75);
  EXPECT_EQ(waitForAck(shipper, 75), 75);
  EXPECT_TRUE(spool_->rotated().empty()) << "every segment is committed";
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    EXPECT_EQ(entry.path().filename().string().rfind("sensor-1.log.", 0), std::string::npos)
        << entry.path() << " is still on disk";
  }
  EXPECT_TRUE(std::filesystem::exists(spool_->activePath()));
  EXPECT_EQ(spool_->linesDroppedByCap(), 0u);
  shipper.stop();
  collector->stop();
}

TEST_F(SpoolShipperTest, NoLossNorDoublesWhileTheSpoolRotatesUnderTheShipper) {
  spool_ = std::make_shared<SpoolSegments>(dir_, "sensor-1", SpoolLimits{3000, 1 << 30});
  auto store = pipeline::openTelemetryStore("sqlite://" + dir_ + "/telemetry.db");
  ASSERT_TRUE(store);
  auto collector = startCollector(**store);
  SpoolShipper shipper(shipperOptions());
  shipper.start();
  // Small batches while the shipper follows the active file: it is renamed under it many times.
  for (int first = 1; first <= 600; first += 7) {
    append(first, std::min(600, first + 6));
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  EXPECT_EQ(waitFor(**store, 600), 600);
  EXPECT_EQ(waitForAck(shipper, 600), 600);
  // The collector goes away while lines keep coming and rotating; it resumes from a segment.
  collector->stop();
  collector.reset();
  append(601, 700, 9);
  collector = startCollector(**store);
  EXPECT_EQ(waitFor(**store, 700), 700);
  EXPECT_EQ(waitForAck(shipper, 700), 700);
  EXPECT_EQ(*store.value()->committedSequence("sensor-1"), 700);
  EXPECT_EQ(shipper.linesSent(), 700u) << "no line was sent twice";
  EXPECT_TRUE(spool_->rotated().empty());
  shipper.stop();
  collector->stop();
}

TEST(SequenceIdOfTest, ReadsTheMetaElement) {
  EXPECT_EQ(sequenceIdOf(stamped(42)), 42);
  EXPECT_EQ(sequenceIdOf("<134>1 - h a - m - no meta"), -1);
  EXPECT_EQ(sequenceIdOf("x [meta sequenceId=\"12x\"]"), -1);
  EXPECT_EQ(sequenceIdOf("x [meta sequenceId=\""), -1);
}

}  // namespace
}  // namespace decnet::agents

namespace decnet::agents {
namespace {

// A CA, the collector's certificate for 127.0.0.1, the client certificate of node sensor-1
// (CN system:node:sensor-1, as decnet's CA issues it) and one of node sensor-2, made with the
// openssl command; and a second CA that signed nothing of these.
class SpoolShipperTlsTest : public SpoolShipperTest {
 protected:
  void SetUp() override {
    SpoolShipperTest::SetUp();
    const std::string d = dir_;
    const auto sh = [](const std::string& command) {
      auto result = decnet::testing::run(command + " 2>&1");
      ASSERT_EQ(result.exitCode, 0) << command << "\n" << result.output;
    };
    sh("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "
       "/CN=decnet-test-ca -keyout " +
       d + "/ca.key -out " + d + "/ca.pem");
    sh("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "
       "/CN=other-ca -keyout " +
       d + "/other.key -out " + d + "/other.pem");
    const std::map<std::string, std::string> subjects = {{"collector", "collector"},
                                                         {"agent", "system:node:sensor-1"},
                                                         {"intruder", "system:node:sensor-2"}};
    for (const auto& [who, subject] : subjects) {
      sh("openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=" + subject +
         " -keyout " + d + "/" + who + ".key -out " + d + "/" + who + ".csr");
      std::ofstream(d + "/" + who + ".ext")
          << (who == "collector" ? "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"
                                 : "extendedKeyUsage=clientAuth\n");
      sh("openssl x509 -req -in " + d + "/" + who + ".csr -CA " + d + "/ca.pem -CAkey " + d +
         "/ca.key -CAcreateserial -days 1 -extfile " + d + "/" + who + ".ext -out " + d + "/" +
         who + ".pem");
    }
  }

  std::unique_ptr<pipeline::Collector> startTlsCollector(pipeline::TelemetryStore& store) {
    pipeline::CollectorOptions options;
    options.listen = "127.0.0.1:" + std::to_string(port_);
    options.tlsCert = dir_ + "/collector.pem";
    options.tlsKey = dir_ + "/collector.key";
    options.tlsCa = dir_ + "/ca.pem";
    auto collector = std::make_unique<pipeline::Collector>(store, options);
    auto started = collector->start();
    EXPECT_TRUE(started) << started.error().message;
    return collector;
  }

  // The shipper of node sensor-1 trusting `ca`, presenting `identity`'s certificate ("": none).
  ShipperOptions tlsShipper(const std::string& ca, const std::string& identity = "agent") const {
    ShipperOptions options = shipperOptions();
    options.tls.ca = ca;
    if (!identity.empty()) {
      options.tls.cert = dir_ + "/" + identity + ".pem";
      options.tls.key = dir_ + "/" + identity + ".key";
    }
    return options;
  }
};

TEST_F(SpoolShipperTlsTest, ACollectorGoneMidStreamFailsTheWriteAndKillsNothing) {
  // A TLS peer with the collector's identity that this test can kill outright: OpenSSL's own.
  const std::string d = dir_;
  const auto server =
      decnet::testing::run("openssl s_server -quiet -accept 127.0.0.1:" + std::to_string(port_) +
                           " -cert " + d + "/collector.pem -key " + d + "/collector.key -CAfile " +
                           d + "/ca.pem -Verify 1 </dev/null >/dev/null 2>&1 & echo $!");
  const int pid = std::atoi(server.output.c_str());
  ASSERT_GT(pid, 0) << server.output;
  struct KillOnExit {
    int pid;
    ~KillOnExit() { ::kill(pid, SIGKILL); }
  } killOnExit{pid};
  Result<std::unique_ptr<CollectorConnection>> connection = fail(Errc::kUnavailable, "not tried");
  for (int i = 0; i < 100 && !connection; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    connection = CollectorConnection::open("127.0.0.1:" + std::to_string(port_),
                                           {d + "/agent.pem", d + "/agent.key", d + "/ca.pem"});
  }
  ASSERT_TRUE(connection) << connection.error().message;
  ::kill(pid, SIGKILL);
  // Writes to a peer that has gone raise SIGPIPE, which would end this process (the agent's,
  // in production) unless the connection holds it off.
  bool broken = false;
  for (int i = 0; i < 100 && !broken; ++i) {
    broken = !(*connection)->sendAll(std::string(1024, 'x'));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(broken) << "the writes to a killed peer kept succeeding";
  connection->reset();  // the TLS close_notify goes to the dead socket as well
}

TEST_F(SpoolShipperTlsTest, LinesTravelOverMutualTls) {
  auto store = std::move(*pipeline::openTelemetryStore("sqlite://" + dir_ + "/telemetry.db"));
  auto collector = startTlsCollector(*store);
  append(1, 300);
  SpoolShipper shipper(tlsShipper(dir_ + "/ca.pem"));
  shipper.start();
  EXPECT_EQ(waitFor(*store, 300), 300);
  EXPECT_EQ(waitForAck(shipper, 300), 300) << "acknowledgments come back over TLS";
  EXPECT_EQ(shipper.connections(), 1u);
  shipper.stop();
}

TEST_F(SpoolShipperTlsTest, UnverifiedPeersAreRefusedBothWays) {
  auto store = std::move(*pipeline::openTelemetryStore("sqlite://" + dir_ + "/telemetry.db"));
  auto collector = startTlsCollector(*store);
  append(1, 10);
  // The agent does not trust the collector's CA; then the collector gets no client certificate;
  // then a plain-TCP sender speaks to the TLS port.
  SpoolShipper distrustful(tlsShipper(dir_ + "/other.pem"));
  distrustful.start();
  SpoolShipper anonymous(tlsShipper(dir_ + "/ca.pem", /*identity=*/""));
  anonymous.start();
  SpoolShipper plain(shipperOptions());
  plain.start();
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  distrustful.stop();
  anonymous.stop();
  plain.stop();
  EXPECT_EQ(distrustful.connections(), 0u) << "connected to a collector it cannot verify";
  EXPECT_EQ(*store->eventCount(), 0) << "a sender without a valid identity got lines in";
  auto direct = CollectorConnection::open("127.0.0.1:" + std::to_string(port_),
                                          {"", "", dir_ + "/other.pem"});
  ASSERT_FALSE(direct);
  EXPECT_NE(direct.error().message.find("certificate"), std::string::npos)
      << direct.error().message;
}

// A node's certificate speaks for that node only: sensor-2's certificate cannot ship (or
// rewind the committed position of) sensor-1's spool.
TEST_F(SpoolShipperTlsTest, ANodeCertificateSpeaksForItsOwnNodeOnly) {
  auto store = std::move(*pipeline::openTelemetryStore("sqlite://" + dir_ + "/telemetry.db"));
  auto collector = startTlsCollector(*store);
  append(1, 10);
  SpoolShipper impostor(tlsShipper(dir_ + "/ca.pem", "intruder"));
  impostor.start();
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  impostor.stop();
  EXPECT_EQ(*store->eventCount(), 0) << "node sensor-2's certificate shipped sensor-1's lines";
  EXPECT_EQ(impostor.acknowledged(), 0);
  SpoolShipper own(tlsShipper(dir_ + "/ca.pem", "agent"));
  own.start();
  EXPECT_EQ(waitFor(*store, 10), 10);
  own.stop();
}

TEST(CollectorConnectionTest, PlainTcpOnlyOnLoopback) {
  auto remote = CollectorConnection::open("192.0.2.10:6514", {});
  ASSERT_FALSE(remote);
  EXPECT_EQ(remote.error().code, Errc::kTerminal);
  EXPECT_NE(remote.error().message.find("--tls-cert"), std::string::npos);
  auto store = std::move(*pipeline::openTelemetryStore("sqlite::memory:"));
  pipeline::CollectorOptions options;
  options.listen = "0.0.0.0:0";
  pipeline::Collector collector(*store, options);
  auto started = collector.start();
  ASSERT_FALSE(started);
  EXPECT_NE(started.error().message.find("--tls-cert"), std::string::npos)
      << started.error().message;
}

}  // namespace
}  // namespace decnet::agents
