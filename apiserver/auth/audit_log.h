#pragma once
// The audit trail: one RFC 5424 line per write to the API (APP-NAME decnet.audit), naming who,
// the verb, the object and the result, appended to a file an operator ships like any log.
#include <mutex>
#include <string>

namespace decnet::apiserver::auth {

struct AuditRecord {
  std::string user;     // the identity's name, "system:anonymous" without one
  std::string verb;     // create, update, patch, delete, login, ...
  std::string object;   // "fleets/corp", "auth/login"
  int code = 0;         // the HTTP status answered
  std::string address;  // the client's IP address
};

class AuditLog {
 public:
  // Appends to `path` (created 0600); "" writes nowhere but the process log.
  explicit AuditLog(std::string path) : path_(std::move(path)) {}
  // Writes one line for `record`. Thread-safe; never throws.
  void write(const AuditRecord& record);

 private:
  const std::string path_;
  std::mutex mutex_;
};

// The RFC 5424 line for `record` at `timestamp` (RFC 3339), without a newline.
std::string auditLine(const AuditRecord& record, const std::string& timestamp,
                      const std::string& hostname);

}  // namespace decnet::apiserver::auth
