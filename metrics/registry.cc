// The prometheus-cpp adapter: families are created on first use and kept by name; state-derived
// families are built at each exposition; process_* series are read from /proc.
#include "metrics/registry.h"

#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>
#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

namespace decnet::metrics {

void Counter::inc(double value) const {
  if (series_ != nullptr) series_->Increment(value);
}
double Counter::value() const { return series_ != nullptr ? series_->Value() : 0; }

void Gauge::set(double value) const {
  if (series_ != nullptr) series_->Set(value);
}
void Gauge::inc(double value) const {
  if (series_ != nullptr) series_->Increment(value);
}
void Gauge::dec(double value) const {
  if (series_ != nullptr) series_->Decrement(value);
}
double Gauge::value() const { return series_ != nullptr ? series_->Value() : 0; }

void Histogram::observe(double value) const {
  if (series_ != nullptr) series_->Observe(value);
}

std::vector<double> latencyBuckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
}

namespace {

// This process's CPU time, resident memory and start time from /proc/self/stat.
struct ProcessStat {
  double cpuSeconds = 0, startTimeSeconds = 0, residentBytes = 0, virtualBytes = 0;
};

ProcessStat readProcessStat() {
  ProcessStat out;
  std::ifstream stat("/proc/self/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  // The command name may hold spaces and parentheses: fields count from the last ')'.
  const auto close = text.rfind(')');
  if (close == std::string::npos) return out;
  std::istringstream fields(text.substr(close + 2));
  std::vector<std::string> f;
  for (std::string field; fields >> field;) f.push_back(field);
  // f[0] is field 3 (state): utime 14, stime 15, starttime 22, vsize 23, rss 24.
  if (f.size() < 22) return out;
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  out.cpuSeconds = (std::stod(f[11]) + std::stod(f[12])) / ticks;
  out.virtualBytes = std::stod(f[20]);
  out.residentBytes = std::stod(f[21]) * static_cast<double>(::sysconf(_SC_PAGESIZE));
  std::ifstream procStat("/proc/stat");
  for (std::string line; std::getline(procStat, line);) {
    if (line.rfind("btime ", 0) == 0) {
      out.startTimeSeconds = std::stod(line.substr(6)) + std::stod(f[19]) / ticks;
      break;
    }
  }
  return out;
}

double openFds() {
  std::error_code ec;
  double count = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    ++count;
  }
  return count > 0 ? count - 1 : 0;  // the directory iterator's own descriptor
}

}  // namespace

struct Registry::Impl {
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  // Families, state gauges, exposition; recursive: a refresher may create series.
  std::recursive_mutex mutex;
  std::map<std::string, prometheus::Family<prometheus::Counter>*> counters;
  std::map<std::string, prometheus::Family<prometheus::Gauge>*> gauges;
  std::map<std::string, prometheus::Family<prometheus::Histogram>*> histograms;
  // Families built from state at each exposition, in registration order (a later one may
  // reuse what an earlier one read); no series is kept between expositions.
  struct StateFamily {
    std::string name, help;
    prometheus::MetricType type;
    std::function<std::vector<Sample>()> collect;
  };
  std::vector<StateFamily> stateFamilies;
  std::vector<std::function<void()>> refreshers;
  bool process = false;
  double cpuSecondsReported = 0;

  // Refreshes the derived series and returns every family.
  std::vector<prometheus::MetricFamily> collect();

  prometheus::Family<prometheus::Gauge>& gaugeFamily(const std::string& name,
                                                     const std::string& help) {
    auto& family = gauges[name];
    if (family == nullptr) {
      family = &prometheus::BuildGauge().Name(name).Help(help).Register(*registry);
    }
    return *family;
  }

  void refreshProcess() {
    const ProcessStat stat = readProcessStat();
    auto& cpu = counters["process_cpu_seconds_total"];
    if (cpu == nullptr) {
      cpu = &prometheus::BuildCounter()
                 .Name("process_cpu_seconds_total")
                 .Help("Total user and system CPU time spent in seconds.")
                 .Register(*registry);
    }
    auto& series = cpu->Add({});  // present from the first scrape, even at 0 s
    if (stat.cpuSeconds > cpuSecondsReported) {
      series.Increment(stat.cpuSeconds - cpuSecondsReported);
      cpuSecondsReported = stat.cpuSeconds;
    }
    gaugeFamily("process_resident_memory_bytes", "Resident memory size in bytes.")
        .Add({})
        .Set(stat.residentBytes);
    gaugeFamily("process_virtual_memory_bytes", "Virtual memory size in bytes.")
        .Add({})
        .Set(stat.virtualBytes);
    gaugeFamily("process_start_time_seconds",
                "Start time of the process since unix epoch in seconds.")
        .Add({})
        .Set(stat.startTimeSeconds);
    gaugeFamily("process_open_fds", "Number of open file descriptors.").Add({}).Set(openFds());
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0) {
      gaugeFamily("process_max_fds", "Maximum number of open file descriptors.")
          .Add({})
          .Set(static_cast<double>(limit.rlim_cur));
    }
  }

  static prometheus::MetricFamily stateFamily(const StateFamily& state) {
    prometheus::MetricFamily family{state.name, state.help, state.type, {}};
    auto samples = state.collect();
    family.metric.resize(samples.size());
    for (std::size_t i = 0; i < samples.size(); ++i) {
      auto& metric = family.metric[i];
      metric.label.reserve(samples[i].labels.size());
      for (auto& [name, value] : samples[i].labels) {
        metric.label.push_back({std::move(name), std::move(value)});
      }
      if (state.type == prometheus::MetricType::Counter) {
        metric.counter.value = samples[i].value;
      } else {
        metric.gauge.value = samples[i].value;
      }
    }
    return family;
  }
};

Registry::Registry(bool process) : impl_(std::make_unique<Impl>()) { impl_->process = process; }

Registry::~Registry() = default;

Counter Registry::counter(const std::string& name, const std::string& help, const Labels& labels) {
  std::lock_guard lock(impl_->mutex);
  auto& family = impl_->counters[name];
  if (family == nullptr) {
    family = &prometheus::BuildCounter().Name(name).Help(help).Register(*impl_->registry);
  }
  return Counter(&family->Add(labels));
}

Gauge Registry::gauge(const std::string& name, const std::string& help, const Labels& labels) {
  std::lock_guard lock(impl_->mutex);
  return Gauge(&impl_->gaugeFamily(name, help).Add(labels));
}

Histogram Registry::histogram(const std::string& name, const std::string& help,
                              const Labels& labels, const std::vector<double>& buckets) {
  std::lock_guard lock(impl_->mutex);
  auto& family = impl_->histograms[name];
  if (family == nullptr) {
    family = &prometheus::BuildHistogram().Name(name).Help(help).Register(*impl_->registry);
  }
  return Histogram(&family->Add(labels, prometheus::Histogram::BucketBoundaries(buckets)));
}

void Registry::gaugesFromState(const std::string& name, const std::string& help,
                               std::function<std::vector<Sample>()> collect) {
  std::lock_guard lock(impl_->mutex);
  impl_->stateFamilies.push_back({name, help, prometheus::MetricType::Gauge, std::move(collect)});
}

void Registry::countersFromState(const std::string& name, const std::string& help,
                                 std::function<std::vector<Sample>()> collect) {
  std::lock_guard lock(impl_->mutex);
  impl_->stateFamilies.push_back({name, help, prometheus::MetricType::Counter, std::move(collect)});
}

void Registry::beforeExposition(std::function<void()> refresh) {
  std::lock_guard lock(impl_->mutex);
  impl_->refreshers.push_back(std::move(refresh));
}

std::vector<prometheus::MetricFamily> Registry::Impl::collect() {
  std::lock_guard lock(mutex);
  for (auto& refresh : refreshers) refresh();
  if (process) refreshProcess();
  auto families = registry->Collect();
  families.reserve(families.size() + stateFamilies.size());
  for (const auto& state : stateFamilies) families.push_back(stateFamily(state));
  return families;
}

std::string Registry::expose() {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, impl_->collect());
  return out.str();
}

// What an HTTP endpoint scrapes: the registry, refreshed first.
class Registry::Scrapable final : public prometheus::Collectable {
 public:
  explicit Scrapable(Registry::Impl& impl) : impl_(impl) {}
  std::vector<prometheus::MetricFamily> Collect() const override { return impl_.collect(); }

 private:
  Registry::Impl& impl_;
};

struct MetricsServer::Impl {
  std::shared_ptr<prometheus::Collectable> scrapable;
  std::unique_ptr<prometheus::Exposer> exposer;
};

Result<std::unique_ptr<MetricsServer>> MetricsServer::start(Registry& registry,
                                                            const std::string& listen) {
  auto server = std::unique_ptr<MetricsServer>(new MetricsServer());
  server->impl_ = std::make_unique<Impl>();
  server->impl_->scrapable = std::make_shared<Registry::Scrapable>(*registry.impl_);
  try {
    server->impl_->exposer = std::make_unique<prometheus::Exposer>(listen, /*num_threads=*/1);
  } catch (const std::exception& e) {
    return fail(Errc::kUnavailable, "cannot serve /metrics on " + listen + ": " + e.what());
  }
  server->impl_->exposer->RegisterCollectable(server->impl_->scrapable, "/metrics");
  return server;
}

MetricsServer::~MetricsServer() {
  if (impl_ && impl_->exposer) impl_->exposer->RemoveCollectable(impl_->scrapable, "/metrics");
}

int MetricsServer::port() const {
  const auto ports = impl_->exposer->GetListeningPorts();
  return ports.empty() ? 0 : ports.front();
}

}  // namespace decnet::metrics
