// The k8s service as data: see api/catalog/service_descriptor.h.
#include "api/catalog/service_descriptor.h"

namespace decnet::api::catalog {

const ServiceDescriptor& descriptor_k8s() {
  static const ServiceDescriptor kDescriptor = {
      .slug = "k8s",
      .summary = "Kubernetes API server",
      .transports = {"tcp"},
      .ports = {6443},
      .emulated = false,
      .persona =
          {
              {.name = "version",
               .type = PersonaType::kText,
               .defaultValue = "v1.28.2",
               .doc = "gitVersion"},
          },
      .events =
          {
              {"request",
               "one API request",
               {{"method", "method"},
                {"path", "path"},
                {"auth_kind", "bearer, basic, cert or none"},
                {"principal", "from the token"},
                {"secret", "bearer token"}}},
          },
  };
  return kDescriptor;
}

}  // namespace decnet::api::catalog
