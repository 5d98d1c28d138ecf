// Server-side apply field ownership on wire JSON: every expectation is the exact document.
#include "apiserver/routes/field_manager.h"

#include <gtest/gtest.h>

namespace decnet::apiserver {
namespace {

using api::Json;

constexpr const char* kT1 = "2026-12-02T06:30:00Z";
constexpr const char* kT2 = "2026-12-02T07:00:00Z";
constexpr const char* kT3 = "2026-12-02T08:00:00Z";

Json json(const char* text) { return Json::parse(text); }

FieldManagerWrite by(const std::string& manager, const std::string& time) {
  return FieldManagerWrite{manager, "decnet.io/v1alpha1", time};
}

Json fleetConfig(const Json& spec, const Json& labels = Json::object()) {
  Json config = {{"apiVersion", "decnet.io/v1alpha1"},
                 {"kind", "Fleet"},
                 {"metadata", {{"name", "lab"}}},
                 {"spec", spec}};
  if (!labels.empty()) config["metadata"]["labels"] = labels;
  return config;
}

Json applied(const Json& live, const Json& config, const std::string& manager,
             const std::string& time, bool force = false) {
  auto result = applyConfiguration(live, config, by(manager, time), force);
  EXPECT_TRUE(result) << (result ? "" : result.error().message);
  return result ? *result : Json();
}

Json entry(const std::string& manager, const std::string& operation, const std::string& time,
           const Json& fields) {
  return {{"manager", manager}, {"operation", operation},   {"apiVersion", "decnet.io/v1alpha1"},
          {"time", time},       {"fieldsType", "FieldsV1"}, {"fieldsV1", fields}};
}

Json managedFields(const Json& object) { return object["metadata"].value("managedFields", Json()); }

TEST(FieldsOf, OwnsLabelsPerKeyListsWholeAndLeavesOutStatusAndServerMetadata) {
  const Json config = json(R"({
    "apiVersion": "decnet.io/v1alpha1", "kind": "Fleet",
    "metadata": {"name": "lab", "uid": "u-1", "resourceVersion": "7", "generation": 2,
                 "creationTimestamp": "2026-01-01T00:00:00Z", "finalizers": ["decnet.io/x"],
                 "ownerReferences": [{"kind": "Node", "name": "n"}],
                 "labels": {"app": "web", "tier": "db"}, "annotations": {"note": "x"}},
    "spec": {"replicas": 3, "ports": [22, 80], "template": {"archetype": "linux", "extra": {}}},
    "status": {"ready": 1}})");
  EXPECT_EQ(fieldsOf(config), json(R"({
    "f:metadata": {"f:annotations": {"f:note": {}}, "f:labels": {"f:app": {}, "f:tier": {}}},
    "f:spec": {"f:ports": {}, "f:replicas": {}, "f:template": {"f:archetype": {}, "f:extra": {}}}
  })"));
  EXPECT_EQ(fieldsOf(json("[1, 2]")), Json::object());
  EXPECT_EQ(fieldsOf(json(R"({"kind": "Fleet", "status": {"a": 1}})")), Json::object());
}

TEST(ApplyConfiguration, FirstApplyOnAbsentObjectIsTheConfigWithOneApplyEntry) {
  const Json config = fleetConfig({{"replicas", 2}}, {{"app", "web"}});
  Json expected = config;
  expected["metadata"]["managedFields"] = Json::array({entry(
      "kubectl", "Apply", kT1,
      json(R"({"f:metadata": {"f:labels": {"f:app": {}}}, "f:spec": {"f:replicas": {}}})"))});
  EXPECT_EQ(applied(nullptr, config, "kubectl", kT1), expected);
}

TEST(ApplyConfiguration, ReapplyingTheSameConfigChangesNothing) {
  const Json config = fleetConfig({{"replicas", 2}, {"ports", {22}}});
  Json live = applied(nullptr, config, "kubectl", kT1);
  live["metadata"]["uid"] = "u-1";
  live["status"] = {{"ready", 2}};
  EXPECT_EQ(applied(live, config, "kubectl", kT2), live);
}

TEST(ApplyConfiguration, DroppingAFieldFromTheConfigRemovesIt) {
  Json live = applied(nullptr, fleetConfig({{"a", 1}, {"b", 2}}, {{"app", "web"}, {"tier", "db"}}),
                      "kubectl", kT1);
  live["status"] = {{"ready", 2}};
  Json expected = fleetConfig({{"a", 1}}, {{"app", "web"}});
  expected["status"] = {{"ready", 2}};
  expected["metadata"]["managedFields"] = Json::array(
      {entry("kubectl", "Apply", kT2,
             json(R"({"f:metadata": {"f:labels": {"f:app": {}}}, "f:spec": {"f:a": {}}})"))});
  EXPECT_EQ(applied(live, fleetConfig({{"a", 1}}, {{"app", "web"}}), "kubectl", kT2), expected);
}

TEST(ApplyConfiguration, DroppingAFieldAnotherManagerAlsoOwnsKeepsIt) {
  Json live = applied(nullptr, fleetConfig({{"a", 1}, {"b", 2}}), "kubectl", kT1);
  live = applied(live, fleetConfig({{"b", 2}}), "other", kT2);
  Json expected = fleetConfig({{"a", 1}, {"b", 2}});
  expected["metadata"]["managedFields"] =
      Json::array({entry("kubectl", "Apply", kT1, json(R"({"f:spec": {"f:a": {}}})")),
                   entry("other", "Apply", kT2, json(R"({"f:spec": {"f:b": {}}})"))});
  // The object did not change, so kubectl's time stays, as kube-apiserver keeps it.
  EXPECT_EQ(applied(live, fleetConfig({{"a", 1}}), "kubectl", kT3), expected);
}

TEST(ApplyConfiguration, AFieldAnUpdaterOwnsConflicts) {
  const Json live = recordUpdate(nullptr, fleetConfig({{"a", 1}, {"b", 1}}), by("other", kT1));
  auto one = applyConfiguration(live, fleetConfig({{"a", 2}, {"b", 1}}), by("kubectl", kT2), false);
  ASSERT_FALSE(one);
  EXPECT_EQ(one.error().code, Errc::kConflict);
  EXPECT_EQ(
      one.error().message,
      "Apply failed with 1 conflict: conflict with \"other\" using decnet.io/v1alpha1: .spec.a");
  ASSERT_EQ(one.error().fields.size(), 1u);
  EXPECT_EQ(one.error().fields[0].path, ".spec.a");
  EXPECT_EQ(one.error().fields[0].detail, "conflict with \"other\" using decnet.io/v1alpha1");

  auto two = applyConfiguration(live, fleetConfig({{"a", 2}, {"b", 3}}), by("kubectl", kT2), false);
  ASSERT_FALSE(two);
  EXPECT_EQ(two.error().code, Errc::kConflict);
  EXPECT_EQ(two.error().message,
            "Apply failed with 2 conflicts: conflicts with \"other\" using decnet.io/v1alpha1:\n"
            "- .spec.a\n"
            "- .spec.b");
  ASSERT_EQ(two.error().fields.size(), 2u);
  EXPECT_EQ(two.error().fields[1].path, ".spec.b");
  EXPECT_EQ(two.error().fields[1].detail, "conflict with \"other\" using decnet.io/v1alpha1");
}

TEST(ApplyConfiguration, ConflictsListEachManagerSortedWithItsPaths) {
  Json live = recordUpdate(nullptr, fleetConfig({{"a", 1}}, {{"app", "web"}}), by("other", kT1));
  live = applied(live, fleetConfig({{"a", 1}}), "alpha", kT1);
  auto result =
      applyConfiguration(live, fleetConfig({{"a", 2}}, {{"app", "db"}}), by("kubectl", kT2), false);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message,
            "Apply failed with 3 conflicts: conflicts with \"alpha\":\n"
            "- .spec.a\n"
            "conflicts with \"other\" using decnet.io/v1alpha1:\n"
            "- .metadata.labels.app\n"
            "- .spec.a");
  ASSERT_EQ(result.error().fields.size(), 3u);
  EXPECT_EQ(result.error().fields[0].detail, "conflict with \"alpha\"");
  EXPECT_EQ(result.error().fields[1].path, ".metadata.labels.app");
}

TEST(ApplyConfiguration, SettingTheLiveValueIsNoConflictAndSharesTheField) {
  const Json live = recordUpdate(nullptr, fleetConfig({{"a", 1}, {"b", 1}}), by("other", kT1));
  Json expected = fleetConfig({{"a", 1}, {"b", 1}});
  expected["metadata"]["managedFields"] =
      Json::array({entry("other", "Update", kT1, json(R"({"f:spec": {"f:a": {}, "f:b": {}}})")),
                   entry("kubectl", "Apply", kT2, json(R"({"f:spec": {"f:a": {}}})"))});
  EXPECT_EQ(applied(live, fleetConfig({{"a", 1}}), "kubectl", kT2), expected);
}

TEST(ApplyConfiguration, ForceTakesTheFieldsOverAndDropsEmptiedEntries) {
  Json live = recordUpdate(nullptr, fleetConfig({{"a", 1}}), by("other", kT1));
  live = recordUpdate(live, fleetConfig({{"a", 1}, {"b", 1}}), by("third", kT1));
  Json expected = fleetConfig({{"a", 2}, {"b", 2}});
  expected["metadata"]["managedFields"] =
      Json::array({entry("kubectl", "Apply", kT2, json(R"({"f:spec": {"f:a": {}, "f:b": {}}})"))});
  EXPECT_EQ(applied(live, fleetConfig({{"a", 2}, {"b", 2}}), "kubectl", kT2, true), expected);

  expected = fleetConfig({{"a", 2}, {"b", 1}});
  expected["metadata"]["managedFields"] =
      Json::array({entry("third", "Update", kT1, json(R"({"f:spec": {"f:b": {}}})")),
                   entry("kubectl", "Apply", kT2, json(R"({"f:spec": {"f:a": {}}})"))});
  EXPECT_EQ(applied(live, fleetConfig({{"a", 2}}), "kubectl", kT2, true), expected);
}

TEST(ApplyConfiguration, KeepsStatusAndServerMetadataAndMergesLabelsPerKey) {
  Json live = json(R"({"apiVersion": "decnet.io/v1alpha1", "kind": "Fleet",
    "metadata": {"name": "lab", "uid": "u-1", "resourceVersion": "4", "finalizers": ["f"],
                 "labels": {"site": "hq"}},
    "spec": {"network": {"subnet": "10.0.0.0/24", "interface": "lab0"}, "ports": [1, 2]},
    "status": {"ready": 1}})");
  const Json config = json(R"({"apiVersion": "decnet.io/v1alpha1", "kind": "Fleet",
    "metadata": {"name": "lab", "uid": "forged", "finalizers": [], "labels": {"app": "web"}},
    "spec": {"network": {"subnet": "10.9.0.0/24"}, "ports": [3]}, "status": {"ready": 9}})");
  Json expected = live;
  expected["metadata"]["labels"]["app"] = "web";
  expected["spec"]["network"]["subnet"] = "10.9.0.0/24";
  expected["spec"]["ports"] = {3};
  expected["metadata"]["managedFields"] = Json::array({entry("kubectl", "Apply", kT1, json(R"({
    "f:metadata": {"f:labels": {"f:app": {}}},
    "f:spec": {"f:network": {"f:subnet": {}}, "f:ports": {}}})"))});
  EXPECT_EQ(applied(live, config, "kubectl", kT1), expected);
}

TEST(RecordUpdate, ACreateOwnsEverythingItSets) {
  const Json created = json(R"({"apiVersion": "decnet.io/v1alpha1", "kind": "Fleet",
    "metadata": {"name": "lab", "uid": "u-1", "labels": {"app": "web"}},
    "spec": {"replicas": 2, "ports": [22]}, "status": {"ready": 0}})");
  Json expected = created;
  expected["metadata"]["managedFields"] = Json::array({entry("decnet", "Update", kT1, json(R"({
    "f:metadata": {"f:labels": {"f:app": {}}}, "f:spec": {"f:ports": {}, "f:replicas": {}}})"))});
  EXPECT_EQ(recordUpdate(nullptr, created, by("decnet", kT1)), expected);
}

TEST(RecordUpdate, AChangedFieldMovesFromTheApplierToTheUpdater) {
  const Json config = fleetConfig({{"a", 1}, {"b", 1}});
  const Json live = applied(nullptr, config, "kubectl", kT1);
  Json edited = live;
  edited["spec"]["a"] = 5;
  edited["spec"]["c"] = 1;
  const Json updated = recordUpdate(live, edited, by("decnet", kT2));
  EXPECT_EQ(
      managedFields(updated),
      Json::array({entry("kubectl", "Apply", kT1, json(R"({"f:spec": {"f:b": {}}})")),
                   entry("decnet", "Update", kT2, json(R"({"f:spec": {"f:a": {}, "f:c": {}}})"))}));

  auto reapplied = applyConfiguration(updated, config, by("kubectl", kT3), false);
  ASSERT_FALSE(reapplied);
  EXPECT_EQ(reapplied.error().message,
            "Apply failed with 1 conflict: conflict with \"decnet\" "
            "using decnet.io/v1alpha1: .spec.a");

  // A second update merges into the updater's entry; a removed field leaves every manager.
  Json again = updated;
  again["spec"].erase("b");
  again["spec"]["d"] = 1;
  EXPECT_EQ(managedFields(recordUpdate(updated, again, by("decnet", kT3))),
            Json::array({entry("decnet", "Update", kT3,
                               json(R"({"f:spec": {"f:a": {}, "f:c": {}, "f:d": {}}})"))}));
}

TEST(RecordUpdate, AnUnchangedWriteKeepsEveryEntryAsItWas) {
  const Json live = applied(nullptr, fleetConfig({{"a", 1}}), "kubectl", kT1);
  EXPECT_EQ(recordUpdate(live, live, by("decnet", kT2)), live);
}

TEST(RecordUpdate, AnOwnedFieldThatGainsChildrenIsSpelledWithADot) {
  const Json created = recordUpdate(nullptr, fleetConfig({{"m", Json::object()}}), by("d", kT1));
  const Json grown = recordUpdate(created, fleetConfig({{"m", {{"x", 1}}}}), by("d", kT2));
  EXPECT_EQ(managedFields(grown), Json::array({entry("d", "Update", kT2, json(R"({
    "f:spec": {"f:m": {".": {}, "f:x": {}}}})"))}));
  // Read back, the dot still makes "m" owned: dropping x keeps d's ownership of m.
  Json shrunk = grown;
  shrunk["spec"]["m"] = Json::object();
  EXPECT_EQ(managedFields(recordUpdate(grown, shrunk, by("d", kT3))),
            Json::array({entry("d", "Update", kT2, json(R"({"f:spec": {"f:m": {}}})"))}));
}

TEST(RecordUpdate, ManagedFieldsSentEmptyResetThem) {
  const Json live = applied(nullptr, fleetConfig({{"a", 1}}), "kubectl", kT1);
  Json sent = live;
  sent["metadata"]["managedFields"] = Json::array();
  EXPECT_EQ(managedFields(recordUpdate(live, sent, by("decnet", kT2))), Json());
}

TEST(Robustness, MalformedManagedFieldsAreDropped) {
  Json live = fleetConfig({{"a", 1}});
  live["metadata"]["managedFields"] = "junk";
  EXPECT_EQ(managedFields(applied(live, fleetConfig({{"b", 1}}), "kubectl", kT1)),
            Json::array({entry("kubectl", "Apply", kT1, json(R"({"f:spec": {"f:b": {}}})"))}));

  live["metadata"]["managedFields"] = json(R"([5, {"manager": 1, "operation": "Update"},
    {"manager": "x", "operation": "Delete", "fieldsV1": {}},
    {"manager": "y", "operation": "Update", "fieldsV1": "nope"},
    {"manager": "z", "operation": "Update", "fieldsType": "FieldsV2", "fieldsV1": {}},
    {"manager": "w", "operation": "Update", "time": 3, "fieldsV1": {"f:spec": {"f:a": {}}}},
    {"manager": "ok", "operation": "Update", "fieldsV1": {"f:spec": {"f:a": 7, "k:{}": {},
                                                                     "f:b": {}}}}])");
  const Json result = applied(live, fleetConfig({{"a", 2}}), "kubectl", kT1);
  Json okEntry = {{"manager", "ok"},
                  {"operation", "Update"},
                  {"fieldsType", "FieldsV1"},
                  {"fieldsV1", json(R"({"f:spec": {"f:b": {}}})")}};
  EXPECT_EQ(
      managedFields(result),
      Json::array({okEntry, entry("kubectl", "Apply", kT1, json(R"({"f:spec": {"f:a": {}}})"))}));
  EXPECT_EQ(result["spec"], json(R"({"a": 2})"));
}

TEST(Robustness, HostileConfigsFailAsValues) {
  auto notObject = applyConfiguration(nullptr, json("[1]"), by("kubectl", kT1), false);
  ASSERT_FALSE(notObject);
  EXPECT_EQ(notObject.error().code, Errc::kTerminal);
  EXPECT_EQ(notObject.error().message, "the apply configuration must be an object");

  Json withFields = fleetConfig({{"a", 1}});
  withFields["metadata"]["managedFields"] = Json::array();
  auto carried = applyConfiguration(nullptr, withFields, by("kubectl", kT1), false);
  ASSERT_FALSE(carried);
  EXPECT_EQ(carried.error().code, Errc::kTerminal);

  Json live = json(R"({"kind": "Fleet", "metadata": 5, "spec": 3})");
  const Json result = applied(live, fleetConfig({{"a", 1}}, {{"app", "web"}}), "kubectl", kT1);
  EXPECT_EQ(result["spec"], json(R"({"a": 1})"));
  EXPECT_EQ(result["metadata"]["labels"], json(R"({"app": "web"})"));
}

TEST(Robustness, DeepNestingIsOwnedAsOneFieldBelowTheLimit) {
  Json deep = 1;
  for (int i = 0; i < 5000; ++i) deep = Json{{"x", std::move(deep)}};
  const Json config = fleetConfig(deep);
  const Json fields = fieldsOf(config);
  int depth = 0;
  const Json* node = &fields;
  while (!node->empty()) {
    node = &node->begin().value();
    ++depth;
  }
  EXPECT_EQ(depth, 64);
  Json live = applied(nullptr, config, "kubectl", kT1);
  EXPECT_EQ(applied(live, config, "kubectl", kT2), live);
  // Replacing the deep value takes kubectl's one deep field away from it.
  auto replaced = applyConfiguration(live, fleetConfig({{"x", 2}}), by("other", kT2), false);
  ASSERT_FALSE(replaced);
  EXPECT_EQ(replaced.error().fields.size(), 1u);
}

}  // namespace
}  // namespace decnet::apiserver
