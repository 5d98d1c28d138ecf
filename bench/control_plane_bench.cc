// A large control plane: N deckies (default 10,000) in fleets of 1,000 over M simulated nodes
// (default 20). A simulated agent per node heartbeats every 10 s and reports each decky
// scheduled to it Running and Ready; it runs nothing. Prints the time from apply to all
// Running, then the idle CPU of the process over a window (default 20 s) and its RSS, then
// silences one node and times how long after it goes NotReady its deckies are Running again on
// the others (the node lifecycle reconciler's grace and --evict-after, then the scheduler).
//   control_plane_bench [DECKIES] [NODES] [WINDOW]
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <thread>

#include "api/types/conditions.h"
#include "bench/bench_support.h"

using namespace decnet;

namespace {

using Clock = std::chrono::steady_clock;

std::string nodeName(int index) {
  char name[16];
  std::snprintf(name, sizeof(name), "node-%02d", index);
  return name;
}

// The simulated agents: heartbeats for every node not silenced, and Running for every decky
// scheduled to a node (one watch for all of them).
class SimulatedAgents {
 public:
  SimulatedAgents(store::ObjectStore& store, int nodes, int interfaces)
      : store_(store), nodes_(nodes) {
    for (int i = 0; i < interfaces; ++i) interfaces_.push_back("bench" + std::to_string(i));
    for (int i = 0; i < nodes_; ++i) heartbeat(nodeName(i), true);
    heartbeats_ = std::thread([this] {
      while (!stop_) {
        for (int tick = 0; tick < 100 && !stop_; ++tick) {
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        for (int i = 0; i < nodes_ && !stop_; ++i) {
          const std::string name = nodeName(i);
          if (silenced_.load() != i) heartbeat(name, false);
        }
      }
    });
    const std::int64_t from = store_.latestRevision();
    reports_ = std::thread([this, from] {
      (void)store_.watch(
          "Decky", from,
          [this](const api::WatchEvent& event) {
            if (stop_) return false;
            if (event.type != api::WatchEvent::Type::kAdded &&
                event.type != api::WatchEvent::Type::kModified) {
              return true;
            }
            report(event.object);
            return true;
          },
          stop_);
    });
  }
  ~SimulatedAgents() {
    stop_ = true;
    store_.wakeWatchers();
    heartbeats_.join();
    reports_.join();
  }
  // The agent of node `index` stops heartbeating and reporting.
  void silence(int index) { silenced_ = index; }

 private:
  void heartbeat(const std::string& name, bool create) {
    const std::string now = api::formatTime(api::systemClock().now());
    if (create) {
      api::Object node;
      node.kind = "Node";
      node.metadata.name = name;
      (void)store_.create(node, {});
    }
    auto node = store_.get({"Node", name});
    if (!node) return;
    node->status["heartbeatTime"] = now;
    node->status["interfaces"] = interfaces_;
    api::setCondition(node->status,
                      {"Ready", "True", "AgentReady", "simulated", "", node->metadata.generation},
                      now);
    node->metadata.resourceVersion = 0;
    (void)store_.updateStatus(*node, {});
  }

  void report(const api::Object& decky) {
    const std::string node = decky.spec.value("node", "");
    if (node.empty() || decky.deleting()) return;
    if (silenced_.load() >= 0 && node == nodeName(silenced_.load())) return;
    // Running on its current node already (the Ready message names the node).
    const auto ready = api::findCondition(decky.status, "Ready");
    if (ready && ready->status == "True" && ready->message == node &&
        ready->observedGeneration == decky.metadata.generation) {
      return;
    }
    api::Object written = decky;
    const std::string now = api::formatTime(api::systemClock().now());
    written.status["phase"] = "Running";
    api::setCondition(written.status,
                      {"Ready", "True", "DeckyReady", node, "", decky.metadata.generation}, now);
    written.status["observedGeneration"] = decky.metadata.generation;
    (void)store_.updateStatus(written, {});  // a conflict: the next event retries
  }

  store::ObjectStore& store_;
  const int nodes_;
  api::Json interfaces_ = api::Json::array();
  std::atomic<bool> stop_{false};
  std::atomic<int> silenced_{-1};
  std::thread heartbeats_;
  std::thread reports_;
};

// Deckies Running and Ready on a node other than `lost` (all of them when lost is "").
int runningOff(store::ObjectStore& store, const std::string& lost) {
  auto deckies = store.listShared("Decky", {});
  int count = 0;
  for (const auto& d : *deckies) {
    const std::string node = d->spec.value("node", "");
    if (node.empty() || node == lost) continue;
    const auto ready = api::findCondition(d->status, "Ready");
    count += ready && ready->status == "True" && ready->message == node ? 1 : 0;
  }
  return count;
}

// Polls `condition` every 200 ms (a scan of 10,000 deckies every 2 ms would compete with the
// control plane); seconds waited, or -1 on timeout.
template <class F>
double waitSlowly(F condition, std::chrono::seconds limit) {
  const auto start = Clock::now();
  while (Clock::now() - start < limit) {
    if (condition()) return std::chrono::duration<double>(Clock::now() - start).count();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  const int deckies = argc > 1 ? std::atoi(argv[1]) : 10000;
  const int nodes = argc > 2 ? std::atoi(argv[2]) : 20;
  const int window = argc > 3 ? std::atoi(argv[3]) : 20;
  const int fleets = std::max(1, (deckies + 999) / 1000);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  spdlog::set_level(spdlog::level::warn);
  bench::TempDir dir;
  cli::ControlPlaneOptions options = bench::planeOptions(dir);
  options.nodeName.clear();  // the simulated agents register the nodes
  cli::ControlPlane plane(options);
  if (auto started = plane.start(); !started) {
    std::fprintf(stderr, "start failed: %s\n", started.error().message.c_str());
    return 1;
  }
  auto& store = plane.store();
  std::printf("control_plane: %d deckies in %d fleets over %d simulated nodes\n", deckies, fleets,
              nodes);
  std::optional<SimulatedAgents> agents(std::in_place, store, nodes, fleets);
  const auto start = Clock::now();
  for (int i = 0; i < fleets; ++i) {
    const int replicas = std::min(1000, deckies - i * 1000);
    if (auto created = store.create(bench::fleet("big-" + std::to_string(i), replicas, i), {});
        !created) {
      std::fprintf(stderr, "apply: %s\n", describe(created.error()).c_str());
      return 1;
    }
  }
  const double running =
      waitSlowly([&] { return runningOff(store, "") == deckies; }, std::chrono::seconds(600));
  if (running < 0) {
    std::printf("  TIMEOUT: %d of %d Running after 600 s\n", runningOff(store, ""), deckies);
    return 1;
  }
  std::printf("  apply -> all %d Running: %.2f s\n", deckies,
              std::chrono::duration<double>(Clock::now() - start).count());

  std::this_thread::sleep_for(std::chrono::seconds(5));  // writes drain
  const double cpuBefore = bench::cpuSeconds();
  std::this_thread::sleep_for(std::chrono::seconds(window));
  const double cpu = bench::cpuSeconds() - cpuBefore;
  std::printf("  idle over %d s (heartbeats every 10 s from %d nodes): %.2f %% of a core\n", window,
              nodes, 100.0 * cpu / window);
  std::printf("  RSS %.1f MiB\n", bench::procStatusKb(::getpid(), "VmRSS") / 1024.0);

  const std::string lost = nodeName(nodes / 3);
  auto onLost = store.listShared("Decky", {"", "spec.node=" + lost});
  const std::size_t moving = onLost ? onLost->size() : 0;
  agents->silence(nodes / 3);
  const auto silenced = Clock::now();
  const double notReady = waitSlowly(
      [&] {
        auto node = store.get({"Node", lost});
        return node && !api::conditionTrue(node->status, "Ready");
      },
      std::chrono::seconds(120));
  const auto notReadyAt = Clock::now();
  const double moved =
      waitSlowly([&] { return runningOff(store, lost) == deckies; }, std::chrono::seconds(300));
  std::printf(
      "  node %s silenced: NotReady after %.1f s; its %zu deckies Running elsewhere %.1f s "
      "after NotReady%s\n",
      lost.c_str(), notReady, moving,
      std::chrono::duration<double>(Clock::now() - notReadyAt).count(),
      moved < 0 ? " (TIMEOUT)" : "");
  (void)silenced;
  agents.reset();
  plane.stop();
  return moved < 0 || notReady < 0 ? 1 : 0;
}
