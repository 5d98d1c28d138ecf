// The sip service as data: see api/catalog/service_descriptor.h.
#include "api/catalog/service_descriptor.h"

namespace decnet::api::catalog {

const ServiceDescriptor& descriptor_sip() {
  static const ServiceDescriptor kDescriptor = {
      .slug = "sip",
      .summary = "SIP user agent server",
      .transports = {"udp", "tcp"},
      .ports = {5060},
      .emulated = false,
      .persona =
          {
              {.name = "server",
               .type = PersonaType::kText,
               .defaultValue = "Asterisk PBX 18.x",
               .doc = "Server and User-Agent header"},
              {.name = "domain",
               .type = PersonaType::kText,
               .defaultValue = "",
               .doc = "SIP domain"},
          },
      .events =
          {
              {"request",
               "a SIP request",
               {{"method", "method"},
                {"from", "From"},
                {"to", "To"},
                {"user_agent", "User-Agent"}}},
              {"auth_attempt",
               "digest credentials",
               {{"principal", "digest username"}, {"response", "digest response"}}},
          },
  };
  return kDescriptor;
}

}  // namespace decnet::api::catalog
