// The metrics adapter: series by name and labels, state-derived gauges that drop vanished
// series, the process_* series, and an exposition Debian's promtool accepts.
#include "metrics/registry.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "tests/support/process.h"

namespace decnet::metrics {
namespace {

bool has(const std::string& text, const std::string& line) {
  return text.find(line) != std::string::npos;
}

TEST(Registry, SameNameAndLabelsAreOneSeries) {
  Registry registry(false);
  registry.counter("decnet_test_total", "A test counter.", {{"service", "ssh"}}).inc();
  registry.counter("decnet_test_total", "A test counter.", {{"service", "ssh"}}).inc(2);
  registry.counter("decnet_test_total", "A test counter.", {{"service", "http"}}).inc();
  registry.gauge("decnet_test_depth", "A test gauge.").set(7);
  registry.histogram("decnet_test_seconds", "A test histogram.").observe(0.02);
  const std::string text = registry.expose();
  EXPECT_TRUE(has(text, "# TYPE decnet_test_total counter")) << text;
  EXPECT_TRUE(has(text, "decnet_test_total{service=\"ssh\"} 3")) << text;
  EXPECT_TRUE(has(text, "decnet_test_total{service=\"http\"} 1")) << text;
  EXPECT_TRUE(has(text, "decnet_test_depth 7")) << text;
  EXPECT_TRUE(has(text, "decnet_test_seconds_bucket{le=\"0.025\"} 1")) << text;
  EXPECT_TRUE(has(text, "decnet_test_seconds_bucket{le=\"0.01\"} 0")) << text;
  EXPECT_FALSE(has(text, "process_")) << "process series were not asked for";
}

TEST(Registry, StateGaugesLoseSeriesThatVanish) {
  Registry registry(false);
  std::vector<Sample> state = {{{{"fleet", "corp"}}, 3}, {{{"fleet", "dmz"}}, 1}};
  registry.gaugesFromState("decnet_fleet_replicas", "Replicas in the spec.", [&] { return state; });
  std::string text = registry.expose();
  EXPECT_TRUE(has(text, "decnet_fleet_replicas{fleet=\"corp\"} 3")) << text;
  EXPECT_TRUE(has(text, "decnet_fleet_replicas{fleet=\"dmz\"} 1")) << text;
  state = {{{{"fleet", "corp"}}, 5}};
  text = registry.expose();
  EXPECT_TRUE(has(text, "decnet_fleet_replicas{fleet=\"corp\"} 5")) << text;
  EXPECT_FALSE(has(text, "dmz")) << "a deleted fleet's series goes away";
}

TEST(Registry, StateCountersFollowTheirCountAndKeepLabelOrder) {
  Registry registry(false);
  double restarts = 2;
  registry.countersFromState("decnet_decky_restarts_total", "Restarts.", [&] {
    return std::vector<Sample>{{{{"decky", "web-01"}, {"fleet", "corp"}}, restarts}};
  });
  std::string text = registry.expose();
  EXPECT_TRUE(has(text, "# TYPE decnet_decky_restarts_total counter")) << text;
  EXPECT_TRUE(has(text, "decnet_decky_restarts_total{decky=\"web-01\",fleet=\"corp\"} 2")) << text;
  restarts = 0;  // the agent restarted: Prometheus sees a counter reset
  text = registry.expose();
  EXPECT_TRUE(has(text, "decnet_decky_restarts_total{decky=\"web-01\",fleet=\"corp\"} 0")) << text;
}

TEST(Registry, ProcessSeriesDescribeThisProcess) {
  Registry registry;
  const std::string text = registry.expose();
  for (const char* name : {"process_cpu_seconds_total ", "process_resident_memory_bytes ",
                           "process_open_fds ", "process_start_time_seconds "}) {
    EXPECT_TRUE(has(text, std::string("\n") + name)) << name << " missing:\n" << text;
  }
  const auto start = text.find("\nprocess_start_time_seconds ");
  const double started = std::stod(text.substr(start + 28));
  EXPECT_NEAR(started, static_cast<double>(::time(nullptr)), 600) << "seconds since the epoch";
}

TEST(Registry, PromtoolAcceptsTheExposition) {
  Registry registry;
  registry
      .counter("controller_runtime_reconcile_total", "Total reconciliations.",
               {{"controller", "fleet"}, {"result", "success"}})
      .inc();
  registry.histogram("workqueue_queue_duration_seconds", "Time in the queue.", {{"name", "fleet"}})
      .observe(0.001);
  registry.gaugesFromState("decnet_node_ready", "Whether a node is Ready.", [] {
    return std::vector<Sample>{{{{"node", "local"}}, 1}};
  });
  const std::string path = ::testing::TempDir() + "metrics.txt";
  std::ofstream(path) << registry.expose();
  const auto checked = decnet::testing::run("promtool check metrics < " + path);
  EXPECT_EQ(checked.exitCode, 0) << checked.output;
}

}  // namespace
}  // namespace decnet::metrics
