// The dns service as data: see api/catalog/service_descriptor.h.
#include "api/catalog/service_descriptor.h"

namespace decnet::api::catalog {

const ServiceDescriptor& descriptor_dns() {
  static const ServiceDescriptor kDescriptor = {
      .slug = "dns",
      .summary = "DNS server",
      .transports = {"udp", "tcp"},
      .ports = {53},
      .emulated = false,
      .persona =
          {
              {.name = "domain",
               .type = PersonaType::kText,
               .defaultValue = "",
               .doc = "zone it is authoritative for"},
              {.name = "version_bind",
               .type = PersonaType::kText,
               .defaultValue = "",
               .doc = "answer to version.bind"},
          },
      .events =
          {
              {"query", "a query", {{"name", "name"}, {"qtype", "record type"}}},
              {"zone_transfer", "AXFR or IXFR", {{"name", "zone"}}},
          },
  };
  return kDescriptor;
}

}  // namespace decnet::api::catalog
