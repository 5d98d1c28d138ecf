#pragma once
// What the agent's MIB says about the decky: sysDescr from the distro (or the persona), vendor
// flavour for the ICS/hospital personas, and a plausible pair of interfaces.
#include <string>

#include "api/catalog/catalog.h"
#include "decoy/services/snmp/snmp_agent.h"

namespace decnet::decoy::snmp {

struct PersonaInputs {
  std::string kind = "default";  // default, water_plant, factory, substation, hospital
  std::string sysDescr;          // persona override; empty: derived
  std::string community = "public";
  std::string hostname;
  std::string osFamily = "linux";
  const api::catalog::DistroInfo* distro = nullptr;  // never null in the decoy
};

// sysDescr as net-snmp shows it on Linux: `uname -a` without processor, platform and OS name.
std::string linuxSysDescr(const api::catalog::DistroInfo& distro, const std::string& hostname);
// sysDescr of the Windows SNMP service for that Windows version.
std::string windowsSysDescr(const api::catalog::DistroInfo& distro);
// The whole agent configuration for a decky.
AgentConfig buildConfig(const PersonaInputs& inputs);

}  // namespace decnet::decoy::snmp
