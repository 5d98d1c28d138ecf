// The pop3 service as data: see api/catalog/service_descriptor.h.
#include "api/catalog/service_descriptor.h"

namespace decnet::api::catalog {

const ServiceDescriptor& descriptor_pop3() {
  static const ServiceDescriptor kDescriptor = {
      .slug = "pop3",
      .summary = "Dovecot POP3 server",
      .transports = {"tcp"},
      .ports = {110},
      .emulated = false,
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
               "USER/PASS or APOP",
               {{"principal", "user name tried"},
                {"secret", "password tried, non-printable bytes as ?"},
                {"secret_b64", "the password's exact bytes, base64"},
                {"outcome", "failed or success"}}},
              {"command", "any command", {{"cmd", "command verb"}, {"arg", "its argument"}}},
              {"retr", "RETR of a message", {{"message", "message number"}}},
          },
  };
  return kDescriptor;
}

}  // namespace decnet::api::catalog
