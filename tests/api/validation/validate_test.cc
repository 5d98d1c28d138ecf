#include "api/validation/validate.h"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

namespace decnet::api {
namespace {

// A valid Fleet every Fleet row starts from; rows apply an RFC 7386 merge patch to it
// (null removes a key, arrays are replaced whole).
const char* const kBaseFleet = R"j({
  "apiVersion": "decnet.io/v1alpha1",
  "kind": "Fleet",
  "metadata": {"name": "corp-lan", "uid": "uid-corp", "labels": {"site": "hq"}},
  "spec": {
    "network": {"interface": "veth-dn0", "driver": "macvlan", "subnet": "10.77.0.0/24",
                "gateway": "10.77.0.1", "ipRange": "10.77.0.10-10.77.0.49"},
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
      {"name": "fileserver", "ip": "10.77.0.20", "archetype": "file-server",
       "hostname": "FILESRV01"}
    ],
    "mutation": {"interval": "6h", "rotate": ["services", "hostname"], "jitter": "10m"},
    "nodeSelector": {"site": "hq"},
    "logTarget": "tls://siem.example:6514"
  }
})j";

const char* const kBaseDecky = R"j({
  "apiVersion": "decnet.io/v1alpha1",
  "kind": "Decky",
  "metadata": {"name": "corp-lan-01", "uid": "uid-decky",
               "labels": {"decnet.io/fleet": "corp-lan"}},
  "spec": {
    "node": "local",
    "network": {"interface": "veth-dn0", "driver": "macvlan", "subnet": "10.77.0.0/24",
                "gateway": "10.77.0.1"},
    "ip": "10.77.0.10",
    "mac": "00:16:3e:5a:01:0b",
    "hostname": "SRV-ALPHA-42",
    "distro": "ubuntu22",
    "osFamily": "linux",
    "services": [{"name": "ssh", "ports": [22],
                  "persona": {"version": "OpenSSH_8.9p1 Ubuntu-3ubuntu0.6"}}],
    "identityGeneration": 0
  }
})j";

const char* const kBaseNode = R"j({
  "apiVersion": "decnet.io/v1alpha1",
  "kind": "Node",
  "metadata": {"name": "node-a.lab.example", "labels": {"site": "hq"}},
  "spec": {"capacity": {"deckies": 50}, "interfaces": ["veth-dn0", "eth1"]}
})j";

const char* const kBaseEvent = R"j({
  "apiVersion": "decnet.io/v1alpha1",
  "kind": "Event",
  "metadata": {"name": "corp-lan.17a8b2c3"},
  "reason": "DeckyCreated",
  "message": "created decky corp-lan-01",
  "type": "Normal",
  "count": 1,
  "involvedObject": {"kind": "Fleet", "name": "corp-lan"}
})j";

enum class Base { kFleet, kDecky, kNode, kEvent };

Json baseDocument(Base base) {
  switch (base) {
    case Base::kFleet:
      return Json::parse(kBaseFleet);
    case Base::kDecky:
      return Json::parse(kBaseDecky);
    case Base::kNode:
      return Json::parse(kBaseNode);
    case Base::kEvent:
      return Json::parse(kBaseEvent);
  }
  return Json();
}

Object toObject(const Json& document) {
  std::vector<ParseIssue> issues;
  auto object = fromJson(document, issues);
  EXPECT_TRUE(object.has_value()) << document.dump();
  for (const auto& issue : issues) ADD_FAILURE() << issue.path << ": " << issue.detail;
  return object.value_or(Object{});
}

Object patched(Base base, const std::string& patch) {
  Json document = baseDocument(base);
  document.merge_patch(Json::parse(patch));
  return toObject(document);
}

struct Expect {
  std::string path;
  std::string detail;  // a substring of the error's detail
};

std::string dump(const std::vector<FieldError>& errors) {
  std::string text;
  for (const auto& e : errors) text += "\n  " + e.path + ": " + e.detail;
  return text.empty() ? " (none)" : text;
}

// Exactly the expected errors, in order.
void expectErrors(const std::vector<FieldError>& errors, const std::vector<Expect>& expected) {
  ASSERT_EQ(errors.size(), expected.size()) << "errors:" << dump(errors);
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(errors[i].path, expected[i].path) << "error " << i << dump(errors);
    EXPECT_NE(errors[i].detail.find(expected[i].detail), std::string::npos)
        << "error " << i << ": \"" << errors[i].detail << "\" lacks \"" << expected[i].detail
        << "\"";
  }
}

struct Row {
  std::string name;
  Base base;
  std::string patch;
  std::vector<Expect> expected;  // empty: the patched document is valid
};

std::string repeat(char c, std::size_t n) { return std::string(n, c); }

std::vector<Row> rows() {
  const std::string name61 = repeat('a', 61);
  const std::string name55 = repeat('a', 55);
  const std::string name59 = repeat('a', 59);
  const std::string name58 = repeat('a', 58);
  const std::string host65 = repeat('h', 65);
  return {
      // --- top level and metadata
      {"ApiVersionWrong",
       Base::kFleet,
       R"j({"apiVersion": "decnet.io/v1"})j",
       {{"apiVersion", "must be \"decnet.io/v1alpha1\""}}},
      {"KindUnknown",
       Base::kFleet,
       R"j({"kind": "Fleat"})j",
       {{"kind", "unknown kind \"Fleat\" (did you mean \"Fleet\"?)"}}},
      {"NameNotDnsLabel",
       Base::kFleet,
       R"j({"metadata": {"name": "Corp_LAN"}})j",
       {{"metadata.name", "DNS-1123 label"}}},
      {"NameMissing",
       Base::kFleet,
       R"j({"metadata": {"name": null}})j",
       {{"metadata.name", "required"}}},
      {"NameTooLongForReplicaNames",
       Base::kFleet,
       R"j({"metadata": {"name": ")j" + name61 + R"j("}})j",
       {{"metadata.name", "leaves no room for decky names"},
        {"spec.deckies[0].name", "would be 72 characters (max 63)"}}},
      {"NameTooLongForNamedDecky",
       Base::kFleet,
       R"j({"metadata": {"name": ")j" + name55 + R"j("}})j",
       {{"spec.deckies[0].name", "would be 66 characters (max 63)"}}},
      {"NameRoomGrowsWithReplicaDigits",
       Base::kFleet,
       R"j({"metadata": {"name": ")j" + name59 + R"j("}, "spec": {"replicas": 1000,
           "network": {"subnet": "10.64.0.0/16", "gateway": "10.64.0.1", "ipRange": null},
           "deckies": null}})j",
       {{"metadata.name", "-1000\" would be 64 characters"}}},
      {"NameFitsFourDigitReplicas",
       Base::kFleet,
       R"j({"metadata": {"name": ")j" + name58 + R"j("}, "spec": {"replicas": 1000,
           "network": {"subnet": "10.64.0.0/16", "gateway": "10.64.0.1", "ipRange": null},
           "deckies": null}})j",
       {}},
      {"LabelValueInvalid",
       Base::kFleet,
       R"j({"metadata": {"labels": {"site": "h q"}}})j",
       {{"metadata.labels.site", "value must consist of"}}},

      // --- spec.network
      {"SubnetHostBits",
       Base::kFleet,
       R"j({"spec": {"network": {"subnet": "10.77.0.5/24"}}})j",
       {{"spec.network.subnet", "10.77.0.5/24 has host bits set (did you mean 10.77.0.0/24?)"}}},
      {"SubnetMalformed",
       Base::kFleet,
       R"j({"spec": {"network": {"subnet": "10.77.0.0/33"}}})j",
       {{"spec.network.subnet", "must be a CIDR"}}},
      {"SubnetMissing",
       Base::kFleet,
       R"j({"spec": {"network": {"subnet": null}}})j",
       {{"spec.network.subnet", "required"}}},
      {"NetworkMissing",
       Base::kFleet,
       R"j({"spec": {"network": null}})j",
       {{"spec.network", "required"}}},
      {"NetworkNotMap",
       Base::kFleet,
       R"j({"spec": {"network": "eth0"}})j",
       {{"spec.network", "must be a map (got a string)"}}},
      {"GatewayOutsideSubnet",
       Base::kFleet,
       R"j({"spec": {"network": {"gateway": "10.78.0.1"}}})j",
       {{"spec.network.gateway", "10.78.0.1 is outside the subnet 10.77.0.0/24"}}},
      {"GatewayBroadcast",
       Base::kFleet,
       R"j({"spec": {"network": {"gateway": "10.77.0.255"}}})j",
       {{"spec.network.gateway", "is the broadcast address of 10.77.0.0/24"}}},
      {"GatewayMalformed",
       Base::kFleet,
       R"j({"spec": {"network": {"gateway": "10.77.0"}}})j",
       {{"spec.network.gateway", "must be an IPv4 address"}}},
      {"DriverEnum",
       Base::kFleet,
       R"j({"spec": {"network": {"driver": "macvlam"}}})j",
       {{"spec.network.driver", "must be one of macvlan, ipvlan (did you mean \"macvlan\"?)"}}},
      {"DriverIpvlan", Base::kFleet, R"j({"spec": {"network": {"driver": "ipvlan"}}})j", {}},
      {"InterfaceTooLong",
       Base::kFleet,
       R"j({"spec": {"network": {"interface": "veth-decnet-lab0"}}})j",
       {{"spec.network.interface", "at most 15 characters"}}},
      {"InterfaceSlash",
       Base::kFleet,
       R"j({"spec": {"network": {"interface": "eth0/1"}}})j",
       {{"spec.network.interface", "must not contain '/', ':' or whitespace"}}},
      {"InterfaceEmpty",
       Base::kFleet,
       R"j({"spec": {"network": {"interface": ""}}})j",
       {{"spec.network.interface", "must not be empty"}}},
      {"InterfaceOmitted", Base::kFleet, R"j({"spec": {"network": {"interface": null}}})j", {}},
      {"IpRangeReversed",
       Base::kFleet,
       R"j({"spec": {"network": {"ipRange": "10.77.0.49-10.77.0.10"}}})j",
       {{"spec.network.ipRange", "(did you mean 10.77.0.10-10.77.0.49?)"}}},
      {"IpRangeOutsideSubnet",
       Base::kFleet,
       R"j({"spec": {"network": {"ipRange": "10.77.1.10-10.77.1.20"}}})j",
       {{"spec.network.ipRange", "is not inside the subnet 10.77.0.0/24"}}},
      {"IpRangeMalformed",
       Base::kFleet,
       R"j({"spec": {"network": {"ipRange": "10.77.0.10-"}}})j",
       {{"spec.network.ipRange", "must be \"first-last\""}}},
      {"IpRangeSingleAddress",
       Base::kFleet,
       R"j({"spec": {"replicas": 1, "deckies": null,
                     "network": {"ipRange": "10.77.0.30"}}})j",
       {}},
      {"IpRangeSingleAddressTooSmall",
       Base::kFleet,
       R"j({"spec": {"replicas": 2, "deckies": null,
                     "network": {"ipRange": "10.77.0.30"}}})j",
       {{"spec.replicas", "needs 2 addresses but the range has 1 free"}}},

      // --- unknown fields everywhere
      {"UnknownFieldInSpec",
       Base::kFleet,
       R"j({"spec": {"replica": 3}})j",
       {{"spec.replica", "unknown field (did you mean \"replicas\"?)"}}},
      {"UnknownFieldInNetwork",
       Base::kFleet,
       R"j({"spec": {"network": {"gw": "10.77.0.1"}}})j",
       {{"spec.network.gw", "unknown field"}}},
      {"UnknownFieldInTemplate",
       Base::kFleet,
       R"j({"spec": {"template": {"distro": ["debian"]}}})j",
       {{"spec.template.distro", "unknown field (did you mean \"distros\"?)"}}},
      {"UnknownFieldInService",
       Base::kFleet,
       R"j({"spec": {"template": {"services": [{"name": "ssh", "port": [22]}]}}})j",
       {{"spec.template.services[0].port", "unknown field (did you mean \"ports\"?)"}}},
      {"UnknownFieldInDecky",
       Base::kFleet,
       R"j({"spec": {"deckies": [{"name": "fileserver", "ip": "10.77.0.20",
                                  "archetype": "file-server", "hostnme": "X"}]}})j",
       {{"spec.deckies[0].hostnme", "unknown field (did you mean \"hostname\"?)"}}},
      {"UnknownFieldInMutation",
       Base::kFleet,
       R"j({"spec": {"mutation": {"intervall": "1h"}}})j",
       {{"spec.mutation.intervall", "unknown field (did you mean \"interval\"?)"}}},

      // --- spec.replicas
      {"ReplicasNegative",
       Base::kFleet,
       R"j({"spec": {"replicas": -1}})j",
       {{"spec.replicas", "must be 0..1000"}}},
      {"ReplicasTooMany",
       Base::kFleet,
       R"j({"spec": {"replicas": 1001}})j",
       {{"spec.replicas", "must be 0..1000"}}},
      {"ReplicasString",
       Base::kFleet,
       R"j({"spec": {"replicas": "3"}})j",
       {{"spec.replicas", "must be an integer 0..1000 (got a string)"}}},
      {"ReplicasFraction",
       Base::kFleet,
       R"j({"spec": {"replicas": 2.5}})j",
       {{"spec.replicas", "must be an integer 0..1000 (got a number)"}}},
      {"ScaledToZero", Base::kFleet, R"j({"spec": {"replicas": 0, "template": null}})j", {}},

      // --- spec.template
      {"ArchetypeUnknown",
       Base::kFleet,
       R"j({"spec": {"template": {"archetype": "linux-srv"}}})j",
       {{"spec.template.archetype",
         "unknown archetype \"linux-srv\" (did you mean \"linux-server\"?)"}}},
      {"ArchetypeUnknownListsKnown",
       Base::kFleet,
       R"j({"spec": {"template": {"archetype": "mainframe"}}})j",
       {{"spec.template.archetype", "(known: windows-workstation, windows-server"}}},
      {"ServiceUnknown",
       Base::kFleet,
       R"j({"spec": {"template": {"services": [{"name": "http"}, {"name": "shh"}]}}})j",
       {{"spec.template.services[1]", "unknown service \"shh\" (did you mean \"ssh\"?)"}}},
      {"ServiceNameMissing",
       Base::kFleet,
       R"j({"spec": {"template": {"services": [{"ports": [22]}]}}})j",
       {{"spec.template.services[0].name", "required"}}},
      {"ServiceEntryNotMap",
       Base::kFleet,
       R"j({"spec": {"template": {"services": ["ssh"]}}})j",
       {{"spec.template.services[0]", "must be a map"}}},
      {"ServicesNotList",
       Base::kFleet,
       R"j({"spec": {"template": {"services": "ssh"}}})j",
       {{"spec.template.services", "must be a list (got a string)"}}},
      {"ServiceDuplicate",
       Base::kFleet,
       R"j({"spec": {"template": {"services": [{"name": "ssh"},
                                               {"name": "ssh", "ports": [2222]}]}}})j",
       {{"spec.template.services[1]",
         "duplicate service \"ssh\" (also spec.template.services[0])"}}},
      {"ServiceDuplicateReportedOnce",
       Base::kFleet,
       R"j({"spec": {"template": {"services": [{"name": "ssh"}, {"name": "ssh"}]}}})j",
       {{"spec.template.services[1]", "duplicate service \"ssh\""}}},
      {"PortOutOfRange",
       Base::kFleet,
       R"j({"spec": {"template": {"services": [{"name": "ssh"}, {"name": "http"},
                                               {"name": "ftp", "ports": [70000]}]}}})j",
       {{"spec.template.services[2].ports[0]", "must be 1..65535"}}},
      {"PortZero",
       Base::kFleet,
       R"j({"spec": {"template": {"services": [{"name": "ssh", "ports": [0]}]}}})j",
       {{"spec.template.services[0].ports[0]", "must be 1..65535"}}},
      {"PortNotInteger",
       Base::kFleet,
       R"j({"spec": {"template": {"services": [{"name": "ssh", "ports": ["22"]}]}}})j",
       {{"spec.template.services[0].ports[0]", "must be 1..65535 (got a string)"}}},
      {"PortRepeatedInService",
       Base::kFleet,
       R"j({"spec": {"template": {"services": [{"name": "http", "ports": [80, 80]}]}}})j",
       {{"spec.template.services[0].ports[1]", "duplicate port 80"}}},
      {"PortsTooMany",
       Base::kFleet,
       R"j({"spec": {"template": {"services": [{"name": "http", "ports": [
           1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 1009,
           1010, 1011, 1012, 1013, 1014, 1015, 1016, 1017]}]}}})j",
       {{"spec.template.services[0].ports", "at most 16 items (has 17)"}}},
      {"PortClashExplicit",
       Base::kFleet,
       R"j({"spec": {"template": {"services": [{"name": "http"},
                                               {"name": "https", "ports": [80]}]}}})j",
       {{"spec.template.services[1].ports[0]", "port 80/tcp is also used by services[0] (http)"}}},
      {"PortClashWithCatalogPort",
       Base::kFleet,
       R"j({"spec": {"template": {"services": [{"name": "http", "ports": [22]},
                                               {"name": "ssh"}]}}})j",
       {{"spec.template.services[1]", "port 22/tcp is also used by services[0] (http)"}}},
      {"PortClashUdp",
       Base::kFleet,
       R"j({"spec": {"template": {"services": [{"name": "dns"},
                                               {"name": "tftp", "ports": [53]}]}}})j",
       {{"spec.template.services[1].ports[0]", "port 53/udp is also used by services[0] (dns)"}}},
      {"PortSameNumberOtherProtocol",
       Base::kFleet,
       R"j({"spec": {"template": {"services": [{"name": "ssh"},
                                               {"name": "snmp", "ports": [22]}]}}})j",
       {}},
      {"PersonaUnknownKey",
       Base::kFleet,
       R"j({"spec": {"template": {"services": [{"name": "ssh", "persona": {"foo": "x"}}]}}})j",
       {{"spec.template.services[0].persona.foo",
         "unknown persona key for ssh (known: version, users, hostname, kernel)"}}},
      {"PersonaKeyTypo",
       Base::kFleet,
       R"j({"spec": {"template": {"services": [{"name": "ssh",
                                                "persona": {"verison": "x"}}]}}})j",
       {{"spec.template.services[0].persona.verison", "did you mean \"version\"?"}}},
      {"PersonaKeyOnServiceWithoutPersona",
       Base::kFleet,
       R"j({"spec": {"template": {"services": [{"name": "tftp", "persona": {"mode": "x"}}]}}})j",
       {{"spec.template.services[0].persona.mode", "unknown persona key for tftp (it has none)"}}},
      {"PersonaValueNotScalar",
       Base::kFleet,
       R"j({"spec": {"template": {"services": [{"name": "ssh",
                                                "persona": {"version": ["a"]}}]}}})j",
       {{"spec.template.services[0].persona.version",
         "must be a string, number or boolean (got a list)"}}},
      {"PersonaNotMap",
       Base::kFleet,
       R"j({"spec": {"template": {"services": [{"name": "ssh", "persona": "x"}]}}})j",
       {{"spec.template.services[0].persona", "must be a map (got a string)"}}},
      {"PersonaNumbersAndBooleans",
       Base::kFleet,
       R"j({"spec": {"template": {"services": [
           {"name": "http", "persona": {"response_code": 404}},
           {"name": "smtp", "persona": {"open_relay": true, "mta": "exim"}}]}}})j",
       {}},
      {"WindowsVersionOnALinuxTemplate",
       Base::kFleet,
       R"j({"spec": {"template": {"osFamily": "linux", "distros": ["debian", "win2019"]}}})j",
       {{"spec.template.distros[1]", "win2019 is a Windows version but the OS family is linux"}}},
      {"LinuxDistroOnAWindowsTemplate",
       Base::kFleet,
       R"j({"spec": {"template": {"osFamily": "windows", "distros": ["debian"]}}})j",
       {{"spec.template.distros[0]", "debian is a Linux distro but the OS family is windows"}}},
      {"WindowsVersionOnAWindowsTemplate",
       Base::kFleet,
       R"j({"spec": {"template": {"osFamily": "windows", "distros": ["win2022"]}}})j",
       {}},
      {"PersonaResponseCode",
       Base::kFleet,
       R"j({"spec": {"template": {"services": [{"name": "http",
                                                "persona": {"response_code": 99}}]}}})j",
       {{"spec.template.services[0].persona.response_code", "must be an integer 200..599"}}},
      {"PersonaEnum",
       Base::kFleet,
       R"j({"spec": {"template": {"services": [{"name": "http",
                                                "persona": {"fake_app": "wordpres"}}]}}})j",
       {{"spec.template.services[0].persona.fake_app", "did you mean \"wordpress\"?"}}},
      {"PersonaBoolean",
       Base::kFleet,
       R"j({"spec": {"template": {"services": [{"name": "smtp",
                                                "persona": {"open_relay": "yes"}}]}}})j",
       {{"spec.template.services[0].persona.open_relay", "must be true or false"}}},
      {"PersonaUsers",
       Base::kFleet,
       R"j({"spec": {"template": {"services": [{"name": "ssh", "persona": {"users": "root"}}]}}})j",
       {{"spec.template.services[0].persona.users", "user:password pairs"}}},
      {"CustomNeedsExec",
       Base::kFleet,
       R"j({"spec": {"template": {"services": [{"name": "custom", "ports": [9000]}]}}})j",
       {{"spec.template.services[0].persona.exec", "required for a custom service"}}},
      {"CustomNeedsPorts",
       Base::kFleet,
       R"j({"spec": {"template": {"services": [{"name": "custom",
                                                "persona": {"exec": "/opt/x"}}]}}})j",
       {{"spec.template.services[0].ports", "required for a custom service"}}},
      {"CustomPortsInPersona",
       Base::kFleet,
       R"j({"spec": {"template": {"services": [{"name": "custom",
           "persona": {"exec": "/opt/x", "ports": "9000, 9001"}}]}}})j",
       {}},
      {"CustomPersonaPortClash",
       Base::kFleet,
       R"j({"spec": {"template": {"services": [{"name": "ssh"}, {"name": "custom",
           "persona": {"exec": "/opt/x", "ports": 22}}]}}})j",
       {{"spec.template.services[1].persona.ports",
         "port 22/tcp is also used by services[0] (ssh)"}}},
      {"CustomPersonaPortsMalformed",
       Base::kFleet,
       R"j({"spec": {"template": {"services": [{"name": "custom",
           "persona": {"exec": "/opt/x", "ports": "90000"}}]}}})j",
       {{"spec.template.services[0].persona.ports", "must be ports 1..65535"}}},
      {"DistroUnknown",
       Base::kFleet,
       R"j({"spec": {"template": {"distros": ["ubuntu24"]}}})j",
       {{"spec.template.distros[0]", "unknown distro \"ubuntu24\" (did you mean \"ubuntu22\"?)"}}},
      {"OsFamilyEnum",
       Base::kFleet,
       R"j({"spec": {"template": {"osFamily": "linx"}}})j",
       {{"spec.template.osFamily",
         "must be one of linux, windows, bsd, embedded, cisco (did you mean \"linux\"?)"}}},
      {"TemplateNeedsArchetypeOrServices",
       Base::kFleet,
       R"j({"spec": {"template": {"archetype": null, "services": null}}})j",
       {{"spec.template", "needs an archetype or services"}}},
      {"TemplateEmptyServicesOnly",
       Base::kFleet,
       R"j({"spec": {"template": {"archetype": null, "services": []}}})j",
       {{"spec.template", "needs an archetype or services"}}},
      {"TemplateMissingWithReplicas",
       Base::kFleet,
       R"j({"spec": {"template": null}})j",
       {{"spec.template", "needs an archetype or services"}}},
      {"TemplateNotMap",
       Base::kFleet,
       R"j({"spec": {"template": "linux"}})j",
       {{"spec.template", "must be a map (got a string)"},
        {"spec.template", "needs an archetype or services"}}},
      {"TemplateServicesWithoutArchetype",
       Base::kFleet,
       R"j({"spec": {"template": {"archetype": null}}})j",
       {}},

      // --- spec.deckies
      {"DeckyNameInvalid",
       Base::kFleet,
       R"j({"spec": {"deckies": [{"name": "File_Server", "archetype": "file-server"}]}})j",
       {{"spec.deckies[0].name", "DNS-1123 label"}}},
      {"DeckyNameNumeric",
       Base::kFleet,
       R"j({"spec": {"deckies": [{"name": "01", "archetype": "file-server"}]}})j",
       {{"spec.deckies[0].name", "must not be a number"}}},
      {"DeckyNameDuplicate",
       Base::kFleet,
       R"j({"spec": {"deckies": [{"name": "db", "ip": "10.77.0.20", "archetype": "deaddeck"},
                                 {"name": "db", "archetype": "deaddeck"}]}})j",
       {{"spec.deckies[1].name", "duplicate name \"db\" (also spec.deckies[0])"}}},
      {"DeckyNameMissing",
       Base::kFleet,
       R"j({"spec": {"deckies": [{"ip": "10.77.0.20", "archetype": "file-server"}]}})j",
       {{"spec.deckies[0].name", "required"}}},
      {"DeckyIpOutsideSubnet",
       Base::kFleet,
       R"j({"spec": {"deckies": [{"name": "fs", "ip": "10.77.1.20", "archetype": "deaddeck"}]}})j",
       {{"spec.deckies[0].ip", "10.77.1.20 is outside the subnet 10.77.0.0/24"}}},
      {"DeckyIpIsGateway",
       Base::kFleet,
       R"j({"spec": {"deckies": [{"name": "fs", "ip": "10.77.0.1", "archetype": "deaddeck"}]}})j",
       {{"spec.deckies[0].ip", "10.77.0.1 is the gateway"}}},
      {"DeckyIpIsNetwork",
       Base::kFleet,
       R"j({"spec": {"deckies": [{"name": "fs", "ip": "10.77.0.0", "archetype": "deaddeck"}]}})j",
       {{"spec.deckies[0].ip", "is the network address of 10.77.0.0/24"}}},
      {"DeckyIpMalformed",
       Base::kFleet,
       R"j({"spec": {"deckies": [{"name": "fs", "ip": "10.77.0.300",
                                  "archetype": "deaddeck"}]}})j",
       {{"spec.deckies[0].ip", "must be an IPv4 address"}}},
      {"DeckyIpOutsideRangeAllowed",
       Base::kFleet,
       R"j({"spec": {"deckies": [{"name": "fs", "ip": "10.77.0.200",
                                  "archetype": "deaddeck"}]}})j",
       {}},
      {"DeckyIpDuplicate",
       Base::kFleet,
       R"j({"spec": {"deckies": [{"name": "a", "ip": "10.77.0.20", "archetype": "deaddeck"},
                                 {"name": "b", "ip": "10.77.0.20", "archetype": "deaddeck"}]}})j",
       {{"spec.deckies[1].ip", "10.77.0.20 is also the ip of spec.deckies[0]"}}},
      {"DeckyHostnameInvalid",
       Base::kFleet,
       R"j({"spec": {"deckies": [{"name": "fs", "hostname": "bad_host",
                                  "archetype": "deaddeck"}]}})j",
       {{"spec.deckies[0].hostname", "must be a host name"}}},
      {"DeckyHostnameTooLong",
       Base::kFleet,
       R"j({"spec": {"deckies": [{"name": "fs", "hostname": ")j" + host65 +
           R"j(", "archetype": "deaddeck"}]}})j",
       {{"spec.deckies[0].hostname", "at most 64 characters (has 65)"}}},
      {"DeckyHostnameDuplicate",
       Base::kFleet,
       R"j({"spec": {"deckies": [{"name": "a", "hostname": "WS01", "archetype": "deaddeck"},
                                 {"name": "b", "hostname": "ws01", "archetype": "deaddeck"}]}})j",
       {{"spec.deckies[1].hostname", "duplicate hostname \"ws01\" (also spec.deckies[0])"}}},
      {"DeckyNeedsServices",
       Base::kFleet,
       R"j({"spec": {"replicas": 0, "template": null,
                     "deckies": [{"name": "bare", "ip": "10.77.0.21"}]}})j",
       {{"spec.deckies[0]", "needs an archetype or services (its own or the template's)"}}},
      {"DeckyInheritsTemplate",
       Base::kFleet,
       R"j({"spec": {"deckies": [{"name": "bare", "ip": "10.77.0.21"}]}})j",
       {}},
      {"DeckyDistroUnknown",
       Base::kFleet,
       R"j({"spec": {"deckies": [{"name": "fs", "distro": "debain", "archetype": "deaddeck"}]}})j",
       {{"spec.deckies[0].distro", "did you mean \"debian\"?"}}},
      {"DeckyOsFamilyEnum",
       Base::kFleet,
       R"j({"spec": {"deckies": [{"name": "fs", "osFamily": "win", "archetype": "deaddeck"}]}})j",
       {{"spec.deckies[0].osFamily", "must be one of linux, windows"}}},
      {"DeckyServicesChecked",
       Base::kFleet,
       R"j({"spec": {"deckies": [{"name": "fs", "services": [{"name": "shh"}]}]}})j",
       {{"spec.deckies[0].services[0]", "unknown service \"shh\" (did you mean \"ssh\"?)"}}},
      {"DeckiesNotList",
       Base::kFleet,
       R"j({"spec": {"deckies": {"name": "x"}}})j",
       {{"spec.deckies", "must be a list (got a map)"}}},

      // --- address pool capacity
      {"CapacityExceeded",
       Base::kFleet,
       R"j({"spec": {"replicas": 40}})j",
       {{"spec.replicas", "needs 40 addresses but the range has 39 free"}}},
      {"CapacityExact", Base::kFleet, R"j({"spec": {"replicas": 39}})j", {}},
      {"CapacityCountsDeckiesWithoutIp",
       Base::kFleet,
       R"j({"spec": {"replicas": 38, "deckies": [
           {"name": "fileserver", "ip": "10.77.0.20", "archetype": "file-server"},
           {"name": "a", "archetype": "deaddeck"}, {"name": "b", "archetype": "deaddeck"}]}})j",
       {{"spec.replicas", "needs 40 addresses but the range has 39 free"}}},
      {"CapacityWholeSubnet",
       Base::kFleet,
       R"j({"spec": {"replicas": 300, "network": {"ipRange": null}}})j",
       {{"spec.replicas", "needs 300 addresses but the subnet has 252 free"}}},
      {"CapacityNamedDeckiesOnly",
       Base::kFleet,
       R"j({"spec": {"replicas": 0, "network": {"ipRange": "10.77.0.10-10.77.0.10"},
                     "deckies": [{"name": "a", "archetype": "deaddeck"},
                                 {"name": "b", "archetype": "deaddeck"}]}})j",
       {{"spec.deckies", "needs 2 addresses but the range has 1 free"}}},

      // --- spec.mutation
      {"MutationIntervalTooShort",
       Base::kFleet,
       R"j({"spec": {"mutation": {"interval": "30s"}}})j",
       {{"spec.mutation.interval", "must be at least 1m"}}},
      {"MutationIntervalMalformed",
       Base::kFleet,
       R"j({"spec": {"mutation": {"interval": "6x"}}})j",
       {{"spec.mutation.interval", "must be a duration like"}}},
      {"MutationIntervalMissing",
       Base::kFleet,
       R"j({"spec": {"mutation": {"interval": null}}})j",
       {{"spec.mutation.interval", "required"}}},
      {"MutationIntervalNumber",
       Base::kFleet,
       R"j({"spec": {"mutation": {"interval": 360}}})j",
       {{"spec.mutation.interval", "must be a string (got a number)"}}},
      {"MutationJitterNotShorter",
       Base::kFleet,
       R"j({"spec": {"mutation": {"jitter": "6h"}}})j",
       {{"spec.mutation.jitter", "must be shorter than the interval (6h)"}}},
      {"MutationJitterMalformed",
       Base::kFleet,
       R"j({"spec": {"mutation": {"jitter": "ten minutes"}}})j",
       {{"spec.mutation.jitter", "must be a duration like"}}},
      {"MutationRotateEnum",
       Base::kFleet,
       R"j({"spec": {"mutation": {"rotate": ["hostnames"]}}})j",
       {{"spec.mutation.rotate[0]", "did you mean \"hostname\"?"}}},
      {"MutationRotateDuplicate",
       Base::kFleet,
       R"j({"spec": {"mutation": {"rotate": ["mac", "mac"]}}})j",
       {{"spec.mutation.rotate[1]", "duplicate \"mac\""}}},
      {"MutationNotMap",
       Base::kFleet,
       R"j({"spec": {"mutation": "6h"}})j",
       {{"spec.mutation", "must be a map (got a string)"}}},

      // --- nodeSelector, logTarget
      {"NodeSelectorValueNotString",
       Base::kFleet,
       R"j({"spec": {"nodeSelector": {"site": 3}}})j",
       {{"spec.nodeSelector.site", "must be a string (got a number)"}}},
      {"NodeSelectorKeyInvalid",
       Base::kFleet,
       R"j({"spec": {"nodeSelector": {"bad key": "x"}}})j",
       {{"spec.nodeSelector.bad key", "key must consist of"}}},
      {"LogTargetScheme",
       Base::kFleet,
       R"j({"spec": {"logTarget": "ftp://siem:21"}})j",
       {{"spec.logTarget", "unsupported scheme \"ftp\""}}},
      {"LogTargetNoPort",
       Base::kFleet,
       R"j({"spec": {"logTarget": "siem.example"}})j",
       {{"spec.logTarget", "must be host:port"}}},
      {"LogTargetHostPort", Base::kFleet, R"j({"spec": {"logTarget": "10.0.0.5:514"}})j", {}},
      {"LogTargetNotString",
       Base::kFleet,
       R"j({"spec": {"logTarget": 5}})j",
       {{"spec.logTarget", "must be a string (got a number)"}}},

      // --- Decky
      {"DeckyBaseIsValid", Base::kDecky, "{}", {}},
      {"DeckySpecIpRequired",
       Base::kDecky,
       R"j({"spec": {"ip": null}})j",
       {{"spec.ip", "required"}}},
      {"DeckySpecIpBroadcast",
       Base::kDecky,
       R"j({"spec": {"ip": "10.77.0.255"}})j",
       {{"spec.ip", "is the broadcast address"}}},
      {"DeckySpecIpGateway",
       Base::kDecky,
       R"j({"spec": {"ip": "10.77.0.1"}})j",
       {{"spec.ip", "is the gateway"}}},
      {"DeckySpecIpOutside",
       Base::kDecky,
       R"j({"spec": {"ip": "192.168.0.10"}})j",
       {{"spec.ip", "is outside the subnet 10.77.0.0/24"}}},
      {"DeckySpecNetworkMissing",
       Base::kDecky,
       R"j({"spec": {"network": null}})j",
       {{"spec.network", "required"}}},
      {"DeckySpecMacMulticast",
       Base::kDecky,
       R"j({"spec": {"mac": "01:00:5e:00:00:01"}})j",
       {{"spec.mac", "must be a unicast MAC address"}}},
      {"DeckySpecMacMalformed",
       Base::kDecky,
       R"j({"spec": {"mac": "00:16:3e:5a:01"}})j",
       {{"spec.mac", "must be a MAC address like"}}},
      {"DeckySpecMacUppercase", Base::kDecky, R"j({"spec": {"mac": "00:16:3E:5A:01:0B"}})j", {}},
      {"DeckySpecIdentityGenerationNegative",
       Base::kDecky,
       R"j({"spec": {"identityGeneration": -1}})j",
       {{"spec.identityGeneration", "must be >= 0"}}},
      {"DeckySpecUnknownField",
       Base::kDecky,
       R"j({"spec": {"replicas": 2}})j",
       {{"spec.replicas", "unknown field"}}},
      {"DeckySpecNeedsServices",
       Base::kDecky,
       R"j({"spec": {"services": null}})j",
       {{"spec.services", "needs an archetype or services"}}},
      {"DeckySpecArchetypeOnly",
       Base::kDecky,
       R"j({"spec": {"services": null, "archetype": "deaddeck"}})j",
       {}},
      {"DeckySpecNodeInvalid",
       Base::kDecky,
       R"j({"spec": {"node": "Node_1"}})j",
       {{"spec.node", "DNS-1123 subdomain"}}},
      {"DeckySpecNodeEmptyMeansUnscheduled", Base::kDecky, R"j({"spec": {"node": ""}})j", {}},
      {"DeckySpecHostnameTooLong",
       Base::kDecky,
       R"j({"spec": {"hostname": ")j" + host65 + R"j("}})j",
       {{"spec.hostname", "at most 64 characters"}}},
      {"DeckySpecPortClash",
       Base::kDecky,
       R"j({"spec": {"services": [{"name": "ssh"}, {"name": "telnet", "ports": [22]}]}})j",
       {{"spec.services[1].ports[0]", "port 22/tcp is also used by services[0] (ssh)"}}},
      {"DeckyMetadataNameUppercase",
       Base::kDecky,
       R"j({"metadata": {"name": "Corp-01"}})j",
       {{"metadata.name", "DNS-1123 label"}}},

      // --- Node
      {"NodeBaseIsValid", Base::kNode, "{}", {}},
      {"NodeCapacityNegative",
       Base::kNode,
       R"j({"spec": {"capacity": {"deckies": -1}}})j",
       {{"spec.capacity.deckies", "must be >= 0"}}},
      {"NodeCapacityUnknownField",
       Base::kNode,
       R"j({"spec": {"capacity": {"cpus": 4}}})j",
       {{"spec.capacity.cpus", "unknown field"}}},
      {"NodeInterfaceInvalid",
       Base::kNode,
       R"j({"spec": {"interfaces": ["bad/if"]}})j",
       {{"spec.interfaces[0]", "must not contain"}}},
      {"NodeUnknownField",
       Base::kNode,
       R"j({"spec": {"address": "10.0.0.2"}})j",
       {{"spec.address", "unknown field"}}},
      {"NodeNameInvalid",
       Base::kNode,
       R"j({"metadata": {"name": "Node_A"}})j",
       {{"metadata.name", "DNS-1123 subdomain"}}},

      // --- Event
      {"EventBaseIsValid", Base::kEvent, "{}", {}},
      {"EventLenientAboutExtraFields", Base::kEvent, R"j({"type": "Odd", "extra": [1]})j", {}},
      {"EventReasonMissing", Base::kEvent, R"j({"reason": null})j", {{"reason", "required"}}},
      {"EventInvolvedObjectMissing",
       Base::kEvent,
       R"j({"involvedObject": null})j",
       {{"involvedObject", "required"}}},
      {"EventInvolvedNameMissing",
       Base::kEvent,
       R"j({"involvedObject": {"name": null}})j",
       {{"involvedObject.name", "required"}}},
  };
}

// gtest prints a failing parameter with these instead of a byte dump.
void PrintTo(const Row& row, std::ostream* out) { *out << row.name; }

class ValidateObjectTest : public ::testing::TestWithParam<Row> {};

TEST_P(ValidateObjectTest, ReportsExactlyTheExpectedErrors) {
  const Row& row = GetParam();
  expectErrors(validateObject(patched(row.base, row.patch)), row.expected);
}

INSTANTIATE_TEST_SUITE_P(Rules, ValidateObjectTest, ::testing::ValuesIn(rows()),
                         [](const ::testing::TestParamInfo<Row>& info) { return info.param.name; });

TEST(ValidateObject, ValidBasesHaveNoErrors) {
  for (Base base : {Base::kFleet, Base::kDecky, Base::kNode, Base::kEvent}) {
    const auto errors = validateObject(toObject(baseDocument(base)));
    EXPECT_TRUE(errors.empty()) << dump(errors);
  }
}

TEST(ValidateObject, DesignExampleIsValid) {
  const Json document = R"j({
    "apiVersion": "decnet.io/v1alpha1", "kind": "Fleet",
    "metadata": {"name": "corp-lan", "labels": {"site": "hq"}},
    "spec": {
      "network": {"interface": "eth0", "driver": "macvlan", "subnet": "192.168.1.0/24",
                  "gateway": "192.168.1.1", "ipRange": "192.168.1.110-192.168.1.149"},
      "replicas": 6,
      "template": {"archetype": "linux-server",
                   "services": [{"name": "ssh", "persona": {"version": "OpenSSH_8.9p1 Ubuntu-3ubuntu0.6",
                                                            "users": "root:toor,admin:admin"}},
                                {"name": "http", "ports": [80, 8080],
                                 "persona": {"server_header": "nginx/1.18.0", "fake_app": "wordpress"}}],
                   "distros": ["ubuntu22", "debian"], "osFamily": "linux"},
      "deckies": [{"name": "fileserver", "ip": "192.168.1.120", "archetype": "file-server",
                   "hostname": "FILESRV01"}],
      "mutation": {"interval": "6h", "rotate": ["services", "hostname"], "jitter": "10m"},
      "nodeSelector": {"site": "hq"}}})j"_json;
  const auto errors = validateObject(toObject(document));
  EXPECT_TRUE(errors.empty()) << dump(errors);
}

TEST(ValidateObject, CollectsSeveralErrorsAtOnceInDocumentOrder) {
  const Object object = patched(Base::kFleet, R"j({
    "apiVersion": "v1",
    "spec": {
      "replica": 3,
      "network": {"driver": "bridge", "subnet": "10.77.0.5/24"},
      "template": {"archetype": "linux-srv",
                   "services": [{"name": "ssh"}, {"name": "shh"}, {"name": "ftp", "ports": [0]}]},
      "deckies": [{"name": "fileserver", "ip": "10.77.0.20", "archetype": "file-server"},
                  {"name": "fileserver", "archetype": "nas"}],
      "mutation": {"interval": "30s"}
    }})j");
  expectErrors(validateObject(object),
               {{"apiVersion", "must be \"decnet.io/v1alpha1\""},
                {"spec.replica", "unknown field"},
                {"spec.network.driver", "must be one of macvlan, ipvlan"},
                {"spec.network.subnet", "has host bits set"},
                {"spec.template.archetype", "unknown archetype \"linux-srv\""},
                {"spec.template.services[1]", "unknown service \"shh\""},
                {"spec.template.services[2].ports[0]", "must be 1..65535"},
                {"spec.deckies[1].name", "duplicate name"},
                {"spec.deckies[1].archetype", "unknown archetype \"nas\""},
                {"spec.mutation.interval", "must be at least 1m"}});
}

TEST(ValidateObject, UnknownKindSkipsSpecChecks) {
  const auto errors = validateObject(patched(Base::kFleet, R"j({"kind": "Widget",
      "spec": {"replicas": -5}})j"));
  expectErrors(errors, {{"kind", "unknown kind \"Widget\""}});
}

TEST(ValidateObject, InvalidObjectErrorCarriesTheFields) {
  const Object object = patched(Base::kFleet, R"j({"spec": {"replicas": -1}})j");
  const Error error = invalidObjectError(object, validateObject(object));
  EXPECT_EQ(error.code, Errc::kInvalid);
  EXPECT_EQ(error.message, "Fleet \"corp-lan\" is invalid");
  ASSERT_EQ(error.fields.size(), 1u);
  EXPECT_EQ(error.fields[0].path, "spec.replicas");
}

// ---------------------------------------------------------------------------------------------
// validateAgainst

Json fleetDocument(const std::string& name, const std::string& iface, const Json& deckies) {
  Json document = Json::parse(kBaseFleet);
  document["metadata"]["name"] = name;
  document["metadata"]["uid"] = "uid-" + name;
  document["spec"]["network"]["interface"] = iface;
  if (iface.empty()) document["spec"]["network"].erase("interface");
  document["spec"]["deckies"] = deckies;
  return document;
}

// A Decky on `iface` at `ip`, labelled with `fleet` and owned by `ownerUid` when given.
Json deckyDocument(const std::string& name, const std::string& iface, const std::string& ip,
                   const std::string& fleet, const std::string& ownerUid) {
  Json document = Json::parse(kBaseDecky);
  document["metadata"]["name"] = name;
  document["metadata"]["labels"] = Json::object();
  if (!fleet.empty()) document["metadata"]["labels"]["decnet.io/fleet"] = fleet;
  if (!ownerUid.empty()) {
    document["metadata"]["ownerReferences"] = Json::array({{{"apiVersion", "decnet.io/v1alpha1"},
                                                            {"kind", "Fleet"},
                                                            {"name", fleet},
                                                            {"uid", ownerUid},
                                                            {"controller", true}}});
  }
  document["spec"]["network"]["interface"] = iface;
  if (iface.empty()) document["spec"]["network"].erase("interface");
  document["spec"]["ip"] = ip;
  return document;
}

struct AgainstRow {
  std::string name;
  Base base;  // the candidate: kFleet or kDecky
  std::string patch;
  std::vector<Json> fleets;
  std::vector<Json> deckies;
  std::vector<Expect> expected;
};

// 35 deckies of fleet "other" on 10.77.0.10-10.77.0.45 except .20, on `iface`.
std::vector<Json> crowd(const std::string& iface) {
  std::vector<Json> out;
  for (int last = 10; last <= 45; ++last) {
    if (last == 20) continue;
    out.push_back(deckyDocument("other-" + std::to_string(last), iface,
                                "10.77.0." + std::to_string(last), "other", "uid-other"));
  }
  return out;
}

std::vector<AgainstRow> againstRows() {
  const Json otherDb = R"j([{"name": "db", "ip": "10.77.0.20", "archetype": "deaddeck"}])j"_json;
  return {
      {"FleetAlone", Base::kFleet, "{}", {}, {}, {}},
      {"FleetIpDeclaredByAnotherFleet",
       Base::kFleet,
       "{}",
       {fleetDocument("other", "veth-dn0", otherDb)},
       {},
       {{"spec.deckies[0].ip", "10.77.0.20 is already used by decky other-db (fleet other)"}}},
      {"FleetIpOnAnotherInterfaceIsFine",
       Base::kFleet,
       "{}",
       {fleetDocument("other", "veth-dn1", otherDb)},
       {},
       {}},
      {"FleetDefaultInterfacesShareAKey",
       Base::kFleet,
       R"j({"spec": {"network": {"interface": null}}})j",
       {fleetDocument("other", "", otherDb)},
       {},
       {{"spec.deckies[0].ip", "already used by decky other-db (fleet other)"}}},
      {"FleetIpUsedByADeckyOfAnotherFleet",
       Base::kFleet,
       "{}",
       {},
       {deckyDocument("other-05", "veth-dn0", "10.77.0.20", "other", "uid-other")},
       {{"spec.deckies[0].ip", "10.77.0.20 is already used by decky other-05 (fleet other)"}}},
      {"FleetIpUsedByAStandaloneDecky",
       Base::kFleet,
       "{}",
       {},
       {deckyDocument("lonely", "veth-dn0", "10.77.0.20", "", "")},
       {{"spec.deckies[0].ip", "10.77.0.20 is already used by decky lonely"}}},
      {"FleetOwnDeckyByLabelIsFine",
       Base::kFleet,
       "{}",
       {},
       {deckyDocument("corp-lan-fileserver", "veth-dn0", "10.77.0.20", "corp-lan", "")},
       {}},
      {"FleetOwnDeckyByOwnerUidIsFine",
       Base::kFleet,
       "{}",
       {},
       {deckyDocument("renamed", "veth-dn0", "10.77.0.20", "", "uid-corp")},
       {}},
      {"FleetPreviousVersionIgnored",
       Base::kFleet,
       "{}",
       {fleetDocument("corp-lan", "veth-dn0",
                      R"j([{"name": "fileserver", "ip": "10.77.0.20",
                            "archetype": "file-server"}])j"_json)},
       {},
       {}},
      {"FleetPoolTooSmallOnceOthersCount",
       Base::kFleet,
       "{}",
       {},
       crowd("veth-dn0"),
       {{"spec.replicas",
         "needs 6 addresses but the range has 4 free (35 taken by deckies of other fleets"}}},
      {"FleetPoolOfOtherInterfaceIgnored", Base::kFleet, "{}", {}, crowd("veth-dn1"), {}},
      {"FleetPoolTooSmallAloneNotReportedTwice",
       Base::kFleet,
       R"j({"spec": {"replicas": 40}})j",
       {},
       crowd("veth-dn0"),
       {}},
      {"DeckyIpTaken",
       Base::kDecky,
       "{}",
       {},
       {deckyDocument("other-03", "veth-dn0", "10.77.0.10", "other", "uid-other")},
       {{"spec.ip", "10.77.0.10 is already used by decky other-03 (fleet other)"}}},
      {"DeckyPreviousVersionIgnored",
       Base::kDecky,
       "{}",
       {},
       {deckyDocument("corp-lan-01", "veth-dn0", "10.77.0.10", "corp-lan", "uid-corp")},
       {}},
      {"DeckyOtherInterfaceIsFine",
       Base::kDecky,
       "{}",
       {},
       {deckyDocument("other-03", "veth-dn1", "10.77.0.10", "other", "uid-other")},
       {}},
  };
}

void PrintTo(const AgainstRow& row, std::ostream* out) { *out << row.name; }

class ValidateAgainstTest : public ::testing::TestWithParam<AgainstRow> {};

TEST_P(ValidateAgainstTest, ReportsExactlyTheExpectedErrors) {
  const AgainstRow& row = GetParam();
  const Object candidate = patched(row.base, row.patch);
  std::vector<Object> fleets;
  for (const auto& document : row.fleets) fleets.push_back(toObject(document));
  std::vector<Object> deckies;
  for (const auto& document : row.deckies) deckies.push_back(toObject(document));
  expectErrors(validateAgainst(candidate, fleets, deckies), row.expected);
}

INSTANTIATE_TEST_SUITE_P(Rules, ValidateAgainstTest, ::testing::ValuesIn(againstRows()),
                         [](const ::testing::TestParamInfo<AgainstRow>& info) {
                           return info.param.name;
                         });

// A parent interface no Ready node reports is a warning naming the interface and the nodes
// checked; a node that has it, no interface named, or no node reporting interfaces: no warning.
TEST(PlacementWarnings, NameAnInterfaceNoReadyNodeHas) {
  auto node = [](const std::string& name, bool ready, Json interfaces) {
    Object n;
    n.kind = "Node";
    n.metadata.name = name;
    n.status = {
        {"conditions", Json::array({{{"type", "Ready"}, {"status", ready ? "True" : "False"}}})}};
    if (!interfaces.is_null()) n.status["interfaces"] = interfaces;
    return n;
  };
  Object fleet;
  fleet.kind = "Fleet";
  fleet.metadata.name = "f";
  fleet.spec = {{"network", {{"interface", "decnet-lab9"}}}};
  const Object a = node("a", true, Json::array({"eth0"}));
  const Object down = node("down", false, Json::array({"decnet-lab9"}));
  const Object b = node("b", true, Json::array({"eth0", "decnet-lab9"}));
  const Object silent = node("silent", true, Json());

  auto warned = placementWarnings(fleet, {&a, &down});
  ASSERT_EQ(warned.size(), 1u);
  EXPECT_EQ(warned[0],
            "spec.network.interface: no Ready node has interface \"decnet-lab9\" (checked a); "
            "its deckies stay Pending (Unschedulable) until one does");
  EXPECT_TRUE(placementWarnings(fleet, {&a, &b}).empty());
  EXPECT_TRUE(placementWarnings(fleet, {&silent}).empty());
  Object anyInterface = fleet;
  anyInterface.spec["network"].erase("interface");
  EXPECT_TRUE(placementWarnings(anyInterface, {&a}).empty());
  Object other = fleet;
  other.kind = "Node";
  EXPECT_TRUE(placementWarnings(other, {&a}).empty());
}

}  // namespace
}  // namespace decnet::api
