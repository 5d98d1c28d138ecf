// The custom service as data: see api/catalog/service_descriptor.h.
#include "api/catalog/service_descriptor.h"

namespace decnet::api::catalog {

const ServiceDescriptor& descriptor_custom() {
  static const ServiceDescriptor kDescriptor = {
      .slug = "custom",
      .summary = "your own program, speaking RFC 5424 on stdout",
      .transports = {"tcp"},
      .ports = {},
      .emulated = false,
      .persona =
          {
              {.name = "exec",
               .type = PersonaType::kText,
               .defaultValue = "",
               .doc = "program and arguments to run (required)"},
              {.name = "ports",
               .type = PersonaType::kPorts,
               .defaultValue = "",
               .doc = "ports it listens on, like 8080,8443"},
          },
      .events = {},
  };
  return kDescriptor;
}

}  // namespace decnet::api::catalog
