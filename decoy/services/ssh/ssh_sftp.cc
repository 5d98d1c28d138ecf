// The sftp subsystem: channel bytes through SftpServer over the fake host's file tree. Uploads
// stay in memory (bounded by kMaxUpload) and are recorded as file_upload when their handle closes.
#include <algorithm>
#include <cctype>
#include <ctime>
#include <functional>

#include "decoy/common/shell/fake_filesystem.h"
#include "decoy/services/ssh/sftp_protocol.h"
#include "decoy/services/ssh/ssh_session.h"

namespace decnet::decoy::ssh {
namespace {

// The same install and boot times FakeShell derives, so `ls -l` in the shell and in sftp agree.
std::time_t installTime(const FakeHost& host) {
  std::tm tm{};
  if (host.installDate.size() == 10 && std::sscanf(host.installDate.c_str(), "%d-%d-%d",
                                                   &tm.tm_year, &tm.tm_mon, &tm.tm_mday) == 3) {
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    tm.tm_hour = 10 + static_cast<int>(std::hash<std::string>{}(host.hostname) % 8);
    tm.tm_min = static_cast<int>(std::hash<std::string>{}(host.hostname + "m") % 60);
    const std::time_t at = ::timegm(&tm);
    if (at > 0 && at < std::time(nullptr)) return at;
  }
  return std::time(nullptr) - 400 * 86400;
}

std::time_t bootTime(const FakeHost& host) {
  const auto seed = std::hash<std::string>{}(host.hostname + "boot");
  const std::time_t uptime = static_cast<std::time_t>(9 * 86400 + seed % (50 * 86400));
  static const std::time_t started = std::time(nullptr);
  return std::max(started - uptime, installTime(host) + 86400);
}

// Only plain paths reach the fake shell's `cat`.
bool plainPath(const std::string& path) {
  return path.size() < 256 && std::all_of(path.begin(), path.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '.' || c == '_' ||
                  c == '-';
         });
}

}  // namespace

void SshSession::runSftp(ssh_channel channel) {
  const FakeHost fake = host();
  auto shell = std::make_shared<FakeShell>(fake, user_);
  SftpFiles files;
  files.user = user_;
  files.home = shell->home();
  files.now = std::time(nullptr);
  FsFacts facts{fake.hostname,     user_,          files.home, {}, false,
                installTime(fake), bootTime(fake), files.now};
  facts.ubuntu = (fake.prettyName.empty() ? fake.sshVersion : fake.prettyName).find("Ubuntu") !=
                 std::string::npos;
  std::uint32_t uid = 1000;
  for (const auto& [name, password] : fake.users) {
    if (name == "root") continue;
    facts.homeUsers.push_back(name);
    if (name == user_) files.uid = uid;
    ++uid;
  }
  if (user_ != "root" && files.uid == 0) files.uid = uid;
  files.tree = fakeTree(facts);
  files.content = [shell](const std::string& path) -> std::optional<std::string> {
    if (!plainPath(path)) return std::nullopt;
    auto outcome = shell->run("cat " + path, false);
    if (outcome.status != 0) return std::nullopt;
    return std::move(outcome.output);
  };
  SftpLimits limits;
  limits.maxStored = kMaxUpload;
  SftpServer server(std::move(files), limits);

  const auto emit = [&](SftpRecord& item) {
    if (item.type == "file_upload") {
      Fields fields;
      std::string anomaly;
      for (auto& [key, value] : item.fields) {
        if (key == "anomaly") {
          anomaly = std::move(value);
        } else {
          fields.emplace_back(std::move(key), std::move(value));
        }
      }
      fields.emplace_back("principal", user_);
      if (!anomaly.empty()) fields.emplace_back("anomaly", std::move(anomaly));
      record("file_upload", std::move(fields));
      return;
    }
    Fields fields;
    bool hostile = false;
    for (auto& [key, value] : item.fields) {
      hostile = hostile || key == "anomaly";
      fields.emplace_back(std::move(key), std::move(value));
      if (fields.size() == 1) {
        fields.emplace_back("cwd", shell->home());
        fields.emplace_back("principal", user_);
      }
    }
    record("command", std::move(fields), hostile ? kSeverityWarning : kSeverityInfo);
  };

  ssh_set_message_callback(session_, onLateMessage, nullptr);
  ChannelReader reader(channel, shared_);
  std::string chunk;
  while (reader.some(chunk, 65536)) {
    auto out = server.feed(chunk);
    for (auto& item : out.records) emit(item);
    if (!out.reply.empty() && !send(channel, out.reply, false)) break;
    if (out.close) break;
  }
  for (auto& item : server.finish()) emit(item);
  exitStatus_ = 0;
}

}  // namespace decnet::decoy::ssh
