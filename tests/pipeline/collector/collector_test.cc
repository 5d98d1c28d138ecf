// The collector on loopback against real senders: raw TCP in both framings, the forwarder's
// hello/ACK exchange and its resend after a reconnect, util-linux logger over TCP and UDP.
#include "pipeline/collector/collector.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "api/types/clock.h"
#include "tests/support/process.h"

namespace decnet::pipeline {
namespace {

using decnet::testing::run;

std::string line(int sequence, const std::string& type = "request",
                 const std::string& attacker = "10.77.0.250") {
  std::string text = "<134>1 2026-12-02T08:00:00.000001+00:00 corp-lan-03 http - " + type +
                     " [relay@55555 src_ip=\"" + attacker + "\" path=\"/wp-login.php\"]";
  if (sequence > 0) text += "[meta sequenceId=\"" + std::to_string(sequence) + "\"]";
  return text + " GET";
}

std::string octets(const std::string& frame) { return std::to_string(frame.size()) + " " + frame; }

class Sender {
 public:
  explicit Sender(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  }
  ~Sender() { ::close(fd_); }
  bool connected() const { return connected_; }
  void send(const std::string& bytes) { ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL); }
  // Reads lines until `wanted` (true) or silence (false): ACKs may come one batch at a time.
  bool readUntil(const std::string& wanted) {
    for (std::string got = readLine(); !got.empty(); got = readLine()) {
      if (got == wanted) return true;
    }
    return false;
  }
  // The next line the collector sends, "" after 3 s.
  std::string readLine() {
    for (;;) {
      if (auto lf = received_.find('\n'); lf != std::string::npos) {
        std::string out = received_.substr(0, lf);
        received_.erase(0, lf + 1);
        return out;
      }
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 3000) <= 0) return "";
      char buffer[512];
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) return "";
      received_.append(buffer, static_cast<std::size_t>(n));
    }
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
  std::string received_;
};

class CollectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = openTelemetryStore("sqlite::memory:");
    ASSERT_TRUE(store);
    store_ = std::move(*store);
    CollectorOptions options;
    options.listen = "127.0.0.1:0";
    options.udpListen = "127.0.0.1:" + std::to_string(decnet::testing::freePort());
    udpPort_ = std::stoi(options.udpListen.substr(10));
    collector_ = std::make_unique<Collector>(*store_, options);
    auto started = collector_->start();
    ASSERT_TRUE(started) << started.error().message;
  }
  void TearDown() override { collector_->stop(); }

  // Waits (5 s at most) until `events` events are stored.
  std::int64_t waitForEvents(std::int64_t events) {
    for (int i = 0; i < 100; ++i) {
      if (*store_->eventCount() >= events) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return *store_->eventCount();
  }

  std::unique_ptr<TelemetryStore> store_;
  std::unique_ptr<Collector> collector_;
  int udpPort_ = 0;
};

TEST_F(CollectorTest, BothFramingsOnOneStreamAndMalformedLinesKeptRaw) {
  Sender sender(collector_->tcpPort());
  ASSERT_TRUE(sender.connected());
  sender.send(octets(line(0)) + line(0, "login") + "\n" + "hello, not syslog\n" +
              octets("<34>Oct 11 22:14:15 mymachine su: 'su root' failed"));
  EXPECT_EQ(waitForEvents(2), 2);
  // The counters move after the commit returns, so wait on them, not on the store.
  for (int i = 0; i < 100 && collector_->counters().malformed < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(*store_->malformedCount(), 2);
  const auto counters = collector_->counters();
  EXPECT_EQ(counters.received, 4u);
  EXPECT_EQ(counters.malformed, 2u);
  const auto events = *store_->query({});
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].eventType, "login");  // oldest first
  EXPECT_EQ(events[0].decky, "corp-lan-03");
  EXPECT_EQ(events[0].service, "http");
  EXPECT_EQ(events[0].attackerIp, "10.77.0.250");
  EXPECT_EQ(events[0].fieldsJson, R"({"path":"/wp-login.php","src_ip":"10.77.0.250"})");
  EXPECT_EQ(events[0].message, "GET");
  EXPECT_EQ(events[0].priority, 134);
}

TEST_F(CollectorTest, ForwarderResumesAfterWhatWasCommittedAndResendsAreNotDoubled) {
  {
    Sender forwarder(collector_->tcpPort());
    forwarder.send(octets("DECNET-FORWARD/1 node=sensor-1"));
    EXPECT_EQ(forwarder.readLine(), "DECNET-COMMITTED/1 0");
    forwarder.send(octets(line(1)) + octets(line(2)) + octets(line(3)));
    EXPECT_TRUE(forwarder.readUntil("ACK 3"));
  }
  Sender again(collector_->tcpPort());
  again.send(octets("DECNET-FORWARD/1 node=sensor-1"));
  EXPECT_EQ(again.readLine(), "DECNET-COMMITTED/1 3");
  // A forwarder that lost the ACK resends 2 and 3 with the new 4: stored once each.
  again.send(octets(line(2)) + octets(line(3)) + octets(line(4)));
  EXPECT_TRUE(again.readUntil("ACK 4"));
  EXPECT_EQ(*store_->eventCount(), 4);
  EXPECT_EQ(collector_->counters().duplicates, 2u);
  EXPECT_EQ(*store_->committedSequence("sensor-1"), 4);
  EXPECT_EQ(*store_->committedSequence("sensor-2"), 0);

  Sender nameless(collector_->tcpPort());
  nameless.send(octets("DECNET-FORWARD/1 node="));
  EXPECT_EQ(nameless.readLine().rfind("DECNET-ERROR/1 ", 0), 0u);
}

TEST_F(CollectorTest, ConnectBurstsFromOneAttackerAreFolded) {
  Sender sender(collector_->tcpPort());
  std::string burst;
  for (int i = 0; i < 5; ++i) burst += line(0, "connect") + "\n";
  burst += line(0, "connect", "10.77.0.251") + "\n";
  sender.send(burst);
  EXPECT_EQ(waitForEvents(2), 2);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(*store_->eventCount(), 2);
  EXPECT_EQ(collector_->counters().deduplicated, 4u);
}

TEST_F(CollectorTest, FloodFromAnotherSenderIsStoredWithItsCount) {
  // 250 identical requests (only the source port differs) within one window from a sender
  // without sequence numbers: 100 stored as they came, the other 150 as one event with count.
  Sender sender(collector_->tcpPort());
  std::string flood;
  for (int i = 0; i < 250; ++i) {
    flood +=
        "<134>1 2026-12-02T08:00:00.000001+00:00 corp-lan-03 http - request [relay@55555 "
        "src_ip=\"10.77.0.250\" src_port=\"" +
        std::to_string(40000 + i) + "\" path=\"/wp-login.php\"] GET\n";
  }
  flood += line(0, "request", "10.77.0.251") + "\n";  // another attacker: its own kind
  sender.send(flood);
  EXPECT_EQ(waitForEvents(102), 102);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(*store_->eventCount(), 102);
  EXPECT_EQ(collector_->counters().floodFolded, 150u);
  EventQuery query;
  query.limit = 500;
  auto events = store_->query(query);
  ASSERT_TRUE(events);
  int counted = 0;
  for (const auto& event : *events) {
    if (event.fieldsJson.find("\"count\":\"150\"") == std::string::npos) continue;
    ++counted;
    EXPECT_NE(event.fieldsJson.find("\"src_port\":\"40249\""), std::string::npos)
        << "the count event is the last held-back one: " << event.fieldsJson;
  }
  EXPECT_EQ(counted, 1);
}

TEST_F(CollectorTest, AgentFloodsAreNotFoldedAgain) {
  // The agent folded at source already; each of its sequence numbers is stored.
  Sender sender(collector_->tcpPort());
  std::string flood;
  for (int i = 1; i <= 250; ++i) flood += octets(line(i));
  sender.send(flood);
  EXPECT_EQ(waitForEvents(250), 250);
  EXPECT_EQ(collector_->counters().floodFolded, 0u);
}

TEST_F(CollectorTest, RetentionPrunesOldEventsInBatches) {
  collector_->stop();
  std::vector<CollectedEvent> old;
  for (int i = 1; i <= 4500; ++i) {  // more than two prune transactions
    old.push_back({0, "local", i, "2020-01-01T00:00:00Z", "corp-01", "http", "request",
                   "10.77.0.250", "{}", "", 134});
  }
  old.push_back({0, "local", 4501, api::formatTime(api::systemClock().now()), "corp-01", "http",
                 "request", "10.77.0.250", "{}", "", 134});
  ASSERT_TRUE(store_->commit(old, {}));
  CollectorOptions options;
  options.listen = "127.0.0.1:0";
  options.retention = std::chrono::hours(24 * 90);
  Collector pruning(*store_, options);
  ASSERT_TRUE(pruning.start());
  // The counter moves after the last prune transaction, so wait on it, not on the store.
  for (int i = 0; i < 100 && pruning.counters().pruned < 4500; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(*store_->eventCount(), 1) << "only the recent event is kept";
  EXPECT_EQ(pruning.counters().pruned, 4500u);
  pruning.stop();
}

TEST_F(CollectorTest, SequencedConnectsAreAllStored) {
  // The agent's lines carry sequence numbers, each to be stored exactly once: no burst folding.
  Sender sender(collector_->tcpPort());
  std::string burst;
  for (int i = 1; i <= 5; ++i) burst += line(i, "connect") + "\n";
  sender.send(burst);
  EXPECT_EQ(waitForEvents(5), 5);
  EXPECT_EQ(collector_->counters().deduplicated, 0u);
}

TEST_F(CollectorTest, UtilLinuxLoggerOverTcpAndUdp) {
  if (run("command -v logger").exitCode != 0) GTEST_SKIP() << "logger (util-linux) is missing";
  const std::string common =
      "logger --rfc5424 --server 127.0.0.1 -t http --sd-id relay@55555 "
      "--sd-param 'src_ip=\"10.77.0.9\"' ";
  auto tcp = run(common + "--tcp --octet-count --port " + std::to_string(collector_->tcpPort()) +
                 " 'over tcp' 2>&1");
  ASSERT_EQ(tcp.exitCode, 0) << tcp.output;
  auto udp = run(common + "--udp --port " + std::to_string(udpPort_) + " 'over udp' 2>&1");
  ASSERT_EQ(udp.exitCode, 0) << udp.output;
  EXPECT_EQ(waitForEvents(2), 2);
  EXPECT_EQ(*store_->malformedCount(), 0);
}

// Debian's rsyslog as an operator runs it: it receives a line (UDP from logger) and forwards it
// with omfwd, octet-counted, in RFC 5424 (RSYSLOG_SyslogProtocol23Format) to the collector.
TEST_F(CollectorTest, RsyslogForwardsWithOmfwd) {
  if (run("command -v rsyslogd").exitCode != 0) {
    GTEST_SKIP() << "rsyslogd is missing (Debian package rsyslog; scripts/install-deps --test)";
  }
  char pattern[] = "/tmp/decnet-rsyslog-XXXXXX";
  const std::string dir = ::mkdtemp(pattern);
  const int inPort = decnet::testing::freePort();
  {
    std::ofstream conf(dir + "/rsyslog.conf");
    conf << "global(workDirectory=\"" << dir << "\")\n"
         << "module(load=\"imudp\")\n"
         << "input(type=\"imudp\" address=\"127.0.0.1\" port=\"" << inPort << "\")\n"
         << "action(type=\"omfwd\" target=\"127.0.0.1\" port=\"" << collector_->tcpPort()
         << "\" protocol=\"tcp\" TCP_Framing=\"octet-counted\" "
            "template=\"RSYSLOG_SyslogProtocol23Format\")\n";
  }
  auto started = run("rsyslogd -f " + dir + "/rsyslog.conf -i " + dir + "/rsyslogd.pid 2>&1");
  ASSERT_EQ(started.exitCode, 0) << started.output;
  // rsyslogd daemonizes; its UDP input is up once the pid file exists.
  for (int i = 0; i < 100 && run("test -s " + dir + "/rsyslogd.pid").exitCode != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto sent = run("logger --rfc5424 --udp --server 127.0.0.1 --port " + std::to_string(inPort) +
                  " -t http --sd-id relay@55555 --sd-param 'src_ip=\"10.77.0.42\"' "
                  "'via rsyslog' 2>&1");
  EXPECT_EQ(sent.exitCode, 0) << sent.output;
  const auto stored = waitForEvents(1);
  run("kill $(cat " + dir + "/rsyslogd.pid) 2>/dev/null; rm -rf " + dir);
  ASSERT_EQ(stored, 1);
  EXPECT_EQ(*store_->malformedCount(), 0);
  const auto event = store_->query({})->front();
  EXPECT_EQ(event.service, "http");
  EXPECT_EQ(event.attackerIp, "10.77.0.42");
  EXPECT_EQ(event.message, "via rsyslog");
  EXPECT_EQ(event.node, "remote:127.0.0.1");
}

TEST(CollectorOptionsTest, UdpOffLoopbackIsRefused) {
  auto store = openTelemetryStore("sqlite::memory:");
  ASSERT_TRUE(store);
  CollectorOptions options;
  options.listen = "127.0.0.1:0";
  options.udpListen = "0.0.0.0:5514";
  Collector collector(**store, options);
  auto started = collector.start();
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().code, Errc::kTerminal);
  EXPECT_NE(started.error().message.find("loopback only"), std::string::npos);
}

}  // namespace
}  // namespace decnet::pipeline
