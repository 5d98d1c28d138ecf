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
    char pattern[] = "/tmp/decnet-kubectl-XXXXXX";
    dir_ = ::mkdtemp(pattern);
    std::ofstream(dir_ + "/fleet.yaml") << kFleetYaml;
    // The server asks for a bearer token, as `decnet up` does; kubectl finds it in a kubeconfig.
    auto users = auth::UserStore::open(dir_ + "/auth.db");
    ASSERT_TRUE(users);
    std::shared_ptr<auth::UserStore> shared = std::move(*users);
    ASSERT_TRUE(shared->addUser("root", "admin", "root-password", false));
    ASSERT_TRUE(shared->addUser("alice", "viewer", "alice-password", false));
    signer_ = std::make_shared<auth::TokenSigner>(std::string(32, 'k'));
    // kubectl sends a kubeconfig's credentials over TLS only, so the server speaks HTTPS with a
    // certificate from decnet's CA, which the kubeconfig carries.
    auto ca = auth::CertificateAuthority::loadOrCreate(dir_ + "/pki");
    ASSERT_TRUE(ca);
    auto certificate = ca->issueServer({"127.0.0.1"}, std::chrono::hours(1));
    ASSERT_TRUE(certificate);
    auto repository = store::openRepository("sqlite::memory:");
    ASSERT_TRUE(repository);
    store_ = *store::ObjectStore::open(std::move(*repository));
    ApiServerOptions options;
    options.listen = "127.0.0.1:" + std::to_string(freePort());
    options.auth = ApiAuthOptions{shared, signer_, nullptr, "", true, {}};
    options.tls = TlsServerConfig{certificate->certificatePem, certificate->keyPem, ""};
    server_ = std::make_unique<ApiServer>(*store_, options);
    ASSERT_TRUE(server_->start());
    writeKubeconfig("root", "admin");
  }

  // dir_/config: this server and a token for `user`, in the format decnet login writes.
  void writeKubeconfig(const std::string& user, const std::string& role) {
    std::ofstream(dir_ + "/config")
        << "apiVersion: v1\nkind: Config\nclusters:\n- name: decnet\n  cluster:\n"
        << "    certificate-authority: " << dir_ << "/pki/ca.crt\n"
        << "    server: " << server_->url() << "\nusers:\n- name: " << user
        << "\n  user:\n    token: " << signer_->issue(user, role, std::chrono::hours(1))
        << "\ncontexts:\n- name: " << user << "@decnet\n  context:\n    cluster: decnet\n"
        << "    user: " << user << "\ncurrent-context: " << user << "@decnet\n";
  }
  void TearDown() override {
    if (server_) server_->stop();
    if (!dir_.empty()) run("rm -rf " + dir_);
  }

  // kubectl against this server only, with dir_/config as its kubeconfig and a private
  // discovery cache.
  decnet::testing::CommandResult kubectl(const std::string& args) {
    return run("KUBECONFIG=" + dir_ + "/config timeout 60 kubectl --cache-dir " + dir_ + "/cache " +
               args + " 2>&1");
  }

  std::shared_ptr<store::ObjectStore> store_;
  std::unique_ptr<ApiServer> server_;
  std::shared_ptr<auth::TokenSigner> signer_;
  std::string dir_;
};

TEST_F(KubectlTest, ATokenIsNeededAndAViewerCannotWrite) {
  auto anonymous = run("KUBECONFIG=" + dir_ + "/none timeout 60 kubectl --server " +
                       server_->url() + " --certificate-authority " + dir_ +
                       "/pki/ca.crt --token not-a-decnet-token --cache-dir " + dir_ +
                       "/cache-anon get fleets </dev/null 2>&1");
  EXPECT_NE(anonymous.exitCode, 0);
  EXPECT_NE(anonymous.output.find("You must be logged in to the server"), std::string::npos)
      << anonymous.output;
  EXPECT_EQ(kubectl("apply -f " + dir_ + "/fleet.yaml").exitCode, 0) << "admin";
  writeKubeconfig("alice", "viewer");
  auto listed = kubectl("get fleets");
  EXPECT_EQ(listed.exitCode, 0) << listed.output;
  EXPECT_NE(listed.output.find("kf"), std::string::npos) << listed.output;
  auto refused = kubectl("delete fleet kf");
  EXPECT_NE(refused.exitCode, 0);
  EXPECT_NE(refused.output.find("Forbidden"), std::string::npos) << refused.output;
  EXPECT_NE(refused.output.find("viewer"), std::string::npos) << refused.output;
}

TEST_F(KubectlTest, ClientSideApplyLabelAnnotateAndPatch) {
  const std::string apply = "apply -f " + dir_ + "/fleet.yaml";  // validated (OpenAPI)
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
// kubectl apply --server-side: created, then unchanged; managedFields name the owners; another
// manager changing an owned field gets kube's 409 naming it, and --force-conflicts takes it over.
TEST_F(KubectlTest, ServerSideApplyTracksOwnersAndConflicts) {
  const std::string apply = "apply --server-side -f " + dir_ + "/fleet.yaml";
  auto created = kubectl(apply);
  EXPECT_EQ(created.exitCode, 0) << created.output;
  EXPECT_NE(created.output.find("fleet.decnet.io/kf serverside-applied"), std::string::npos)
      << created.output;
  const auto before = store_->get({"Fleet", "kf"});
  ASSERT_TRUE(before);
  auto again = kubectl(apply);
  EXPECT_EQ(again.exitCode, 0) << again.output;
  EXPECT_EQ(store_->get({"Fleet", "kf"})->metadata.resourceVersion,
            before->metadata.resourceVersion)
      << "the same configuration applied again writes nothing";

  auto managed = kubectl(
      "get fleet kf --show-managed-fields -o jsonpath='{.metadata.managedFields[*].manager}'");
  EXPECT_EQ(managed.output, "kubectl") << managed.output;
  auto owned = kubectl(
      "get fleet kf --show-managed-fields -o "
      "jsonpath='{.metadata.managedFields[0].fieldsV1.f:spec.f:replicas}'");
  EXPECT_EQ(owned.output, "{}") << owned.output;

  std::string changed = kFleetYaml;
  changed.replace(changed.find("replicas: 2"), 11, "replicas: 4");
  std::ofstream(dir_ + "/changed.yaml") << changed;
  auto conflict =
      kubectl("apply --server-side --field-manager=gitops -f " + dir_ + "/changed.yaml");
  EXPECT_NE(conflict.exitCode, 0) << conflict.output;
  EXPECT_NE(conflict.output.find("conflict with \"kubectl\""), std::string::npos)
      << conflict.output;
  EXPECT_NE(conflict.output.find(".spec.replicas"), std::string::npos) << conflict.output;
  EXPECT_EQ(store_->get({"Fleet", "kf"})->spec["replicas"], 2);

  auto forced = kubectl("apply --server-side --force-conflicts --field-manager=gitops -f " + dir_ +
                        "/changed.yaml");
  EXPECT_EQ(forced.exitCode, 0) << forced.output;
  EXPECT_EQ(store_->get({"Fleet", "kf"})->spec["replicas"], 4);
  auto owners = store_->get({"Fleet", "kf"})->metadata.managedFields;
  ASSERT_TRUE(owners.is_array());
  for (const auto& entry : owners) {
    const bool hasReplicas = entry["fieldsV1"]["f:spec"].contains("f:replicas");
    EXPECT_EQ(hasReplicas, entry["manager"] == "gitops") << owners.dump();
  }
  // A client-side write becomes an owner too (kubectl sends its fieldManager).
  ASSERT_EQ(kubectl("label fleet kf tier=dmz").exitCode, 0);
  auto labelled = kubectl(
      "get fleet kf --show-managed-fields -o jsonpath='{.metadata.managedFields[*].manager}'");
  EXPECT_NE(labelled.output.find("kubectl-label"), std::string::npos) << labelled.output;
}

TEST_F(KubectlTest, GetShowsThePrinterColumnsAndWideShowsTheWideOnes) {
  ASSERT_EQ(kubectl("apply -f " + dir_ + "/fleet.yaml").exitCode, 0);
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
  ASSERT_EQ(kubectl("apply -f " + dir_ + "/fleet.yaml").exitCode, 0);
  decnet::testing::ChildProcess watch(
      {"/bin/sh", "-c",
       "KUBECONFIG=" + dir_ + "/config exec kubectl --cache-dir " + dir_ + "/cache get fleets -w"},
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

// With OpenAPI v3 served, kubectl leaves validation to the server (fieldValidation=Strict): an
// unknown field is refused with its path, as kube-apiserver's strict decoder words it.
TEST_F(KubectlTest, ApplyValidatesWithoutFlagsAndUnknownFieldsAreNamed) {
  std::ofstream(dir_ + "/bad.yaml") << kFleetYaml << "  colour: blue\n";
  auto refused = kubectl("apply -f " + dir_ + "/bad.yaml");
  EXPECT_NE(refused.exitCode, 0);
  EXPECT_NE(refused.output.find("Error from server (BadRequest)"), std::string::npos)
      << refused.output;
  EXPECT_NE(refused.output.find("strict decoding error: unknown field \"spec.colour\""),
            std::string::npos)
      << refused.output;
  EXPECT_FALSE(store_->get({"Fleet", "kf"})) << "nothing was written";
}

TEST_F(KubectlTest, ExplainPrintsTheFieldDocs) {
  auto explained = kubectl("explain fleet.spec.network");
  EXPECT_EQ(explained.exitCode, 0) << explained.output;
  EXPECT_NE(explained.output.find("KIND:       Fleet"), std::string::npos) << explained.output;
  EXPECT_NE(explained.output.find("interface\t<string>"), std::string::npos) << explained.output;
  EXPECT_NE(explained.output.find("macvlan"), std::string::npos) << explained.output;
}

// kubectl diff is a server-side dry run: exit 0 without changes, 1 with, nothing written.
TEST_F(KubectlTest, DiffIsAServerSideDryRun) {
  ASSERT_EQ(kubectl("apply -f " + dir_ + "/fleet.yaml").exitCode, 0);
  EXPECT_EQ(kubectl("diff -f " + dir_ + "/fleet.yaml").exitCode, 0);
  std::string changed = kFleetYaml;
  changed.replace(changed.find("replicas: 2"), 11, "replicas: 4");
  std::ofstream(dir_ + "/changed.yaml") << changed;
  auto diff = kubectl("diff -f " + dir_ + "/changed.yaml");
  EXPECT_EQ(diff.exitCode, 1) << diff.output;
  EXPECT_NE(diff.output.find("+  replicas: 4"), std::string::npos) << diff.output;
  EXPECT_EQ(store_->get({"Fleet", "kf"})->spec["replicas"], 2);
}

// kubectl lists in chunks (--chunk-size, 500 by default) and follows the continue tokens.
TEST_F(KubectlTest, ChunkedListsShowEveryObject) {
  for (int i = 0; i < 5; ++i) {
    api::Object fleet;
    fleet.kind = "Fleet";
    fleet.metadata.name = "chunk-" + std::to_string(i);
    fleet.spec = {
        {"network", {{"interface", "decnet-lab" + std::to_string(i)}, {"subnet", "10.77.0.0/24"}}},
        {"replicas", 1},
        {"template", {{"archetype", "linux-server"}}}};
    ASSERT_TRUE(store_->create(fleet, {}));
  }
  auto listed = kubectl("get fleets --chunk-size=2 -o name -v=6");
  EXPECT_EQ(listed.exitCode, 0) << listed.output;
  for (int i = 0; i < 5; ++i) {
    EXPECT_NE(listed.output.find("\nfleet.decnet.io/chunk-" + std::to_string(i) + "\n"),
              std::string::npos)
        << listed.output;
  }
  // Three pages: the first, and two that followed a continue token.
  std::size_t followed = 0;
  for (auto at = listed.output.find("?continue="); at != std::string::npos;
       at = listed.output.find("?continue=", at + 1)) {
    ++followed;
  }
  EXPECT_EQ(followed, 2u) << listed.output;
}

}  // namespace
}  // namespace decnet::apiserver
