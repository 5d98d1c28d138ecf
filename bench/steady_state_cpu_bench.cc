// With N deckies (default 1,000 in 4 fleets) and no changes, how much CPU does the controller
// burn? Measured over a window (default 20 s) after everything has settled. Target: < 1% core.
// The API server runs (idle). A third argument S > 0 scrapes its /metrics every S seconds during
// the window, as Prometheus would (the scrape's serving cost is in the figure). A fourth
// argument 0 runs the controller without metrics at all (what recording them costs idle).
//   steady_state_cpu_bench [DECKIES] [WINDOW] [SCRAPE_EVERY] [METRICS]
#include <spdlog/spdlog.h>

#include <cstdlib>

#include "bench/bench_support.h"
#include "bench/socket_support.h"

using namespace decnet;

int main(int argc, char** argv) {
  const int deckies = argc > 1 ? std::atoi(argv[1]) : 1000;
  const int window = argc > 2 ? std::atoi(argv[2]) : 20;
  const int scrapeEvery = argc > 3 ? std::atoi(argv[3]) : 0;
  const bool metrics = argc > 4 ? std::atoi(argv[4]) != 0 : true;
  const int fleets = 4;
  spdlog::set_level(spdlog::level::warn);
  bench::TempDir dir;
  cli::ControlPlaneOptions options = bench::planeOptions(dir);
  const int port = bench::freePort();
  options.serveApi = true;  // an idle API server is part of the steady state
  options.listen = "127.0.0.1:" + std::to_string(port);
  options.metrics = metrics;
  cli::ControlPlane plane(options);
  if (auto started = plane.start(); !started) {
    std::fprintf(stderr, "start failed: %s\n", started.error().message.c_str());
    return 1;
  }
  auto& store = plane.store();
  for (int i = 0; i < fleets; ++i) {
    if (!store.create(bench::fleet("steady-" + std::to_string(i), deckies / fleets, i), {}))
      return 1;
  }
  const double settled = bench::waitScheduled(store, deckies, std::chrono::seconds(300));
  if (settled < 0) {
    std::printf("steady_state_cpu: TIMEOUT while settling\n");
    return 1;
  }
  std::this_thread::sleep_for(std::chrono::seconds(3));  // let status writes drain
  const auto revisionBefore = store.revision();
  const double cpuBefore = bench::cpuSeconds();
  int scrapes = 0;
  std::size_t scrapedBytes = 0;
  if (scrapeEvery > 0) {
    for (int at = 0; at < window; at += scrapeEvery) {
      scrapedBytes = bench::httpGet(port, "/metrics").size();
      ++scrapes;
      std::this_thread::sleep_for(std::chrono::seconds(std::min(scrapeEvery, window - at)));
    }
  } else {
    std::this_thread::sleep_for(std::chrono::seconds(window));
  }
  const double cpu = bench::cpuSeconds() - cpuBefore;
  const auto writes = store.revision() - revisionBefore;
  plane.stop();
  std::printf("steady_state_cpu: %d deckies in %d fleets, settled in %.2f s, metrics %s\n", deckies,
              fleets, settled, metrics ? "on" : "off");
  std::printf("  CPU over %d s idle: %.3f s = %.2f%% of one core (target < 1%%)\n", window, cpu,
              100.0 * cpu / window);
  if (scrapes > 0) {
    std::printf("  /metrics scraped %d times (every %d s), %zu bytes each\n", scrapes, scrapeEvery,
                scrapedBytes);
  }
  std::printf("  store writes while idle: %lld (node heartbeats)\n",
              static_cast<long long>(writes));
  return 0;
}
