// No-op reconciles per second: reconcilers called on converged objects, directly, on the
// in-process store (what a resync or a spurious event costs). Target: >= 5,000/s.
#include <spdlog/spdlog.h>

#include <cstdlib>

#include "bench/bench_support.h"
#include "reconcilers/fleet_reconciler.h"
#include "reconcilers/gc_reconciler.h"
#include "reconcilers/mutation_reconciler.h"
#include "reconcilers/scheduler_reconciler.h"

using namespace decnet;

template <class R>
void measure(const char* label, R& reconciler, const std::vector<api::ObjectKey>& keys,
             double seconds) {
  const auto start = std::chrono::steady_clock::now();
  std::size_t count = 0;
  while (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() <
         seconds) {
    for (const auto& key : keys) {
      auto outcome = reconciler.reconcile({key});
      if (!outcome) {
        std::fprintf(stderr, "%s failed: %s\n", label, outcome.error().message.c_str());
        std::exit(1);
      }
      ++count;
    }
  }
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("  %-34s %9.0f reconciles/s\n", label, count / elapsed);
}

int main(int argc, char** argv) {
  const int replicas = argc > 1 ? std::atoi(argv[1]) : 10;
  spdlog::set_level(spdlog::level::warn);
  bench::TempDir dir;
  cli::ControlPlane plane(bench::planeOptions(dir));
  if (!plane.start()) return 1;
  auto& store = plane.store();
  if (!store.create(bench::fleet("noop", replicas, 0), {})) return 1;
  // A second, larger fleet shares the store so lists are not trivially small.
  if (!store.create(bench::fleet("bulk", 240, 1), {})) return 1;
  bench::waitScheduled(store, replicas + 240, std::chrono::seconds(60));
  std::this_thread::sleep_for(std::chrono::seconds(1));
  plane.manager().stop();  // nothing else reconciles while we measure

  controller::EventRecorder events(store, "bench");
  reconcilers::FleetReconciler fleet(store, events);
  reconcilers::SchedulerReconciler scheduler(store, events);
  reconcilers::MutationReconciler mutation(store, events);
  reconcilers::GarbageCollectorReconciler gc(store, events);
  std::vector<api::ObjectKey> deckies;
  const auto listed = store.list("Decky", {std::string(api::kFleetLabel) + "=noop", ""});
  for (const auto& d : listed->items) {
    deckies.push_back(d.key());
  }
  const auto revision = store.revision();
  std::printf("noop_reconcile: store holds %d deckies; fleet 'noop' has %d\n", replicas + 240,
              replicas);
  const std::string fleetLabel = "fleet (" + std::to_string(replicas) + "-decky fleet)";
  measure(fleetLabel.c_str(), fleet, {{"Fleet", "noop"}}, 2.0);
  measure("scheduler (scheduled decky)", scheduler, deckies, 2.0);
  measure("mutation (no policy, not due)", mutation, deckies, 2.0);
  measure("gc (owner present)", gc, deckies, 2.0);
  // A no-op must not write; the node heartbeat is the only legitimate writer meanwhile.
  int writes = 0;
  std::atomic<bool> stop{true};
  (void)store.watch(
      "", revision,
      [&](const api::WatchEvent& e) {
        if (e.type == api::WatchEvent::Type::kBookmark || e.object.kind == "Node") return true;
        std::printf("    unexpected write: %s %s\n", api::watchEventTypeName(e.type),
                    e.object.key().str().c_str());
        ++writes;
        return true;
      },
      stop);
  std::printf("  writes by the reconcilers during the runs: %d (must be 0)\n", writes);
  plane.stop();
  return writes == 0 ? 0 : 1;
}
