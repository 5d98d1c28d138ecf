// The redis service as data: see api/catalog/service_descriptor.h.
#include "api/catalog/service_descriptor.h"

namespace decnet::api::catalog {

const ServiceDescriptor& descriptor_redis() {
  static const ServiceDescriptor kDescriptor = {
      .slug = "redis",
      .summary = "Redis server (RESP)",
      .transports = {"tcp"},
      .ports = {6379},
      .emulated = true,
      .persona =
          {
              {.name = "version",
               .type = PersonaType::kText,
               .defaultValue = "7.2.7",
               .doc = "redis_version in INFO"},
              {.name = "os",
               .type = PersonaType::kText,
               .defaultValue = "",
               .doc = "os in INFO; default: the distro's kernel (Linux 6.1.0-18-amd64 x86_64)"},
              {.name = "password",
               .type = PersonaType::kText,
               .defaultValue = "",
               .doc = "requirepass; empty: every AUTH is accepted"},
          },
      .events =
          {
              {"command",
               "any command",
               {{"cmd", "command name as sent"},
                {"args", "arguments, space-separated (first 1024 bytes)"},
                {"anomaly", "what was malformed (protocol errors, cross-protocol HTTP)"},
                {"raw_b64", "first bytes of a malformed request, base64"}}},
              {"auth_attempt",
               "AUTH",
               {{"principal", "user name tried"},
                {"secret", "password tried, non-printable bytes as ?"},
                {"secret_b64", "the password's exact bytes, base64"},
                {"outcome", "failed or success"}}},
          },
  };
  return kDescriptor;
}

}  // namespace decnet::api::catalog
