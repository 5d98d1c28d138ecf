// The telnet service as data: see api/catalog/service_descriptor.h.
#include "api/catalog/service_descriptor.h"

namespace decnet::api::catalog {

const ServiceDescriptor& descriptor_telnet() {
  static const ServiceDescriptor kDescriptor = {
      .slug = "telnet",
      .summary = "telnetd login prompt leading into the fake shell",
      .transports = {"tcp"},
      .ports = {23},
      .emulated = true,
      .persona =
          {
              {.name = "banner",
               .type = PersonaType::kText,
               .defaultValue = "",
               .doc = "text before the login prompt; default: the distro's /etc/issue.net"},
              {.name = "users",
               .type = PersonaType::kUsers,
               .defaultValue = "root:toor,admin:admin",
               .doc = "logins that succeed, as user:password pairs separated by commas; every "
                      "other login fails"},
              {.name = "hostname",
               .type = PersonaType::kText,
               .defaultValue = "",
               .doc = "host name in the prompt; default: the decky's hostname"},
          },
      .events =
          {
              {"auth_attempt",
               "one login at the prompt",
               {{"principal", "user name tried"},
                {"secret", "password tried, non-printable bytes as ?"},
                {"secret_b64", "the password's exact bytes, base64"},
                {"outcome", "failed or success"}}},
              {"command",
               "one command line in the fake shell",
               {{"cmd", "the command line"},
                {"cwd", "working directory"},
                {"principal", "logged-in user"}}},
              {"download_attempt",
               "a wget, curl or tftp command: recorded, never run",
               {{"url", "what it asked for"},
                {"tool", "wget, curl or tftp"},
                {"principal", "logged-in user"}}},
          },
  };
  return kDescriptor;
}

}  // namespace decnet::api::catalog
