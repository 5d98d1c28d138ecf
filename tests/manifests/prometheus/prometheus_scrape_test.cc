// Debian's Prometheus scraping a running `decnet up` (control plane, collector, correlator,
// profiler) through the shipped manifests/prometheus/prometheus.yml, read back through
// Prometheus' HTTP API: every target up, the fleet's counts, reconciles that grow, and each
// worker's series from its own target. The lab version with deckies, attacker traffic, the
// dashboard and an alert is in tests/agents/host_e2e_test.cc (privileged).
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "tests/support/prometheus.h"

namespace decnet {
namespace {

using testing::DecnetUp;
using testing::run;

TEST(PrometheusScrapeTest, ControllerAndWorkersAreScrapedThroughTheShippedConfig) {
  const int workers = testing::freePortRun();
  ASSERT_GT(workers, 0);
  DecnetUp up({"--no-agent", "--worker-metrics-port", std::to_string(workers)});
  ASSERT_TRUE(up.ready()) << up.log();
  testing::PrometheusServer prometheus(up.dataDir() + "/prometheus",
                                       testing::decnetUpTargets(up.server(), workers));
  ASSERT_EQ(up.cli("apply -f " + testing::sourceDir() + "/manifests/quickstart.yaml").exitCode, 0);

  // Every job of the shipped file is up: controller, collector, correlator, profiler.
  EXPECT_EQ(prometheus.valueOf("count(up == 1)", [](double v) { return v >= 4; }), 4)
      << prometheus.targets() << prometheus.log();
  // The fleet's counts as the store has them (no agent: none Ready).
  EXPECT_EQ(prometheus.valueOf("decnet_fleet_ready_replicas{fleet=\"quickstart\"}",
                               [](double) { return true; }),
            0);
  EXPECT_EQ(prometheus.valueOf("decnet_fleet_replicas{fleet=\"quickstart\"}",
                               [](double) { return true; }),
            3);
  // Reconciles grow when there is work: a mutation makes more.
  const double before =
      prometheus.valueOf("sum(controller_runtime_reconcile_total)", [](double v) { return v > 0; });
  ASSERT_FALSE(std::isnan(before));
  ASSERT_EQ(up.cli("mutate decky quickstart-01").exitCode, 0);
  EXPECT_FALSE(std::isnan(prometheus.valueOf("sum(controller_runtime_reconcile_total)",
                                             [before](double v) { return v > before; })))
      << "controller_runtime_reconcile_total did not grow past " << before;
  // The workers' own series come from their own targets.
  EXPECT_FALSE(
      prometheus.query("decnet_collector_messages_total{job=\"decnet-collector\"}").empty());
  EXPECT_FALSE(prometheus.query("decnet_worker_lease_held{job=\"decnet-correlator\"}").empty());
  EXPECT_FALSE(
      prometheus.query("decnet_correlator_sessions_open{job=\"decnet-correlator\"}").empty());
  EXPECT_FALSE(prometheus.query("process_start_time_seconds{job=\"decnet-profiler\"}").empty());
  // Each process's exposition passes promtool's checks.
  for (int port : {workers, workers + 1, workers + 2}) {
    const std::string path = up.dataDir() + "/metrics-" + std::to_string(port) + ".txt";
    ASSERT_EQ(run("curl -sf -o " + path + " http://127.0.0.1:" + std::to_string(port) + "/metrics")
                  .exitCode,
              0);
    const auto checked = run("promtool check metrics < " + path);
    EXPECT_EQ(checked.exitCode, 0) << port << ": " << checked.output;
  }
  // No series is served by two jobs (the same name and labels but for job and instance);
  // a family may be, with a label that tells them apart (decnet_worker_lease_held{worker}).
  const auto all =
      prometheus.query("{__name__=~\".+\", __name__!~\"up|scrape_.*|process_.*|exposer_.*\"}");
  ASSERT_GT(all.size(), 50u);
  std::map<std::string, std::set<std::string>> jobsOf;  // series without job/instance -> jobs
  for (const auto& series : all) {
    api::Json labels = series["metric"];
    const std::string job = labels.value("job", "");
    labels.erase("job");
    labels.erase("instance");
    jobsOf[labels.dump()].insert(job);
  }
  for (const auto& [series, jobs] : jobsOf) EXPECT_EQ(jobs.size(), 1u) << series;
}

}  // namespace
}  // namespace decnet
