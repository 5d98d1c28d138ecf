#include "api/catalog/catalog.h"

#include <algorithm>
#include <cctype>

namespace decnet::api::catalog {
namespace {

std::vector<ServiceInfo> buildServices() {
  std::vector<ServiceInfo> table;
  for (const ServiceDescriptor* descriptor : serviceDescriptors()) {
    ServiceInfo info;
    info.slug = descriptor->slug;
    info.ports = descriptor->ports;
    info.protocol = descriptor->transports.size() > 1 ? "tcp+udp" : descriptor->transports.front();
    const bool tcp = std::find(descriptor->transports.begin(), descriptor->transports.end(),
                               "tcp") != descriptor->transports.end();
    // connect/disconnect come from every connection-scoped (TCP) service on top of its own.
    if (tcp && !descriptor->events.empty()) info.events = {"connect", "disconnect"};
    for (const auto& key : descriptor->persona) {
      info.personaKeys.push_back(key.name);
      if (!key.defaultValue.empty()) info.personaDefaults[key.name] = key.defaultValue;
    }
    for (const auto& event : descriptor->events) info.events.push_back(event.type);
    info.descriptor = descriptor;
    table.push_back(std::move(info));
  }
  return table;
}

std::vector<ArchetypeInfo> buildArchetypes() {
  return {
      {"windows-workstation", {"smb", "rdp"}, "windows", {"win10", "win11"}},
      {"windows-server", {"smb", "rdp", "ldap"}, "windows", {"win2019", "win2016", "win2022"}},
      {"domain-controller", {"ldap", "smb", "rdp", "llmnr"}, "windows", {"win2019", "win2022"}},
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
  using H = HostnameStyle;
  // slug, name, style, family, ssh, http, uname -a, PRETTY_NAME, mysql, install date
  return {
      {"debian", "Debian 12", H::kGeneric, "linux", "OpenSSH_9.2p1 Debian-2+deb12u3",
       "Apache/2.4.62 (Debian)",
       "Linux HOSTNAME 6.1.0-28-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22) "
       "x86_64 GNU/Linux",
       "Debian GNU/Linux 12 (bookworm)", "10.11.6-MariaDB-0+deb12u1", "2023-09-14"},
      {"ubuntu22", "Ubuntu 22.04", H::kGeneric, "linux", "OpenSSH_8.9p1 Ubuntu-3ubuntu0.10",
       "Apache/2.4.52 (Ubuntu)",
       "Linux HOSTNAME 5.15.0-126-generic #136-Ubuntu SMP Wed Nov 6 10:38:22 UTC 2024 x86_64 "
       "x86_64 x86_64 GNU/Linux",
       "Ubuntu 22.04.5 LTS", "8.0.40-0ubuntu0.22.04.1", "2022-08-23"},
      {"ubuntu20", "Ubuntu 20.04", H::kGeneric, "linux", "OpenSSH_8.2p1 Ubuntu-4ubuntu0.11",
       "Apache/2.4.41 (Ubuntu)",
       "Linux HOSTNAME 5.4.0-202-generic #222-Ubuntu SMP Fri Nov 8 14:45:04 UTC 2024 x86_64 "
       "x86_64 x86_64 GNU/Linux",
       "Ubuntu 20.04.6 LTS", "8.0.40-0ubuntu0.20.04.1", "2021-03-02"},
      {"rocky9", "Rocky Linux 9", H::kRhel, "linux", "OpenSSH_8.7", "Apache/2.4.57 (Rocky Linux)",
       "Linux HOSTNAME 5.14.0-427.42.1.el9_4.x86_64 #1 SMP PREEMPT_DYNAMIC Fri Nov 1 14:58:08 UTC "
       "2024 x86_64 x86_64 x86_64 GNU/Linux",
       "Rocky Linux 9.4 (Blue Onyx)", "8.0.36", "2024-02-19"},
      {"centos7", "CentOS 7", H::kRhel, "linux", "OpenSSH_7.4", "Apache/2.4.6 (CentOS)",
       "Linux HOSTNAME 3.10.0-1160.119.1.el7.x86_64 #1 SMP Tue Jun 4 14:43:51 UTC 2024 x86_64 "
       "x86_64 x86_64 GNU/Linux",
       "CentOS Linux 7 (Core)", "5.5.68-MariaDB", "2019-05-11"},
      {"alpine", "Alpine 3.19", H::kMinimal, "linux", "OpenSSH_9.6", "Apache/2.4.62 (Unix)",
       "Linux HOSTNAME 6.6.58-0-lts #1-Alpine SMP PREEMPT_DYNAMIC Tue, 22 Oct 2024 12:55:33 +0000 "
       "x86_64 Linux",
       "Alpine Linux v3.19", "10.11.8-MariaDB", "2024-01-08"},
      {"fedora", "Fedora 39", H::kRhel, "linux", "OpenSSH_9.3", "Apache/2.4.58 (Fedora Linux)",
       "Linux HOSTNAME 6.8.9-100.fc39.x86_64 #1 SMP PREEMPT_DYNAMIC Thu May  2 18:50:49 UTC 2024 "
       "x86_64 GNU/Linux",
       "Fedora Linux 39 (Server Edition)", "8.0.35", "2023-11-20"},
      {"kali", "Kali Rolling", H::kRolling, "linux", "OpenSSH_9.6p1 Debian-4",
       "Apache/2.4.58 (Debian)",
       "Linux HOSTNAME 6.6.9-amd64 #1 SMP PREEMPT_DYNAMIC Kali 6.6.9-1kali1 (2024-01-08) x86_64 "
       "GNU/Linux",
       "Kali GNU/Linux Rolling", "10.11.6-MariaDB-2", "2024-02-27"},
      {"arch", "Arch Linux", H::kRolling, "linux", "OpenSSH_9.6", "Apache/2.4.58 (Unix)",
       "Linux HOSTNAME 6.7.4-arch1-1 #1 SMP PREEMPT_DYNAMIC Mon, 05 Feb 2024 22:07:49 +0000 "
       "x86_64 GNU/Linux",
       "Arch Linux", "11.2.3-MariaDB", "2024-02-10"},
      {"win2019", "Windows Server 2019", H::kGeneric, "windows", "OpenSSH_for_Windows_7.7",
       "Microsoft-IIS/10.0", "", "Windows Server 2019 Standard 17763", "8.0.36", "2021-06-08"},
      {"win2016", "Windows Server 2016", H::kGeneric, "windows", "OpenSSH_for_Windows_7.7",
       "Microsoft-IIS/10.0", "", "Windows Server 2016 Standard 14393", "5.7.44", "2019-10-21"},
      {"win2022", "Windows Server 2022", H::kGeneric, "windows", "OpenSSH_for_Windows_8.1",
       "Microsoft-IIS/10.0", "", "Windows Server 2022 Standard 20348", "8.0.36", "2023-03-14"},
      {"win10", "Windows 10", H::kGeneric, "windows", "OpenSSH_for_Windows_8.1",
       "Microsoft-IIS/10.0", "", "Windows 10 Pro 19045", "8.0.36", "2022-01-17"},
      {"win11", "Windows 11", H::kGeneric, "windows", "OpenSSH_for_Windows_8.6",
       "Microsoft-IIS/10.0", "", "Windows 11 Pro 22631", "8.0.36", "2023-10-03"},
  };
}

// The OS families' sysctls, one row per sysctl; values per family in column order.
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

const DistroInfo& distroFor(std::string_view distro, std::string_view osFamily) {
  if (const auto* known = findDistro(distro)) return *known;
  for (const auto& candidate : distros()) {
    if (candidate.osFamily == osFamily) return candidate;
  }
  return distros().front();
}

std::string kernelRelease(const DistroInfo& distro) {
  // "Linux HOSTNAME <release> #..."
  const auto first = distro.kernel.find(' ');
  if (first == std::string::npos) return "";
  const auto second = distro.kernel.find(' ', first + 1);
  const auto third = second == std::string::npos ? second : distro.kernel.find(' ', second + 1);
  if (third == std::string::npos) return "";
  return distro.kernel.substr(second + 1, third - second - 1);
}

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
