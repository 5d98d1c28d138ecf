// The imap service as data: see api/catalog/service_descriptor.h.
#include "api/catalog/service_descriptor.h"

namespace decnet::api::catalog {

const ServiceDescriptor& descriptor_imap() {
  static const ServiceDescriptor kDescriptor = {
      .slug = "imap",
      .summary = "Dovecot IMAP server",
      .transports = {"tcp"},
      .ports = {143},
      .emulated = true,
      .persona =
          {
              {.name = "banner",
               .type = PersonaType::kText,
               .defaultValue = "* OK Dovecot ready.",
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
               "LOGIN or AUTHENTICATE PLAIN",
               {{"principal", "user name tried"},
                {"secret", "password tried, non-printable bytes as ?"},
                {"secret_b64", "the password's exact bytes, base64"},
                {"outcome", "failed or success"},
                {"method", "login or plain"},
                {"anomaly", "malformed_sasl_plain when the PLAIN message lacks its NULs"}}},
              {"command",
               "any command (LOGIN and AUTHENTICATE with the user name or mechanism only)",
               {{"tag", "client tag"},
                {"cmd", "command"},
                {"arg", "its arguments"},
                {"anomaly",
                 "set on hostile input: nul_byte, syntax_error, invalid_base64, "
                 "literal_too_large, line_too_long, too_many_commands, "
                 "incomplete_line"},
                {"raw_b64", "the hostile input's first KiB, base64"}}},
          },
  };
  return kDescriptor;
}

}  // namespace decnet::api::catalog
