#include "agents/log_forwarder.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "api/types/object.h"

namespace decnet::agents {
namespace fs = std::filesystem;

namespace {

struct Header {
  std::string host, app, msgid;
  std::size_t sdStart = 0, sdEnd = 0;  // [sdStart, sdEnd) is the STRUCTURED-DATA field
};

// Splits "<PRI>1 TS HOST APP PROCID MSGID SD MSG"; false when the line is not RFC 5424.
bool parseHeader(const std::string& line, Header& header) {
  if (line.size() < 8 || line[0] != '<') return false;
  const auto close = line.find('>');
  if (close == std::string::npos || close > 4 || line.compare(close + 1, 2, "1 ") != 0)
    return false;
  std::size_t pos = close + 3;
  std::string fields[5];  // TIMESTAMP HOSTNAME APP-NAME PROCID MSGID
  for (auto& field : fields) {
    const auto space = line.find(' ', pos);
    if (space == std::string::npos) return false;
    field = line.substr(pos, space - pos);
    pos = space + 1;
  }
  header.host = fields[1];
  header.app = fields[2];
  header.msgid = fields[4];
  header.sdStart = pos;
  if (pos < line.size() && line[pos] == '-') {
    header.sdEnd = pos + 1;
    return true;
  }
  // One or more [id k="v"...] elements; quoted values may contain escaped \" and \].
  while (pos < line.size() && line[pos] == '[') {
    bool quoted = false;
    ++pos;
    for (; pos < line.size(); ++pos) {
      const char c = line[pos];
      if (quoted && c == '\\') {
        ++pos;
        continue;
      }
      if (c == '"') quoted = !quoted;
      if (!quoted && c == ']') break;
    }
    if (pos >= line.size()) return false;
    ++pos;
  }
  header.sdEnd = pos;
  return header.sdEnd > header.sdStart;
}

// The value of `key="..."` inside the structured data, unescaped.
std::string sdParam(const std::string& sd, const std::string& key) {
  const std::string needle = " " + key + "=\"";
  auto start = sd.find(needle);
  if (start == std::string::npos) return "";
  std::string out;
  for (auto pos = start + needle.size(); pos < sd.size(); ++pos) {
    if (sd[pos] == '\\' && pos + 1 < sd.size()) {
      out += sd[++pos];
    } else if (sd[pos] == '"') {
      break;
    } else {
      out += sd[pos];
    }
  }
  return out;
}

}  // namespace

std::string stampSequence(const std::string& line, std::uint64_t sequence) {
  Header header;
  if (!parseHeader(line, header)) return "";
  const std::string meta = "[meta sequenceId=\"" + std::to_string(sequence) + "\"]";
  if (line[header.sdStart] == '-') {
    return line.substr(0, header.sdStart) + meta + line.substr(header.sdEnd);
  }
  return line.substr(0, header.sdEnd) + meta + line.substr(header.sdEnd);
}

LogForwarder::LogForwarder(std::string dataDir, std::string node)
    : dataDir_(std::move(dataDir)), node_(std::move(node)) {
  std::error_code ec;
  fs::create_directories(dataDir_ + "/spool", ec);
  fs::create_directories(dataDir_ + "/logs", ec);
  loadState();
  rebuildReadiness();
}

void LogForwarder::rebuildReadiness() {
  // After a restart the decoys' `listening` lines are already forwarded: re-read the tail of
  // each log (up to what was consumed) so adopted decoys are known to be ready.
  constexpr std::uint64_t kTail = 256 * 1024;
  std::error_code ec;
  for (const auto& file : fs::directory_iterator(dataDir_ + "/logs", ec)) {
    if (file.path().extension() != ".log") continue;
    const std::string decky = file.path().stem();
    const auto consumed = offsets_[decky];
    const auto from = consumed > kTail ? consumed - kTail : 0;
    std::ifstream in(file.path(), std::ios::binary);
    in.seekg(static_cast<std::streamoff>(from));
    std::string chunk(consumed - from, '\0');
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    chunk.resize(static_cast<std::size_t>(in.gcount()));
    std::size_t start = from == 0 ? 0 : chunk.find('\n') + 1;  // skip a partial first line
    while (start < chunk.size()) {
      auto end = chunk.find('\n', start);
      if (end == std::string::npos) end = chunk.size();
      observe(decky, chunk.substr(start, end - start));
      start = end + 1;
    }
  }
}

std::string LogForwarder::spoolPath() const { return dataDir_ + "/spool/" + node_ + ".log"; }

void LogForwarder::loadState() {
  std::ifstream in(dataDir_ + "/spool/" + node_ + ".state");
  api::Json state = api::Json::parse(in, nullptr, false);
  if (!state.is_object()) return;
  nextSequence_ = state.value("nextSequence", std::uint64_t{1});
  const api::Json offsets = state.value("offsets", api::Json::object());
  for (const auto& [decky, offset] : offsets.items()) {
    if (offset.is_number_unsigned()) offsets_[decky] = offset.get<std::uint64_t>();
  }
}

void LogForwarder::saveState() const {
  const std::string path = dataDir_ + "/spool/" + node_ + ".state";
  {
    std::ofstream out(path + ".tmp", std::ios::trunc);
    out << api::Json{{"nextSequence", nextSequence_}, {"offsets", offsets_}}.dump();
  }
  std::error_code ec;
  fs::rename(path + ".tmp", path, ec);  // atomic: never a half-written state
}

void LogForwarder::observe(const std::string& decky, const std::string& line) {
  Header header;
  if (!parseHeader(line, header)) return;
  const std::string sd = line.substr(header.sdStart, header.sdEnd - header.sdStart);
  std::lock_guard lock(readinessMutex_);
  auto& state = readiness_[decky];
  if (header.msgid == "decoy_start") {
    state = DecoyReadiness{};
    state.started = true;
  } else if (header.msgid == "listening") {
    auto& service = state.services[header.app];
    service.ready = true;
    try {
      service.ports.push_back(std::stoi(sdParam(sd, "port")));
    } catch (...) {
    }
  } else if (header.msgid == "not_emulated") {
    auto& service = state.services[header.app];
    service.ready = false;
    service.notEmulated = true;
    service.message = sdParam(sd, "error");
  } else if (header.msgid == "bind_failed") {
    auto& service = state.services[header.app];
    service.ready = false;
    service.message = "port " + sdParam(sd, "port") + ": " + sdParam(sd, "error");
  }
}

void LogForwarder::poll() {
  std::lock_guard pollLock(pollMutex_);
  pollLocked();
}

void LogForwarder::pollLocked() {
  std::error_code ec;
  std::string batch;
  // Offsets and the sequence advance only once the batch is safely in the spool: a failed
  // write leaves everything to be read again, never lost.
  std::map<std::string, std::uint64_t> nextOffsets = offsets_;
  std::uint64_t sequence = nextSequence_;
  std::uint64_t forwarded = 0, raw = 0;
  for (const auto& file : fs::directory_iterator(dataDir_ + "/logs", ec)) {
    if (file.path().extension() != ".log") continue;
    const std::string decky = file.path().stem();
    const auto size = fs::file_size(file.path(), ec);
    if (ec) continue;
    auto& offset = nextOffsets[decky];
    if (size < offset) offset = 0;  // the log was replaced
    if (size == offset) continue;
    std::ifstream in(file.path(), std::ios::binary);
    in.seekg(static_cast<std::streamoff>(offset));
    std::string chunk(size - offset, '\0');
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    chunk.resize(static_cast<std::size_t>(in.gcount()));
    // Only complete lines; a partial last line waits for the next poll.
    const auto lastNewline = chunk.rfind('\n');
    if (lastNewline == std::string::npos) continue;
    std::size_t start = 0;
    while (start <= lastNewline) {
      const auto end = chunk.find('\n', start);
      std::string line = chunk.substr(start, end - start);
      start = end + 1;
      if (line.empty()) continue;
      observe(decky, line);
      std::string stamped = stampSequence(line, sequence);
      if (stamped.empty()) {
        ++raw;
        stamped = line;  // not RFC 5424: kept raw, never dropped
      }
      ++sequence;
      ++forwarded;
      batch += stamped + "\n";
    }
    offset += lastNewline + 1;
  }
  if (batch.empty()) return;
  const int fd = ::open(spoolPath().c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) return;
  std::size_t done = 0;
  while (done < batch.size()) {
    const ssize_t n = ::write(fd, batch.data() + done, batch.size() - done);
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  const bool complete = done == batch.size() && ::fsync(fd) == 0;
  ::close(fd);
  if (!complete) return;  // a torn tail may repeat; nothing is lost
  offsets_ = std::move(nextOffsets);
  nextSequence_ = sequence;
  forwarded_ += forwarded;
  raw_ += raw;
  saveState();
}

DecoyReadiness LogForwarder::readiness(const std::string& decky) const {
  std::lock_guard lock(readinessMutex_);
  auto it = readiness_.find(decky);
  return it == readiness_.end() ? DecoyReadiness{} : it->second;
}

void LogForwarder::forget(const std::string& decky) {
  {
    std::lock_guard lock(readinessMutex_);
    readiness_.erase(decky);
  }
  // Ship what the decoy wrote last, then drop its log so a later poll cannot resend it.
  std::lock_guard pollLock(pollMutex_);
  pollLocked();
  std::error_code ec;
  fs::remove(dataDir_ + "/logs/" + decky + ".log", ec);
  fs::remove(dataDir_ + "/logs/" + decky + ".stderr", ec);
  offsets_.erase(decky);
  saveState();
}

}  // namespace decnet::agents
