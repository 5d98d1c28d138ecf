#include "api/types/fleet_spec.h"

#include <gtest/gtest.h>

namespace decnet::api {
namespace {

using namespace std::chrono_literals;

const Json kFleetSpec = R"j({
  "network": {"interface": "eth0", "driver": "ipvlan", "subnet": "192.168.1.0/24",
              "gateway": "192.168.1.1", "ipRange": "192.168.1.110-192.168.1.149"},
  "replicas": 6,
  "template": {
    "archetype": "linux-server",
    "services": [
      {"name": "ssh", "persona": {"version": "OpenSSH_8.9p1 Ubuntu-3ubuntu0.6",
                                  "users": "root:toor,admin:admin"}},
      {"name": "http", "ports": [80, 8080],
       "persona": {"server_header": "nginx/1.18.0", "fake_app": "wordpress"}}
    ],
    "distros": ["ubuntu22", "debian"],
    "osFamily": "linux"
  },
  "deckies": [
    {"name": "fileserver", "ip": "192.168.1.120", "archetype": "file-server",
     "hostname": "FILESRV01", "distro": "debian", "osFamily": "windows",
     "services": [{"name": "smb"}]}
  ],
  "mutation": {"interval": "6h", "rotate": ["services", "hostname"], "jitter": "10m"},
  "nodeSelector": {"site": "hq"},
  "logTarget": "tls://siem:6514"
})j"_json;

TEST(FleetSpec, ParsesEveryField) {
  const FleetSpec spec = parseFleetSpec(kFleetSpec);
  EXPECT_EQ(spec.network.interface, "eth0");
  EXPECT_EQ(spec.network.driver, "ipvlan");
  EXPECT_EQ(spec.network.subnet, "192.168.1.0/24");
  EXPECT_EQ(spec.network.gateway, "192.168.1.1");
  EXPECT_EQ(spec.network.ipRange, "192.168.1.110-192.168.1.149");
  EXPECT_EQ(spec.replicas, 6);
  EXPECT_EQ(spec.templ.archetype, "linux-server");
  ASSERT_EQ(spec.templ.services.size(), 2u);
  EXPECT_EQ(spec.templ.services[0].name, "ssh");
  EXPECT_TRUE(spec.templ.services[0].ports.empty());
  EXPECT_EQ(spec.templ.services[0].persona.at("users"), "root:toor,admin:admin");
  EXPECT_EQ(spec.templ.services[1].ports, (std::vector<int>{80, 8080}));
  EXPECT_EQ(spec.templ.services[1].persona.at("fake_app"), "wordpress");
  EXPECT_EQ(spec.templ.distros, (std::vector<std::string>{"ubuntu22", "debian"}));
  EXPECT_EQ(spec.templ.osFamily, "linux");
  ASSERT_EQ(spec.deckies.size(), 1u);
  const NamedDeckySpec& named = spec.deckies[0];
  EXPECT_EQ(named.name, "fileserver");
  EXPECT_EQ(named.ip, "192.168.1.120");
  EXPECT_EQ(named.archetype, "file-server");
  EXPECT_EQ(named.hostname, "FILESRV01");
  EXPECT_EQ(named.distro, "debian");
  EXPECT_EQ(named.osFamily, "windows");
  ASSERT_EQ(named.services.size(), 1u);
  EXPECT_EQ(named.services[0].name, "smb");
  ASSERT_TRUE(spec.mutation.has_value());
  EXPECT_EQ(spec.mutation->interval, 6h);
  EXPECT_EQ(spec.mutation->jitter, 10min);
  EXPECT_EQ(spec.mutation->rotate, (std::vector<std::string>{"services", "hostname"}));
  EXPECT_EQ(spec.nodeSelector.at("site"), "hq");
  EXPECT_EQ(spec.logTarget, "tls://siem:6514");
}

TEST(FleetSpec, DefaultsForMissingFields) {
  const FleetSpec spec = parseFleetSpec(R"j({"network": {"subnet": "10.0.0.0/24"}})j"_json);
  EXPECT_EQ(spec.network.driver, "macvlan");
  EXPECT_EQ(spec.network.interface, "");
  EXPECT_EQ(spec.replicas, 0);
  EXPECT_TRUE(spec.templ.archetype.empty());
  EXPECT_TRUE(spec.templ.services.empty());
  EXPECT_TRUE(spec.deckies.empty());
  EXPECT_FALSE(spec.mutation.has_value());
  EXPECT_TRUE(spec.nodeSelector.empty());

  const FleetSpec empty = parseFleetSpec(Json());
  EXPECT_EQ(empty.replicas, 0);
  EXPECT_EQ(empty.network.driver, "macvlan");
}

TEST(FleetSpec, ToleratesWrongTypesAndNulls) {
  const FleetSpec spec = parseFleetSpec(R"j({
    "network": "eth0", "replicas": "six", "template": {"services": [3, {"name": "ssh",
    "ports": ["22", 2222]}], "distros": [1, "debian"], "archetype": null},
    "deckies": "none", "mutation": {"interval": "soon"}, "nodeSelector": null})j"_json);
  EXPECT_EQ(spec.network.subnet, "");
  EXPECT_EQ(spec.replicas, 0);
  ASSERT_EQ(spec.templ.services.size(), 1u);
  EXPECT_EQ(spec.templ.services[0].ports, (std::vector<int>{2222}));
  EXPECT_EQ(spec.templ.distros, (std::vector<std::string>{"debian"}));
  EXPECT_TRUE(spec.deckies.empty());
  ASSERT_TRUE(spec.mutation.has_value());
  EXPECT_EQ(spec.mutation->interval, 0s);
}

TEST(FleetSpec, PersonaScalarsBecomeStrings) {
  const FleetSpec spec = parseFleetSpec(R"j({"template": {"services": [
    {"name": "smtp", "persona": {"open_relay": true, "banner": "220 mail ESMTP"}},
    {"name": "http", "persona": {"response_code": 404, "body": 1.5}}]}})j"_json);
  ASSERT_EQ(spec.templ.services.size(), 2u);
  EXPECT_EQ(spec.templ.services[0].persona.at("open_relay"), "true");
  EXPECT_EQ(spec.templ.services[1].persona.at("response_code"), "404");
  EXPECT_EQ(spec.templ.services[1].persona.at("body"), "1.5");
}

TEST(DeckySpec, ParsesAndSerializesRoundTrip) {
  const Json document = R"j({
    "node": "local",
    "network": {"interface": "eth0", "driver": "macvlan", "subnet": "192.168.1.0/24",
                "gateway": "192.168.1.1"},
    "ip": "192.168.1.110", "mac": "00:16:3e:5a:01:0b", "hostname": "SRV-ALPHA-42",
    "distro": "ubuntu22", "osFamily": "linux", "archetype": "linux-server",
    "services": [{"name": "ssh", "ports": [22],
                  "persona": {"version": "OpenSSH_8.9p1 Ubuntu-3ubuntu0.6"}}],
    "identityGeneration": 3, "nodeSelector": {"site": "hq"}})j"_json;
  const DeckySpec spec = parseDeckySpec(document);
  EXPECT_EQ(spec.node, "local");
  EXPECT_EQ(spec.network.gateway, "192.168.1.1");
  EXPECT_EQ(spec.ip, "192.168.1.110");
  EXPECT_EQ(spec.mac, "00:16:3e:5a:01:0b");
  EXPECT_EQ(spec.hostname, "SRV-ALPHA-42");
  EXPECT_EQ(spec.distro, "ubuntu22");
  EXPECT_EQ(spec.osFamily, "linux");
  EXPECT_EQ(spec.archetype, "linux-server");
  ASSERT_EQ(spec.services.size(), 1u);
  EXPECT_EQ(spec.services[0].ports, (std::vector<int>{22}));
  EXPECT_EQ(spec.identityGeneration, 3);
  EXPECT_EQ(spec.nodeSelector.at("site"), "hq");
  EXPECT_EQ(toJson(spec), document);
}

TEST(DeckySpec, ToJsonOmitsEmptyOptionalFields) {
  DeckySpec spec;
  spec.network.subnet = "10.0.0.0/24";
  spec.ip = "10.0.0.5";
  spec.services.push_back(ServiceSpec{"ssh", {}, {}});
  const Json out = toJson(spec);
  EXPECT_EQ(out, R"j({"network": {"driver": "macvlan", "subnet": "10.0.0.0/24"},
                     "ip": "10.0.0.5", "services": [{"name": "ssh"}]})j"_json);
  EXPECT_FALSE(out.contains("mac"));
  EXPECT_FALSE(out.contains("identityGeneration"));
  EXPECT_FALSE(out["services"][0].contains("ports"));
  EXPECT_FALSE(out["services"][0].contains("persona"));
}

TEST(NetworkSpec, ToJson) {
  NetworkSpec network;
  network.subnet = "10.0.0.0/24";
  network.ipRange = "10.0.0.10-10.0.0.20";
  EXPECT_EQ(toJson(network), R"j({"driver": "macvlan", "subnet": "10.0.0.0/24",
                                  "ipRange": "10.0.0.10-10.0.0.20"})j"_json);
  const FleetSpec spec = parseFleetSpec(Json{{"network", toJson(network)}});
  EXPECT_EQ(spec.network.ipRange, "10.0.0.10-10.0.0.20");
}

TEST(ServiceSpec, ToJson) {
  ServiceSpec service{"http", {80, 8080}, {{"fake_app", "jenkins"}}};
  EXPECT_EQ(toJson(service),
            R"j({"name": "http", "ports": [80, 8080], "persona": {"fake_app": "jenkins"}})j"_json);
}

}  // namespace
}  // namespace decnet::api
