#pragma once
// Shared set-up for the control-plane benchmarks: an in-process store on a temp SQLite file, a
// Ready node, the reconcilers, and fleets of a given size.
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "cli/control_plane.h"

namespace decnet::bench {

// A /proc file's text; empty once the process or thread is gone. Read with read(2): one that
// exits during the read fails it with ESRCH, which an ifstream throws as an exception.
inline std::string readProcFile(const std::string& path) {
  std::string text;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return text;
  char buffer[4096];
  ssize_t n = 0;
  while ((n = ::read(fd, buffer, sizeof buffer)) > 0) text.append(buffer, n);
  ::close(fd);
  return n < 0 ? std::string() : text;
}

// A kB field of /proc/<pid>/status ("VmRSS"); 0 when absent.
inline long procStatusKb(int pid, const std::string& field) {
  std::istringstream in(readProcFile("/proc/" + std::to_string(pid) + "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::atol(line.c_str() + field.size() + 1);
  }
  return 0;
}

inline double cpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

inline api::Object fleet(const std::string& name, int replicas, int index) {
  api::Object o;
  o.kind = "Fleet";
  o.metadata.name = name;
  // Each fleet gets its own /22 (1,022 addresses) on its own parent.
  const std::string subnet = "10." + std::to_string(80 + index) + ".0.0/22";
  o.spec = {{"network", {{"interface", "bench" + std::to_string(index)}, {"subnet", subnet}}},
            {"replicas", replicas},
            {"template", {{"archetype", "linux-server"}}}};
  return o;
}

// A temp data dir removed on destruction.
struct TempDir {
  std::string path;
  TempDir() {
    char pattern[] = "/tmp/decnet-bench-XXXXXX";
    path = ::mkdtemp(pattern);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

inline cli::ControlPlaneOptions planeOptions(const TempDir& dir) {
  cli::ControlPlaneOptions options;
  options.dataDir = dir.path;
  options.serveApi = false;
  // The controller alone: the node is registered without an agent, so deckies are scheduled
  // (an embedded agent would report this host's interfaces, which have no bench0..3, and the
  // scheduler would rightly keep every decky Pending).
  options.embedAgent = false;
  return options;
}

// "Authorization: Bearer TOKEN" from the admin.conf a control plane with authentication wrote
// in `dir`; "" when there is none.
inline std::string adminAuthorization(const TempDir& dir) {
  std::ifstream in(dir.path + "/admin.conf");
  for (std::string line; std::getline(in, line);) {
    const auto at = line.find("token: ");
    if (at != std::string::npos) return "Authorization: Bearer " + line.substr(at + 7);
  }
  return "";
}

// Polls until `condition` or the deadline; returns seconds waited, or -1 on timeout.
template <class F>
double waitFor(F condition, std::chrono::seconds limit) {
  const auto start = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - start < limit) {
    if (condition()) {
      return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return -1;
}

// Waits until the store holds `deckies` Decky objects, every one scheduled to a node; seconds
// waited, or -1 on timeout.
template <class Store>
double waitScheduled(Store& store, int deckies, std::chrono::seconds limit) {
  return waitFor(
      [&] {
        auto all = store.listShared("Decky", {});
        auto unscheduled = store.listShared("Decky", {"", "spec.node="});
        return all && unscheduled && static_cast<int>(all->size()) == deckies &&
               unscheduled->empty();
      },
      limit);
}

}  // namespace decnet::bench
