#include "agents/log_forwarder.h"

#include <fcntl.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "agents/syslog_line.h"
#include "api/types/object.h"

namespace decnet::agents {
namespace fs = std::filesystem;

std::string stampSequence(const std::string& line, std::uint64_t sequence) {
  SyslogLineParts header;
  if (!splitSyslogLine(line, header)) return "";
  const std::string meta = "[meta sequenceId=\"" + std::to_string(sequence) + "\"]";
  if (line[header.sdStart] == '-') {
    return line.substr(0, header.sdStart) + meta + line.substr(header.sdEnd);
  }
  return line.substr(0, header.sdEnd) + meta + line.substr(header.sdEnd);
}

LogForwarder::LogForwarder(std::string dataDir, std::string node, LogForwarderOptions options)
    : dataDir_(std::move(dataDir)), node_(std::move(node)), folder_(options.fold) {
  std::error_code ec;
  fs::create_directories(dataDir_ + "/spool", ec);
  fs::create_directories(retiredDir(), ec);
  spool_ = std::make_shared<SpoolSegments>(dataDir_ + "/spool", node_, options.spool);
  loadState();
  loadRetired();
  rebuildReadiness();
  written_ = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (written_ >= 0 &&
      ::inotify_add_watch(written_, (dataDir_ + "/logs").c_str(), IN_MODIFY | IN_MOVED_TO) < 0) {
    ::close(written_);
    written_ = -1;
  }
}

LogForwarder::~LogForwarder() {
  if (written_ >= 0) ::close(written_);
}

std::vector<std::string> LogForwarder::logsToRead() {
  constexpr auto kFullReadEvery = std::chrono::seconds(30);
  const auto now = std::chrono::steady_clock::now();
  bool all = written_ < 0 || now - lastFullRead_ >= kFullReadEvery;
  std::set<std::string> written;
  alignas(inotify_event) char buffer[16384];
  for (ssize_t length; written_ >= 0 && (length = ::read(written_, buffer, sizeof buffer)) > 0;) {
    for (ssize_t at = 0; at < length;) {
      const auto* event = reinterpret_cast<const inotify_event*>(buffer + at);
      at += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
      if ((event->mask & IN_Q_OVERFLOW) != 0) all = true;  // events were lost: read everything
      const std::string_view name = event->len > 0 ? event->name : "";
      if (name.size() > 4 && name.substr(name.size() - 4) == ".log") {
        written.emplace(name.substr(0, name.size() - 4));
      }
    }
  }
  if (!all) return {written.begin(), written.end()};
  lastFullRead_ = now;
  std::vector<std::string> deckies;
  std::error_code ec;
  for (const auto& file : fs::directory_iterator(dataDir_ + "/logs", ec)) {
    if (file.path().extension() == ".log") deckies.push_back(file.path().stem());
  }
  return deckies;
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
      observe(decky, chunk.substr(start, end - start), /*count=*/false);
      start = end + 1;
    }
  }
}

std::string LogForwarder::spoolPath() const { return spool_->activePath(); }

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

void LogForwarder::loadRetired() {
  // Logs retired before a stop or a crash: shipped from the offset their name carries.
  std::error_code ec;
  for (const auto& file : fs::directory_iterator(retiredDir(), ec)) {
    const std::string name = file.path().filename();
    const auto offsetAt = name.find('@');
    const auto serialAt = name.rfind('@');
    if (offsetAt == std::string::npos || serialAt == offsetAt || !name.ends_with(".log")) continue;
    try {
      retired_[name] = {name.substr(0, offsetAt),
                        std::stoull(name.substr(offsetAt + 1, serialAt - offsetAt - 1)),
                        std::stoull(name.substr(serialAt + 1))};
    } catch (...) {
    }
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

void LogForwarder::observe(const std::string& decky, const std::string& line, bool count,
                           bool readiness) {
  SyslogLineParts header;
  if (!splitSyslogLine(line, header)) return;
  const std::string sd = line.substr(header.sdStart, header.sdEnd - header.sdStart);
  if (count && !sdParamValue(sd, "src_ip").empty()) {
    std::lock_guard lock(countsMutex_);
    ++counts_.attackerEvents[{header.app, header.msgid}];
    if (header.msgid == "connect") ++counts_.connections[{decky, header.app}];
    if (!sdParamValue(sd, "principal").empty()) ++counts_.credentials[header.app];
  }
  if (!readiness) return;
  std::lock_guard lock(readinessMutex_);
  auto& state = readiness_[decky];
  if (header.msgid == "decoy_start" || header.msgid == "listening" ||
      header.msgid == "not_emulated" || header.msgid == "bind_failed") {
    readinessChanged_.insert(decky);
  }
  if (header.msgid == "decoy_start") {
    state = DecoyReadiness{};
    state.started = true;
  } else if (header.msgid == "listening") {
    auto& service = state.services[header.app];
    service.ready = true;
    try {
      service.ports.push_back(std::stoi(sdParamValue(sd, "port")));
    } catch (...) {
    }
  } else if (header.msgid == "not_emulated") {
    auto& service = state.services[header.app];
    service.ready = false;
    service.notEmulated = true;
    service.message = sdParamValue(sd, "error");
  } else if (header.msgid == "bind_failed") {
    auto& service = state.services[header.app];
    service.ready = false;
    service.message = "port " + sdParamValue(sd, "port") + ": " + sdParamValue(sd, "error");
  }
}

std::vector<std::string> LogForwarder::poll() {
  {
    std::lock_guard pollLock(pollMutex_);
    pollLocked(false);
  }
  std::lock_guard lock(readinessMutex_);
  std::vector<std::string> changed(readinessChanged_.begin(), readinessChanged_.end());
  readinessChanged_.clear();
  return changed;
}

void LogForwarder::drain() {
  std::lock_guard pollLock(pollMutex_);
  pollLocked(true);
}

void LogForwarder::pollLocked(bool closeFolds) {
  if (!unwritten_) {
    unwritten_ = collect(EventFolder::Clock::now(), closeFolds);
    folded_ = folder_.linesFolded();
  }
  // Offsets and the sequence advance only once the batch is safely in the spool. A failed write
  // keeps the batch to retry as it is (its lines were folded once); a crash before that reads
  // them again.
  Batch& batch = *unwritten_;
  if (!batch.text.empty() && !spool_->append(batch.text, nextSequence_, batch.nextSequence - 1)) {
    return;
  }
  bool changed = !batch.text.empty();
  for (const auto& [decky, offset] : batch.offsets) {
    auto& kept = offsets_[decky];
    changed = changed || kept != offset;
    kept = offset;
  }
  nextSequence_ = batch.nextSequence;
  lastSequence_ = nextSequence_ - 1;
  bytesSpooled_ += batch.text.size();
  forwarded_ += batch.forwarded;
  raw_ += batch.raw;
  // Their last lines are in the spool now. A crash before this removal ships them again (a
  // repeat, never a loss).
  for (const auto& name : batch.retiredRead) {
    std::error_code ec;
    fs::remove(retiredDir() + "/" + name, ec);
    retired_.erase(name);
  }
  unwritten_.reset();
  if (!changed && !stateDirty_) return;
  saveState();
  stateDirty_ = false;
  releaseConsumed();
}

void LogForwarder::releaseConsumed() {
  // The decoys append to their logs (O_APPEND) and never read them: the blocks already in the
  // spool are given back to the file system by punching a hole, which keeps every offset valid
  // and cannot race a decoy's write. The head (decoy_start, listening) and the last 256 KiB
  // (read again after a restart for readiness) stay.
  constexpr std::uint64_t kHead = 64 * 1024, kTail = 256 * 1024, kStep = 1024 * 1024;
  for (const auto& [decky, offset] : offsets_) {
    if (offset < kHead + kTail) continue;
    const std::uint64_t end = (offset - kTail) & ~std::uint64_t{4095};
    std::uint64_t& released = released_[decky];
    if (end < released + kStep) continue;
    const std::string path = dataDir_ + "/logs/" + decky + ".log";
    const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) continue;
    if (::fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(kHead),
                    static_cast<off_t>(end - kHead)) == 0) {
      released = end;
    }
    ::close(fd);
  }
}

void LogForwarder::addLine(Batch& batch, const std::string& line) {
  std::string stamped = stampSequence(line, batch.nextSequence);
  if (stamped.empty()) {
    ++batch.raw;
    stamped = line;  // not RFC 5424: kept raw, never dropped
  }
  ++batch.nextSequence;
  ++batch.forwarded;
  batch.text += stamped;
  batch.text += '\n';
}

std::uint64_t LogForwarder::readLines(const std::string& file, const std::string& decky,
                                      std::uint64_t offset, bool readiness,
                                      EventFolder::Clock::time_point now, Batch& batch) {
  std::error_code ec;
  const auto size = fs::file_size(file, ec);
  if (ec) return offset;
  if (size < offset) offset = 0;  // the log was replaced
  if (size == offset) return offset;
  std::ifstream in(file, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(offset));
  std::string chunk(size - offset, '\0');
  in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
  chunk.resize(static_cast<std::size_t>(in.gcount()));
  // Only complete lines; a partial last line waits for the next poll.
  const auto lastNewline = chunk.rfind('\n');
  if (lastNewline == std::string::npos) return offset;
  std::size_t start = 0;
  while (start <= lastNewline) {
    const auto end = chunk.find('\n', start);
    std::string line = chunk.substr(start, end - start);
    start = end + 1;
    if (line.empty()) continue;
    observe(decky, line, /*count=*/true, readiness);
    if (folder_.admit(decky, line, now)) addLine(batch, line);
  }
  return offset + lastNewline + 1;
}

LogForwarder::Batch LogForwarder::collect(EventFolder::Clock::time_point now, bool closeFolds) {
  Batch batch;
  batch.nextSequence = nextSequence_;
  // Count lines first: they stand for lines older than any read now.
  for (const auto& line : folder_.takeEnded(now)) addLine(batch, line);
  for (const auto& decky : logsToRead()) {
    const auto known = offsets_.find(decky);
    const std::uint64_t from = known == offsets_.end() ? 0 : known->second;
    const std::uint64_t to = readLines(dataDir_ + "/logs/" + decky + ".log", decky, from,
                                       /*readiness=*/true, now, batch);
    if (to != from || known == offsets_.end()) batch.offsets[decky] = to;
  }
  // A retired log's decoy is gone: it is read to its end once (a partial last line is lost
  // with the decoy that was writing it), in the order of retirement, so two incarnations of one
  // decky ship in turn.
  std::vector<const std::pair<const std::string, RetiredLog>*> inOrder;
  for (const auto& entry : retired_) inOrder.push_back(&entry);
  std::sort(inOrder.begin(), inOrder.end(),
            [](const auto* a, const auto* b) { return a->second.serial < b->second.serial; });
  for (const auto* entry : inOrder) {
    const auto& [name, log] = *entry;
    readLines(retiredDir() + "/" + name, log.decky, log.offset, /*readiness=*/false, now, batch);
    batch.retiredRead.push_back(name);
  }
  if (closeFolds) {
    for (const auto& line : folder_.takeEnded(EventFolder::Clock::time_point::max())) {
      addLine(batch, line);
    }
  }
  return batch;
}

DecoyCounts LogForwarder::decoyCounts() const {
  std::lock_guard lock(countsMutex_);
  return counts_;
}

DecoyReadiness LogForwarder::readiness(const std::string& decky) const {
  std::lock_guard lock(readinessMutex_);
  auto it = readiness_.find(decky);
  return it == readiness_.end() ? DecoyReadiness{} : it->second;
}

void LogForwarder::forget(const std::string& decky) {
  std::lock_guard pollLock(pollMutex_);
  {
    // Under pollMutex_: a poll in progress could otherwise bring the old decoy's readiness back.
    std::lock_guard lock(readinessMutex_);
    readiness_.erase(decky);
  }
  // In the spool so far (named in the file, for a restart: a crash repeats, never loses) and read
  // so far (a batch whose spool write failed already holds those lines; it is retried).
  std::uint64_t spooled = 0;
  if (const auto known = offsets_.find(decky); known != offsets_.end()) spooled = known->second;
  std::uint64_t read = spooled;
  if (unwritten_) {
    if (const auto held = unwritten_->offsets.find(decky); held != unwritten_->offsets.end()) {
      read = held->second;
      unwritten_->offsets.erase(held);
    }
  }
  // The decoy has exited, so its log is complete: renamed out of the way (a new incarnation
  // starts a new log), the next poll ships the rest. Teardowns no longer wait for a poll each.
  // Unique among retired logs, including those left by an earlier run.
  std::string name;
  std::uint64_t serial = 0;
  do {
    serial =
        static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch().count());
    name = decky + "@" + std::to_string(spooled) + "@" + std::to_string(serial) + ".log";
  } while (retired_.contains(name));
  if (::rename((dataDir_ + "/logs/" + decky + ".log").c_str(),
               (retiredDir() + "/" + name).c_str()) == 0) {
    retired_[name] = {decky, read, serial};
  }
  std::error_code ec;
  fs::remove(dataDir_ + "/logs/" + decky + ".stderr", ec);  // of agents before decoys.stderr
  offsets_.erase(decky);
  released_.erase(decky);
  // Saved by the next poll (100 ms): a teardown of many deckies writes the state once, not once
  // per decky.
  stateDirty_ = true;
}

}  // namespace decnet::agents
