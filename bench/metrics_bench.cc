// The cost of one Prometheus scrape of the controller: `decnet up`'s control plane (no agent)
// with N deckies scheduled, then GET /metrics over HTTP on loopback, repeated. Prints the mean
// and the slowest time per scrape and the bytes of one exposition. Asserts nothing.
//   metrics_bench [--deckies N] [--scrapes K]   (default 1,000 deckies, 50 scrapes)
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstring>

#include "bench/bench_support.h"
#include "bench/socket_support.h"

using namespace decnet;

int main(int argc, char** argv) {
  int deckies = 1000, scrapes = 50;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--deckies") == 0) deckies = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--scrapes") == 0) scrapes = std::atoi(argv[i + 1]);
  }
  spdlog::set_level(spdlog::level::warn);
  bench::TempDir dir;
  auto options = bench::planeOptions(dir);
  options.serveApi = true;
  const int port = bench::freePort();
  options.listen = "127.0.0.1:" + std::to_string(port);
  options.nodeCapacity = deckies + 10;
  cli::ControlPlane plane(options);
  if (!plane.start()) return 1;
  auto& store = plane.store();
  if (!store.create(bench::fleet("scraped", deckies, 0), {})) return 1;
  const double waited = bench::waitScheduled(store, deckies, std::chrono::seconds(300));
  if (waited < 0) {
    std::fprintf(stderr, "the %d deckies were not all scheduled in 300 s\n", deckies);
    return 1;
  }
  // Settled: no write for 3 s (the fleet's status, the deckies' conditions), so the scrapes
  // are timed alone.
  for (auto revision = store.revision();;) {
    std::this_thread::sleep_for(std::chrono::seconds(3));
    if (store.revision() == revision) break;
    revision = store.revision();
  }
  const std::size_t bytes =
      bench::httpGet(port, "/metrics").size();  // the first one creates every series
  double total = 0, slowest = 0;
  for (int i = 0; i < scrapes; ++i) {
    const auto start = std::chrono::steady_clock::now();
    const std::string answer = bench::httpGet(port, "/metrics");
    const double took =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (answer.rfind("HTTP/1.1 200", 0) != 0) {
      std::fprintf(stderr, "scrape %d failed: %.80s\n", i, answer.c_str());
      return 1;
    }
    total += took;
    slowest = std::max(slowest, took);
  }
  std::printf("metrics_bench: %d deckies, %d scrapes: %.1f ms mean, %.1f ms slowest, %zu bytes\n",
              deckies, scrapes, total / scrapes * 1000, slowest * 1000, bytes);
  plane.stop();
  return 0;
}
