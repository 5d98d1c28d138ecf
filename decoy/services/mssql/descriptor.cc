// The mssql service as data: see api/catalog/service_descriptor.h.
#include "api/catalog/service_descriptor.h"

namespace decnet::api::catalog {

const ServiceDescriptor& descriptor_mssql() {
  static const ServiceDescriptor kDescriptor = {
      .slug = "mssql",
      .summary = "Microsoft SQL Server (TDS prelogin and Login7)",
      .transports = {"tcp"},
      .ports = {1433},
      .emulated = false,
      .persona =
          {
              {.name = "version",
               .type = PersonaType::kText,
               .defaultValue = "15.0.2000",
               .doc = "version in the PRELOGIN answer"},
              {.name = "users",
               .type = PersonaType::kUsers,
               .defaultValue = "",
               .doc = "logins that succeed, as user:password pairs separated by commas; every "
                      "other login fails"},
          },
      .events =
          {
              {"prelogin",
               "PRELOGIN packet",
               {{"client_version", "version the client sent"},
                {"encryption", "encryption option"}}},
              {"auth_attempt",
               "LOGIN7 packet",
               {{"principal", "user name tried"},
                {"secret", "password tried, non-printable bytes as ?"},
                {"secret_b64", "the password's exact bytes, base64"},
                {"outcome", "failed or success"},
                {"hostname", "client host"},
                {"app_name", "client application"},
                {"database", "database"}}},
          },
  };
  return kDescriptor;
}

}  // namespace decnet::api::catalog
