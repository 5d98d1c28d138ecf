// The smtp service as data: see api/catalog/service_descriptor.h.
#include "api/catalog/service_descriptor.h"

namespace decnet::api::catalog {

const ServiceDescriptor& descriptor_smtp() {
  static const ServiceDescriptor kDescriptor = {
      .slug = "smtp",
      .summary = "Postfix, Exim or Sendmail ESMTP server",
      .transports = {"tcp"},
      .ports = {25, 587},
      .emulated = true,
      .persona =
          {
              {.name = "banner",
               .type = PersonaType::kText,
               .defaultValue = "220 HOST ESMTP Postfix (Debian/GNU)",
               .doc = "greeting; HOST is replaced by the hostname (exim and sendmail bring their "
                      "own when unset)"},
              {.name = "mta",
               .type = PersonaType::kChoice,
               .defaultValue = "postfix",
               .doc = "which MTA's replies to imitate",
               .allowed = {"postfix", "exim", "sendmail"}},
              {.name = "open_relay",
               .type = PersonaType::kBoolean,
               .defaultValue = "false",
               .doc = "accept mail for any recipient domain"},
          },
      .events =
          {
              {"ehlo", "EHLO or HELO", {{"domain", "the name the client gave"}}},
              {"auth_attempt",
               "AUTH PLAIN or LOGIN",
               {{"principal", "user name tried"},
                {"secret", "password tried, non-printable bytes as ?"},
                {"secret_b64", "the password's exact bytes, base64"},
                {"outcome", "failed or success"},
                {"method", "plain or login"},
                {"anomaly", "malformed_sasl_plain when the PLAIN message lacks its NULs"}}},
              {"command",
               "any command (AUTH with its mechanism only)",
               {{"cmd", "command verb"},
                {"arg", "its argument"},
                {"anomaly",
                 "set on hostile input: nul_byte, invalid_base64, line_too_long, "
                 "too_many_commands, incomplete_line"},
                {"raw_b64", "the hostile input's first KiB, base64"}}},
              {"mail_from", "MAIL FROM", {{"address", "sender"}}},
              {"rcpt_to", "RCPT TO", {{"address", "recipient"}, {"accepted", "true or false"}}},
              {"message",
               "DATA received",
               {{"from", "sender"},
                {"to", "recipients"},
                {"subject", "Subject header"},
                {"size", "bytes"},
                {"sha256", "hex digest of the first MiB"},
                {"anomaly", "message_too_large (over 1 MiB: answered 552)"}}},
          },
  };
  return kDescriptor;
}

}  // namespace decnet::api::catalog
