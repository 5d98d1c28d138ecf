// The persona's MIB content. Values derive from the hostname, so one decky tells the same story
// on every restart while two deckies differ (MAC, traffic rates, uptime).
#include "decoy/services/snmp/snmp_persona.h"

#include <cstdint>
#include <string_view>

namespace decnet::decoy::snmp {
namespace {

const Oid kNetSnmpLinux = {1, 3, 6, 1, 4, 1, 8072, 3, 2, 10};
const Oid kWindowsServer = {1, 3, 6, 1, 4, 1, 311, 1, 1, 3, 1, 2};
const Oid kWindowsWorkstation = {1, 3, 6, 1, 4, 1, 311, 1, 1, 3, 1, 1};

std::uint64_t fnv1a(std::string_view text, std::uint64_t salt) {
  std::uint64_t hash = 1469598103934665603ULL ^ salt;
  for (const char c : text) {
    hash ^= static_cast<std::uint8_t>(c);
    hash *= 1099511628211ULL;
  }
  return hash;
}

bool startsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

bool endsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// Six raw bytes: the family's OUI and three bytes from the hostname.
std::string macBytes(const std::string& oui, std::uint64_t bits) {
  std::string out;
  for (std::size_t i = 0; i + 1 < oui.size() && out.size() < 3; i += 3) {
    out += static_cast<char>(std::stoi(oui.substr(i, 2), nullptr, 16));
  }
  while (out.size() < 3) out += '\0';
  for (int i = 0; i < 3; ++i) out += static_cast<char>((bits >> (8 * i)) & 0xff);
  return out;
}

struct Flavour {
  std::string descr;
  Oid objectId;
  std::string contact;
  std::string location;
  int services = 72;
};

// Contact and location as the distro's stock snmpd.conf leaves them (admins rarely edit them).
void stockContact(const std::string& slug, std::string& contact, std::string& location) {
  if (startsWith(slug, "debian") || startsWith(slug, "ubuntu") || startsWith(slug, "kali")) {
    contact = "Me <me@example.org>";
    location = "Sitting on the Dock of the Bay";
  } else if (startsWith(slug, "rocky") || startsWith(slug, "centos") ||
             startsWith(slug, "fedora")) {
    contact = "Root <root@localhost> (configure /etc/snmp/snmp.local.conf)";
    location = "Unknown (edit /etc/snmp/snmpd.conf)";
  } else {
    contact = "root@localhost";
    location = "Server Room";
  }
}

}  // namespace

std::string linuxSysDescr(const api::catalog::DistroInfo& distro, const std::string& hostname) {
  std::string text =
      distro.kernel.empty() ? "Linux HOSTNAME 6.1.0-28-amd64 #1 SMP x86_64" : distro.kernel;
  for (std::string_view tail : {" GNU/Linux", " Linux"}) {
    if (endsWith(text, tail)) {
      text.resize(text.size() - tail.size());
      break;
    }
  }
  // uname -a repeats the machine as processor and platform; net-snmp shows it once.
  while (endsWith(text, " x86_64 x86_64")) text.resize(text.size() - 7);
  if (const auto at = text.find("HOSTNAME"); at != std::string::npos) {
    text.replace(at, 8, hostname);
  }
  return text;
}

std::string windowsSysDescr(const api::catalog::DistroInfo& distro) {
  std::string build = "17763";
  const auto space = distro.prettyName.rfind(' ');
  if (space != std::string::npos && space + 1 < distro.prettyName.size() &&
      distro.prettyName.find_first_not_of("0123456789", space + 1) == std::string::npos) {
    build = distro.prettyName.substr(space + 1);
  }
  return "Hardware: Intel64 Family 6 Model 85 Stepping 7 AT/AT COMPATIBLE - Software: Windows "
         "Version 6.3 (Build " +
         build + " Multiprocessor Free)";
}

AgentConfig buildConfig(const PersonaInputs& inputs) {
  const api::catalog::DistroInfo& distro =
      inputs.distro != nullptr ? *inputs.distro : api::catalog::distroFor("", "linux");
  const bool windows = inputs.osFamily == "windows" || distro.osFamily == "windows";
  const std::uint64_t seed = fnv1a(inputs.hostname, 0);

  AgentConfig config;
  config.community = inputs.community;
  config.sysName = inputs.hostname;
  if (windows) {
    config.sysDescr = windowsSysDescr(distro);
    config.sysObjectId = distro.prettyName.find("Server") != std::string::npos
                             ? kWindowsServer
                             : kWindowsWorkstation;
    config.sysServices = 76;  // the Windows SNMP service leaves contact and location empty
  } else {
    config.sysDescr = linuxSysDescr(distro, inputs.hostname);
    config.sysObjectId = kNetSnmpLinux;
    stockContact(distro.slug, config.sysContact, config.sysLocation);
  }

  Flavour flavour;
  bool flavoured = true;
  if (inputs.kind == "water_plant") {
    flavour = {"Schneider Electric Modicon M580 BMEP582040 Ethernet CPU, Firmware V4.10",
               {1, 3, 6, 1, 4, 1, 3833, 1, 7, 255, 4},
               "SCADA Operations <scada-ops@waterworks.local>",
               "Pump Station 3 - Control Panel CP-2",
               72};
  } else if (inputs.kind == "factory") {
    flavour = {"Siemens, SIMATIC S7, CPU 1516-3 PN/DP, 6ES7 516-3AN02-0AB0, HW: 4, FW: V2.9.4",
               {1, 3, 6, 1, 4, 1, 4329, 6, 1, 2, 3},
               "Plant Automation <automation@plant.local>",
               "Hall B - Line 2 - Cabinet S7-04",
               72};
  } else if (inputs.kind == "substation") {
    flavour = {"Moxa EDS-G516E-4GSFP Managed Ethernet Switch, Firmware V6.2",
               {1, 3, 6, 1, 4, 1, 8691, 7, 84},
               "Substation Engineering <protection@grid-ops.local>",
               "Substation 14 - Relay House - Rack R3",
               2};
  } else if (inputs.kind == "hospital") {
    flavour = {config.sysDescr, config.sysObjectId, "Clinical Engineering <biomed@hospital.local>",
               "Building C - ICU Level 3 - Network Closet 3C-117", config.sysServices};
  } else {
    flavoured = false;
  }
  if (flavoured) {
    config.sysDescr = flavour.descr;
    config.sysObjectId = flavour.objectId;
    config.sysContact = flavour.contact;
    config.sysLocation = flavour.location;
    config.sysServices = flavour.services;
  }
  if (!inputs.sysDescr.empty()) config.sysDescr = inputs.sysDescr;

  const auto* family = api::catalog::findOsFamily(windows ? "windows" : inputs.osFamily);
  std::string oui = windows ? "00:15:5d" : "52:54:00";
  if (family != nullptr && !family->macOuis.empty()) {
    oui = family->macOuis[(seed >> 40) % family->macOuis.size()];
  }
  Interface loopback;
  loopback.type = 24;
  loopback.inBytesPerSecond = loopback.outBytesPerSecond = 400 + (seed >> 8) % 1600;
  Interface ethernet;
  ethernet.mac = macBytes(oui, seed);
  ethernet.speed = 1000000000;
  ethernet.inBytesPerSecond = 6000 + static_cast<std::uint32_t>((seed >> 16) % 40000);
  ethernet.outBytesPerSecond = 3000 + static_cast<std::uint32_t>((seed >> 32) % 20000);
  if (windows) {
    loopback.descr = "Software Loopback Interface 1";
    loopback.mtu = 1500;
    loopback.speed = 1073741824;
    ethernet.descr =
        oui == "00:15:5d" ? "Microsoft Hyper-V Network Adapter" : "vmxnet3 Ethernet Adapter";
  } else {
    loopback.descr = "lo";
    loopback.mtu = 65536;
    loopback.speed = 10000000;
    ethernet.descr = "eth0";
  }
  config.interfaces = {loopback, ethernet};
  // Up between 3 and 60 days: a freshly booted host is what sandboxes look like.
  config.bootTicks = static_cast<std::uint32_t>((3 * 86400 + (seed >> 20) % (57 * 86400)) * 100);
  return config;
}

}  // namespace decnet::decoy::snmp
