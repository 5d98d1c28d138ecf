// The elasticsearch service as data: see api/catalog/service_descriptor.h.
#include "api/catalog/service_descriptor.h"

namespace decnet::api::catalog {

const ServiceDescriptor& descriptor_elasticsearch() {
  static const ServiceDescriptor kDescriptor = {
      .slug = "elasticsearch",
      .summary = "Elasticsearch REST API",
      .transports = {"tcp"},
      .ports = {9200},
      .emulated = false,
      .persona =
          {
              {.name = "version",
               .type = PersonaType::kText,
               .defaultValue = "7.17.9",
               .doc = "version.number"},
              {.name = "cluster_name",
               .type = PersonaType::kText,
               .defaultValue = "",
               .doc = "cluster name"},
          },
      .events =
          {
              {"request",
               "one HTTP request",
               {{"method", "method"},
                {"path", "path"},
                {"body_preview", "first 1 KiB of the body"}}},
          },
  };
  return kDescriptor;
}

}  // namespace decnet::api::catalog
