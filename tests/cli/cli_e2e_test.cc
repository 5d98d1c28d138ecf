// The decnet binary end to end: `decnet up` in a child process, the CLI against it.
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "api/types/object.h"
#include "tests/support/process.h"

namespace decnet {
namespace {

using testing::DecnetUp;
using testing::run;

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::string writeFile(const std::string& dir, const std::string& name, const std::string& text) {
  const std::string path = dir + "/" + name;
  std::ofstream(path) << text;
  return path;
}

std::string fleetYaml(const std::string& name, int replicas, const std::string& subnet,
                      const std::string& label = "e2e") {
  return "apiVersion: decnet.io/v1alpha1\nkind: Fleet\nmetadata:\n  name: " + name +
         "\n  labels: {suite: " + label +
         "}\nspec:\n  network: {interface: decnet-lab0, subnet: " + subnet +
         "}\n  replicas: " + std::to_string(replicas) + "\n  template: {archetype: linux-server}\n";
}

std::string resourceVersion(const DecnetUp& up, const std::string& what) {
  auto r = up.cli("get " + what + " -o json");
  auto json = api::Json::parse(r.output, nullptr, false);
  if (!json.is_object()) return "";
  return json["metadata"].value("resourceVersion", "");
}

bool eventually(const std::function<bool()>& condition) {
  for (int i = 0; i < 100; ++i) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(up_.ready()) << up_.log(); }
  DecnetUp up_{{"--no-agent"}};  // the control plane alone: nothing touches the host network
  const std::string quickstart_ = testing::sourceDir() + "/manifests/quickstart.yaml";
};

TEST_F(CliTest, ApplyGetAndASecondApplyThatChangesNothing) {
  auto applied = up_.cli("apply -f " + quickstart_);
  ASSERT_EQ(applied.exitCode, 0) << applied.output;
  EXPECT_EQ(applied.output, "fleet.decnet.io/quickstart created\n");
  EXPECT_TRUE(eventually([&] { return contains(up_.cli("get deckies").output, "quickstart-03"); }))
      << up_.cli("get deckies").output;
  auto fleets = up_.cli("get fleets");
  EXPECT_TRUE(contains(fleets.output, "NAME")) << fleets.output;
  EXPECT_TRUE(contains(fleets.output, "quickstart")) << fleets.output;
  EXPECT_TRUE(contains(fleets.output, "10.77.0.0/24"));

  const auto before = resourceVersion(up_, "fleet quickstart");
  ASSERT_FALSE(before.empty());
  auto again = up_.cli("apply -f " + quickstart_);
  EXPECT_EQ(again.exitCode, 0);
  EXPECT_EQ(again.output, "fleet.decnet.io/quickstart unchanged\n");
  // The controller may still write status; spec and metadata writes would bump generation.
  auto json = api::Json::parse(up_.cli("get fleet quickstart -o json").output);
  EXPECT_EQ(json["metadata"]["generation"], 1);

  auto wide = up_.cli("get deckies -o wide -l decnet.io/fleet=quickstart");
  EXPECT_TRUE(contains(wide.output, "MAC")) << wide.output;
  EXPECT_TRUE(contains(wide.output, "10.77.0.40")) << "the named intranet decky keeps its address";
  auto yaml = up_.cli("get decky quickstart-01 -o yaml");
  EXPECT_TRUE(contains(yaml.output, "kind: Decky")) << yaml.output;
  auto described = up_.cli("describe fleet quickstart");
  EXPECT_TRUE(contains(described.output, "Conditions:")) << described.output;
  EXPECT_TRUE(contains(described.output, "SuccessfulCreate")) << described.output;
  auto missing = up_.cli("get fleet nope");
  EXPECT_EQ(missing.exitCode, 1);
  EXPECT_TRUE(contains(missing.output, "not found"));
}

TEST_F(CliTest, DiffExitCodes) {
  ASSERT_EQ(up_.cli("apply -f " + quickstart_).exitCode, 0);
  auto same = up_.cli("diff -f " + quickstart_);
  EXPECT_EQ(same.exitCode, 0) << same.output;
  EXPECT_EQ(same.output, "");
  const std::string dir = up_.dataDir();
  auto changed =
      testing::run("sed 's/replicas: 3/replicas: 5/' " + quickstart_ + " > " + dir + "/q5.yaml");
  ASSERT_EQ(changed.exitCode, 0);
  auto diff = up_.cli("diff -f " + dir + "/q5.yaml");
  EXPECT_EQ(diff.exitCode, 1) << diff.output;
  EXPECT_TRUE(contains(diff.output, "-  replicas: 3")) << diff.output;
  EXPECT_TRUE(contains(diff.output, "+  replicas: 5")) << diff.output;
  auto fresh =
      up_.cli("diff -f " + writeFile(dir, "new.yaml", fleetYaml("brand-new", 1, "10.77.9.0/24")));
  EXPECT_EQ(fresh.exitCode, 1);
  auto broken = up_.cli("diff -f " + writeFile(dir, "broken.yaml", "kind: Fleet\nspec: [\n"));
  EXPECT_GT(broken.exitCode, 1) << broken.output;
}

TEST_F(CliTest, ServicesWithoutAnEmulatorAreAcceptedWithAWarning) {
  const std::string file =
      writeFile(up_.dataDir(), "windows.yaml",
                "apiVersion: decnet.io/v1alpha1\nkind: Fleet\nmetadata: {name: winfleet}\nspec:\n"
                "  network: {interface: decnet-lab0, subnet: 10.77.5.0/24}\n  replicas: 1\n"
                "  template: {archetype: windows-server}\n"
                "  deckies: [{name: db, services: [{name: ssh}, {name: mongodb}]}]\n");
  auto applied = up_.cli("apply -f " + file);
  EXPECT_EQ(applied.exitCode, 0) << applied.output;
  EXPECT_TRUE(contains(applied.output, "fleet.decnet.io/winfleet created")) << applied.output;
  // As kubectl prints a kube-apiserver warning; once per object, not per request.
  EXPECT_TRUE(contains(
      applied.output, "Warning: " + file +
                          "#1 (fleet.decnet.io/winfleet): spec.template."
                          "archetype: no emulator yet for archetype \"windows-server\"'s smb, rdp, "
                          "ldap"))
      << applied.output;
  EXPECT_TRUE(contains(applied.output,
                       "spec.deckies[0].services[1]: no emulator yet for "
                       "service \"mongodb\""))
      << applied.output;
  EXPECT_FALSE(contains(applied.output, "services[0]: no emulator")) << "ssh is emulated";
  std::size_t warnings = 0;
  for (std::size_t at = applied.output.find("Warning: "); at != std::string::npos;
       at = applied.output.find("Warning: ", at + 1)) {
    ++warnings;
  }
  EXPECT_EQ(warnings, 2u) << applied.output;
}

TEST_F(CliTest, InvalidManifestsWriteNothingAndNameEveryField) {
  const std::string dir = up_.dataDir();
  const std::string bad =
      writeFile(dir, "bad.yaml",
                fleetYaml("good", 1, "10.77.1.0/24") + "---\n" +
                    "apiVersion: decnet.io/v1alpha1\nkind: Fleet\nmetadata: {name: bad}\n"
                    "spec:\n  network: {subnet: 10.77.2.0/24}\n  replica: 2\n"
                    "  template:\n    services: [{name: shh, ports: [70000]}]\n");
  auto applied = up_.cli("apply -f " + bad);
  EXPECT_EQ(applied.exitCode, 1);
  EXPECT_TRUE(contains(applied.output, "spec.replica: unknown field")) << applied.output;
  EXPECT_TRUE(contains(
      applied.output, "spec.template.services[0]: unknown service \"shh\" (did you mean \"ssh\"?)"))
      << applied.output;
  EXPECT_TRUE(contains(applied.output, "spec.template.services[0].ports[0]: must be 1..65535"))
      << applied.output;
  EXPECT_TRUE(contains(applied.output, "nothing was applied"));
  EXPECT_EQ(up_.cli("get fleet good").exitCode, 1) << "the valid document was not written either";

  // A conflict only the server can see (another fleet's address) also stops the whole apply.
  ASSERT_EQ(up_.cli("apply -f " + quickstart_).exitCode, 0);
  const std::string clash =
      writeFile(dir, "clash.yaml",
                fleetYaml("fine", 1, "10.77.3.0/24") + "---\n" +
                    "apiVersion: decnet.io/v1alpha1\nkind: Fleet\nmetadata: {name: clash}\nspec:\n"
                    "  network: {interface: decnet-lab0, subnet: 10.77.0.0/24}\n  template: "
                    "{archetype: deaddeck}\n"
                    "  deckies: [{name: x, ip: 10.77.0.40}]\n");
  auto clashed = up_.cli("apply -f " + clash);
  EXPECT_EQ(clashed.exitCode, 1) << clashed.output;
  EXPECT_TRUE(contains(clashed.output, "spec.deckies[0].ip")) << clashed.output;
  EXPECT_EQ(up_.cli("get fleet fine").exitCode, 1);
}

TEST_F(CliTest, PruneDeletesOnlyAppliedObjectsMissingFromTheSet) {
  const std::string dir = up_.dataDir();
  testing::run("mkdir -p " + dir + "/set");
  writeFile(dir + "/set", "a.yaml", fleetYaml("prune-a", 1, "10.77.4.0/24", "prune"));
  writeFile(dir + "/set", "b.yaml", fleetYaml("prune-b", 1, "10.77.5.0/24", "prune"));
  auto first = up_.cli("apply -f " + dir + "/set");
  ASSERT_EQ(first.exitCode, 0) << first.output;
  testing::run("rm " + dir + "/set/b.yaml");
  auto noSelector = up_.cli("apply -f " + dir + "/set --prune");
  EXPECT_EQ(noSelector.exitCode, 2) << "prune without a selector is refused";
  auto pruned = up_.cli("apply -f " + dir + "/set --prune -l suite=prune");
  EXPECT_EQ(pruned.exitCode, 0) << pruned.output;
  EXPECT_TRUE(contains(pruned.output, "fleet.decnet.io/prune-a unchanged")) << pruned.output;
  EXPECT_TRUE(contains(pruned.output, "fleet.decnet.io/prune-b pruned")) << pruned.output;
  EXPECT_EQ(up_.cli("get fleet prune-b").exitCode, 1);
  EXPECT_FALSE(contains(pruned.output, "decky")) << "controller-made deckies are never pruned";
}

// Scripts parse -o json|yaml: an empty list is an empty List, as kubectl prints it; a table
// says "No resources found" on stderr; a list of one is still a List.
TEST_F(CliTest, EmptyListsPrintAnEmptyList) {
  auto json = up_.cli("get fleets -o json");
  EXPECT_EQ(json.exitCode, 0);
  auto parsed = api::Json::parse(json.output, nullptr, false);
  ASSERT_TRUE(parsed.is_object()) << json.output;
  EXPECT_EQ(parsed["kind"], "List");
  EXPECT_EQ(parsed["items"], api::Json::array());
  auto yaml = up_.cli("get deckies -o yaml");
  EXPECT_TRUE(contains(yaml.output, "kind: List")) << yaml.output;
  EXPECT_TRUE(contains(yaml.output, "items: []")) << yaml.output;
  EXPECT_TRUE(contains(up_.cli("get fleets").output, "No resources found"));
  ASSERT_EQ(up_.cli("apply -f " + quickstart_).exitCode, 0);
  auto one = api::Json::parse(up_.cli("get fleets -o json").output, nullptr, false);
  EXPECT_EQ(one["kind"], "List");
  EXPECT_EQ(one["items"].size(), 1u);
  EXPECT_EQ(api::Json::parse(up_.cli("get fleet quickstart -o json").output)["kind"], "Fleet");
}

TEST_F(CliTest, VersionDownAndDescribeOfARecreatedObject) {
  auto version = up_.cli("version");
  EXPECT_EQ(version.exitCode, 0) << version.output;
  EXPECT_TRUE(contains(version.output, "Client Version: v")) << version.output;
  EXPECT_TRUE(contains(version.output, "Server Version: v")) << version.output;

  ASSERT_EQ(up_.cli("apply -f " + quickstart_).exitCode, 0);
  ASSERT_TRUE(eventually([&] { return contains(up_.cli("get deckies").output, "quickstart-01"); }));
  // Not on a terminal and no --yes: nothing is deleted.
  auto refused = up_.cli("down --timeout 5s");
  EXPECT_EQ(refused.exitCode, 2) << refused.output;
  EXPECT_TRUE(contains(refused.output, "--yes")) << refused.output;
  EXPECT_EQ(up_.cli("get fleet quickstart").exitCode, 0);

  // A fleet deleted and created again: describe shows the new object's events only.
  ASSERT_EQ(up_.cli("delete fleet quickstart --wait --timeout 20s").exitCode, 0);
  ASSERT_EQ(up_.cli("apply -f " + quickstart_).exitCode, 0);
  ASSERT_TRUE(eventually([&] { return contains(up_.cli("get deckies").output, "quickstart-01"); }));
  auto described = up_.cli("describe fleet quickstart");
  std::size_t creates = 0;
  for (auto at = described.output.find("SuccessfulCreate"); at != std::string::npos;
       at = described.output.find("SuccessfulCreate", at + 1)) {
    ++creates;
  }
  EXPECT_EQ(creates, 4u)
      << "one per decky of this fleet (3 replicas, 1 named), none of the deleted one's\n"
      << described.output;
  auto events = up_.cli("get events");
  EXPECT_EQ(events.exitCode, 0);

  auto down = up_.cli("down --yes --timeout 20s");
  EXPECT_EQ(down.exitCode, 0) << down.output;
  EXPECT_EQ(up_.cli("get fleet quickstart").exitCode, 1);
}

// The verbs a GitOps pipeline or an operator's shell uses, with the real kubectl (v1.32) against
// `decnet up`: wait, edit (scripted EDITOR), apply --prune with an allowlist, and a delete that
// cascades to the owned deckies.
TEST_F(CliTest, KubectlVerbsAgainstTheControlPlane) {
  // kubectl sends a kubeconfig's credentials over TLS only (client-go): this control plane
  // serves HTTPS with decnet's own CA, which admin.conf carries.
  up_.stop();
  DecnetUp up{{"--no-agent", "--tls-self-signed"}};
  ASSERT_TRUE(up.ready()) << up.log();
  ASSERT_EQ(up.server().rfind("https://", 0), 0u);
  if (run("command -v kubectl").exitCode != 0) {
    GTEST_SKIP() << "kubectl is not installed: the kubectl compatibility tests need v1.32";
  }
  const std::string dir = up.dataDir() + "/kubectl";
  run("mkdir -p " + dir + "/fleets");
  const auto kubectl = [&](const std::string& args) {
    // The admin.conf `decnet up` wrote is a kubeconfig kubectl reads as it is.
    return run("KUBECONFIG=" + up.kubeconfig() + " timeout 60 kubectl --cache-dir " + dir +
               "/cache " + args + " 2>&1");
  };
  run("cp " + quickstart_ + " " + dir + "/fleets/quickstart.yaml");
  auto applied = kubectl("apply -f " + dir + "/fleets/quickstart.yaml");
  ASSERT_EQ(applied.exitCode, 0) << applied.output;
  ASSERT_TRUE(eventually([&] { return contains(up.cli("get deckies").output, "quickstart-03"); }));

  // wait: the fleet reports Progressing for its current generation (no agent: never Ready).
  auto waited = kubectl("wait --for=condition=Progressing fleet/quickstart --timeout=20s");
  EXPECT_EQ(waited.exitCode, 0) << waited.output;
  EXPECT_TRUE(contains(waited.output, "condition met")) << waited.output;
  auto notReady = kubectl("wait --for=condition=Ready fleet/quickstart --timeout=2s");
  EXPECT_NE(notReady.exitCode, 0) << notReady.output;

  // edit through a scripted editor: the change is patched in.
  std::ofstream(dir + "/editor.sh") << "#!/bin/sh\nsed -i 's/replicas: 3/replicas: 2/' \"$1\"\n";
  run("chmod +x " + dir + "/editor.sh");
  auto edited =
      run("KUBECONFIG=" + up.kubeconfig() + " EDITOR=" + dir +
          "/editor.sh timeout 60 kubectl --cache-dir " + dir + "/cache edit fleet quickstart 2>&1");
  EXPECT_EQ(edited.exitCode, 0) << edited.output;
  EXPECT_TRUE(contains(edited.output, "fleet.decnet.io/quickstart edited")) << edited.output;
  EXPECT_TRUE(eventually([&] { return !contains(up.cli("get deckies").output, "quickstart-03"); }))
      << up.cli("get deckies").output;

  // apply --prune: a second fleet applied with the same label, then its file removed.
  const std::string other = R"(apiVersion: decnet.io/v1alpha1
kind: Fleet
metadata: {name: pruned, labels: {env: lab}}
spec:
  replicas: 1
  network: {interface: decnet-lab0, subnet: 10.77.0.0/24, ipRange: 10.77.0.60-10.77.0.69}
  template: {archetype: linux-server}
)";
  std::ofstream(dir + "/fleets/pruned.yaml") << other;
  const std::string prune =
      "apply --prune -l env=lab --prune-allowlist=decnet.io/v1alpha1/Fleet -f " + dir + "/fleets";
  auto both = kubectl(prune);
  ASSERT_EQ(both.exitCode, 0) << both.output;
  ASSERT_EQ(up.cli("get fleet pruned").exitCode, 0);
  run("rm " + dir + "/fleets/pruned.yaml");
  auto pruned = kubectl(prune);
  EXPECT_EQ(pruned.exitCode, 0) << pruned.output;
  EXPECT_TRUE(contains(pruned.output, "fleet.decnet.io/pruned pruned")) << pruned.output;
  EXPECT_EQ(up.cli("get fleet pruned").exitCode, 1);
  EXPECT_EQ(up.cli("get fleet quickstart").exitCode, 0);

  // delete cascades to the owned deckies.
  auto deleted = kubectl("delete fleet quickstart --wait=true --timeout=30s");
  EXPECT_EQ(deleted.exitCode, 0) << deleted.output;
  EXPECT_TRUE(eventually([&] { return !contains(up.cli("get deckies").output, "quickstart"); }))
      << up.cli("get deckies").output;
}

TEST_F(CliTest, DeleteWaitsAndGarbageCollectsDeckies) {
  ASSERT_EQ(up_.cli("apply -f " + quickstart_).exitCode, 0);
  ASSERT_TRUE(eventually([&] { return contains(up_.cli("get deckies").output, "quickstart-01"); }));
  auto deleted = up_.cli("delete fleet quickstart --wait --timeout 20s");
  EXPECT_EQ(deleted.exitCode, 0) << deleted.output;
  EXPECT_TRUE(contains(deleted.output, "fleets.decnet.io \"quickstart\" deleted"));
  // --wait returned: the deckies are gone already, not merely Terminating.
  EXPECT_FALSE(contains(up_.cli("get deckies").output, "quickstart"))
      << up_.cli("get deckies").output;
  auto again = up_.cli("delete fleet quickstart");
  EXPECT_EQ(again.exitCode, 1);
  EXPECT_EQ(up_.cli("delete fleet quickstart --ignore-not-found").exitCode, 0);
}

TEST_F(CliTest, MutateWaitAndCatalog) {
  ASSERT_EQ(up_.cli("apply -f " + quickstart_).exitCode, 0);
  ASSERT_TRUE(eventually([&] { return up_.cli("get decky quickstart-02").exitCode == 0; }));
  auto before = api::Json::parse(up_.cli("get decky quickstart-02 -o json").output);
  auto mutated = up_.cli("mutate decky quickstart-02");
  EXPECT_EQ(mutated.exitCode, 0) << mutated.output;
  EXPECT_TRUE(eventually([&] {
    auto now = api::Json::parse(up_.cli("get decky quickstart-02 -o json").output, nullptr, false);
    return now.is_object() && now["spec"].value("identityGeneration", 0) == 2;
  }));
  auto after = api::Json::parse(up_.cli("get decky quickstart-02 -o json").output);
  EXPECT_NE(after["spec"]["hostname"], before["spec"]["hostname"]);
  EXPECT_TRUE(after["status"].contains("lastMutationTime"));
  EXPECT_TRUE(contains(up_.cli("get events").output, "Mutated"));

  // Nothing runs deckies yet, so Ready never comes: wait must time out with exit 1.
  auto wait = up_.cli("wait --for=condition=Ready fleet/quickstart --timeout=1s");
  EXPECT_EQ(wait.exitCode, 1);
  EXPECT_TRUE(contains(wait.output, "timed out")) << wait.output;
  auto progressing = up_.cli("wait --for=condition=Progressing fleet/quickstart --timeout=10s");
  EXPECT_EQ(progressing.exitCode, 0) << progressing.output;

  auto services = testing::run(testing::decnetBinary() + " catalog services");
  EXPECT_EQ(services.exitCode, 0);
  EXPECT_TRUE(contains(services.output, "mqtt")) << services.output;
  EXPECT_TRUE(contains(testing::run(testing::decnetBinary() + " catalog os").output,
                       "net.ipv4.ip_default_ttl=128"));
}

TEST_F(CliTest, MetricsPassPromtoolAndDescribeTheFleet) {
  ASSERT_EQ(up_.cli("apply -f " + quickstart_).exitCode, 0);
  ASSERT_TRUE(eventually([&] { return up_.cli("get decky quickstart-02").exitCode == 0; }));
  ASSERT_EQ(up_.cli("mutate decky quickstart-02").exitCode, 0);
  const std::string path = up_.dataDir() + "/metrics.txt";
  std::string text;
  // The fleet's status and the mutation land a little after the writes that start them.
  EXPECT_TRUE(eventually([&] {
    if (run("curl -sf -o " + path + " " + up_.server() + "/metrics").exitCode != 0) return false;
    text = run("cat " + path).output;
    return contains(text, "decnet_mutations_total{fleet=\"quickstart\",rotated=\"hostname\"} 1") &&
           contains(text, "decnet_fleet_ready_replicas{fleet=\"quickstart\"} 0");
  })) << text;
  const auto checked = run("promtool check metrics < " + path);
  EXPECT_EQ(checked.exitCode, 0) << checked.output;
  // Fleets, deckies and nodes as the store has them (nothing runs deckies: none is Ready).
  EXPECT_TRUE(contains(text, "decnet_fleet_replicas{fleet=\"quickstart\"} 3")) << text;
  EXPECT_TRUE(contains(text,
                       "decnet_decky_status_phase{decky=\"quickstart-02\",fleet=\"quickstart\","
                       "phase=\"Pending\"} 1"))
      << text;
  EXPECT_TRUE(contains(text, "decnet_node_ready{node=\"local\"} 1")) << text;
  EXPECT_TRUE(contains(text, "decnet_node_deckies{node=\"local\"} 4")) << text;
  // controller-runtime's and kube-apiserver's names, and this process.
  EXPECT_TRUE(
      contains(text, "controller_runtime_reconcile_total{controller=\"fleet\",result=\"success\"}"))
      << text;
  EXPECT_TRUE(contains(text, "workqueue_adds_total{name=\"scheduler\"}")) << text;
  EXPECT_TRUE(contains(text, "workqueue_longest_running_processor_seconds{name=\"fleet\"}"))
      << text;
  EXPECT_TRUE(
      contains(text, "apiserver_request_total{code=\"200\",resource=\"deckies\",verb=\"GET\"}"))
      << text;
  EXPECT_TRUE(contains(text, "apiserver_request_duration_seconds_bucket{resource=\"fleets\""))
      << text;
  EXPECT_TRUE(contains(text, "\nprocess_start_time_seconds ")) << text;
  EXPECT_TRUE(contains(text, "\nprocess_resident_memory_bytes ")) << text;
}

TEST_F(CliTest, GetWatchPrintsChangesAsTheyHappen) {
  const std::string dir = up_.dataDir();
  // The watch runs for a bounded time in the background while we apply.
  const std::string out = dir + "/watch.out";
  testing::run("(timeout 6 " + testing::decnetBinary() + " --server " + up_.server() +
               " --kubeconfig " + up_.kubeconfig() + " get fleets -w > " + out + " 2>&1 &)");
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  ASSERT_EQ(up_.cli("apply -f " + writeFile(dir, "w.yaml", fleetYaml("watched", 1, "10.77.6.0/24")))
                .exitCode,
            0);
  EXPECT_TRUE(eventually([&] { return contains(testing::run("cat " + out).output, "watched"); }))
      << testing::run("cat " + out).output;
}

TEST(CliUpTest, AppliesManifestsAtStartAndStopsCleanlyOnSigint) {
  DecnetUp up({"--no-agent", "-f", testing::sourceDir() + "/manifests/quickstart.yaml"});
  ASSERT_TRUE(up.ready()) << up.log();
  EXPECT_TRUE(
      eventually([&] { return contains(up.cli("get deckies").output, "quickstart-intranet"); }));
  EXPECT_TRUE(contains(up.cli("get nodes").output, "local"));
  EXPECT_EQ(up.stop(), 0) << up.log();
  EXPECT_TRUE(contains(up.log(), "control plane stopped")) << up.log();
}

// With DECNET_EMBED_PROFILER=1 the profiler's lease is served with the controller's series
// (its own metrics target is not running).
TEST(CliUpTest, AnEmbeddedProfilersLeaseIsOnTheControllersMetrics) {
  ::setenv("DECNET_EMBED_PROFILER", "1", 1);
  DecnetUp up({"--no-agent"});
  ::unsetenv("DECNET_EMBED_PROFILER");
  ASSERT_TRUE(up.ready()) << up.log();
  EXPECT_TRUE(eventually([&] {
    return contains(testing::run("curl -s " + up.server() + "/metrics").output,
                    "decnet_worker_lease_held{worker=\"profiler\"} 1");
  })) << testing::run("curl -s " + up.server() + "/metrics | grep lease").output
      << up.log();
}

// decnet up runs `decnet collect` as a child: it takes events on the collect port, and a
// collector that is killed is running again within 2 s; stopping up stops it.
TEST(CliUpTest, RunsTheCollectorAndRestartsItWhenItDies) {
  DecnetUp up({"--no-agent"});
  ASSERT_TRUE(up.ready()) << up.log();
  // "[c]ollect": the pattern does not match the shell that runs pgrep.
  const std::string match =
      "'[c]ollect --listen 127.0.0.1:" + std::to_string(up.collectPort()) + "' | head -1";
  std::string first;
  ASSERT_TRUE(eventually([&] {
    first = testing::run("pgrep -f " + match + " | tr -d \"\\\\n\"").output;
    return !first.empty();
  })) << up.log();
  // The process exists a moment before it listens (seen under ctest -j2): send until taken.
  testing::CommandResult sent;
  EXPECT_TRUE(eventually([&] {
    sent = testing::run("logger --rfc5424 --tcp --octet-count --server 127.0.0.1 --port " +
                        std::to_string(up.collectPort()) + " -t http 'reached the collector' 2>&1");
    return sent.exitCode == 0;
  })) << sent.output;
  // decnet events shows it from the collector's store (through /api/v1/events).
  EXPECT_TRUE(eventually([&] {
    return contains(up.cli("events --service http").output, "reached the collector");
  })) << up.cli("events --json").output;

  testing::run("kill -9 " + first);
  const auto killed = std::chrono::steady_clock::now();
  std::string second;
  for (int i = 0; i < 40; ++i) {
    second = testing::run("pgrep -f " + match + " | tr -d \"\\\\n\"").output;
    if (!second.empty() && second != first) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_FALSE(second.empty()) << up.log();
  EXPECT_NE(second, first);
  EXPECT_LT(std::chrono::steady_clock::now() - killed, std::chrono::seconds(2));
  EXPECT_EQ(up.stop(), 0) << up.log();
  EXPECT_TRUE(testing::run("pgrep -f " + match + " | tr -d \"\\\\n\"").output.empty())
      << "the collector stopped with up";
  // The line sent before the kill is in <data-dir>/telemetry.db (checked where sqlite3 exists).
  auto stored = testing::run("sqlite3 " + up.dataDir() +
                             "/telemetry.db 'SELECT message FROM telemetry_events' 2>&1");
  if (stored.exitCode == 0) EXPECT_TRUE(contains(stored.output, "reached the collector"));
}

}  // namespace
}  // namespace decnet

namespace decnet {
namespace {

// What an operator does with identities, through the real binary: the first admin password, a
// forced change at the first login, a viewer, a refusal worded as kubectl words it, logout.
TEST(CliSecurityTest, LoginUsersViewersAndLogout) {
  ::setenv("DECNET_ADMIN_PASSWORD", "first-admin-password", 1);
  DecnetUp up({"--no-agent"});
  ::unsetenv("DECNET_ADMIN_PASSWORD");
  ASSERT_TRUE(up.ready()) << up.log();
  EXPECT_TRUE(contains(up.log(), "created the API user \"admin\"")) << up.log();
  EXPECT_FALSE(contains(up.log(), "first-admin-password")) << "the chosen password is not echoed";
  const std::string bin = testing::decnetBinary();
  const std::string config = up.dataDir() + "/alice-and-admin.conf";
  const std::string as = bin + " --server " + up.server() + " --kubeconfig " + config + " ";

  // Anonymous (no kubeconfig anywhere): Unauthorized.
  auto anonymous = run("HOME=" + up.dataDir() + " DECNET_DATA_DIR=/nonexistent " + bin +
                       " --server " + up.server() + " get fleets");
  EXPECT_NE(anonymous.exitCode, 0);
  EXPECT_TRUE(contains(anonymous.output, "Unauthorized (401)")) << anonymous.output;

  auto wrong = run(bin + " --server " + up.server() + " --kubeconfig " + config +
                   " login --username admin --password nope");
  EXPECT_NE(wrong.exitCode, 0);
  EXPECT_TRUE(contains(wrong.output, "invalid username or password")) << wrong.output;

  auto first = run(as +
                   "login --username admin --password first-admin-password "
                   "--new-password second-admin-password");
  ASSERT_EQ(first.exitCode, 0) << first.output;
  EXPECT_TRUE(contains(first.output, "password changed")) << first.output;
  EXPECT_EQ(run(as + "get fleets").exitCode, 0);
  // kubeconfig format: kubectl's own parser reads it.
  auto view = run("kubectl config view --kubeconfig " + config + " -o jsonpath='{.users[0].name}'");
  if (run("command -v kubectl").exitCode == 0) EXPECT_EQ(view.output, "admin") << view.output;

  auto added = run(bin + " user add alice --role viewer --password alice-password --data-dir " +
                   up.dataDir());
  ASSERT_EQ(added.exitCode, 0) << added.output;
  EXPECT_TRUE(contains(run(bin + " user list --data-dir " + up.dataDir()).output, "alice"));
  ASSERT_EQ(run(as + "login --username alice --password alice-password").exitCode, 0);
  EXPECT_EQ(run(as + "get fleets").exitCode, 0) << "a viewer reads";
  auto refused = run(as + "apply -f " + testing::sourceDir() + "/manifests/quickstart.yaml");
  EXPECT_NE(refused.exitCode, 0);
  EXPECT_TRUE(contains(refused.output, "Forbidden (403)")) << refused.output;

  ASSERT_EQ(run(as + "logout").exitCode, 0);
  auto after = run(as + "get fleets");
  EXPECT_NE(after.exitCode, 0);
  EXPECT_TRUE(contains(after.output, "revoked")) << after.output;
  EXPECT_TRUE(contains(run("cat " + up.dataDir() + "/audit.log").output, "user=\"alice\""));
}

TEST(CliSecurityTest, AnApiBeyondLoopbackWithoutTlsIsRefused) {
  const std::string made = run("mktemp -d").output;
  const std::string dir = made.substr(0, made.find('\n'));
  auto refused = run("timeout 10 " + testing::decnetBinary() + " controller --listen 0.0.0.0:" +
                     std::to_string(testing::freePort()) + " --data-dir " + dir);
  run("rm -rf " + dir);
  EXPECT_EQ(refused.exitCode, 1) << refused.output;
  EXPECT_TRUE(contains(refused.output, "without TLS")) << refused.output;
  EXPECT_TRUE(contains(refused.output, "--tls-self-signed")) << refused.output;
  EXPECT_TRUE(contains(refused.output, "--tls-cert")) << refused.output;
}

}  // namespace
}  // namespace decnet
