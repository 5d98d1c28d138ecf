// The ldap service as data: see api/catalog/service_descriptor.h.
#include "api/catalog/service_descriptor.h"

namespace decnet::api::catalog {

const ServiceDescriptor& descriptor_ldap() {
  static const ServiceDescriptor kDescriptor = {
      .slug = "ldap",
      .summary = "LDAP directory (Active Directory style)",
      .transports = {"tcp"},
      .ports = {389},
      .emulated = false,
      .persona =
          {
              {.name = "base_dn",
               .type = PersonaType::kText,
               .defaultValue = "",
               .doc = "naming context; default: from domain"},
              {.name = "domain",
               .type = PersonaType::kText,
               .defaultValue = "",
               .doc = "DNS domain"},
          },
      .events =
          {
              {"bind",
               "a bind request",
               {{"principal", "bind DN"},
                {"secret", "password"},
                {"secret_b64", "password bytes, base64"}}},
              {"search", "a search request", {{"base", "base DN"}, {"filter", "filter"}}},
          },
  };
  return kDescriptor;
}

}  // namespace decnet::api::catalog
