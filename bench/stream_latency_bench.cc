// Latency from a decoy's line to an SSE client, through every stage decnet up runs: the line is
// appended to a decky log; the agent's forwarder (polling every 100 ms, as the agent does)
// stamps it into the spool; the shipper sends it to the collector (batches of 1,000 or 100 ms)
// which commits it to SQLite; the API's /api/v1/stream polls the store (100 ms) and sends it.
// Prints p50, p90, p99 and max. Asserts nothing.
//   stream_latency_bench [--lines N] [--every-ms M]   (default 500 lines, one every 20 ms)
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "agents/log_forwarder.h"
#include "agents/spool_shipper.h"
#include "apiserver/api_server.h"
#include "bench/socket_support.h"
#include "controller/store/object_store.h"
#include "pipeline/collector/collector.h"

using namespace decnet;
using Clock = std::chrono::steady_clock;
using decnet::bench::connectTo;
using decnet::bench::freePort;

int main(int argc, char** argv) {
  int lines = 500, everyMs = 20;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--lines") == 0) lines = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--every-ms") == 0) everyMs = std::atoi(argv[i + 1]);
  }
  spdlog::set_level(spdlog::level::warn);
  const std::string dir = "/tmp/decnet-latency-bench";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir + "/logs");
  const std::string dsn = dir + "/telemetry.db";

  std::shared_ptr<pipeline::TelemetryStore> apiStore =
      std::move(*pipeline::openTelemetryStore(dsn));
  auto collectorStore = std::move(*pipeline::openTelemetryStore(dsn));
  pipeline::CollectorOptions collectorOptions;
  collectorOptions.listen = "127.0.0.1:0";
  pipeline::Collector collector(*collectorStore, collectorOptions);
  if (!collector.start()) return 1;

  auto repository = store::openRepository("sqlite::memory:");
  auto objects = *store::ObjectStore::open(std::move(*repository));
  apiserver::ApiServerOptions apiOptions;
  const int apiPort = freePort();
  apiOptions.listen = "127.0.0.1:" + std::to_string(apiPort);
  apiOptions.telemetry = apiStore;
  apiserver::ApiServer api(*objects, apiOptions);
  if (!api.start()) return 1;

  agents::LogForwarder forwarder(dir, "bench");
  agents::ShipperOptions shipping;
  shipping.spool = forwarder.spool();
  shipping.collector = "127.0.0.1:" + std::to_string(collector.tcpPort());
  agents::SpoolShipper shipper(shipping);
  shipper.start();
  std::atomic<bool> stopping{false};
  std::thread agentLoop([&] {
    while (!stopping) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      forwarder.poll();
    }
  });

  // The SSE client: a raw socket, so nothing buffers.
  const int fd = connectTo("127.0.0.1", apiPort);
  const std::string request =
      "GET /api/v1/stream HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\n\r\n";
  if (fd < 0 || ::send(fd, request.data(), request.size(), 0) < 0) return 1;
  std::mutex mutex;
  std::map<int, Clock::time_point> written;
  std::vector<double> latencies;
  std::thread reader([&] {
    std::string buffer;
    char chunk[65536];
    while (static_cast<int>(latencies.size()) < lines) {
      const ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
      if (n <= 0) return;
      const auto now = Clock::now();
      buffer.append(chunk, static_cast<std::size_t>(n));
      for (std::size_t at; (at = buffer.find("/lat/")) != std::string::npos;) {
        const int id = std::atoi(buffer.c_str() + at + 5);
        buffer.erase(0, at + 5);
        std::lock_guard lock(mutex);
        auto it = written.find(id);
        if (it == written.end()) continue;
        latencies.push_back(std::chrono::duration<double, std::milli>(now - it->second).count());
        written.erase(it);
      }
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));

  std::ofstream log(dir + "/logs/d1.log", std::ios::app);
  for (int i = 0; i < lines; ++i) {
    {
      std::lock_guard lock(mutex);
      written[i] = Clock::now();
    }
    log << "<134>1 2026-12-02T08:00:00.000001+00:00 d1 http - request [relay@55555 "
           "src_ip=\"10.77.0.250\" src_port=\"40000\" method=\"GET\" path=\"/lat/"
        << i << "\"]\n"
        << std::flush;
    std::this_thread::sleep_for(std::chrono::milliseconds(everyMs));
  }
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < deadline) {
    {
      std::lock_guard lock(mutex);
      if (static_cast<int>(latencies.size()) >= lines) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::shutdown(fd, SHUT_RDWR);
  reader.join();
  ::close(fd);
  stopping = true;
  agentLoop.join();
  shipper.stop();
  api.stop();
  collector.stop();
  std::filesystem::remove_all(dir);

  std::sort(latencies.begin(), latencies.end());
  if (latencies.empty()) {
    std::printf("no line reached the SSE client\n");
    return 1;
  }
  const auto at = [&](double q) {
    return latencies[std::min(latencies.size() - 1,
                              static_cast<std::size_t>(q * latencies.size()))];
  };
  std::printf(
      "decoy line -> SSE client: %zu of %d lines, p50 %.0f ms, p90 %.0f ms, p99 %.0f ms, "
      "max %.0f ms\n",
      latencies.size(), lines, at(0.5), at(0.9), at(0.99), latencies.back());
  return 0;
}
