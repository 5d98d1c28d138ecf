// The postgres service as data: see api/catalog/service_descriptor.h.
#include "api/catalog/service_descriptor.h"

namespace decnet::api::catalog {

const ServiceDescriptor& descriptor_postgres() {
  static const ServiceDescriptor kDescriptor = {
      .slug = "postgres",
      .summary = "PostgreSQL server (startup, cleartext and md5 auth)",
      .transports = {"tcp"},
      .ports = {5432},
      .emulated = false,
      .persona =
          {
              {.name = "version",
               .type = PersonaType::kText,
               .defaultValue = "14.9",
               .doc = "server_version parameter"},
              {.name = "users",
               .type = PersonaType::kUsers,
               .defaultValue = "",
               .doc = "logins that succeed, as user:password pairs separated by commas; every "
                      "other login fails"},
          },
      .events =
          {
              {"startup",
               "StartupMessage",
               {{"user", "user"},
                {"database", "database"},
                {"application_name", "client application"}}},
              {"auth_attempt",
               "password message",
               {{"principal", "user name tried"},
                {"secret", "password tried, non-printable bytes as ?"},
                {"secret_b64", "the password's exact bytes, base64"},
                {"outcome", "failed or success"},
                {"method", "cleartext or md5"},
                {"database", "database"}}},
              {"query", "simple query after login", {{"query", "SQL text"}}},
          },
  };
  return kDescriptor;
}

}  // namespace decnet::api::catalog
