#include "agents/decky_reconciler.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "api/types/conditions.h"
#include "tests/support/fake_client.h"

namespace decnet::agents {
namespace {

using api::Json;
using testing::FakeClient;

class FakeNetwork final : public NetworkDriver {
 public:
  std::vector<std::string> actions;
  std::map<std::string, DeckyNetwork> namespaces;
  std::set<std::string> hairpinLinks;
  std::optional<Error> failEnsure;

  Result<void> ensure(const DeckyNetwork& network) override {
    actions.push_back("ensure " + network.namespaceName);
    if (failEnsure) return tl::unexpected(*failEnsure);
    if (network.linked) network.linked();
    namespaces[network.namespaceName] = network;
    return {};
  }
  Result<void> remove(const std::string& name) override {
    actions.push_back("remove " + name);
    namespaces.erase(name);
    return {};
  }
  Result<std::vector<std::string>> list(const std::string&) override {
    return std::vector<std::string>{};
  }
  Result<ObservedNetwork> observe(const std::string&) override { return ObservedNetwork{}; }
  Result<void> ensureHairpin(const std::string& name, const std::string& parent,
                             const std::string& address) override {
    actions.push_back("hairpin " + name + " " + parent + " " + address);
    hairpinLinks.insert(name);
    return {};
  }
  Result<void> removeHairpin(const std::string& name) override {
    actions.push_back("unhairpin " + name);
    hairpinLinks.erase(name);
    return {};
  }
  Result<std::string> defaultRouteInterface() override { return std::string("eth9"); }
};

class FakeRuntime final : public RuntimeDriver {
 public:
  std::map<std::string, DecoySpec> running;
  Result<DecoyState> ensure(const DecoySpec& spec) override {
    running[spec.decky] = spec;
    return DecoyState{true, 4242, 0, "", "h"};
  }
  Result<void> remove(const std::string& decky) override {
    running.erase(decky);
    return {};
  }
  DecoyState state(const std::string& decky) override {
    return running.count(decky) ? DecoyState{true, 4242, 0, "", "h"} : DecoyState{};
  }
  std::vector<std::string> list() override { return {}; }
  std::vector<std::string> supervise() override { return {}; }
};

class DeckyReconcilerTest : public ::testing::Test {
 protected:
  DeckyReconcilerTest()
      : dir_(makeDir()),
        logs_(dir_, "n1"),
        events_(client_, "test"),
        reconciler_(client_, network_, runtime_, logs_, events_, DeckyReconcilerOptions{"n1"}) {}
  ~DeckyReconcilerTest() override { std::filesystem::remove_all(dir_); }

  static std::string makeDir() {
    char pattern[] = "/tmp/decnet-agent-test-XXXXXX";
    return ::mkdtemp(pattern);
  }

  void addDecky(const std::string& name, const std::string& node,
                const std::string& os = "windows") {
    api::Object d;
    d.kind = "Decky";
    d.metadata.name = name;
    d.spec = {
        {"node", node},
        {"network", {{"interface", "lab0"}, {"subnet", "10.77.0.0/24"}, {"gateway", "10.77.0.1"}}},
        {"ip", "10.77.0.10"},
        {"mac", "00:15:5d:01:02:03"},
        {"hostname", "WS-FIN-0001"},
        {"osFamily", os},
        {"services", Json::array({{{"name", "http"}}, {{"name", "ssh"}}})}};
    ASSERT_TRUE(client_.create(d, {}));
  }

  void decoyListens(const std::string& decky, const std::vector<std::string>& services) {
    std::ofstream log(dir_ + "/logs/" + decky + ".log", std::ios::app);
    log << "<134>1 T " << decky << " decnet - decoy_start [relay@55555 pid=\"4242\"] start\n";
    for (const auto& s : services)
      log << "<134>1 T " << decky << " " << s << " - listening [relay@55555 port=\"1\"]\n";
    log.close();
    logs_.poll();
  }

  api::Object get(const std::string& name) { return *client_.get({"Decky", name}); }
  Result<controller::Outcome> reconcile(const std::string& name) {
    return reconciler_.reconcile({{"Decky", name}});
  }

  FakeClient client_;
  FakeNetwork network_;
  FakeRuntime runtime_;
  std::string dir_;
  LogForwarder logs_;
  controller::EventRecorder events_;
  DeckyReconciler reconciler_;
};

TEST_F(DeckyReconcilerTest, BuildsTheNamespaceWithTheFamilysSysctlsAndStartsTheDecoy) {
  addDecky("d1", "n1");
  auto outcome = reconcile("d1");
  ASSERT_TRUE(outcome) << outcome.error().message;
  auto d = get("d1");
  EXPECT_TRUE(d.hasFinalizer(api::kTeardownFinalizer))
      << "the finalizer comes before any host change";
  const auto& net = network_.namespaces.at("decnet-d1");
  EXPECT_EQ(net.parent, "lab0");
  EXPECT_EQ(net.mac, "00:15:5d:01:02:03");
  EXPECT_EQ(net.ip, "10.77.0.10");
  EXPECT_EQ(net.prefix, 24);
  EXPECT_EQ(net.gateway, "10.77.0.1");
  bool ttl128 = false;
  for (const auto& [key, value] : net.sysctls)
    ttl128 |= key == "net.ipv4.ip_default_ttl" && value == "128";
  EXPECT_TRUE(ttl128) << "windows family";
  EXPECT_EQ(runtime_.running.at("d1").hostname, "WS-FIN-0001");
  EXPECT_EQ(runtime_.running.at("d1").namespaceName, "decnet-d1");
  EXPECT_TRUE(network_.hairpinLinks.count(hairpinName("lab0")));
  EXPECT_NE(std::find(network_.actions.begin(), network_.actions.end(),
                      "hairpin " + hairpinName("lab0") + " lab0 10.77.0.254/24"),
            network_.actions.end());
  // Not listening yet: Provisioning, polled again soon.
  EXPECT_EQ(d.status["phase"], "Provisioning");
  EXPECT_EQ(api::findCondition(d.status, "NetworkReady")->status, "True");
  EXPECT_EQ(api::findCondition(d.status, "ServicesReady")->status, "False");
  EXPECT_LT(outcome->requeue_after, std::chrono::seconds(1));
}

TEST_F(DeckyReconcilerTest, ReadyWhenEveryServiceListensWithObservedGeneration) {
  addDecky("d1", "n1");
  ASSERT_TRUE(reconcile("d1"));
  decoyListens("d1", {"http", "ssh"});
  auto outcome = reconcile("d1");
  ASSERT_TRUE(outcome);
  auto d = get("d1");
  EXPECT_EQ(d.status["phase"], "Running");
  for (const char* type : {"NetworkReady", "IdentityApplied", "ServicesReady", "Ready"}) {
    auto c = api::findCondition(d.status, type);
    ASSERT_TRUE(c) << type;
    EXPECT_EQ(c->status, "True") << type;
    EXPECT_EQ(c->observedGeneration, d.metadata.generation) << type;
  }
  EXPECT_EQ(d.status["decoyPid"], 4242);
  EXPECT_EQ(d.status["services"].size(), 2u);
  EXPECT_TRUE(d.status["services"][0]["ready"].get<bool>());
  EXPECT_GE(outcome->requeue_after, std::chrono::seconds(1)) << "then only the drift-repair resync";
  client_.clearActions();
  ASSERT_TRUE(reconcile("d1"));
  EXPECT_TRUE(client_.actionsOn("Decky").empty()) << "a converged decky writes nothing";
}

TEST_F(DeckyReconcilerTest, AServiceWithoutAnEmulatorIsNotEmulatedNotStuck) {
  addDecky("d1", "n1");
  ASSERT_TRUE(reconcile("d1"));
  decoyListens("d1", {"http"});
  {
    std::ofstream log(dir_ + "/logs/d1.log", std::ios::app);
    log << "<132>1 T d1 ssh - not_emulated [relay@55555 ports=\"22\" error=\"no emulator for "
           "service ssh yet\"]\n";
  }
  logs_.poll();
  ASSERT_TRUE(reconcile("d1"));
  auto d = get("d1");
  auto services = api::findCondition(d.status, "ServicesReady");
  ASSERT_TRUE(services);
  EXPECT_EQ(services->status, "False");
  EXPECT_EQ(services->reason, "NotEmulated");
  EXPECT_NE(services->message.find("ssh"), std::string::npos) << services->message;
  EXPECT_EQ(api::findCondition(d.status, "Ready")->status, "False");
  EXPECT_EQ(d.status["phase"], "Running") << "the decoy serves the other services";
  int warnings = 0;
  const auto events = client_.list("Event", {});
  ASSERT_TRUE(events);
  for (const auto& event : events->items) {
    if (event.spec.value("reason", "") == "NotEmulated" &&
        event.spec.value("type", "") == "Warning")
      ++warnings;
  }
  EXPECT_EQ(warnings, 1);
  ASSERT_TRUE(reconcile("d1"));
  int again = 0;
  const auto later = client_.list("Event", {});
  ASSERT_TRUE(later);
  for (const auto& event : later->items)
    again += event.spec.value("reason", "") == "NotEmulated" ? 1 : 0;
  EXPECT_EQ(again, 1) << "the warning is given once, not on every pass";
}

TEST_F(DeckyReconcilerTest, EveryStepToReadyIsTimedOnceInOrderAndForgottenOnTeardown) {
  ReadyStages stages;
  DeckyReconcilerOptions options{"n1"};
  options.stages = &stages;
  DeckyReconciler timed(client_, network_, runtime_, logs_, events_, options);
  addDecky("d1", "n1");
  ASSERT_TRUE(timed.reconcile({{"Decky", "d1"}}));
  const auto reached = [&](ReadyStage stage) {
    auto all = stages.snapshot();
    return all.count("d1") > 0 &&
           all.at("d1")[static_cast<std::size_t>(stage)].time_since_epoch().count() != 0;
  };
  for (auto stage :
       {ReadyStage::kSeen, ReadyStage::kLinked, ReadyStage::kSysctls, ReadyStage::kDecoyExec}) {
    EXPECT_TRUE(reached(stage)) << readyStageName(stage);
  }
  EXPECT_FALSE(reached(ReadyStage::kListening)) << "the decoy has not said so yet";
  EXPECT_FALSE(reached(ReadyStage::kReported));
  const auto first = stages.snapshot().at("d1");
  decoyListens("d1", {"http", "ssh"});
  ASSERT_TRUE(timed.reconcile({{"Decky", "d1"}}));
  ASSERT_TRUE(timed.reconcile({{"Decky", "d1"}}));
  const auto times = stages.snapshot().at("d1");
  for (std::size_t s = 0; s < 4; ++s) EXPECT_EQ(times[s], first[s]) << "only the first time counts";
  for (std::size_t s = 1; s < kReadyStageCount; ++s) {
    EXPECT_LE(times[s - 1], times[s]) << readyStageName(static_cast<ReadyStage>(s));
  }
  EXPECT_EQ(readyStageName(ReadyStage::kDecoyExec), "decoy exec");
  ASSERT_TRUE(client_.remove({"Decky", "d1"}, {}));
  ASSERT_TRUE(timed.reconcile({{"Decky", "d1"}}));
  EXPECT_EQ(stages.snapshot().count("d1"), 0u) << "a re-created decky starts afresh";
}

TEST_F(DeckyReconcilerTest, DeletionTearsDownThenReleasesTheFinalizer) {
  addDecky("d1", "n1");
  ASSERT_TRUE(reconcile("d1"));
  ASSERT_TRUE(client_.remove({"Decky", "d1"}, {}));
  ASSERT_TRUE(get("d1").deleting());
  ASSERT_TRUE(reconcile("d1"));
  EXPECT_FALSE(client_.get({"Decky", "d1"})) << "gone once the finalizer is released";
  EXPECT_TRUE(network_.namespaces.empty());
  EXPECT_TRUE(runtime_.running.empty());
  EXPECT_TRUE(network_.hairpinLinks.empty())
      << "the hairpin goes with the last decky on its parent";
}

TEST_F(DeckyReconcilerTest, IgnoresOtherNodesDeckies) {
  addDecky("d2", "n2");
  ASSERT_TRUE(reconcile("d2"));
  EXPECT_TRUE(network_.actions.empty());
  EXPECT_TRUE(client_.actionsOn("Decky").size() == 1u) << "only its creation";
}

TEST_F(DeckyReconcilerTest, MissingKernelDriverIsAFailedPhaseWithTheReason) {
  addDecky("d1", "n1");
  network_.failEnsure =
      Error{Errc::kTerminal,
            "this kernel has no ipvlan support (module ipvlan missing); use driver: macvlan",
            {}};
  auto outcome = reconcile("d1");
  ASSERT_TRUE(outcome);
  auto d = get("d1");
  EXPECT_EQ(d.status["phase"], "Failed");
  auto net = api::findCondition(d.status, "NetworkReady");
  EXPECT_EQ(net->status, "False");
  EXPECT_EQ(net->reason, "DriverUnsupported");
  EXPECT_NE(net->message.find("no ipvlan"), std::string::npos);
  EXPECT_TRUE(runtime_.running.empty());
}

TEST_F(DeckyReconcilerTest, AFleetWithoutAnInterfaceUsesTheDefaultRouteInterface) {
  addDecky("d1", "n1");
  auto d = get("d1");
  d.spec["network"].erase("interface");
  ASSERT_TRUE(client_.update(d, {}));
  ASSERT_TRUE(reconcile("d1"));
  EXPECT_EQ(network_.namespaces.at("decnet-d1").parent, "eth9");
}

TEST_F(DeckyReconcilerTest, ADeckyDeletedBehindOurBackIsCleanedUp) {
  addDecky("d1", "n1");
  ASSERT_TRUE(reconcile("d1"));
  auto d = get("d1");
  d.metadata.finalizers.clear();
  ASSERT_TRUE(client_.update(d, {}));
  ASSERT_TRUE(client_.remove({"Decky", "d1"}, {}));
  ASSERT_TRUE(reconcile("d1"));
  EXPECT_TRUE(network_.namespaces.empty());
  EXPECT_TRUE(runtime_.running.empty());
}

}  // namespace
}  // namespace decnet::agents
