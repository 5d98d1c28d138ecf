// Files the attacker sends: legacy scp and `cat > FILE` (the SFTP subsystem is in
// ssh_sftp.cc). Content is hashed as it streams and never stored.
#include "decoy/services/ssh/ssh_session.h"

namespace decnet::decoy::ssh {

void SshSession::recordUpload(const std::string& name, const std::string& path, std::uint64_t size,
                              const std::string& sha256, bool complete) {
  Fields fields = {{"name", name},
                   {"path", path},
                   {"size", std::to_string(size)},
                   {"sha256", sha256},
                   {"principal", user_}};
  if (!complete) fields.emplace_back("anomaly", "incomplete_upload");
  record("file_upload", std::move(fields));
}

void SshSession::catSink(ssh_channel channel, const std::string& target) {
  ChannelReader reader(channel, shared_);
  Sha256 hash;
  std::uint64_t size = 0;
  std::string chunk;
  while (size < kMaxUpload && reader.some(chunk, 65536)) {
    hash.update(chunk);
    size += chunk.size();
  }
  const auto slash = target.rfind('/');
  recordUpload(slash == std::string::npos ? target : target.substr(slash + 1), target, size,
               hash.hex(), size < kMaxUpload);
  exitStatus_ = 0;
}

// The sink side of the legacy scp protocol: "C<mode> <size> <name>\n", data, "\0".
void SshSession::scpSink(ssh_channel channel, const std::string& command, const std::string& cwd) {
  std::string directory = command.substr(command.rfind(' ') + 1);
  if (directory.empty() || directory.front() != '/') directory = cwd + "/" + directory;
  while (directory.size() > 1 && directory.back() == '/') directory.pop_back();
  ChannelReader reader(channel, shared_);
  const std::string ok(1, '\0');
  send(channel, ok, false);
  std::string line;
  while (reader.line(line, 1024) && !line.empty()) {
    const char kind = line[0];
    if (kind == 'T' || kind == 'D' || kind == 'E') {
      send(channel, ok, false);
      continue;
    }
    if (kind != 'C') break;  // \1 or \2: the client reports an error; or garbage
    const auto first = line.find(' ');
    const auto second = first == std::string::npos ? std::string::npos : line.find(' ', first + 1);
    if (second == std::string::npos) break;
    const std::string sizeText = line.substr(first + 1, second - first - 1);
    if (sizeText.empty() || sizeText.size() > 19 ||
        !std::all_of(sizeText.begin(), sizeText.end(), ::isdigit)) {
      break;
    }
    const std::uint64_t size = std::stoull(sizeText);
    const std::string name = line.substr(second + 1);
    if (size > kMaxUpload) {
      send(channel, "\x01scp: " + directory + "/" + name + ": No space left on device\n", false);
      recordUpload(name, directory + "/" + name, size, "", false);
      exitStatus_ = 1;
      return;
    }
    send(channel, ok, false);
    Sha256 hash;
    std::uint64_t received = 0;
    std::string chunk;
    while (received < size && reader.some(chunk, static_cast<std::size_t>(std::min<std::uint64_t>(
                                                     size - received, 65536)))) {
      hash.update(chunk);
      received += chunk.size();
    }
    recordUpload(name, directory + "/" + name, received, hash.hex(), received == size);
    if (received < size || !reader.some(chunk, 1)) return;  // the trailing \0
    send(channel, ok, false);
  }
  exitStatus_ = 0;
}

}  // namespace decnet::decoy::ssh
