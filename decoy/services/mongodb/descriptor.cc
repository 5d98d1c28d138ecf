// The mongodb service as data: see api/catalog/service_descriptor.h.
#include "api/catalog/service_descriptor.h"

namespace decnet::api::catalog {

const ServiceDescriptor& descriptor_mongodb() {
  static const ServiceDescriptor kDescriptor = {
      .slug = "mongodb",
      .summary = "MongoDB server",
      .transports = {"tcp"},
      .ports = {27017},
      .emulated = false,
      .persona =
          {
              {.name = "version",
               .type = PersonaType::kText,
               .defaultValue = "6.0.5",
               .doc = "server version"},
          },
      .events =
          {
              {"command", "a command", {{"name", "command name"}, {"db", "database"}}},
              {"auth_attempt",
               "SCRAM start",
               {{"principal", "user"}, {"mechanism", "SCRAM mechanism"}}},
          },
  };
  return kDescriptor;
}

}  // namespace decnet::api::catalog
