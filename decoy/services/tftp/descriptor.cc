// The tftp service as data: see api/catalog/service_descriptor.h.
#include "api/catalog/service_descriptor.h"

namespace decnet::api::catalog {

const ServiceDescriptor& descriptor_tftp() {
  static const ServiceDescriptor kDescriptor = {
      .slug = "tftp",
      .summary = "TFTP server",
      .transports = {"udp"},
      .ports = {69},
      .emulated = false,
      .persona = {},
      .events =
          {
              {"request",
               "RRQ or WRQ",
               {{"op", "read or write"}, {"filename", "file"}, {"mode", "transfer mode"}}},
          },
  };
  return kDescriptor;
}

}  // namespace decnet::api::catalog
