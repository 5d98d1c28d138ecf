#include "apiserver/auth/audit_log.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include "api/types/clock.h"

namespace decnet::apiserver::auth {
namespace {

// A user name comes from the client: control bytes (a newline would forge a second line) are
// shown as '?'.
std::string printable(const std::string& value) {
  std::string out = value;
  for (auto& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return out;
}

// RFC 5424 PARAM-VALUE: '"', '\' and ']' are escaped.
std::string paramValue(const std::string& value) {
  std::string out;
  for (char c : printable(value)) {
    if (c == '"' || c == '\\' || c == ']') out += '\\';
    out += c;
  }
  return out;
}

std::string hostName() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "-";
  return name;
}

}  // namespace

std::string auditLine(const AuditRecord& record, const std::string& timestamp,
                      const std::string& hostname) {
  // facility 13 (log audit), severity 5 (notice) for success, 4 (warning) for a refusal.
  const int priority = 13 * 8 + (record.code < 400 ? 5 : 4);
  return "<" + std::to_string(priority) + ">1 " + timestamp + " " + hostname + " decnet.audit - " +
         record.verb + " [audit@55555 user=\"" + paramValue(record.user) + "\" verb=\"" +
         paramValue(record.verb) + "\" object=\"" + paramValue(record.object) + "\" code=\"" +
         std::to_string(record.code) + "\" src_ip=\"" + paramValue(record.address) + "\"] " +
         printable(record.user) + " " + record.verb + " " + printable(record.object) + ": " +
         std::to_string(record.code);
}

void AuditLog::write(const AuditRecord& record) {
  static const std::string host = hostName();
  const std::string line = auditLine(record, api::formatTime(api::systemClock().now()), host);
  spdlog::info("audit: {} {} {} -> {}", printable(record.user), record.verb,
               printable(record.object), record.code);
  if (path_.empty()) return;
  std::lock_guard lock(mutex_);
  const int fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    spdlog::error("audit: cannot open {}; the line was: {}", path_, line);
    return;
  }
  const std::string withNewline = line + "\n";
  if (::write(fd, withNewline.data(), withNewline.size()) !=
      static_cast<ssize_t>(withNewline.size())) {
    spdlog::error("audit: cannot write {}; the line was: {}", path_, line);
  }
  ::close(fd);
}

}  // namespace decnet::apiserver::auth
