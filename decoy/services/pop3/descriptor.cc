// The pop3 service as data: see api/catalog/service_descriptor.h.
#include "api/catalog/service_descriptor.h"

namespace decnet::api::catalog {

const ServiceDescriptor& descriptor_pop3() {
  static const ServiceDescriptor kDescriptor = {
      .slug = "pop3",
      .summary = "Dovecot POP3 server",
      .transports = {"tcp"},
      .ports = {110},
      .emulated = true,
      .persona =
          {
              {.name = "banner",
               .type = PersonaType::kText,
               .defaultValue = "+OK Dovecot ready.",
               .doc = "greeting line"},
              {.name = "users",
               .type = PersonaType::kUsers,
               .defaultValue = "",
               .doc = "logins that succeed, as user:password pairs separated by commas; every "
                      "other login fails"},
          },
      .events =
          {
              {"auth_attempt",
               "USER/PASS, APOP or AUTH PLAIN",
               {{"principal", "user name tried"},
                {"secret", "password (APOP: digest) tried, non-printable bytes as ?"},
                {"secret_b64", "the password's exact bytes, base64"},
                {"outcome", "failed or success"},
                {"method", "user, apop or plain"},
                {"anomaly", "malformed_sasl_plain when the PLAIN message lacks its NULs"}}},
              {"command",
               "any command (PASS, APOP and AUTH without their secrets)",
               {{"cmd", "command verb"},
                {"arg", "its argument"},
                {"anomaly",
                 "set on hostile input: nul_byte, invalid_base64, line_too_long, "
                 "too_many_commands, incomplete_line"},
                {"raw_b64", "the hostile input's first KiB, base64"}}},
              {"retr", "RETR of a message", {{"message", "message number"}}},
          },
  };
  return kDescriptor;
}

}  // namespace decnet::api::catalog
