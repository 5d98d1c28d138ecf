#include "reconcilers/fleet_reconciler.h"

#include <gtest/gtest.h>

#include <cctype>
#include <set>

#include "api/types/conditions.h"
#include "reconcilers/identity.h"
#include "tests/support/fake_client.h"

namespace decnet::reconcilers {
namespace {

using api::Json;
using testing::FakeClient;

class FleetReconcilerTest : public ::testing::Test {
 protected:
  FleetReconcilerTest() : events_(client_, "test"), reconciler_(client_, events_) {}

  api::Object makeFleet(int replicas, Json extra = Json::object()) {
    api::Object fleet;
    fleet.kind = "Fleet";
    fleet.metadata.name = "corp";
    fleet.metadata.labels = {{"site", "hq"}};
    fleet.spec = {
        {"network",
         {{"interface", "decnet-lab0"},
          {"subnet", "10.77.0.0/24"},
          {"gateway", "10.77.0.1"},
          {"ipRange", "10.77.0.10-10.77.0.49"}}},
        {"replicas", replicas},
        {"template", {{"archetype", "linux-server"}, {"distros", {"ubuntu22", "debian"}}}}};
    for (auto& [k, v] : extra.items()) fleet.spec[k] = v;
    return fleet;
  }

  api::Object createFleet(int replicas, Json extra = Json::object()) {
    auto created = client_.create(makeFleet(replicas, extra), {});
    EXPECT_TRUE(created);
    return *created;
  }

  void setReplicas(int replicas) {
    auto fleet = client_.get({"Fleet", "corp"});
    ASSERT_TRUE(fleet);
    fleet->spec["replicas"] = replicas;
    ASSERT_TRUE(client_.update(*fleet, {}));
  }

  void reconcile() {
    auto result = reconciler_.reconcile({{"Fleet", "corp"}});
    ASSERT_TRUE(result) << result.error().message;
  }

  api::Object decky(const std::string& name) {
    auto d = client_.get({"Decky", name});
    EXPECT_TRUE(d) << name;
    return d ? *d : api::Object{};
  }

  std::vector<std::string> deckyNames() {
    std::vector<std::string> names;
    const auto listed = client_.list("Decky", {});
    for (const auto& d : listed->items) names.push_back(d.metadata.name);
    return names;
  }

  FakeClient client_;
  controller::EventRecorder events_;
  FleetReconciler reconciler_;
};

TEST_F(FleetReconcilerTest, ADeckyNeverGetsAMacAnotherDeckyOnItsParentHas) {
  const api::Object fleet = createFleet(1);
  // The MAC the fleet's first decky would be given, already held (in upper case) by a decky
  // of nobody's on the same parent.
  const std::string wanted = macFor("linux", stableHash(fleet.metadata.uid + "corp-01"));
  std::string upper = wanted;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  api::Object other;
  other.kind = "Decky";
  other.metadata.name = "standalone";
  other.spec = {{"network", {{"interface", "decnet-lab0"}, {"subnet", "10.77.0.0/24"}}},
                {"ip", "10.77.0.200"},
                {"mac", upper}};
  ASSERT_TRUE(client_.create(other, {}));
  reconcile();
  const std::string given = decky("corp-01").spec["mac"];
  EXPECT_NE(given, wanted);
  EXPECT_EQ(given, macFor("linux", stableHash(fleet.metadata.uid + "corp-01"), {wanted}))
      << "the next MAC of the same seed";
}

TEST_F(FleetReconcilerTest, AFamilyChangeToWindowsGivesAWindowsVersionAndMac) {
  createFleet(2);
  reconcile();
  EXPECT_EQ(decky("corp-01").spec["distro"], "ubuntu22");
  auto fleet = client_.get({"Fleet", "corp"});
  ASSERT_TRUE(fleet);
  fleet->spec["template"]["osFamily"] = "windows";
  ASSERT_TRUE(client_.update(*fleet, {}));
  reconcile();
  for (const char* name : {"corp-01", "corp-02"}) {
    const auto d = decky(name);
    EXPECT_EQ(d.spec["osFamily"], "windows") << name;
    const std::string distro = d.spec["distro"];
    EXPECT_EQ(distro.rfind("win", 0), 0u) << name << " runs " << distro;
    const std::string mac = d.spec["mac"];
    EXPECT_TRUE(mac.rfind("00:15:5d", 0) == 0 || mac.rfind("00:50:56", 0) == 0 ||
                mac.rfind("00:0c:29", 0) == 0)
        << name << " " << mac;
  }
}

TEST_F(FleetReconcilerTest, ScalesUpWithStableNamesAddressesAndIdentities) {
  auto fleet = createFleet(3);
  reconcile();
  EXPECT_EQ(deckyNames(), (std::vector<std::string>{"corp-01", "corp-02", "corp-03"}));
  std::set<std::string> hostnames;
  for (int i = 1; i <= 3; ++i) {
    auto d = decky(replicaName("corp", i));
    EXPECT_EQ(d.spec["ip"], "10.77.0." + std::to_string(9 + i))
        << "lowest free addresses in ipRange";
    EXPECT_EQ(d.metadata.labels.at(api::kFleetLabel), "corp");
    EXPECT_EQ(d.metadata.labels.at("site"), "hq");
    ASSERT_NE(d.controllerOwner(), nullptr);
    EXPECT_EQ(d.controllerOwner()->uid, fleet.metadata.uid);
    EXPECT_EQ(d.spec["osFamily"], "linux");
    EXPECT_EQ(d.spec["network"]["interface"], "decnet-lab0");
    EXPECT_EQ(d.spec["services"].size(), 2u) << "linux-server: ssh, http";
    EXPECT_EQ(d.spec["services"][0]["name"], "ssh");
    EXPECT_EQ(d.spec["mac"].get<std::string>().size(), 17u);
    hostnames.insert(d.spec["hostname"].get<std::string>());
  }
  EXPECT_EQ(hostnames.size(), 3u) << "hostnames are unique";
  EXPECT_EQ(decky("corp-01").spec["distro"], "ubuntu22");
  EXPECT_EQ(decky("corp-02").spec["distro"], "debian");
  EXPECT_EQ(decky("corp-03").spec["distro"], "ubuntu22");
  // Generic distros name hosts SRV-WORD-nn.
  EXPECT_EQ(decky("corp-01").spec["hostname"].get<std::string>().rfind("SRV-", 0), 0u);
  EXPECT_EQ(client_.actionsOn("Event").size(), 3u) << "one SuccessfulCreate event per decky";
}

TEST_F(FleetReconcilerTest, SecondReconcileWritesNothing) {
  createFleet(3);
  reconcile();
  client_.clearActions();
  reconcile();
  EXPECT_TRUE(client_.actions.empty()) << client_.actions.front();
}

TEST_F(FleetReconcilerTest, AdoptsExistingDeckiesAfterARestart) {
  createFleet(2);
  reconcile();
  const auto before = decky("corp-02");
  client_.clearActions();
  controller::EventRecorder events(client_, "test");
  FleetReconciler restarted(client_, events);
  ASSERT_TRUE(restarted.reconcile({{"Fleet", "corp"}}));
  EXPECT_TRUE(client_.actionsOn("Decky").empty());
  EXPECT_EQ(decky("corp-02").spec, before.spec);
}

TEST_F(FleetReconcilerTest, ScaleDownRemovesHighestIndexFirstAndKeepsTheRest) {
  createFleet(4);
  reconcile();
  const auto keepIp = decky("corp-02").spec["ip"];
  setReplicas(2);
  client_.clearActions();
  reconcile();
  auto deletes = client_.actionsOn("Decky");
  ASSERT_EQ(deletes.size(), 2u);
  EXPECT_EQ(deletes[0], "delete Decky/corp-04");
  EXPECT_EQ(deletes[1], "delete Decky/corp-03");
  EXPECT_EQ(deckyNames(), (std::vector<std::string>{"corp-01", "corp-02"}));
  EXPECT_EQ(decky("corp-02").spec["ip"], keepIp);
  // Scaling back up reuses the lowest free address.
  setReplicas(3);
  reconcile();
  EXPECT_EQ(decky("corp-03").spec["ip"], "10.77.0.12");
}

TEST_F(FleetReconcilerTest, SkipsAddressesOtherFleetsUseOnTheSameInterface) {
  api::Object other;
  other.kind = "Decky";
  other.metadata.name = "other-01";
  other.spec = {{"network", {{"interface", "decnet-lab0"}, {"subnet", "10.77.0.0/24"}}},
                {"ip", "10.77.0.10"}};
  ASSERT_TRUE(client_.create(other, {}));
  api::Object elsewhere = other;
  elsewhere.metadata.name = "elsewhere-01";
  elsewhere.spec["network"]["interface"] = "decnet-lab1";
  elsewhere.spec["ip"] = "10.77.0.11";
  ASSERT_TRUE(client_.create(elsewhere, {}));
  createFleet(2);
  reconcile();
  EXPECT_EQ(decky("corp-01").spec["ip"], "10.77.0.11") << ".10 is taken on this interface";
  EXPECT_EQ(decky("corp-02").spec["ip"], "10.77.0.12");
}

TEST_F(FleetReconcilerTest, NamedDeckiesKeepTheirAddressAndReplicasAvoidIt) {
  createFleet(2, {{"deckies", Json::array({{{"name", "fileserver"},
                                            {"ip", "10.77.0.10"},
                                            {"archetype", "file-server"},
                                            {"hostname", "FILESRV01"}}})}});
  reconcile();
  auto files = decky("corp-fileserver");
  EXPECT_EQ(files.spec["ip"], "10.77.0.10");
  EXPECT_EQ(files.spec["hostname"], "FILESRV01");
  EXPECT_EQ(files.spec["services"].size(), 3u) << "file-server: smb, ftp, ssh";
  EXPECT_EQ(decky("corp-01").spec["ip"], "10.77.0.11");
}

TEST_F(FleetReconcilerTest, ReportsExhaustionAsDegraded) {
  auto fleet = makeFleet(3);
  fleet.spec["network"]["ipRange"] = "10.77.0.10-10.77.0.11";
  ASSERT_TRUE(client_.create(fleet, {}));
  reconcile();
  EXPECT_EQ(client_.count("Decky"), 2u);
  auto status = client_.get({"Fleet", "corp"})->status;
  auto degraded = api::findCondition(status, "Degraded");
  ASSERT_TRUE(degraded);
  EXPECT_EQ(degraded->status, "True");
  EXPECT_EQ(degraded->reason, "AddressesExhausted");
}

TEST_F(FleetReconcilerTest, StatusCountsReadyDeckiesAndObservesTheGeneration) {
  createFleet(2);
  reconcile();
  auto status = client_.get({"Fleet", "corp"})->status;
  EXPECT_EQ(status["replicas"], 2);
  EXPECT_EQ(status["readyReplicas"], 0);
  EXPECT_EQ(api::findCondition(status, "Ready")->status, "False");
  EXPECT_EQ(api::findCondition(status, "Progressing")->status, "True");
  for (const char* name : {"corp-01", "corp-02"}) {
    auto d = decky(name);
    api::setCondition(d.status, {"Ready", "True", "Running", "", "", 1}, "2026-01-01T00:00:00Z");
    ASSERT_TRUE(client_.updateStatus(d, {}));
  }
  reconcile();
  auto fleet = *client_.get({"Fleet", "corp"});
  EXPECT_EQ(fleet.status["readyReplicas"], 2);
  EXPECT_EQ(fleet.status["observedGeneration"], fleet.metadata.generation);
  EXPECT_EQ(api::findCondition(fleet.status, "Ready")->status, "True");
  EXPECT_EQ(api::findCondition(fleet.status, "Progressing")->status, "False");
  EXPECT_EQ(api::findCondition(fleet.status, "Degraded")->status, "False");
}

// The wait that passed on a stale Ready: after a template change, a decky's Ready still speaks
// for its previous spec, so the fleet must not count it until the agent reports again.
TEST_F(FleetReconcilerTest, ReadyFromADeckysPreviousGenerationDoesNotCount) {
  createFleet(1);
  reconcile();
  auto d = decky("corp-01");
  api::setCondition(d.status, {"Ready", "True", "DeckyReady", "", "", d.metadata.generation},
                    "2026-01-01T00:00:00Z");
  ASSERT_TRUE(client_.updateStatus(d, {}));
  reconcile();
  ASSERT_EQ(client_.get({"Fleet", "corp"})->status["readyReplicas"], 1);

  auto fleet = *client_.get({"Fleet", "corp"});
  fleet.spec["template"]["services"] = Json::array({{{"name", "ssh"}}});
  ASSERT_TRUE(client_.update(fleet, {}));
  reconcile();
  ASSERT_GT(decky("corp-01").metadata.generation, d.metadata.generation);
  fleet = *client_.get({"Fleet", "corp"});
  EXPECT_EQ(fleet.status["readyReplicas"], 0);
  EXPECT_EQ(fleet.status["observedGeneration"], fleet.metadata.generation);
  EXPECT_FALSE(api::conditionMet(fleet, "Ready"));
  EXPECT_EQ(api::findCondition(fleet.status, "Progressing")->status, "True");

  // The agent reports Ready for the new generation: now it counts.
  d = decky("corp-01");
  api::setCondition(d.status, {"Ready", "True", "DeckyReady", "", "", d.metadata.generation},
                    "2026-01-01T00:00:01Z");
  ASSERT_TRUE(client_.updateStatus(d, {}));
  reconcile();
  fleet = *client_.get({"Fleet", "corp"});
  EXPECT_EQ(fleet.status["readyReplicas"], 1);
  EXPECT_TRUE(api::conditionMet(fleet, "Ready"));
}

TEST_F(FleetReconcilerTest, IdentityFieldsWrittenByMutationAreNotReverted) {
  createFleet(1);
  reconcile();
  auto d = decky("corp-01");
  d.spec["hostname"] = "mutated-host";
  ASSERT_TRUE(client_.update(d, {}));
  client_.clearActions();
  reconcile();
  EXPECT_TRUE(client_.actionsOn("Decky").empty());
  EXPECT_EQ(decky("corp-01").spec["hostname"], "mutated-host");
}

TEST_F(FleetReconcilerTest, TemplateChangesRestampDeckiesButKeepTheirIdentity) {
  createFleet(2);
  reconcile();
  const auto before = decky("corp-01");
  auto fleet = *client_.get({"Fleet", "corp"});
  fleet.spec["template"]["services"] =
      Json::array({{{"name", "ssh"}, {"persona", {{"version", "OpenSSH_9.2"}}}}});
  ASSERT_TRUE(client_.update(fleet, {}));
  reconcile();
  const auto after = decky("corp-01");
  ASSERT_EQ(after.spec["services"].size(), 1u);
  EXPECT_EQ(after.spec["services"][0]["persona"]["version"], "OpenSSH_9.2");
  EXPECT_EQ(after.spec["ip"], before.spec["ip"]);
  EXPECT_EQ(after.spec["mac"], before.spec["mac"]);
  EXPECT_EQ(after.spec["hostname"], before.spec["hostname"]);
}

TEST_F(FleetReconcilerTest, MissingFleetIsNotAnError) {
  auto result = reconciler_.reconcile({{"Fleet", "gone"}});
  EXPECT_TRUE(result);
  EXPECT_TRUE(client_.actions.empty());
}

}  // namespace
}  // namespace decnet::reconcilers
