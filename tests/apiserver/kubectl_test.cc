// The real kubectl (v1.32, from the machine image) against the API server on loopback. Skips,
// saying so, when kubectl is not installed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <thread>

#include "apiserver/api_server.h"
#include "controller/store/object_store.h"
#include "tests/support/process.h"

namespace decnet::apiserver {
namespace {

using decnet::testing::freePort;
using decnet::testing::run;

constexpr const char* kFleetYaml = R"(apiVersion: decnet.io/v1alpha1
kind: Fleet
metadata:
  name: kf
spec:
  replicas: 2
  network: {interface: decnet-lab0, subnet: 10.77.0.0/24}
  template: {archetype: linux-server}
)";

class KubectlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (run("command -v kubectl").exitCode != 0) {
      GTEST_SKIP() << "kubectl is not installed: the kubectl compatibility tests need v1.32";
    }
    auto repository = store::openRepository("sqlite::memory:");
    ASSERT_TRUE(repository);
    store_ = *store::ObjectStore::open(std::move(*repository));
    ApiServerOptions options;
    options.listen = "127.0.0.1:" + std::to_string(freePort());
    server_ = std::make_unique<ApiServer>(*store_, options);
    ASSERT_TRUE(server_->start());
    char pattern[] = "/tmp/decnet-kubectl-XXXXXX";
    dir_ = ::mkdtemp(pattern);
    std::ofstream(dir_ + "/fleet.yaml") << kFleetYaml;
  }
  void TearDown() override {
    if (server_) server_->stop();
    if (!dir_.empty()) run("rm -rf " + dir_);
  }

  // kubectl against this server only: no kubeconfig, a private discovery cache.
  decnet::testing::CommandResult kubectl(const std::string& args) {
    return run("KUBECONFIG=" + dir_ + "/none timeout 60 kubectl --server " + server_->url() +
               " --cache-dir " + dir_ + "/cache " + args + " 2>&1");
  }

  std::shared_ptr<store::ObjectStore> store_;
  std::unique_ptr<ApiServer> server_;
  std::string dir_;
};

TEST_F(KubectlTest, ClientSideApplyLabelAnnotateAndPatch) {
  const std::string apply = "apply --validate=false -f " + dir_ + "/fleet.yaml";
  auto created = kubectl(apply);
  EXPECT_EQ(created.exitCode, 0) << created.output;
  EXPECT_NE(created.output.find("fleet.decnet.io/kf created"), std::string::npos) << created.output;
  auto again = kubectl(apply);
  EXPECT_NE(again.output.find("fleet.decnet.io/kf unchanged"), std::string::npos) << again.output;

  EXPECT_EQ(kubectl("label fleet kf tier=dmz").exitCode, 0);
  EXPECT_EQ(kubectl("annotate fleet kf owner=soc").exitCode, 0);
  auto patched = kubectl("patch fleet kf --type merge -p '{\"spec\":{\"replicas\":3}}'");
  EXPECT_EQ(patched.exitCode, 0) << patched.output;
  auto jsonPatched = kubectl(
      "patch fleet kf --type json -p '[{\"op\":\"replace\",\"path\":\"/spec/network/"
      "interface\",\"value\":\"decnet-lab1\"}]'");
  EXPECT_EQ(jsonPatched.exitCode, 0) << jsonPatched.output;

  auto fleet = store_->get({"Fleet", "kf"});
  ASSERT_TRUE(fleet);
  EXPECT_EQ(fleet->metadata.labels["tier"], "dmz");
  EXPECT_EQ(fleet->metadata.annotations["owner"], "soc");
  EXPECT_EQ(fleet->metadata.annotations.count("kubectl.kubernetes.io/last-applied-configuration"),
            1u);
  EXPECT_EQ(fleet->spec["replicas"], 3);
  EXPECT_EQ(fleet->spec["network"]["interface"], "decnet-lab1");

  // Removing a label is a merge patch with null.
  EXPECT_EQ(kubectl("label fleet kf tier-").exitCode, 0);
  EXPECT_EQ(store_->get({"Fleet", "kf"})->metadata.labels.count("tier"), 0u);
}

// Tables from the CRDs' additionalPrinterColumns: the same columns decnet get prints.
TEST_F(KubectlTest, GetShowsThePrinterColumnsAndWideShowsTheWideOnes) {
  ASSERT_EQ(kubectl("apply --validate=false -f " + dir_ + "/fleet.yaml").exitCode, 0);
  api::Object decky;
  decky.kind = "Decky";
  decky.metadata.name = "kf-01";
  decky.spec = {{"node", "local"},
                {"ip", "10.77.0.10"},
                {"mac", "00:16:3e:00:00:01"},
                {"hostname", "SRV-WEB-01"},
                {"osFamily", "linux"},
                {"distro", "debian"},
                {"services", {{{"name", "ssh"}}, {{"name", "http"}}}},
                {"network", {{"interface", "decnet-lab0"}, {"subnet", "10.77.0.0/24"}}}};
  auto created = store_->create(decky, {});
  ASSERT_TRUE(created) << describe(created.error());
  auto narrow = kubectl("get deckies");
  EXPECT_EQ(narrow.exitCode, 0) << narrow.output;
  EXPECT_TRUE(
      std::regex_search(narrow.output, std::regex("NAME +NODE +IP +HOSTNAME +OS +PHASE +AGE\n")))
      << narrow.output;
  EXPECT_TRUE(std::regex_search(narrow.output, std::regex("kf-01 +local +10.77.0.10 +SRV-WEB-01")))
      << narrow.output;
  auto wide = kubectl("get deckies -o wide");
  EXPECT_TRUE(std::regex_search(wide.output, std::regex("MAC +DISTRO +ARCHETYPE +SERVICES +GEN")))
      << wide.output;
  EXPECT_TRUE(std::regex_search(wide.output, std::regex("00:16:3e:00:00:01 +debian +.*ssh,http")))
      << wide.output;
  auto fleets = kubectl("get fleet kf");
  EXPECT_TRUE(std::regex_search(fleets.output, std::regex("NAME +REPLICAS +READY +SUBNET +AGE")))
      << fleets.output;
}

// kubectl get -w asks for Tables on the watch too: one row per change, under one header.
TEST_F(KubectlTest, WatchPrintsRowsForChanges) {
  ASSERT_EQ(kubectl("apply --validate=false -f " + dir_ + "/fleet.yaml").exitCode, 0);
  decnet::testing::ChildProcess watch(
      {"/bin/sh", "-c",
       "KUBECONFIG=" + dir_ + "/none exec kubectl --server " + server_->url() + " --cache-dir " +
           dir_ + "/cache get fleets -w"},
      dir_ + "/watch.out");
  std::this_thread::sleep_for(std::chrono::seconds(2));
  ASSERT_EQ(kubectl("patch fleet kf --type merge -p '{\"spec\":{\"replicas\":5}}'").exitCode, 0);
  auto deleted = kubectl("delete fleet kf");
  EXPECT_EQ(deleted.exitCode, 0) << deleted.output;
  std::string out;
  for (int i = 0; i < 50; ++i) {
    out = run("cat " + dir_ + "/watch.out").output;
    if (std::count(out.begin(), out.end(), '\n') >= 3) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  watch.stop();
  EXPECT_EQ(out.find("NAME"), 0u) << out;
  EXPECT_EQ(out.find("NAME", 1), std::string::npos) << "one header only\n" << out;
  EXPECT_GE(std::count(out.begin(), out.end(), '\n'), 3) << out;
  EXPECT_EQ(out.find("error"), std::string::npos) << out;
}

}  // namespace
}  // namespace decnet::apiserver
