// Event ingest, side by side in one run: 4 concurrent TCP senders stream octet-counted RFC 5424
// lines (decoy-shaped, each with its own sequenceId) into `decnet collect`'s collector, which
// parses them and commits them to SQLite (a file, WAL); then the same stream into Debian's
// rsyslog (imtcp -> omfile), which only appends to a file. Prints messages/s for both and the
// ratio, and the CPU each used per message (its senders included: on this VM the hypervisor's
// steal moves throughput 2-3x, CPU per message much less). Asserts nothing.
//   ingest_bench [--messages N] [--runs N]   (N messages in total, split over the 4 senders)
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
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

// CPU seconds (user + system) this process has used so far, every thread.
double ownCpuSeconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// CPU seconds (user + system) process `pid` has used so far; 0 when it cannot be read.
double cpuSecondsOf(const std::string& pid) {
  std::ifstream in("/proc/" + pid + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto afterName = text.rfind(')');
  if (afterName == std::string::npos) return 0;
  std::istringstream fields(text.substr(afterName + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int index = 3; fields >> field; ++index) {  // field 3 is the state, 14 utime, 15 stime
    if (index == 14) utime = std::stoull(field);
    if (index == 15) {
      stime = std::stoull(field);
      break;
    }
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// A receiver's figures for one run: throughput and CPU per message, senders included.
struct Rate {
  double perSecond = -1;
  double cpuMicrosPerMessage = 0;
};

double seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// messages/s into the collector with a fresh SQLite file (-1 on failure), and the CPU this
// process (collector and senders) used per message.
Rate collectorRate(const std::vector<std::string>& streams, long total, const std::string& dir) {
  std::filesystem::remove_all(dir + "/telemetry.db");
  auto store = pipeline::openTelemetryStore("sqlite://" + dir + "/telemetry.db");
  if (!store) return {};
  pipeline::CollectorOptions options;
  options.listen = "127.0.0.1:0";
  pipeline::Collector collector(**store, options);
  if (!collector.start()) return {};
  const double cpuBefore = ownCpuSeconds();
  const auto started = std::chrono::steady_clock::now();
  sendAll(collector.tcpPort(), streams);
  while (static_cast<long>(collector.counters().stored) < total && seconds(started) < 300) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const double took = seconds(started);
  const double cpu = ownCpuSeconds() - cpuBefore;
  collector.stop();
  if (static_cast<long>(collector.counters().stored) < total) return {};
  return {total / took, 1e6 * cpu / static_cast<double>(total)};
}

// messages/s into rsyslogd (imtcp, octet-counted, to a file; -1 when rsyslogd is missing), and
// the CPU rsyslogd and this process's senders used per message.
Rate rsyslogRate(const std::vector<std::string>& streams, long total, const std::string& dir) {
  if (std::system("command -v rsyslogd >/dev/null") != 0) return {};
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
  if (std::system(("rsyslogd -f " + dir + "/rsyslog.conf -i " + pid).c_str()) != 0) return {};
  for (int i = 0; i < 200 && bench::connectTo("127.0.0.1", port) < 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  std::string rsyslogPid;
  std::ifstream(pid) >> rsyslogPid;
  const double rsyslogCpuBefore = cpuSecondsOf(rsyslogPid);
  const double cpuBefore = ownCpuSeconds();
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
  const double cpu = ownCpuSeconds() - cpuBefore + cpuSecondsOf(rsyslogPid) - rsyslogCpuBefore;
  std::system(("kill $(cat " + pid + ") 2>/dev/null").c_str());
  if (lines < total) return {};
  return {total / took, 1e6 * cpu / static_cast<double>(total)};
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
    const Rate collector = collectorRate(streams, total, dir);
    const Rate rsyslog = rsyslogRate(streams, total, dir);
    std::printf(
        "  run %d: collector -> SQLite %8.0f msg/s (%.1f us CPU/msg); rsyslog -> file %8.0f msg/s "
        "(%.1f us CPU/msg); ratio %.2f (host: %s)\n",
        run, collector.perSecond, collector.cpuMicrosPerMessage, rsyslog.perSecond,
        rsyslog.cpuMicrosPerMessage,
        rsyslog.perSecond > 0 ? collector.perSecond / rsyslog.perSecond : 0.0,
        host.sinceStart().c_str());
  }
  std::error_code ignored;  // rsyslogd may still be removing its pid file
  std::filesystem::remove_all(dir, ignored);
  return 0;
}
