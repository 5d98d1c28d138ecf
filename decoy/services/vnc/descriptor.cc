// The vnc service as data: see api/catalog/service_descriptor.h.
#include "api/catalog/service_descriptor.h"

namespace decnet::api::catalog {

const ServiceDescriptor& descriptor_vnc() {
  static const ServiceDescriptor kDescriptor = {
      .slug = "vnc",
      .summary = "VNC server (RFB)",
      .transports = {"tcp"},
      .ports = {5900},
      .emulated = false,
      .persona =
          {
              {.name = "version",
               .type = PersonaType::kText,
               .defaultValue = "RFB 003.008",
               .doc = "protocol version line"},
          },
      .events =
          {
              {"auth_attempt", "VNC authentication", {{"challenge", "hex"}, {"response", "hex"}}},
          },
  };
  return kDescriptor;
}

}  // namespace decnet::api::catalog
