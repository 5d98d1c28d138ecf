// The mysql service as data: see api/catalog/service_descriptor.h.
#include "api/catalog/service_descriptor.h"

namespace decnet::api::catalog {

const ServiceDescriptor& descriptor_mysql() {
  static const ServiceDescriptor kDescriptor = {
      .slug = "mysql",
      .summary = "MySQL server (handshake v10, mysql_native_password)",
      .transports = {"tcp"},
      .ports = {3306},
      .emulated = true,
      .persona =
          {
              {.name = "version",
               .type = PersonaType::kText,
               .defaultValue = "",
               .doc =
                   "server version; default: the distro's (Debian 12: 10.11.6-MariaDB-0+deb12u1)"},
              {.name = "users",
               .type = PersonaType::kUsers,
               .defaultValue = "",
               .doc = "logins that succeed, as user:password pairs separated by commas; every "
                      "other login fails"},
          },
      .events =
          {
              {"auth_attempt",
               "HandshakeResponse41",
               {{"principal", "user"},
                {"auth_plugin",
                 "plugin named by the client (others are switched to mysql_native_password)"},
                {"secret_b64", "scramble response, base64"},
                {"scramble_b64", "the 20-byte challenge the response answers, base64"},
                {"database", "schema asked for"},
                {"client_attrs", "connect attributes (_client_name, program_name, ...)"},
                {"outcome", "failed or success"}}},
              {"query", "COM_QUERY after login", {{"query", "SQL text"}}},
              {"anomaly",
               "malformed or hostile packet; the connection is closed",
               {{"anomaly",
                 "what was wrong: packet_too_large, bad_sequence, short_handshake_response, "
                 "ssl_request_without_ssl, ..."},
                {"raw_b64", "first bytes of the packet, base64"}}},
          },
  };
  return kDescriptor;
}

}  // namespace decnet::api::catalog
