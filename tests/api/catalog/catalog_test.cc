#include "api/catalog/catalog.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "api/catalog/services_doc.h"

namespace decnet::api::catalog {
namespace {

bool has(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

TEST(CatalogServices, ListsEveryReferenceServiceSortedBySlug) {
  const std::vector<std::string> expected = {
      "custom", "dns",   "docker_api", "elasticsearch", "ftp",    "http",    "https",
      "imap",   "k8s",   "ldap",       "llmnr",         "modbus", "mongodb", "mqtt",
      "mssql",  "mysql", "pop3",       "postgres",      "rdp",    "redis",   "sip",
      "smb",    "smtp",  "snmp",       "ssh",           "telnet", "tftp",    "vnc"};
  EXPECT_EQ(serviceNames(), expected);
}

TEST(CatalogServices, PortsAndProtocols) {
  struct Row {
    const char* slug;
    std::vector<int> ports;
    const char* protocol;
  };
  const std::vector<Row> rows = {
      {"ssh", {22}, "tcp"},          {"telnet", {23}, "tcp"},
      {"http", {80}, "tcp"},         {"https", {443}, "tcp"},
      {"ftp", {21}, "tcp"},          {"tftp", {69}, "udp"},
      {"smtp", {25, 587}, "tcp"},    {"pop3", {110}, "tcp"},
      {"imap", {143}, "tcp"},        {"smb", {445, 139}, "tcp"},
      {"rdp", {3389}, "tcp"},        {"vnc", {5900}, "tcp"},
      {"ldap", {389}, "tcp"},        {"llmnr", {5355, 5353}, "udp"},
      {"mysql", {3306}, "tcp"},      {"postgres", {5432}, "tcp"},
      {"mssql", {1433}, "tcp"},      {"mongodb", {27017}, "tcp"},
      {"redis", {6379}, "tcp"},      {"elasticsearch", {9200}, "tcp"},
      {"mqtt", {1883}, "tcp"},       {"snmp", {161}, "udp"},
      {"sip", {5060}, "tcp+udp"},    {"k8s", {6443}, "tcp"},
      {"docker_api", {2375}, "tcp"}, {"modbus", {502}, "tcp"},
      {"dns", {53}, "tcp+udp"},      {"custom", {}, "tcp"},
  };
  for (const auto& row : rows) {
    const ServiceInfo* info = findService(row.slug);
    ASSERT_NE(info, nullptr) << row.slug;
    EXPECT_EQ(info->ports, row.ports) << row.slug;
    EXPECT_EQ(info->protocol, row.protocol) << row.slug;
  }
}

TEST(CatalogServices, PersonaKeysAndDefaults) {
  const ServiceInfo* ssh = findService("ssh");
  ASSERT_NE(ssh, nullptr);
  EXPECT_EQ(ssh->personaKeys, (std::vector<std::string>{"version", "users", "hostname", "kernel"}));
  EXPECT_EQ(ssh->personaDefaults.at("users"), "root:toor,admin:admin");

  const ServiceInfo* http = findService("http");
  const ServiceInfo* https = findService("https");
  ASSERT_NE(http, nullptr);
  ASSERT_NE(https, nullptr);
  EXPECT_EQ(http->personaDefaults.count("server_header"), 0u) << "the distro's web server";
  EXPECT_EQ(http->personaDefaults.at("response_code"), "200");
  for (const auto& key : http->personaKeys) EXPECT_TRUE(has(https->personaKeys, key)) << key;
  EXPECT_TRUE(has(https->personaKeys, "tls_cn"));
  EXPECT_FALSE(has(http->personaKeys, "tls_cn"));
  EXPECT_TRUE(has(https->events, "tls_client_hello"));

  EXPECT_EQ(findService("ftp")->personaDefaults.at("banner"), "220 (vsFTPd 3.0.3)");
  EXPECT_EQ(findService("smtp")->personaDefaults.at("banner"),
            "220 HOST ESMTP Postfix (Debian/GNU)");
  EXPECT_EQ(findService("smtp")->personaDefaults.at("open_relay"), "false");
  EXPECT_EQ(findService("pop3")->personaDefaults.at("banner"), "+OK Dovecot ready.");
  EXPECT_EQ(findService("imap")->personaDefaults.at("banner"), "* OK Dovecot ready.");
  EXPECT_EQ(findService("smb")->personaDefaults.at("os_version"), "Windows Server 2016");
  EXPECT_EQ(findService("vnc")->personaDefaults.at("version"), "RFB 003.008");
  // Derived from the decky's distro, so no fixed default.
  EXPECT_EQ(findService("mysql")->personaDefaults.count("version"), 0u);
  EXPECT_EQ(findService("redis")->personaDefaults.count("os"), 0u);
  EXPECT_EQ(findService("ssh")->personaDefaults.count("version"), 0u);
  EXPECT_EQ(findService("postgres")->personaDefaults.at("version"), "14.9");
  EXPECT_EQ(findService("mssql")->personaDefaults.at("version"), "15.0.2000");
  EXPECT_EQ(findService("mongodb")->personaDefaults.at("version"), "6.0.5");
  EXPECT_EQ(findService("redis")->personaDefaults.at("version"), "7.2.7");
  EXPECT_EQ(findService("elasticsearch")->personaDefaults.at("version"), "7.17.9");
  EXPECT_EQ(findService("snmp")->personaDefaults.at("community"), "public");
  EXPECT_EQ(findService("sip")->personaDefaults.at("server"), "Asterisk PBX 18.x");
  EXPECT_EQ(findService("k8s")->personaDefaults.at("version"), "v1.28.2");
  EXPECT_EQ(findService("docker_api")->personaDefaults.at("version"), "24.0.7");
  EXPECT_EQ(findService("custom")->personaKeys, (std::vector<std::string>{"exec", "ports"}));
  EXPECT_TRUE(findService("tftp")->personaKeys.empty());
  EXPECT_TRUE(findService("llmnr")->personaKeys.empty());
}

TEST(CatalogServices, DefaultsOnlyForKnownKeysAndEveryServiceHasEvents) {
  for (const auto& service : services()) {
    for (const auto& [key, value] : service.personaDefaults) {
      EXPECT_TRUE(has(service.personaKeys, key)) << service.slug << "." << key;
    }
    if (service.slug != "custom") {
      EXPECT_FALSE(service.events.empty()) << service.slug;
    }
  }
  EXPECT_TRUE(has(findService("ssh")->events, "auth_attempt"));
  EXPECT_TRUE(has(findService("ssh")->events, "connect"));
  EXPECT_TRUE(has(findService("snmp")->events, "get_request"));
  EXPECT_TRUE(has(findService("smtp")->events, "rcpt_to"));
}

TEST(CatalogArchetypes, MatchTheReferenceTable) {
  EXPECT_EQ(archetypes().size(), 15u);
  const ArchetypeInfo* dc = findArchetype("domain-controller");
  ASSERT_NE(dc, nullptr);
  EXPECT_EQ(dc->services, (std::vector<std::string>{"ldap", "smb", "rdp", "llmnr"}));
  EXPECT_EQ(dc->osFamily, "windows");
  const ArchetypeInfo* linux = findArchetype("linux-server");
  ASSERT_NE(linux, nullptr);
  EXPECT_EQ(linux->preferredDistros,
            (std::vector<std::string>{"debian", "ubuntu22", "rocky9", "fedora"}));
  EXPECT_EQ(findArchetype("devops-host")->services,
            (std::vector<std::string>{"docker_api", "ssh", "k8s"}));
  EXPECT_EQ(findArchetype("iot-device")->osFamily, "embedded");
  EXPECT_EQ(findArchetype("deaddeck")->services, (std::vector<std::string>{"ssh"}));
  EXPECT_EQ(findArchetype("nope"), nullptr);
}

TEST(CatalogArchetypes, ReferToCatalogEntries) {
  for (const auto& archetype : archetypes()) {
    for (const auto& service : archetype.services) {
      EXPECT_NE(findService(service), nullptr) << archetype.slug << ": " << service;
    }
    EXPECT_NE(findOsFamily(archetype.osFamily), nullptr) << archetype.slug;
    EXPECT_FALSE(archetype.preferredDistros.empty()) << archetype.slug;
    for (const auto& distro : archetype.preferredDistros) {
      EXPECT_NE(findDistro(distro), nullptr) << archetype.slug << ": " << distro;
    }
  }
}

TEST(CatalogDistros, RoundRobinOrderNamesAndStyles) {
  EXPECT_EQ(distroNames(),
            (std::vector<std::string>{"debian", "ubuntu22", "ubuntu20", "rocky9", "centos7",
                                      "alpine", "fedora", "kali", "arch", "win2019", "win2016",
                                      "win2022", "win10", "win11"}));
  EXPECT_EQ(findDistro("debian")->displayName, "Debian 12");
  EXPECT_EQ(findDistro("alpine")->displayName, "Alpine 3.19");
  EXPECT_EQ(findDistro("fedora")->displayName, "Fedora 39");
  EXPECT_EQ(findDistro("ubuntu22")->style, HostnameStyle::kGeneric);
  EXPECT_EQ(findDistro("ubuntu20")->style, HostnameStyle::kGeneric);
  EXPECT_EQ(findDistro("rocky9")->style, HostnameStyle::kRhel);
  EXPECT_EQ(findDistro("centos7")->style, HostnameStyle::kRhel);
  EXPECT_EQ(findDistro("fedora")->style, HostnameStyle::kRhel);
  EXPECT_EQ(findDistro("alpine")->style, HostnameStyle::kMinimal);
  EXPECT_EQ(findDistro("kali")->style, HostnameStyle::kRolling);
  EXPECT_EQ(findDistro("arch")->style, HostnameStyle::kRolling);
}

TEST(CatalogOsFamilies, SysctlTable) {
  EXPECT_EQ(osFamilyNames(),
            (std::vector<std::string>{"linux", "windows", "bsd", "embedded", "cisco"}));
  auto value = [](const char* family, const char* key) {
    for (const auto& [name, v] : findOsFamily(family)->sysctls) {
      if (name == key) return v;
    }
    return std::string("<missing>");
  };
  EXPECT_EQ(value("linux", "net.ipv4.ip_default_ttl"), "64");
  EXPECT_EQ(value("windows", "net.ipv4.ip_default_ttl"), "128");
  EXPECT_EQ(value("embedded", "net.ipv4.ip_default_ttl"), "255");
  EXPECT_EQ(value("cisco", "net.ipv4.ip_default_ttl"), "255");
  EXPECT_EQ(value("windows", "net.ipv4.tcp_syn_retries"), "2");
  EXPECT_EQ(value("embedded", "net.ipv4.tcp_syn_retries"), "3");
  EXPECT_EQ(value("linux", "net.ipv4.tcp_ecn"), "2");
  EXPECT_EQ(value("bsd", "net.ipv4.tcp_ecn"), "0");
  EXPECT_EQ(value("embedded", "net.ipv4.tcp_timestamps"), "0");
  EXPECT_EQ(value("cisco", "net.ipv4.ip_no_pmtu_disc"), "1");
  EXPECT_EQ(value("windows", "net.ipv4.tcp_fin_timeout"), "30");
  EXPECT_EQ(value("embedded", "net.ipv4.tcp_fin_timeout"), "15");
  EXPECT_EQ(value("linux", "net.ipv4.icmp_ratelimit"), "1000");
  EXPECT_EQ(value("bsd", "net.ipv4.icmp_ratelimit"), "250");
  EXPECT_EQ(value("windows", "net.ipv4.icmp_ratelimit"), "0");
  for (const auto& family : osFamilies()) EXPECT_EQ(family.sysctls.size(), 9u) << family.slug;
}

TEST(CatalogOsFamilies, OuisAreLowercaseUnicastTriples) {
  std::set<std::string> seen;
  for (const auto& family : osFamilies()) {
    EXPECT_GE(family.macOuis.size(), 2u) << family.slug;
    for (const auto& oui : family.macOuis) {
      ASSERT_EQ(oui.size(), 8u) << oui;
      EXPECT_EQ(oui[2], ':');
      EXPECT_EQ(oui[5], ':');
      for (std::size_t i : {0, 1, 3, 4, 6, 7}) {
        EXPECT_TRUE(std::isxdigit(static_cast<unsigned char>(oui[i])) && !std::isupper(oui[i]))
            << oui;
      }
      EXPECT_EQ(std::stoi(oui.substr(0, 2), nullptr, 16) & 1, 0) << oui << " is multicast";
      EXPECT_TRUE(seen.insert(oui).second) << oui << " used by two families";
    }
  }
  EXPECT_TRUE(has(findOsFamily("windows")->macOuis, "00:15:5d"));
  EXPECT_TRUE(has(findOsFamily("linux")->macOuis, "52:54:00"));
}

TEST(CatalogHostnames, WordList) {
  const auto& words = hostnameWords();
  ASSERT_EQ(words.size(), 25u);
  EXPECT_EQ(words.front(), "alpha");
  EXPECT_EQ(words.back(), "files");
  EXPECT_TRUE(has(words, "nova"));
  EXPECT_TRUE(has(words, "monitor"));
}

TEST(CatalogSuggest, ClosestCandidateWithinTheLimit) {
  EXPECT_EQ(suggest("shh", serviceNames()), "ssh");
  EXPECT_EQ(suggest("linux-srv", archetypeNames()), "linux-server");
  EXPECT_EQ(suggest("SSH", serviceNames()), "ssh");
  EXPECT_EQ(suggest("ubuntu24", distroNames()), "ubuntu22");
  EXPECT_EQ(suggest("replica", {"network", "replicas", "template"}), "replicas");
  EXPECT_EQ(suggest("zzzzzzzzzz", serviceNames()), "");
  EXPECT_EQ(suggest("", serviceNames()), "");
  EXPECT_EQ(suggest("abc", {}), "");
  // Long inputs tolerate more edits (len/3).
  EXPECT_EQ(suggest("elasticsarch", serviceNames()), "elasticsearch");
}

TEST(CatalogSuggest, EditDistance) {
  EXPECT_EQ(editDistance("", ""), 0u);
  EXPECT_EQ(editDistance("abc", ""), 3u);
  EXPECT_EQ(editDistance("kitten", "sitting"), 3u);
  EXPECT_EQ(editDistance("Fleet", "fleet"), 0u);
  EXPECT_EQ(editDistance("flaw", "lawn"), 2u);
}

TEST(CatalogServices, ServesProtocol) {
  EXPECT_TRUE(servesProtocol(*findService("dns"), "udp"));
  EXPECT_TRUE(servesProtocol(*findService("dns"), "tcp"));
  EXPECT_FALSE(servesProtocol(*findService("snmp"), "tcp"));
  EXPECT_FALSE(servesProtocol(*findService("ssh"), "udp"));
}

}  // namespace
}  // namespace decnet::api::catalog

namespace decnet::api::catalog {
namespace {

TEST(ServiceDescriptorTest, DocsServicesMdIsGeneratedFromTheDescriptors) {
  const char* source = std::getenv("DECNET_SOURCE_DIR");
  ASSERT_NE(source, nullptr);
  std::ifstream in(std::string(source) + "/docs/services.md");
  std::ostringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), servicesMarkdown())
      << "docs/services.md is stale: regenerate it with\n"
         "  build/bin/decnet catalog services -o markdown > docs/services.md";
}

TEST(ServiceDescriptorTest, EveryCatalogServiceIsItsDescriptor) {
  ASSERT_EQ(services().size(), serviceDescriptors().size());
  for (const auto& service : services()) {
    ASSERT_NE(service.descriptor, nullptr) << service.slug;
    EXPECT_EQ(service.slug, service.descriptor->slug);
    EXPECT_EQ(service.ports, service.descriptor->ports) << service.slug;
    EXPECT_FALSE(service.descriptor->summary.empty()) << service.slug;
    for (const auto& key : service.descriptor->persona) {
      EXPECT_FALSE(key.doc.empty()) << service.slug << "." << key.name;
      if (!key.defaultValue.empty()) {
        EXPECT_EQ(checkPersonaValue(key, key.defaultValue), "")
            << service.slug << "." << key.name << ": the default must pass its own rule";
      }
    }
    for (const auto& event : service.descriptor->events) {
      EXPECT_FALSE(event.doc.empty()) << service.slug << " " << event.type;
    }
  }
}

TEST(ServiceDescriptorTest, PersonaRulesComeFromTheDescriptor) {
  const auto* http = findService("http");
  ASSERT_NE(http, nullptr);
  const auto* code = findPersonaKey(*http->descriptor, "response_code");
  ASSERT_NE(code, nullptr);
  EXPECT_EQ(checkPersonaValue(*code, "404"), "");
  EXPECT_NE(checkPersonaValue(*code, "150"), "") << "1xx is not a page the decoy can serve";
  EXPECT_NE(checkPersonaValue(*code, "abc"), "");
  const auto* users = findPersonaKey(*findService("ssh")->descriptor, "users");
  EXPECT_EQ(checkPersonaValue(*users, "root:toor,admin:admin"), "");
  EXPECT_NE(checkPersonaValue(*users, "nocolon"), "");
}

TEST(DistroTest, EveryDistroTellsOneStory) {
  for (const auto& distro : distros()) {
    EXPECT_FALSE(distro.sshVersion.empty()) << distro.slug;
    EXPECT_FALSE(distro.httpServer.empty()) << distro.slug;
    EXPECT_FALSE(distro.prettyName.empty()) << distro.slug;
    EXPECT_EQ(distro.installDate.size(), 10u) << distro.slug;
    if (distro.osFamily == "windows") {
      EXPECT_TRUE(distro.kernel.empty()) << distro.slug;
      EXPECT_EQ(distro.httpServer.rfind("Microsoft-IIS/", 0), 0u) << distro.slug;
    } else {
      EXPECT_EQ(distro.kernel.rfind("Linux HOSTNAME ", 0), 0u) << distro.slug;
      EXPECT_FALSE(kernelRelease(distro).empty()) << distro.slug;
    }
  }
  EXPECT_EQ(kernelRelease(*findDistro("ubuntu22")), "5.15.0-126-generic");
  EXPECT_EQ(distroFor("rocky9", "linux").slug, "rocky9");
  EXPECT_EQ(distroFor("", "windows").slug, "win2019");
  EXPECT_EQ(distroFor("nonsense", "linux").slug, "debian");
  for (const auto& archetype : archetypes()) {
    for (const auto& slug : archetype.preferredDistros) {
      const auto* distro = findDistro(slug);
      ASSERT_NE(distro, nullptr) << archetype.slug << ": " << slug;
      EXPECT_EQ(distro->osFamily == "windows", archetype.osFamily == "windows")
          << archetype.slug << " prefers " << slug;
    }
  }
}

}  // namespace
}  // namespace decnet::api::catalog
