// The API server under load, driven by wrk (Debian's, 2 threads, 50 connections): LIST of 1,000
// deckies and GET of one fleet (requests/s and p99), then one change seen by N open watches
// (time until each watcher has it: p50/p99/max). Runs the control plane in-process without an
// agent (deckies are stored, not run). Every request carries the admin's bearer token unless
// --auth 0 serves anyone (the cost of authentication is the difference). Prints figures,
// asserts nothing.
// --tls 1 serves HTTPS (decnet's own CA; wrk does the handshakes), and skips the watch part.
//   api_bench [--seconds N] [--runs N] [--deckies N] [--watchers N] [--auth 1|0] [--tls 0|1]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "bench/bench_support.h"
#include "bench/socket_support.h"

using namespace decnet;

namespace {

struct WrkResult {
  double requestsPerSecond = -1;
  std::string p99 = "?";
  long timeouts = 0;
};

// wrk's Requests/sec and 99th percentile latency for `url`, sending `header` when set.
WrkResult wrk(const std::string& url, int seconds, const std::string& header) {
  const std::string command = "wrk -t2 -c50 -d" + std::to_string(seconds) +
                              "s --timeout 10s --latency " +
                              (header.empty() ? "" : "-H '" + header + "' ") + "'" + url + "' 2>&1";
  WrkResult result;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char line[512];
  while (std::fgets(line, sizeof line, pipe) != nullptr) {
    if (std::strncmp(line, "Requests/sec:", 13) == 0)
      result.requestsPerSecond = std::atof(line + 13);
    const char* p99 = std::strstr(line, "99%");
    if (p99 != nullptr) {
      std::string value = p99 + 3;
      value.erase(0, value.find_first_not_of(' '));
      value.erase(value.find_last_not_of(" \n") + 1);
      result.p99 = value;
    }
    if (const char* errors = std::strstr(line, "timeout ")) result.timeouts = std::atol(errors + 8);
  }
  ::pclose(pipe);
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  int seconds = 5, runs = 3, deckies = 1000, watchers = 1000, authenticate = 1, tls = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const int value = std::atoi(argv[i + 1]);
    if (flag == "--seconds") seconds = value;
    if (flag == "--runs") runs = value;
    if (flag == "--deckies") deckies = value;
    if (flag == "--watchers") watchers = value;
    if (flag == "--auth") authenticate = value;
    if (flag == "--tls") tls = value;
  }
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  spdlog::set_level(spdlog::level::warn);
  rlimit files{65536, 65536};
  ::setrlimit(RLIMIT_NOFILE, &files);

  bench::TempDir dir;
  cli::ControlPlaneOptions options = bench::planeOptions(dir);
  const int port = bench::freePort();
  options.serveApi = true;
  options.embedAgent = false;
  options.listen = "127.0.0.1:" + std::to_string(port);
  options.nodeCapacity = deckies + 10;
  if (tls != 0 && authenticate == 0) {
    std::fprintf(stderr, "--tls 1 needs --auth 1: decnet's CA comes with its authentication\n");
    return 2;
  }
  options.authenticate = authenticate != 0;
  options.tlsSelfSigned = tls != 0;
  cli::ControlPlane plane(options);
  if (auto started = plane.start(); !started) {
    std::fprintf(stderr, "start: %s\n", started.error().message.c_str());
    return 1;
  }
  auto& store = plane.store();
  if (auto created = store.create(bench::fleet("api", deckies, 0), {}); !created) {
    std::fprintf(stderr, "fleet: %s\n", describe(created.error()).c_str());
    return 1;
  }
  const double made = bench::waitFor(
      [&] { return static_cast<int>(store.list("Decky", {})->items.size()) >= deckies; },
      std::chrono::seconds(600));
  if (made < 0) {
    std::fprintf(stderr, "the fleet did not make %d deckies\n", deckies);
    return 1;
  }
  // The reconcilers settle (scheduling writes every decky once): until the store's revision
  // stays put for 2 s.
  for (std::int64_t last = -1;;) {
    const std::int64_t now = store.list("Fleet", {})->revision;
    if (now == last) break;
    last = now;
    std::this_thread::sleep_for(std::chrono::seconds(2));
  }
  const std::string base = std::string(tls != 0 ? "https" : "http") +
                           "://127.0.0.1:" + std::to_string(port) + "/apis/decnet.io/v1alpha1";
  const std::string header = authenticate != 0 ? bench::adminAuthorization(dir) : "";
  std::printf(
      "api_bench: %d deckies stored, wrk -t2 -c50, %d runs of %d s, authentication %s, TLS %s\n",
      deckies, runs, seconds, authenticate != 0 ? "on" : "off", tls != 0 ? "on" : "off");
  for (const auto& [what, url] :
       {std::pair<std::string, std::string>{"GET one fleet", base + "/fleets/api"},
        {"LIST deckies", base + "/deckies"}}) {
    for (int run = 0; run < runs; ++run) {
      const WrkResult result = wrk(url, seconds, header);
      std::printf("  %-14s run %d: %8.0f requests/s, p99 %s, %ld timeouts\n", what.c_str(), run + 1,
                  result.requestsPerSecond, result.p99.c_str(), result.timeouts);
    }
  }

  if (tls != 0) {
    std::printf("  watches: not measured over TLS (raw sockets)\n");
    plane.stop();
    return 0;
  }
  // Watches: N raw connections, one change, the time until each has the event.
  std::vector<int> sockets;
  const long rssBefore = bench::procStatusKb(::getpid(), "VmRSS");
  const std::string request =
      "GET /apis/decnet.io/v1alpha1/fleets?watch=true HTTP/1.1\r\nHost: x\r\n" +
      (header.empty() ? "" : header + "\r\n") + "\r\n";
  for (int i = 0; i < watchers; ++i) {
    const int fd = bench::connectTo("127.0.0.1", port);
    if (fd < 0) break;
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) < 0) {
      ::close(fd);
      break;
    }
    sockets.push_back(fd);
  }
  std::this_thread::sleep_for(std::chrono::seconds(3));  // every watch established
  const long rssWatching = bench::procStatusKb(::getpid(), "VmRSS");
  // Drain what arrived so far (headers, bookmarks).
  char buffer[65536];
  for (int fd : sockets) {
    while (::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT) > 0) {
    }
  }
  auto fleet = *store.get({"Fleet", "api"});
  fleet.metadata.annotations["bench"] = std::to_string(::getpid());
  const auto changed = std::chrono::steady_clock::now();
  if (!store.update(fleet, {})) std::fprintf(stderr, "update failed\n");
  std::vector<double> latencies;
  std::vector<pollfd> polls;
  for (int fd : sockets) polls.push_back({fd, POLLIN, 0});
  std::vector<std::string> seen(sockets.size());
  std::vector<bool> done(sockets.size(), false);
  while (latencies.size() < sockets.size() &&
         std::chrono::steady_clock::now() - changed < std::chrono::seconds(10)) {
    if (::poll(polls.data(), polls.size(), 100) <= 0) continue;
    for (std::size_t i = 0; i < polls.size(); ++i) {
      if (done[i] || (polls[i].revents & POLLIN) == 0) continue;
      const ssize_t n = ::recv(polls[i].fd, buffer, sizeof buffer, MSG_DONTWAIT);
      if (n > 0) seen[i].append(buffer, static_cast<std::size_t>(n));
      if (seen[i].find("MODIFIED") != std::string::npos) {
        done[i] = true;
        polls[i].events = 0;
        latencies.push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - changed)
                .count());
      }
    }
  }
  std::sort(latencies.begin(), latencies.end());
  const auto at = [&](double q) {
    return latencies.empty() ? -1.0
                             : latencies[std::min(latencies.size() - 1,
                                                  static_cast<std::size_t>(q * latencies.size()))];
  };
  std::printf(
      "  watches: %zu open of %d (server VmRSS +%.1f MiB); one change reached %zu within 10 s: "
      "p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
      sockets.size(), watchers, (rssWatching - rssBefore) / 1024.0, latencies.size(), at(0.5),
      at(0.99), latencies.empty() ? -1.0 : latencies.back());
  for (int fd : sockets) ::close(fd);
  plane.stop();
  return 0;
}
