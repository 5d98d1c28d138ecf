// The ssh service as data: see api/catalog/service_descriptor.h.
#include "api/catalog/service_descriptor.h"

namespace decnet::api::catalog {

const ServiceDescriptor& descriptor_ssh() {
  static const ServiceDescriptor kDescriptor = {
      .slug = "ssh",
      .summary =
          "OpenSSH server (libssh): banner, KEXINIT, password and keyboard-interactive logins, a "
          "fake shell (cmd.exe on Windows deckies), legacy scp uploads, an SFTP subsystem (sftp, "
          "scp) over the fake file tree",
      .transports = {"tcp"},
      .ports = {22},
      .emulated = true,
      .persona =
          {
              {.name = "version",
               .type = PersonaType::kText,
               .defaultValue = "",
               .doc = "identification after SSH-2.0-; default: the stock OpenSSH of the decky's "
                      "distro (Debian 12: OpenSSH_9.2p1 Debian-2+deb12u3)"},
              {.name = "users",
               .type = PersonaType::kUsers,
               .defaultValue = "root:toor,admin:admin",
               .doc = "logins that succeed, as user:password pairs separated by commas; every "
                      "other login fails"},
              {.name = "hostname",
               .type = PersonaType::kText,
               .defaultValue = "",
               .doc = "host name the shell shows; default: the decky's hostname"},
              {.name = "kernel",
               .type = PersonaType::kText,
               .defaultValue = "",
               .doc = "`uname -a` line (HOSTNAME is replaced); default: the distro's kernel"},
          },
      .events =
          {
              {"auth_attempt",
               "one password, keyboard-interactive or public-key try",
               {{"principal", "user name tried"},
                {"secret", "password tried, non-printable bytes as ?"},
                {"secret_b64", "the password's exact bytes, base64"},
                {"outcome", "failed or success"},
                {"method", "password, keyboard-interactive or publickey"},
                {"client_version", "the client's identification string"},
                {"hassh", "MD5 of the client's KEXINIT algorithm lists"},
                {"key_type", "publickey only"},
                {"key_fingerprint", "publickey only: SHA256 fingerprint"}}},
              {"session",
               "a channel request after login",
               {{"principal", "logged-in user"},
                {"kind", "shell, exec or subsystem"},
                {"term", "terminal type (shell)"},
                {"subsystem", "subsystem name (sftp)"}}},
              {"command",
               "one command line in the fake shell or an exec request, or one SFTP operation "
               "(cmd like \"sftp open /tmp/x (write)\", \"sftp mkdir /tmp/d\")",
               {{"cmd", "the command line, or the SFTP operation and its path"},
                {"cwd", "working directory"},
                {"principal", "logged-in user"},
                {"anomaly", "SFTP only: malformed_packet, packet_too_long, request_before_init..."},
                {"raw_b64", "SFTP anomaly only: the offending packet's first 256 bytes, base64"}}},
              {"download_attempt",
               "a wget, curl or tftp command: recorded, never run",
               {{"url", "what it asked for"},
                {"tool", "wget, curl or tftp"},
                {"principal", "logged-in user"}}},
              {"file_upload",
               "a file sent with sftp put, scp (SFTP or legacy -O) or `cat > FILE`; content is "
               "hashed in memory, never stored",
               {{"name", "file name"},
                {"path", "full path"},
                {"size", "bytes"},
                {"sha256", "hex digest"},
                {"principal", "logged-in user"},
                {"anomaly", "incomplete_upload when cut short or over the 64 MiB bound"}}},
              {"port_forward",
               "a direct-tcpip or tcpip-forward request (always refused)",
               {{"principal", "logged-in user"},
                {"dst_host", "requested host"},
                {"dst_port_requested", "requested port"}}},
          },
  };
  return kDescriptor;
}

}  // namespace decnet::api::catalog
