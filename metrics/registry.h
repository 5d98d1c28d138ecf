#pragma once
// decnet's metrics: every part registers its series here, and /metrics serves them in the
// Prometheus text format (0.0.4). prometheus-cpp stays inside this library; callers see only
// these handles. Names follow Prometheus conventions (base units, `_total` counters), with
// controller-runtime's and kube-apiserver's names where the concept is theirs and `decnet_`
// otherwise. Attacker addresses, principals and secrets are never label values.
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "api/types/result.h"

namespace prometheus {
class Counter;
class Gauge;
class Histogram;
}  // namespace prometheus

namespace decnet::metrics {

using Labels = std::map<std::string, std::string>;

// Handles to one series; cheap to copy, valid while their Registry lives. Thread-safe.
class Counter {
 public:
  Counter() = default;
  // Adds `value` (>= 0).
  void inc(double value = 1) const;
  double value() const;

 private:
  friend class Registry;
  explicit Counter(prometheus::Counter* series) : series_(series) {}
  prometheus::Counter* series_ = nullptr;
};

class Gauge {
 public:
  Gauge() = default;
  void set(double value) const;
  void inc(double value = 1) const;
  void dec(double value = 1) const;
  double value() const;

 private:
  friend class Registry;
  explicit Gauge(prometheus::Gauge* series) : series_(series) {}
  prometheus::Gauge* series_ = nullptr;
};

class Histogram {
 public:
  Histogram() = default;
  // Counts one observation (seconds, bytes: base units).
  void observe(double value) const;

 private:
  friend class Registry;
  explicit Histogram(prometheus::Histogram* series) : series_(series) {}
  prometheus::Histogram* series_ = nullptr;
};

// Buckets of controller-runtime's and kube-apiserver's latency histograms, in seconds.
std::vector<double> latencyBuckets();

// One value of a series derived from state at scrape time (fleets, deckies, nodes). Its labels
// are exposed in the order given.
struct Sample {
  std::vector<std::pair<std::string, std::string>> labels;
  double value = 0;
};

class Registry {
 public:
  // `process` adds the standard process_* series of this process to every exposition.
  explicit Registry(bool process = true);
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // The series `name{labels}`, created on first use (the same name and labels give the same
  // series; a name's help is the first one given). Thread-safe.
  Counter counter(const std::string& name, const std::string& help, const Labels& labels = {});
  Gauge gauge(const std::string& name, const std::string& help, const Labels& labels = {});
  Histogram histogram(const std::string& name, const std::string& help, const Labels& labels = {},
                      const std::vector<double>& buckets = latencyBuckets());

  // Runs `collect` at each exposition; it returns the whole current set of samples of gauge
  // `name` (a deleted decky's series are simply absent), exposed as returned and not kept.
  // Families run in registration order. `name` must not also be a handle's. Before the first
  // exposition only.
  void gaugesFromState(const std::string& name, const std::string& help,
                       std::function<std::vector<Sample>()> collect);
  // The same for a counter that mirrors a count kept elsewhere (a decky's restarts); one that
  // went down is a counter reset to Prometheus.
  void countersFromState(const std::string& name, const std::string& help,
                         std::function<std::vector<Sample>()> collect);
  // Runs `refresh` before each exposition (to set gauges that mirror live state). Before the
  // first exposition only.
  void beforeExposition(std::function<void()> refresh);

  // Every series in the Prometheus text format; thread-safe.
  std::string expose();

 private:
  friend class MetricsServer;
  struct Impl;
  class Scrapable;
  std::unique_ptr<Impl> impl_;
};

// An HTTP endpoint serving one registry on GET /metrics, for processes without the API server
// (`decnet collect`, `decnet correlate`, `decnet profile`, `decnet agent`).
class MetricsServer {
 public:
  // Listens on HOST:PORT (port 0: any free one); kUnavailable when it cannot bind. `registry`
  // must outlive the server.
  static Result<std::unique_ptr<MetricsServer>> start(Registry& registry,
                                                      const std::string& listen);
  ~MetricsServer();
  // The bound port.
  int port() const;

 private:
  MetricsServer() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The media type of expose()'s output.
inline constexpr const char* kExpositionContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace decnet::metrics
