// Every manifest we ship must validate, alone and as a set.
#include "cli/manifests.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "cli/apply_logic.h"
#include "tests/support/process.h"

namespace decnet::cli {
namespace {

// decnet's own manifests: quickstart.yaml and examples/. The operator files beside them
// (prometheus/, grafana/) are Prometheus' and Grafana's, checked by tests/manifests.
bool isDecnetManifest(const std::filesystem::path& path) {
  const std::string text = path.string();
  return text.find("/manifests/prometheus/") == std::string::npos &&
         text.find("/manifests/grafana/") == std::string::npos;
}

TEST(ManifestsTest, EveryShippedManifestIsValid) {
  const std::string root = testing::sourceDir() + "/manifests";
  int files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    const auto ext = entry.path().extension();
    if ((ext != ".yaml" && ext != ".yml") || !isDecnetManifest(entry.path())) continue;
    ++files;
    auto loaded = loadManifests({entry.path().string()}, false);
    EXPECT_TRUE(loaded) << entry.path() << ": " << describe(loaded.error());
  }
  EXPECT_GE(files, 16) << "quickstart plus one example per archetype";
  auto all = loadManifests({root + "/quickstart.yaml", root + "/examples"}, true);
  EXPECT_TRUE(all) << describe(all.error());
}

TEST(ManifestsTest, ReportsEveryProblemWithSourceAndPath) {
  const std::string path = "/tmp/decnet-manifests-test.yaml";
  testing::run(
      "printf 'apiVersion: decnet.io/v1alpha1\\nkind: Fleet\\nmetadata: {name: Bad_Name}\\n"
      "spec: {network: {subnet: 10.0.0.0/33}}\\n---\\nkind: Nope\\n' > " +
      path);
  auto loaded = loadManifests({path}, false);
  ASSERT_FALSE(loaded);
  const std::string text = describe(loaded.error());
  EXPECT_NE(text.find(path + "#1"), std::string::npos) << text;
  EXPECT_NE(text.find("metadata.name"), std::string::npos) << text;
  EXPECT_NE(text.find("spec.network.subnet"), std::string::npos) << text;
  EXPECT_NE(text.find(path + "#2"), std::string::npos) << text;
  std::remove(path.c_str());
}

TEST(ApplyMergeTest, KeepsServerAnnotationsAndDropsOnesTheUserRemoved) {
  api::Object manifest;
  manifest.kind = "Fleet";
  manifest.metadata.name = "x";
  manifest.metadata.labels = {{"a", "1"}, {"b", "2"}};
  auto first = mergeForApply(nullptr, manifest);
  first.metadata.annotations["controller/owned"] = "keep";
  manifest.metadata.labels.erase("b");
  auto second = mergeForApply(&first, manifest);
  EXPECT_EQ(second.metadata.labels, (std::map<std::string, std::string>{{"a", "1"}}));
  EXPECT_EQ(second.metadata.annotations.at("controller/owned"), "keep");
  EXPECT_EQ(mergeForApply(&second, manifest).metadata.annotations, second.metadata.annotations);
}

}  // namespace
}  // namespace decnet::cli
