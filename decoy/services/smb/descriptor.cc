// The smb service as data: see api/catalog/service_descriptor.h.
#include "api/catalog/service_descriptor.h"

namespace decnet::api::catalog {

const ServiceDescriptor& descriptor_smb() {
  static const ServiceDescriptor kDescriptor = {
      .slug = "smb",
      .summary = "Windows file sharing (SMB2 negotiate, NTLMSSP)",
      .transports = {"tcp"},
      .ports = {445, 139},
      .emulated = false,
      .persona =
          {
              {.name = "workgroup",
               .type = PersonaType::kText,
               .defaultValue = "WORKGROUP",
               .doc = "NetBIOS domain or workgroup"},
              {.name = "server_name",
               .type = PersonaType::kText,
               .defaultValue = "",
               .doc = "NetBIOS name; default: the hostname"},
              {.name = "os_version",
               .type = PersonaType::kText,
               .defaultValue = "Windows Server 2016",
               .doc = "OS the server reports"},
          },
      .events =
          {
              {"negotiate", "protocol negotiation", {{"dialects", "dialects offered"}}},
              {"auth_attempt",
               "NTLMSSP authenticate",
               {{"principal", "user"},
                {"domain", "domain"},
                {"workstation", "client host"},
                {"secret", "NetNTLM hash"},
                {"outcome", "failed"}}},
          },
  };
  return kDescriptor;
}

}  // namespace decnet::api::catalog
