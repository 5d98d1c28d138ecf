// The mqtt service as data: see api/catalog/service_descriptor.h.
#include "api/catalog/service_descriptor.h"

namespace decnet::api::catalog {

const ServiceDescriptor& descriptor_mqtt() {
  static const ServiceDescriptor kDescriptor = {
      .slug = "mqtt",
      .summary = "MQTT broker",
      .transports = {"tcp"},
      .ports = {1883},
      .emulated = false,
      .persona =
          {
              {.name = "persona",
               .type = PersonaType::kText,
               .defaultValue = "water_plant",
               .doc = "topic tree to show"},
              {.name = "accept_all",
               .type = PersonaType::kBoolean,
               .defaultValue = "false",
               .doc = "accept every CONNECT"},
          },
      .events =
          {
              {"auth_attempt",
               "CONNECT",
               {{"client_id", "client id"},
                {"principal", "user name tried"},
                {"secret", "password tried, non-printable bytes as ?"},
                {"secret_b64", "the password's exact bytes, base64"},
                {"outcome", "failed or success"}}},
              {"subscribe", "SUBSCRIBE", {{"topics", "topic filters"}}},
              {"publish",
               "PUBLISH",
               {{"topic", "topic"}, {"payload_preview", "first bytes of the payload"}}},
          },
  };
  return kDescriptor;
}

}  // namespace decnet::api::catalog
