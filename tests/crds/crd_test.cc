// The CRDs are the contract users read: they must be structural schemas a Kubernetes API
// server accepts, and their enums must be exactly the built-in catalog the C++ side validates.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "api/catalog/catalog.h"
#include "api/codec/yaml_codec.h"
#include "api/types/kinds.h"
#include "tests/support/process.h"

namespace decnet::api {
namespace {

Json loadCrd(const std::string& file) {
  std::ifstream in(testing::sourceDir() + "/crds/" + file);
  std::stringstream text;
  text << in.rdbuf();
  auto docs = parseYamlDocuments(text.str(), file);
  EXPECT_TRUE(docs) << file;
  EXPECT_EQ(docs->size(), 1u) << file;
  return docs->empty() ? Json() : docs->front();
}

// Structural-schema rules (apiextensions.k8s.io/v1): every node typed, properties and
// additionalProperties never together, arrays with items, required names declared.
void checkStructural(const Json& node, const std::string& path,
                     std::vector<std::string>& problems) {
  if (!node.is_object()) {
    problems.push_back(path + ": not a map");
    return;
  }
  const bool untyped = node.value("x-kubernetes-int-or-string", false) ||
                       node.value("x-kubernetes-preserve-unknown-fields", false);
  if (!node.contains("type") && !untyped) problems.push_back(path + ": no type");
  const std::string type = node.value("type", "");
  if (node.contains("properties") && node.contains("additionalProperties")) {
    problems.push_back(path + ": properties and additionalProperties together");
  }
  if (type == "array" && !node.contains("items"))
    problems.push_back(path + ": array without items");
  if (node.contains("required")) {
    for (const auto& name : node["required"]) {
      if (!node.contains("properties") || !node["properties"].contains(name.get<std::string>())) {
        problems.push_back(path + ": required " + name.get<std::string>() + " is not a property");
      }
    }
  }
  if (node.contains("enum")) {
    for (const auto& value : node["enum"]) {
      if ((type == "string" && !value.is_string()) ||
          (type == "integer" && !value.is_number_integer())) {
        problems.push_back(path + ": enum value " + value.dump() + " is not a " + type);
      }
    }
  }
  if (node.contains("properties")) {
    for (const auto& [name, child] : node["properties"].items())
      checkStructural(child, path + "." + name, problems);
  }
  if (node.contains("additionalProperties") && node["additionalProperties"].is_object()) {
    checkStructural(node["additionalProperties"], path + "[*]", problems);
  }
  if (node.contains("items")) checkStructural(node["items"], path + "[]", problems);
}

// Every enum found under a property called `name`.
void collectEnums(const Json& node, const std::string& name,
                  std::vector<std::set<std::string>>& out) {
  if (!node.is_object()) return;
  if (node.contains("properties")) {
    for (const auto& [key, child] : node["properties"].items()) {
      const Json* target = &child;
      if (child.value("type", "") == "array" && child.contains("items")) target = &child["items"];
      if (key == name && target->contains("enum")) {
        std::set<std::string> values;
        for (const auto& v : (*target)["enum"]) values.insert(v.get<std::string>());
        out.push_back(values);
      }
      collectEnums(child, name, out);
    }
  }
  if (node.contains("items")) collectEnums(node["items"], name, out);
}

std::set<std::string> asSet(const std::vector<std::string>& values) {
  return {values.begin(), values.end()};
}

class CrdTest : public ::testing::TestWithParam<std::string> {};

TEST_P(CrdTest, IsAStructuralClusterScopedCrdOfOurKind) {
  const Json crd = loadCrd(GetParam() + ".yaml");
  ASSERT_TRUE(crd.is_object());
  EXPECT_EQ(crd["apiVersion"], "apiextensions.k8s.io/v1");
  EXPECT_EQ(crd["kind"], "CustomResourceDefinition");
  const auto info = findKind(GetParam());
  ASSERT_TRUE(info);
  EXPECT_EQ(crd["metadata"]["name"], info->plural + ".decnet.io");
  const Json& spec = crd["spec"];
  EXPECT_EQ(spec["group"], "decnet.io");
  EXPECT_EQ(spec["scope"], "Cluster");
  EXPECT_EQ(spec["names"]["kind"], info->kind);
  EXPECT_EQ(spec["names"]["plural"], info->plural);
  EXPECT_EQ(spec["names"]["singular"], info->singular);
  EXPECT_EQ(spec["names"]["shortNames"], Json(info->shortNames));
  ASSERT_EQ(spec["versions"].size(), 1u);
  const Json& version = spec["versions"][0];
  EXPECT_EQ(version["name"], "v1alpha1");
  EXPECT_TRUE(version["served"].get<bool>());
  EXPECT_TRUE(version["storage"].get<bool>());
  EXPECT_TRUE(version["subresources"].contains("status"));
  for (const auto& column : version["additionalPrinterColumns"]) {
    EXPECT_EQ(column["jsonPath"].get<std::string>().front(), '.') << column.dump();
    EXPECT_TRUE(std::set<std::string>({"integer", "number", "string", "boolean", "date"})
                    .count(column["type"]))
        << column.dump();
  }
  std::vector<std::string> problems;
  checkStructural(version["schema"]["openAPIV3Schema"], GetParam(), problems);
  for (const auto& p : problems) ADD_FAILURE() << p;
}

INSTANTIATE_TEST_SUITE_P(AllKinds, CrdTest, ::testing::Values("fleet", "decky", "node"));

TEST(CrdCatalogTest, EnumsAreExactlyTheBuiltInCatalog) {
  for (const std::string file : {"fleet.yaml", "decky.yaml"}) {
    const Json schema = loadCrd(file)["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
    std::vector<std::set<std::string>> services, archetypes, distros, families;
    collectEnums(schema, "name", services);
    collectEnums(schema, "archetype", archetypes);
    collectEnums(schema, "distros", distros);
    collectEnums(schema, "distro", distros);
    collectEnums(schema, "osFamily", families);
    ASSERT_FALSE(services.empty()) << file;
    for (const auto& s : services) EXPECT_EQ(s, asSet(catalog::serviceNames())) << file;
    for (const auto& a : archetypes) EXPECT_EQ(a, asSet(catalog::archetypeNames())) << file;
    for (const auto& d : distros) EXPECT_EQ(d, asSet(catalog::distroNames())) << file;
    ASSERT_FALSE(families.empty()) << file;
    for (const auto& f : families) EXPECT_EQ(f, asSet(catalog::osFamilyNames())) << file;
  }
}

}  // namespace
}  // namespace decnet::api
