// The ftp service as data: see api/catalog/service_descriptor.h.
#include "api/catalog/service_descriptor.h"

namespace decnet::api::catalog {

const ServiceDescriptor& descriptor_ftp() {
  static const ServiceDescriptor kDescriptor = {
      .slug = "ftp",
      .summary = "vsftpd-style FTP server",
      .transports = {"tcp"},
      .ports = {21},
      .emulated = true,
      .persona =
          {
              {.name = "banner",
               .type = PersonaType::kText,
               .defaultValue = "220 (vsFTPd 3.0.3)",
               .doc = "greeting line"},
              {.name = "users",
               .type = PersonaType::kUsers,
               .defaultValue = "",
               .doc = "logins that succeed, as user:password pairs separated by commas; every "
                      "other login fails; `anonymous` is refused unless listed"},
          },
      .events =
          {
              {"auth_attempt",
               "USER and PASS",
               {{"principal", "user name tried"},
                {"secret", "password tried, non-printable bytes as ?"},
                {"secret_b64", "the password's exact bytes, base64"},
                {"outcome", "failed or success"}}},
              {"command",
               "any command (PASS with an empty arg: the password is in auth_attempt)",
               {{"cmd", "command verb"},
                {"arg", "its argument"},
                {"anomaly",
                 "set on hostile input: nul_byte, line_too_long, too_many_commands, "
                 "incomplete_line"},
                {"raw_b64", "the hostile input's first KiB, base64"}}},
              {"download_attempt", "RETR", {{"path", "requested file"}}},
              {"upload",
               "STOR data received",
               {{"name", "file name"}, {"size", "bytes"}, {"sha256", "hex digest"}}},
          },
  };
  return kDescriptor;
}

}  // namespace decnet::api::catalog
