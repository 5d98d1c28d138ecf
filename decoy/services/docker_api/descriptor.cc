// The docker_api service as data: see api/catalog/service_descriptor.h.
#include "api/catalog/service_descriptor.h"

namespace decnet::api::catalog {

const ServiceDescriptor& descriptor_docker_api() {
  static const ServiceDescriptor kDescriptor = {
      .slug = "docker_api",
      .summary = "Docker Engine API",
      .transports = {"tcp"},
      .ports = {2375},
      .emulated = false,
      .persona =
          {
              {.name = "version",
               .type = PersonaType::kText,
               .defaultValue = "24.0.7",
               .doc = "engine version"},
          },
      .events =
          {
              {"request",
               "one API request",
               {{"method", "method"},
                {"path", "path"},
                {"body_preview", "first 1 KiB; container create keeps image and cmd"}}},
          },
  };
  return kDescriptor;
}

}  // namespace decnet::api::catalog
