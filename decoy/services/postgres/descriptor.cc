// The postgres service as data: see api/catalog/service_descriptor.h.
#include "api/catalog/service_descriptor.h"

namespace decnet::api::catalog {

const ServiceDescriptor& descriptor_postgres() {
  static const ServiceDescriptor kDescriptor = {
      .slug = "postgres",
      .summary = "PostgreSQL server (startup, cleartext and md5 auth)",
      .transports = {"tcp"},
      .ports = {5432},
      .emulated = true,
      .persona =
          {
              {.name = "version",
               .type = PersonaType::kText,
               .defaultValue = "14.9",
               .doc = "server_version parameter"},
              {.name = "auth_method",
               .type = PersonaType::kChoice,
               .defaultValue = "md5",
               .doc = "password exchange asked of clients: md5 (salted hash) or cleartext",
               .allowed = {"md5", "cleartext"}},
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
                {"secret",
                 "password (cleartext) or md5 hash string sent, non-printable bytes as ?"},
                {"secret_b64", "the password's exact bytes, base64"},
                {"outcome", "failed or success"},
                {"method", "cleartext or md5"},
                {"database", "database"},
                {"salt_b64", "the 4-byte md5 salt the hash answers, base64 (md5 only)"}}},
              {"query", "simple query (or Parse) after login", {{"query", "SQL text"}}},
              {"cancel", "CancelRequest", {{"pid", "backend pid named"}, {"key", "secret key"}}},
              {"anomaly",
               "malformed or hostile packet",
               {{"anomaly",
                 "what was wrong: invalid_startup_length, invalid_message_length, "
                 "malformed_startup_packet, unsupported_protocol_X.Y, ..."},
                {"raw_b64", "first bytes of the packet, base64"}}},
          },
  };
  return kDescriptor;
}

}  // namespace decnet::api::catalog
