// The rdp service as data: see api/catalog/service_descriptor.h.
#include "api/catalog/service_descriptor.h"

namespace decnet::api::catalog {

const ServiceDescriptor& descriptor_rdp() {
  static const ServiceDescriptor kDescriptor = {
      .slug = "rdp",
      .summary = "Remote Desktop (X.224 connection request)",
      .transports = {"tcp"},
      .ports = {3389},
      .emulated = false,
      .persona =
          {
              {.name = "os_version",
               .type = PersonaType::kText,
               .defaultValue = "",
               .doc = "Windows version the server claims; default: the decky's"},
              {.name = "nla",
               .type = PersonaType::kBoolean,
               .defaultValue = "false",
               .doc = "require Network Level Authentication"},
          },
      .events =
          {
              {"connection_request",
               "X.224 connection request",
               {{"cookie", "mstshash user name"},
                {"requested_protocols", "RDP, TLS, CredSSP flags"}}},
          },
  };
  return kDescriptor;
}

}  // namespace decnet::api::catalog
