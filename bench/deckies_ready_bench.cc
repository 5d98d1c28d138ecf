// Host side (root): time from apply to all deckies Ready on one node, memory per running decky
// (decoy RSS and the kernel's share), and teardown time. Builds its own lab (a veth pair and an
// attacker namespace with unique names) and removes everything it made.
// Once a size is Ready, it measures the idle CPU of this process (control plane and embedded
// agent) and of all the decoys over DECNET_IDLE_WINDOW seconds (default 20; 0 skips), then
// restarts the control plane and agent on the same data dir and times the adoption of every
// running decoy (DECNET_RESTART=0 skips); the teardown is then of adopted deckies. The idle
// window runs twice: as it comes (the decoys making their RSA host keys one at a time), then
// with the bench holding the keygen lock, which shows the decoys at rest.
// For each size it prints a stage table: for every step from apply to Ready (Decky written by the
// fleet controller, scheduled, then the agent's steps from agents/ready_stages.h), the median and
// 95th percentile of the time from the previous step, and when the last decky got there.
// Usage: deckies_ready_bench [SIZES...]   (default 100 500 1000)
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include "agents/network/lab.h"
#include "bench/bench_support.h"
#include "bench/host_cpu.h"

using namespace decnet;

namespace {

long meminfoKb(const std::string& field) {
  std::ifstream in("/proc/meminfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::atol(line.c_str() + field.size() + 1);
  }
  return 0;
}

int countReady(store::ObjectStore& store, const std::string& fleet) {
  auto list = store.listShared("Decky", {std::string(api::kFleetLabel) + "=" + fleet, ""});
  int ready = 0;
  for (const auto& d : *list) ready += d->status.value("phase", "") == "Running" ? 1 : 0;
  return ready;
}

using Clock = std::chrono::steady_clock;

// What the store shows of each decky of one fleet: when it was written, scheduled and reported
// Running, from a watch (no polling that would compete with the agent for the CPU).
class StoreTimeline {
 public:
  StoreTimeline(store::ObjectStore& store, std::string fleet)
      : store_(store), fleet_(std::move(fleet)) {
    const std::int64_t from = store_.latestRevision();
    thread_ = std::thread([this, from] {
      (void)store_.watch(
          "Decky", from,
          [this](const api::WatchEvent& event) {
            if (stop_) return false;
            if (event.type == api::WatchEvent::Type::kBookmark) return true;
            const auto& decky = event.object;
            if (decky.metadata.labels.count(api::kFleetLabel) == 0 ||
                decky.metadata.labels.at(api::kFleetLabel) != fleet_) {
              return true;
            }
            const auto now = Clock::now();
            std::lock_guard lock(mutex_);
            auto& times = times_[decky.metadata.name];
            if (times[0] == Clock::time_point{}) times[0] = now;
            if (times[1] == Clock::time_point{} && !decky.spec.value("node", "").empty()) {
              times[1] = now;
            }
            if (times[2] == Clock::time_point{} && decky.status.value("phase", "") == "Running") {
              times[2] = now;
              ++running_;
              changed_.notify_all();
            }
            return true;
          },
          stop_);
    });
  }
  ~StoreTimeline() {
    stop_ = true;
    store_.wakeWatchers();
    thread_.join();
  }
  // Waits until `count` deckies were reported Running; false on timeout.
  bool waitRunning(int count, std::chrono::seconds limit) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, limit, [&] { return running_ >= count; });
  }
  // decky -> {written, scheduled, Running}
  std::map<std::string, std::array<Clock::time_point, 3>> times() const {
    std::lock_guard lock(mutex_);
    return times_;
  }

 private:
  store::ObjectStore& store_;
  const std::string fleet_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::string, std::array<Clock::time_point, 3>> times_;
  int running_ = 0;
  std::thread thread_;
};

// The stage table: per step, the median and p95 of the time since the previous step, and when
// the last decky reached it (seconds after `apply`).
void printStages(const StoreTimeline& timeline, const agents::ReadyStages* agent,
                 Clock::time_point apply) {
  const auto store = timeline.times();
  const auto agentTimes =
      agent != nullptr ? agent->snapshot() : std::map<std::string, agents::ReadyStages::Times>{};
  std::vector<std::string> names = {"Decky written", "scheduled"};
  for (std::size_t s = 0; s < agents::kReadyStageCount; ++s) {
    names.emplace_back(agents::readyStageName(static_cast<agents::ReadyStage>(s)));
  }
  names.emplace_back("Running in the store");
  std::vector<std::vector<double>> steps(names.size());
  std::vector<double> last(names.size(), 0);
  for (const auto& [decky, seen] : store) {
    std::vector<Clock::time_point> path = {seen[0], seen[1]};
    const auto it = agentTimes.find(decky);
    for (std::size_t s = 0; s < agents::kReadyStageCount; ++s) {
      path.push_back(it != agentTimes.end() ? it->second[s] : Clock::time_point{});
    }
    path.push_back(seen[2]);
    Clock::time_point previous = apply;
    for (std::size_t s = 0; s < path.size(); ++s) {
      if (path[s] == Clock::time_point{}) continue;  // not reached (or not recorded)
      steps[s].push_back(std::chrono::duration<double, std::milli>(path[s] - previous).count());
      last[s] = std::max(last[s], std::chrono::duration<double>(path[s] - apply).count());
      previous = path[s];
    }
  }
  std::printf("        %-22s %10s %10s %12s\n", "stage", "median ms", "p95 ms", "last at s");
  for (std::size_t s = 0; s < names.size(); ++s) {
    auto& values = steps[s];
    if (values.empty()) {
      std::printf("        %-22s %10s %10s %12s\n", names[s].c_str(), "-", "-", "-");
      continue;
    }
    std::sort(values.begin(), values.end());
    std::printf("        %-22s %10.1f %10.1f %12.2f\n", names[s].c_str(), values[values.size() / 2],
                values[std::min(values.size() - 1, values.size() * 95 / 100)], last[s]);
  }
}

// CPU seconds the thread whose schedstat file is `path` has run: the scheduler's own count, in
// nanoseconds. The utime and stime of /proc/.../stat come in whole clock ticks (10 ms) per
// process, which rounded each decoy's few milliseconds of start-up down to nothing.
double scheduledSeconds(const std::string& path) {
  return std::atof(bench::readProcFile(path).c_str()) / 1e9;
}

// CPU seconds the main thread of process `pid` has run (0 once it is gone): all of a decoy's
// start-up happens there. Not every thread of every decoy: listing /proc/PID/task for 1,000
// decoys left enough /proc entries behind to make the teardown after it take twice as long.
double processCpuSeconds(int pid) {
  return scheduledSeconds("/proc/" + std::to_string(pid) + "/schedstat");
}

// User plus system CPU seconds of every thread process `pid` has had, ended ones too (a
// decoy's RSA key thread), from /proc/PID/stat (0 once it is gone). Whole clock ticks: good for
// the difference over an idle window, not for a few milliseconds since the start.
double allThreadsCpuSeconds(int pid) {
  const std::string text = bench::readProcFile("/proc/" + std::to_string(pid) + "/stat");
  const auto close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  double ticks = 0;
  for (int index = 3; fields >> field && index <= 15; ++index) {
    if (index == 14 || index == 15) ticks += std::atof(field.c_str());  // utime, stime
  }
  return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// CPU seconds of this process's live threads, summed by thread name (the control plane and the
// agent name theirs: "rec:fleet", "inf:Decky", "agent-loop").
std::map<std::string, double> threadCpuByName() {
  std::map<std::string, double> out;
  std::error_code error;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task", error)) {
    std::string name = bench::readProcFile((task.path() / "comm").string());
    if (name.empty()) continue;  // ended meanwhile
    name.pop_back();             // the newline
    out[name] += scheduledSeconds((task.path() / "schedstat").string());
  }
  return out;
}

// The decoy's pid in a Decky's status; 0 when it has none (yet).
// Takes the decoys' host-wide keygen lock, waiting for a key being made to finish: while the
// bench holds it no RSA host key is made. The descriptor releases it when closed; -1 on failure.
int holdKeygenLock(const std::string& dataDir) {
  std::error_code error;
  std::filesystem::create_directories(dataDir + "/state", error);
  const int lock =
      ::open((dataDir + "/state/.keygen.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock >= 0 && ::flock(lock, LOCK_EX) != 0) {
    ::close(lock);
    return -1;
  }
  return lock;
}

int decoyPidOf(const api::Object& decky) {
  const auto pid = decky.status.find("decoyPid");
  return pid != decky.status.end() && pid->is_number_integer() ? pid->get<int>() : 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (::geteuid() != 0) {
    std::fprintf(stderr, "deckies_ready_bench needs root (namespaces, macvlan)\n");
    return 2;
  }
  std::vector<int> sizes;
  for (int i = 1; i < argc; ++i) sizes.push_back(std::atoi(argv[i]));
  if (sizes.empty()) sizes = {100, 500, 1000};
  const char* windowText = std::getenv("DECNET_IDLE_WINDOW");
  const int idleWindow = windowText != nullptr ? std::atoi(windowText) : 20;
  const char* restartText = std::getenv("DECNET_RESTART");
  const bool restart = restartText == nullptr || std::string(restartText) != "0";
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress shows as it happens
  spdlog::set_level(spdlog::level::warn);

  const std::string tag = std::to_string(::getpid() % 100000);
  agents::LabOptions lab;
  lab.subnet = "10.77.224.0/22";
  lab.parent = "dnb" + tag;
  lab.attackerNamespace = "decnet-attb" + tag;
  if (auto ok = agents::labUp(lab); !ok) {
    std::fprintf(stderr, "lab: %s\n", ok.error().message.c_str());
    return 1;
  }
  bench::TempDir dir;
  cli::ControlPlaneOptions options = bench::planeOptions(dir);
  options.embedAgent = true;
  // The agent runs the lean decoy binary, not decnet itself.
  const char* binary = std::getenv("DECNET_DECOY_BINARY");
  options.binary = binary != nullptr ? binary : DECNET_DECOY_PATH;
  auto plane = std::make_unique<cli::ControlPlane>(options);
  if (auto started = plane->start(); !started) {
    std::fprintf(stderr, "start: %s\n", started.error().message.c_str());
    (void)agents::labDown(lab);  // best effort on the way out
    return 1;
  }
  // Re-read after a restart: the store is the current plane's.
  const auto storeOf = [&plane]() -> store::ObjectStore& { return plane->store(); };
  int status = 0;
  std::printf("deckies_ready: one node, linux-server deckies (ssh + http decoys), parent %s\n",
              lab.parent.c_str());
  for (int size : sizes) {
    const bench::HostCpu host;
    const std::string name = "bench" + std::to_string(size);
    api::Object fleet;
    fleet.kind = "Fleet";
    fleet.metadata.name = name;
    fleet.spec = {{"network",
                   {{"interface", lab.parent}, {"subnet", lab.subnet}, {"gateway", "10.77.224.1"}}},
                  {"replicas", size},
                  {"template", {{"archetype", "linux-server"}}}};
    const long availableBefore = meminfoKb("MemAvailable");
    const long slabBefore = meminfoKb("Slab");
    auto& store = storeOf();
    std::optional<StoreTimeline> timeline(std::in_place, store, name);
    const double ownCpuBefore = bench::cpuSeconds();
    const auto passes = [&plane] {
      std::map<std::string, std::uint64_t> out;
      for (const char* name : {"fleet", "scheduler", "gc", "mutation"}) {
        out[name] = plane->manager().stats(name).reconciles.load();
      }
      return out;
    };
    const auto passesBefore = passes();
    const std::uint64_t agentPassesBefore = plane->agentReconciles();
    const auto threadsBefore = threadCpuByName();
    // DECNET_HOLD_KEYGEN=1: no RSA host key is made between apply and all Ready (the bench holds
    // the keygen lock), to show what the keys being made meanwhile cost.
    const char* hold = std::getenv("DECNET_HOLD_KEYGEN");
    const int heldKeygen = hold != nullptr && *hold == '1' ? holdKeygenLock(options.dataDir) : -1;
    const auto start = std::chrono::steady_clock::now();
    if (auto created = store.create(fleet, {}); !created) {
      std::fprintf(stderr, "apply: %s\n", describe(created.error()).c_str());
      status = 1;
      break;
    }
    const double ready =
        timeline->waitRunning(size, std::chrono::seconds(300))
            ? std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()
            : -1.0;
    if (heldKeygen >= 0) ::close(heldKeygen);  // the decoys go on making their keys
    if (ready < 0) {
      std::printf("  %4d deckies: TIMEOUT (%d ready after 300 s)\n", size, countReady(store, name));
      status = 1;
    } else {
      // Where the CPU went between apply and all Ready: this process (control plane and agent)
      // and the decoys (their start, and what they did once listening).
      const double ownCpu = bench::cpuSeconds() - ownCpuBefore;
      double decoysCpu = 0;
      const auto started =
          store.listShared("Decky", {std::string(api::kFleetLabel) + "=" + name, ""});
      for (const auto& d : *started) {
        if (const int pid = decoyPidOf(*d); pid > 0) decoysCpu += processCpuSeconds(pid);
      }
      // Where the process's CPU went, by thread; threads that ended meanwhile (the agent's
      // short-lived namespace threads) only in the total.
      std::vector<std::pair<double, std::string>> byThread;
      double named = 0;
      for (const auto& [thread, seconds] : threadCpuByName()) {
        const auto before = threadsBefore.find(thread);
        const double used = seconds - (before == threadsBefore.end() ? 0 : before->second);
        named += used;
        if (used >= 0.05) byThread.emplace_back(used, thread);
      }
      std::sort(byThread.rbegin(), byThread.rend());
      std::printf("        process CPU by thread:");
      for (const auto& [seconds, thread] : byThread) {
        std::printf(" %s %.2f s,", thread.c_str(), seconds);
      }
      std::printf(" ended threads %.2f s\n", ownCpu - named);
      const auto passesAfter = passes();
      std::printf("        reconcile passes from apply to all Ready:");
      for (const auto& [reconciler, count] : passesAfter) {
        std::printf(" %s %llu", reconciler.c_str(),
                    static_cast<unsigned long long>(count - passesBefore.at(reconciler)));
      }
      std::printf(", agent %llu\n",
                  static_cast<unsigned long long>(plane->agentReconciles() - agentPassesBefore));
      std::this_thread::sleep_for(std::chrono::seconds(1));
      long rss = 0, pss = 0;
      int counted = 0;
      const auto deckies = store.list("Decky", {std::string(api::kFleetLabel) + "=" + name, ""});
      for (const auto& d : deckies->items) {
        const int pid = decoyPidOf(d);
        if (pid <= 0) continue;
        rss += bench::procStatusKb(pid, "VmRSS");
        std::istringstream smaps(
            bench::readProcFile("/proc/" + std::to_string(pid) + "/smaps_rollup"));
        std::string line;
        while (std::getline(smaps, line)) {
          if (line.rfind("Pss:", 0) == 0) pss += std::atol(line.c_str() + 4);
        }
        ++counted;
      }
      const long availableAfter = meminfoKb("MemAvailable");
      const long slabAfter = meminfoKb("Slab");
      std::printf("  %4d deckies: all Ready in %.2f s (%.0f deckies/s)\n", size, ready,
                  size / ready);
      printStages(*timeline, plane->agentStages(), start);
      std::printf(
          "        CPU from apply to all Ready: control plane + agent %.2f s, decoys %.2f s "
          "(%.1f ms each)\n",
          ownCpu, decoysCpu, 1000.0 * decoysCpu / size);
      if (counted > 0) {
        std::printf(
            "        decoy RSS %.2f MiB each (PSS %.2f MiB); kernel slab +%.2f MiB each; "
            "MemAvailable -%.2f MiB each\n",
            rss / 1024.0 / counted, pss / 1024.0 / counted,
            (slabAfter - slabBefore) / 1024.0 / size,
            (availableBefore - availableAfter) / 1024.0 / size);
      }
    }
    if (ready >= 0 && idleWindow > 0) {
      std::vector<int> decoys;
      const auto running = store.list("Decky", {std::string(api::kFleetLabel) + "=" + name, ""});
      for (const auto& d : running->items) {
        if (const int pid = decoyPidOf(d); pid > 0) decoys.push_back(pid);
      }
      const auto decoyCpu = [&] {
        double total = 0;
        for (int pid : decoys) total += allThreadsCpuSeconds(pid);
        return total;
      };
      std::this_thread::sleep_for(std::chrono::seconds(2));  // status writes drain
      const double ownBefore = bench::cpuSeconds(), decoysBefore = decoyCpu();
      std::this_thread::sleep_for(std::chrono::seconds(idleWindow));
      const double own = bench::cpuSeconds() - ownBefore, decoysUsed = decoyCpu() - decoysBefore;
      std::printf(
          "        idle over %d s: control plane + agent %.2f %% of a core; with the %zu decoys "
          "%.2f %%\n",
          idleWindow, 100.0 * own / idleWindow, decoys.size(),
          100.0 * (own + decoysUsed) / idleWindow);
      // The decoys at rest, as once every RSA host key exists (a new fleet makes them one at a
      // time for its first minutes): the bench holds the keygen lock, so after the key being
      // made now is done, no decoy makes one during the window.
      const int lock = holdKeygenLock(options.dataDir);
      if (lock >= 0) {
        std::this_thread::sleep_for(std::chrono::seconds(2));  // the last key is stored
        const double ownAtRest = bench::cpuSeconds(), decoysAtRest = decoyCpu();
        std::this_thread::sleep_for(std::chrono::seconds(idleWindow));
        const double restOwn = bench::cpuSeconds() - ownAtRest;
        const double restDecoys = decoyCpu() - decoysAtRest;
        std::printf(
            "        at rest (no host key being made) over %d s: control plane + agent %.2f %% of "
            "a "
            "core; with the decoys %.2f %%\n",
            idleWindow, 100.0 * restOwn / idleWindow, 100.0 * (restOwn + restDecoys) / idleWindow);
      }
      if (lock >= 0) ::close(lock);  // releases the lock: the decoys go on making their keys
    }
    if (ready >= 0 && restart) {
      // kill -9 is not needed to show adoption: a stopped agent leaves its decoys running too.
      // A new control plane and agent on the same data dir must adopt every decoy (same pid,
      // no restart) and reconcile every decky; the teardown below is then of adopted deckies.
      const auto pids = [&] {
        std::map<std::string, int> out;
        auto list = plane->store().list("Decky", {std::string(api::kFleetLabel) + "=" + name, ""});
        for (const auto& d : list->items) out[d.metadata.name] = decoyPidOf(d);
        return out;
      };
      const auto before = pids();
      timeline.reset();  // its watch is on the old store
      plane->stop();
      plane.reset();
      const auto restartStart = std::chrono::steady_clock::now();
      plane = std::make_unique<cli::ControlPlane>(options);
      if (auto started = plane->start(); !started) {
        std::fprintf(stderr, "restart: %s\n", started.error().message.c_str());
        status = 1;
        break;
      }
      const double back = bench::waitFor(
          [&] { return plane->agentReconciles() >= static_cast<std::uint64_t>(size); },
          std::chrono::seconds(120));
      const double elapsed =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - restartStart).count();
      const auto after = pids();
      int kept = 0;
      for (const auto& [decky, pid] : before) kept += after.count(decky) && after.at(decky) == pid;
      std::printf(
          "        restart: every decky reconciled %.2f s after the new start%s; %d of %zu "
          "decoys kept (same pid)\n",
          elapsed, back < 0 ? " (TIMEOUT)" : "", kept, before.size());
    }
    auto& current = storeOf();
    const auto teardownStart = std::chrono::steady_clock::now();
    (void)current.remove({"Fleet", name}, {});
    const double teardown = bench::waitFor(
        [&] {
          // Shared objects: copying every remaining decky every 2 ms took a core from the agent.
          return current.listShared("Decky", {std::string(api::kFleetLabel) + "=" + name, ""})
              ->empty();
        },
        std::chrono::seconds(300));
    std::printf("        teardown of %d deckies: %.2f s\n", size,
                teardown < 0 ? -1.0
                             : std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                                             teardownStart)
                                   .count());
    std::printf("        host CPU over this size: %s; reference loop now %.0f ms\n",
                host.sinceStart().c_str(), bench::HostCpu::referenceMs());
    (void)start;
  }
  plane->stop();
  (void)agents::labDown(lab);  // best effort on the way out
  return status;
}
