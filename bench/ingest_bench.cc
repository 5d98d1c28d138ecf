// Event ingest, side by side in one run: 4 concurrent TCP senders stream octet-counted RFC 5424
// lines (decoy-shaped, each with its own sequenceId) into `decnet collect`'s collector, which
// parses them and commits them to SQLite (a file, WAL); then the same stream into Debian's
// rsyslog (imtcp -> omfile), which only appends to a file. Prints messages/s for both and the
// ratio. Asserts nothing.
//   ingest_bench [--messages N] [--runs N]   (N messages in total, split over the 4 senders)
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "bench/host_cpu.h"
#include "bench/socket_support.h"
#include "pipeline/collector/collector.h"

using namespace decnet;

namespace {

constexpr int kSenders = 4;

// Sender `sender`'s stream: `count` framed lines, each one an http request event.
std::string stream(int sender, int count) {
  std::string out;
  for (int i = 0; i < count; ++i) {
    const std::string line =
        "<134>1 2026-12-02T08:00:00.000001+00:00 corp-lan-0" + std::to_string(sender) +
        " http - request [relay@55555 src_ip=\"10.77.0." + std::to_string(10 + i % 200) +
        "\" src_port=\"" + std::to_string(40000 + i % 20000) +
        "\" dst_port=\"80\" method=\"GET\" path=\"/wp-login.php?id=" + std::to_string(i) +
        "\"][meta sequenceId=\"" + std::to_string(sender * 100000000 + i + 1) + "\"]";
    out += std::to_string(line.size()) + " " + line;
  }
  return out;
}

// Sends every stream at once from its own thread and connection.
void sendAll(int port, const std::vector<std::string>& streams) {
  std::vector<std::thread> senders;
  for (const auto& bytes : streams) {
    senders.emplace_back([port, &bytes] {
      const int fd = bench::connectTo("127.0.0.1", port);
      if (fd < 0) return;
      for (std::size_t at = 0; at < bytes.size();) {
        const ssize_t n = ::send(fd, bytes.data() + at, bytes.size() - at, MSG_NOSIGNAL);
        if (n <= 0) break;
        at += static_cast<std::size_t>(n);
      }
      ::close(fd);
    });
  }
  for (auto& sender : senders) sender.join();
}

double seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// messages/s into the collector with a fresh SQLite file; -1 on failure.
double collectorRate(const std::vector<std::string>& streams, long total, const std::string& dir) {
  std::filesystem::remove_all(dir + "/telemetry.db");
  auto store = pipeline::openTelemetryStore("sqlite://" + dir + "/telemetry.db");
  if (!store) return -1;
  pipeline::CollectorOptions options;
  options.listen = "127.0.0.1:0";
  pipeline::Collector collector(**store, options);
  if (!collector.start()) return -1;
  const auto started = std::chrono::steady_clock::now();
  sendAll(collector.tcpPort(), streams);
  while (static_cast<long>(collector.counters().stored) < total && seconds(started) < 300) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const double took = seconds(started);
  collector.stop();
  return static_cast<long>(collector.counters().stored) >= total ? total / took : -1;
}

// messages/s into rsyslogd (imtcp, octet-counted, to a file); -1 when rsyslogd is missing.
double rsyslogRate(const std::vector<std::string>& streams, long total, const std::string& dir) {
  if (std::system("command -v rsyslogd >/dev/null") != 0) return -1;
  const int port = bench::freePort();
  const std::string out = dir + "/rsyslog.out";
  std::filesystem::remove(out);
  {
    std::ofstream conf(dir + "/rsyslog.conf");
    conf << "global(workDirectory=\"" << dir << "\")\n"
         << "module(load=\"imtcp\")\n"
         << "input(type=\"imtcp\" address=\"127.0.0.1\" port=\"" << port << "\")\n"
         << "action(type=\"omfile\" file=\"" << out << "\" template=\"RSYSLOG_FileFormat\")\n";
  }
  const std::string pid = dir + "/rsyslogd.pid";
  if (std::system(("rsyslogd -f " + dir + "/rsyslog.conf -i " + pid).c_str()) != 0) return -1;
  for (int i = 0; i < 200 && bench::connectTo("127.0.0.1", port) < 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  const auto started = std::chrono::steady_clock::now();
  sendAll(port, streams);
  long lines = 0;
  while (seconds(started) < 300) {
    // Counting lines is cheap next to the run; rsyslog flushes its file as it writes.
    std::ifstream in(out);
    lines = static_cast<long>(
        std::count(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>(), '\n'));
    if (lines >= total) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const double took = seconds(started);
  std::system(("kill $(cat " + pid + ") 2>/dev/null").c_str());
  return lines >= total ? total / took : -1;
}

}  // namespace

int main(int argc, char** argv) {
  long messages = 400000;
  int runs = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--messages") messages = std::atol(argv[i + 1]);
    if (flag == "--runs") runs = std::atoi(argv[i + 1]);
  }
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  spdlog::set_level(spdlog::level::warn);
  char pattern[] = "/tmp/decnet-ingest-XXXXXX";
  const std::string dir = ::mkdtemp(pattern);
  std::vector<std::string> streams;
  for (int sender = 0; sender < kSenders; ++sender) {
    streams.push_back(stream(sender, static_cast<int>(messages / kSenders)));
  }
  const long total = messages / kSenders * kSenders;
  std::printf("ingest_bench: %ld messages from %d TCP senders, %d runs, alternating\n", total,
              kSenders, runs);
  for (int run = 1; run <= runs; ++run) {
    const decnet::bench::HostCpu host;
    const double collector = collectorRate(streams, total, dir);
    const double rsyslog = rsyslogRate(streams, total, dir);
    std::printf(
        "  run %d: collector -> SQLite %8.0f msg/s; rsyslog -> file %8.0f msg/s; ratio %.2f (host: "
        "%s)\n",
        run, collector, rsyslog, rsyslog > 0 ? collector / rsyslog : 0.0,
        host.sinceStart().c_str());
  }
  std::error_code ignored;  // rsyslogd may still be removing its pid file
  std::filesystem::remove_all(dir, ignored);
  return 0;
}
