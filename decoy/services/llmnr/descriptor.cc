// The llmnr service as data: see api/catalog/service_descriptor.h.
#include "api/catalog/service_descriptor.h"

namespace decnet::api::catalog {

const ServiceDescriptor& descriptor_llmnr() {
  static const ServiceDescriptor kDescriptor = {
      .slug = "llmnr",
      .summary = "LLMNR and mDNS responder",
      .transports = {"udp"},
      .ports = {5355, 5353},
      .emulated = false,
      .persona = {},
      .events =
          {
              {"query",
               "a name query",
               {{"name", "name asked"}, {"qtype", "record type"}, {"proto", "llmnr or mdns"}}},
          },
  };
  return kDescriptor;
}

}  // namespace decnet::api::catalog
