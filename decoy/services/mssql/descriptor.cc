// The mssql service as data: see api/catalog/service_descriptor.h.
#include "api/catalog/service_descriptor.h"

namespace decnet::api::catalog {

const ServiceDescriptor& descriptor_mssql() {
  static const ServiceDescriptor kDescriptor = {
      .slug = "mssql",
      .summary = "Microsoft SQL Server (TDS prelogin, Login7 and TDS 4.2 logins)",
      .transports = {"tcp"},
      .ports = {1433},
      .emulated = true,
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
                {"encryption", "encryption option: off, on, not_supported, required"},
                {"instance", "instance name the client asked for"}}},
              {"auth_attempt",
               "LOGIN7 packet",
               {{"principal", "user name tried"},
                {"secret", "password tried, non-printable bytes as ?"},
                {"secret_b64", "the password's exact bytes, base64"},
                {"outcome", "failed or success"},
                {"hostname", "client host"},
                {"app_name", "client application"},
                {"database", "database"},
                {"server_name", "server name the client typed"},
                {"library", "client interface library (ODBC, DB-Library, ...)"},
                {"sspi", "true when the client tried integrated (NTLM/Kerberos) auth"}}},
              {"query", "SQL batch after a login the persona allows", {{"query", "SQL text"}}},
              {"anomaly",
               "malformed or hostile packet; the connection is closed",
               {{"anomaly",
                 "what was wrong: unknown_packet_type, invalid_packet_length, "
                 "prelogin_option_out_of_bounds, "
                 "login7_truncated, tls_without_encryption, unexpected_packet_type_0xNN, ..."},
                {"raw_b64", "first bytes of the packet, base64"}}},
          },
  };
  return kDescriptor;
}

}  // namespace decnet::api::catalog
