#include "api/catalog/catalog.h"

#include <algorithm>
#include <cctype>

namespace decnet::api::catalog {
namespace {

// connect/disconnect are emitted by every connection-scoped (TCP) service on top of its own.
std::vector<std::string> withConnection(std::vector<std::string> events) {
  events.insert(events.begin(), {"connect", "disconnect"});
  return events;
}

std::vector<ServiceInfo> buildServices() {
  const std::vector<std::string> httpKeys = {"server_header", "response_code", "fake_app",
                                             "extra_headers", "body"};
  const std::map<std::string, std::string> httpDefaults = {
      {"server_header", "Apache/2.4.54 (Debian)"}, {"response_code", "200"}, {"fake_app", "none"}};
  std::vector<std::string> httpsKeys = httpKeys;
  httpsKeys.push_back("tls_cn");

  return {
      {"ssh",
       {22},
       "tcp",
       {"version", "users", "hostname", "kernel"},
       withConnection({"auth_attempt", "session", "command", "file_upload"}),
       {{"version", "OpenSSH_8.9p1 Ubuntu-3ubuntu0.6"}, {"users", "root:toor,admin:admin"}}},
      {"telnet",
       {23},
       "tcp",
       {"banner", "users", "hostname"},
       withConnection({"auth_attempt", "command"}),
       {}},
      {"http", {80}, "tcp", httpKeys, withConnection({"request", "auth_attempt"}), httpDefaults},
      {"https",
       {443},
       "tcp",
       httpsKeys,
       withConnection({"request", "auth_attempt", "tls_client_hello"}),
       httpDefaults},
      {"ftp",
       {21},
       "tcp",
       {"banner", "users"},
       withConnection({"auth_attempt", "command", "download_attempt", "upload"}),
       {{"banner", "220 (vsFTPd 3.0.3)"}}},
      {"tftp", {69}, "udp", {}, {"request"}, {}},
      {"smtp",
       {25, 587},
       "tcp",
       {"banner", "mta", "open_relay"},
       withConnection({"ehlo", "auth_attempt", "mail_from", "rcpt_to", "message"}),
       {{"banner", "220 HOST ESMTP Postfix (Debian/GNU)"},
        {"mta", "postfix"},
        {"open_relay", "false"}}},
      {"pop3",
       {110},
       "tcp",
       {"banner", "users"},
       withConnection({"auth_attempt", "command", "retr"}),
       {{"banner", "+OK Dovecot ready."}}},
      {"imap",
       {143},
       "tcp",
       {"banner", "users"},
       withConnection({"auth_attempt", "command"}),
       {{"banner", "* OK Dovecot ready."}}},
      {"smb",
       {445, 139},
       "tcp",
       {"workgroup", "server_name", "os_version"},
       withConnection({"negotiate", "auth_attempt"}),
       {{"workgroup", "WORKGROUP"}, {"os_version", "Windows Server 2016"}}},
      {"rdp",
       {3389},
       "tcp",
       {"os_version", "nla"},
       withConnection({"connection_request"}),
       {{"nla", "false"}}},
      {"vnc",
       {5900},
       "tcp",
       {"version"},
       withConnection({"auth_attempt"}),
       {{"version", "RFB 003.008"}}},
      {"ldap", {389}, "tcp", {"base_dn", "domain"}, withConnection({"bind", "search"}), {}},
      {"llmnr", {5355, 5353}, "udp", {}, {"query"}, {}},
      {"mysql",
       {3306},
       "tcp",
       {"version"},
       withConnection({"auth_attempt", "query"}),
       {{"version", "5.7.38-log"}}},
      {"postgres",
       {5432},
       "tcp",
       {"version"},
       withConnection({"startup", "auth_attempt"}),
       {{"version", "14.9"}}},
      {"mssql",
       {1433},
       "tcp",
       {"version"},
       withConnection({"prelogin", "auth_attempt"}),
       {{"version", "15.0.2000"}}},
      {"mongodb",
       {27017},
       "tcp",
       {"version"},
       withConnection({"command", "auth_attempt"}),
       {{"version", "6.0.5"}}},
      // No password default: without one every AUTH is accepted.
      {"redis",
       {6379},
       "tcp",
       {"version", "os", "password"},
       withConnection({"command", "auth_attempt"}),
       {{"version", "7.2.7"}, {"os", "Linux 5.15.0 x86_64"}}},
      {"elasticsearch",
       {9200},
       "tcp",
       {"version", "cluster_name"},
       withConnection({"request"}),
       {{"version", "7.17.9"}}},
      {"mqtt",
       {1883},
       "tcp",
       {"persona", "accept_all"},
       withConnection({"auth_attempt", "subscribe", "publish"}),
       {{"persona", "water_plant"}, {"accept_all", "false"}}},
      {"snmp",
       {161},
       "udp",
       {"community", "sys_descr", "persona"},
       {"get_request"},
       {{"community", "public"}, {"persona", "default"}}},
      {"sip",
       {5060},
       "tcp+udp",
       {"server", "domain"},
       withConnection({"request", "auth_attempt"}),
       {{"server", "Asterisk PBX 18.x"}}},
      {"k8s", {6443}, "tcp", {"version"}, withConnection({"request"}), {{"version", "v1.28.2"}}},
      {"docker_api",
       {2375},
       "tcp",
       {"version"},
       withConnection({"request"}),
       {{"version", "24.0.7"}}},
      {"modbus", {502}, "tcp", {"persona"}, withConnection({"request"}), {}},
      {"dns",
       {53},
       "tcp+udp",
       {"domain", "version_bind"},
       withConnection({"query", "zone_transfer"}),
       {}},
      // The program decides its ports and its events (RFC 5424 lines on stdout).
      {"custom", {}, "tcp", {"exec", "ports"}, {}, {}},
  };
}

std::vector<ArchetypeInfo> buildArchetypes() {
  return {
      {"windows-workstation", {"smb", "rdp"}, "windows", {"debian", "ubuntu22"}},
      {"windows-server", {"smb", "rdp", "ldap"}, "windows", {"debian", "ubuntu22"}},
      {"domain-controller", {"ldap", "smb", "rdp", "llmnr"}, "windows", {"debian", "ubuntu22"}},
      {"linux-server", {"ssh", "http"}, "linux", {"debian", "ubuntu22", "rocky9", "fedora"}},
      {"web-server", {"http", "ftp"}, "linux", {"debian", "ubuntu22", "ubuntu20"}},
      {"database-server", {"mysql", "postgres", "redis"}, "linux", {"debian", "ubuntu22"}},
      {"mail-server", {"smtp", "pop3", "imap"}, "linux", {"debian", "ubuntu22"}},
      {"file-server", {"smb", "ftp", "ssh"}, "linux", {"debian", "ubuntu22", "rocky9"}},
      {"printer", {"snmp", "ftp"}, "embedded", {"alpine", "debian"}},
      {"iot-device", {"mqtt", "snmp", "telnet"}, "embedded", {"alpine"}},
      {"industrial-control", {"modbus", "snmp"}, "embedded", {"debian"}},
      {"voip-server", {"sip"}, "linux", {"debian", "ubuntu22"}},
      {"monitoring-node", {"snmp", "ssh"}, "linux", {"debian", "rocky9"}},
      {"devops-host", {"docker_api", "ssh", "k8s"}, "linux", {"ubuntu22", "debian"}},
      {"deaddeck", {"ssh"}, "linux", {"debian", "ubuntu22"}},
  };
}

std::vector<DistroInfo> buildDistros() {
  return {
      {"debian", "Debian 12", HostnameStyle::kGeneric},
      {"ubuntu22", "Ubuntu 22.04", HostnameStyle::kGeneric},
      {"ubuntu20", "Ubuntu 20.04", HostnameStyle::kGeneric},
      {"rocky9", "Rocky Linux 9", HostnameStyle::kRhel},
      {"centos7", "CentOS 7", HostnameStyle::kRhel},
      {"alpine", "Alpine 3.19", HostnameStyle::kMinimal},
      {"fedora", "Fedora 39", HostnameStyle::kRhel},
      {"kali", "Kali Rolling", HostnameStyle::kRolling},
      {"arch", "Arch Linux", HostnameStyle::kRolling},
  };
}

// Rows of REFERENCE.md §5, in its order; values per family in column order.
std::vector<OsFamilyInfo> buildOsFamilies() {
  struct Row {
    const char* name;
    const char* values[5];  // linux, windows, bsd, embedded, cisco
  };
  static const Row kRows[] = {
      {"net.ipv4.ip_default_ttl", {"64", "128", "64", "255", "255"}},
      {"net.ipv4.tcp_syn_retries", {"6", "2", "6", "3", "2"}},
      {"net.ipv4.tcp_timestamps", {"1", "1", "1", "0", "0"}},
      {"net.ipv4.tcp_window_scaling", {"1", "1", "1", "0", "0"}},
      {"net.ipv4.tcp_sack", {"1", "1", "1", "0", "0"}},
      {"net.ipv4.tcp_ecn", {"2", "0", "0", "0", "0"}},
      {"net.ipv4.ip_no_pmtu_disc", {"0", "0", "0", "1", "1"}},
      {"net.ipv4.tcp_fin_timeout", {"60", "30", "60", "15", "15"}},
      {"net.ipv4.icmp_ratelimit", {"1000", "0", "250", "0", "0"}},
  };
  std::vector<OsFamilyInfo> families = {
      // QEMU/KVM, Xen, VirtualBox: what Linux servers in a LAN usually carry.
      {"linux", {}, {"52:54:00", "00:16:3e", "08:00:27"}},
      // Hyper-V and VMware: the usual homes of Windows servers.
      {"windows", {}, {"00:15:5d", "00:50:56", "00:0c:29"}},
      // PC Engines and Lanner boards: pfSense/OPNsense appliances.
      {"bsd", {}, {"00:0d:b9", "00:90:0b"}},
      // Raspberry Pi and Brother printers.
      {"embedded", {}, {"b8:27:eb", "dc:a6:32", "00:1b:a9"}},
      {"cisco", {}, {"00:00:0c", "00:1b:54", "00:1e:13"}},
  };
  for (const auto& row : kRows) {
    for (std::size_t i = 0; i < families.size(); ++i) {
      families[i].sysctls.emplace_back(row.name, row.values[i]);
    }
  }
  return families;
}

template <class Info>
const Info* findBySlug(const std::vector<Info>& table, std::string_view slug) {
  for (const auto& info : table) {
    if (info.slug == slug) return &info;
  }
  return nullptr;
}

template <class Info>
std::vector<std::string> slugsOf(const std::vector<Info>& table) {
  std::vector<std::string> names;
  names.reserve(table.size());
  for (const auto& info : table) names.push_back(info.slug);
  return names;
}

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

}  // namespace

const std::vector<ServiceInfo>& services() {
  static const std::vector<ServiceInfo> table = buildServices();
  return table;
}

const ServiceInfo* findService(std::string_view slug) { return findBySlug(services(), slug); }

const std::vector<ArchetypeInfo>& archetypes() {
  static const std::vector<ArchetypeInfo> table = buildArchetypes();
  return table;
}

const ArchetypeInfo* findArchetype(std::string_view slug) { return findBySlug(archetypes(), slug); }

const std::vector<DistroInfo>& distros() {
  static const std::vector<DistroInfo> table = buildDistros();
  return table;
}

const DistroInfo* findDistro(std::string_view slug) { return findBySlug(distros(), slug); }

const std::vector<OsFamilyInfo>& osFamilies() {
  static const std::vector<OsFamilyInfo> table = buildOsFamilies();
  return table;
}

const OsFamilyInfo* findOsFamily(std::string_view slug) { return findBySlug(osFamilies(), slug); }

const std::vector<std::string>& hostnameWords() {
  static const std::vector<std::string> words = {
      "alpha",  "bravo", "charlie", "delta", "echo",   "foxtrot", "golf", "hotel", "india",
      "juliet", "kilo",  "lima",    "mike",  "nova",   "oscar",   "prod", "web",   "db",
      "mail",   "proxy", "dev",     "stage", "backup", "monitor", "files"};
  return words;
}

std::vector<std::string> serviceNames() { return slugsOf(services()); }
std::vector<std::string> archetypeNames() { return slugsOf(archetypes()); }
std::vector<std::string> distroNames() { return slugsOf(distros()); }
std::vector<std::string> osFamilyNames() { return slugsOf(osFamilies()); }

bool servesProtocol(const ServiceInfo& service, std::string_view protocol) {
  if (service.protocol == "tcp+udp") return protocol == "tcp" || protocol == "udp";
  return service.protocol == protocol;
}

std::size_t editDistance(std::string_view a, std::string_view b) {
  // Two rolling rows of the classic dynamic programme.
  std::vector<std::size_t> previous(b.size() + 1);
  std::vector<std::size_t> current(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t substitution = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + substitution});
    }
    std::swap(previous, current);
  }
  return previous[b.size()];
}

std::string suggest(std::string_view input, const std::vector<std::string>& candidates) {
  if (input.empty()) return "";
  const std::size_t limit = std::max<std::size_t>(2, input.size() / 3);
  std::string best;
  std::size_t bestDistance = limit + 1;
  for (const auto& candidate : candidates) {
    const std::size_t distance = editDistance(input, candidate);
    if (distance < bestDistance) {
      bestDistance = distance;
      best = candidate;
    }
  }
  return best;
}

}  // namespace decnet::api::catalog
