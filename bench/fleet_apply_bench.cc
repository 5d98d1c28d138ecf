// Apply an N-decky fleet (default 250) and time until every Decky object exists, is scheduled,
// and the fleet status reports N replicas.
#include <spdlog/spdlog.h>

#include <cstdlib>

#include "bench/bench_support.h"

using namespace decnet;

int main(int argc, char** argv) {
  const int replicas = argc > 1 ? std::atoi(argv[1]) : 250;
  spdlog::set_level(spdlog::level::warn);
  bench::TempDir dir;
  cli::ControlPlane plane(bench::planeOptions(dir));
  if (auto started = plane.start(); !started) {
    std::fprintf(stderr, "start failed: %s\n", started.error().message.c_str());
    return 1;
  }
  auto& store = plane.store();
  const double cpuBefore = bench::cpuSeconds();
  const auto start = std::chrono::steady_clock::now();
  if (auto created = store.create(bench::fleet("bench", replicas, 0), {}); !created) {
    std::fprintf(stderr, "apply failed: %s\n", describe(created.error()).c_str());
    return 1;
  }
  const double exist = bench::waitFor(
      [&] { return static_cast<int>(store.listShared("Decky", {})->size()) == replicas; },
      std::chrono::seconds(120));
  const double scheduled = bench::waitFor(
      [&] {
        auto unscheduled = store.listShared("Decky", {"", "spec.node="});
        return unscheduled && unscheduled->empty();
      },
      std::chrono::seconds(120));
  const double status = bench::waitFor(
      [&] {
        auto f = store.get({"Fleet", "bench"});
        return f && f->status.value("replicas", 0) == replicas &&
               f->status.value("observedGeneration", 0) == f->metadata.generation;
      },
      std::chrono::seconds(120));
  const double total =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double cpu = bench::cpuSeconds() - cpuBefore;
  plane.stop();
  if (exist < 0 || scheduled < 0 || status < 0) {
    std::printf("fleet_apply: TIMEOUT (exist %.3f, scheduled %.3f, status %.3f)\n", exist,
                scheduled, status);
    return 1;
  }
  std::printf("fleet_apply: %d deckies\n", replicas);
  std::printf("  all Decky objects exist:   %.3f s (%.0f deckies/s)\n", exist, replicas / exist);
  std::printf("  all scheduled to a node:   %.3f s\n", exist + scheduled);
  std::printf("  fleet status computed:     %.3f s\n", total);
  std::printf("  controller CPU used:       %.3f s\n", cpu);
  return 0;
}
