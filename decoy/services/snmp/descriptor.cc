// The snmp service as data: see api/catalog/service_descriptor.h.
#include "api/catalog/service_descriptor.h"

namespace decnet::api::catalog {

const ServiceDescriptor& descriptor_snmp() {
  static const ServiceDescriptor kDescriptor = {
      .slug = "snmp",
      .summary = "SNMP v1/v2c agent: system group and interfaces",
      .transports = {"udp"},
      .ports = {161},
      .emulated = true,
      .persona =
          {
              {.name = "community",
               .type = PersonaType::kText,
               .defaultValue = "public",
               .doc = "community that gets answers; any other gets none"},
              {.name = "sys_descr",
               .type = PersonaType::kText,
               .defaultValue = "",
               .doc = "sysDescr.0; default: from the distro and kernel"},
              {.name = "persona",
               .type = PersonaType::kChoice,
               .defaultValue = "default",
               .doc = "kind of device the tables describe",
               .allowed = {"default", "water_plant", "factory", "substation", "hospital"}},
          },
      .events =
          {
              {"get_request",
               "a GET, GETNEXT, GETBULK or SET datagram (SET is refused read-only), or a "
               "malformed one (anomaly); a wrong community gets no reply",
               {{"version", "1 or 2c (another number with an anomaly)"},
                {"pdu", "get, getnext, getbulk or set (response, trap, inform, report: anomaly)"},
                {"secret", "community string"},
                {"secret_b64", "community bytes, base64"},
                {"principal", "empty"},
                {"outcome", "failed or success"},
                {"oids", "requested OIDs, comma separated (first 32, then ...)"},
                {"anomaly", "what was malformed; the datagram got no reply"},
                {"raw_b64", "first 512 bytes of a malformed datagram, base64"}}},
          },
  };
  return kDescriptor;
}

}  // namespace decnet::api::catalog
