#include "agents/runtime/decoy_records.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "agents/write_fully.h"

namespace decnet::agents {
namespace fs = std::filesystem;

namespace {

constexpr const char* kFileName = "decoys.jsonl";

std::string startLine(const std::string& decky, const api::Json& record) {
  return api::Json{{"decky", decky}, {"record", record}}.dump() + "\n";
}

// A record the agent can adopt from: an integer pid, and strings and a spec object where
// present. Anything else (a hand edit, a corrupted file) is skipped, never thrown on.
bool wellFormed(const api::Json& record) {
  if (!record.is_object() || !record.contains("pid") || !record["pid"].is_number_integer()) {
    return false;
  }
  for (const char* text : {"hash", "namespace", "hostname"}) {
    if (record.contains(text) && !record[text].is_string()) return false;
  }
  return !record.contains("spec") || record["spec"].is_object();
}

int openForAppend(const std::string& path) {
  return ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
}

}  // namespace

DecoyRecords::DecoyRecords(std::string dir) : dir_(std::move(dir)) {}

DecoyRecords::~DecoyRecords() {
  if (fd_ >= 0) ::close(fd_);
}

std::string DecoyRecords::path() const { return dir_ + "/" + kFileName; }

std::map<std::string, api::Json> DecoyRecords::load() {
  std::lock_guard lock(mutex_);
  std::map<std::string, api::Json> records = readLocked();
  const bool legacy = foldLegacyLocked(records);
  if (rewriteLocked(records) && legacy) {
    // Folded into the new file: the older agents' files go only now that it holds them.
    std::error_code ec;
    for (const auto& file : fs::directory_iterator(dir_, ec)) {
      const auto extension = file.path().extension();
      if (extension == ".pid" || extension == ".json") fs::remove(file.path(), ec);
    }
  }
  pids_.clear();
  for (const auto& [decky, record] : records) pids_[decky] = record.value("pid", 0);
  return records;
}

void DecoyRecords::put(const std::string& decky, const api::Json& record) {
  std::lock_guard lock(mutex_);
  appendLocked(startLine(decky, record));
  pids_[decky] = record.value("pid", 0);
  compactLocked();
}

void DecoyRecords::erase(const std::string& decky) {
  std::lock_guard lock(mutex_);
  if (pids_.erase(decky) == 0) return;
  appendLocked(api::Json{{"decky", decky}}.dump() + "\n");
  compactLocked();
}

int DecoyRecords::pid(const std::string& decky) const {
  std::lock_guard lock(mutex_);
  const auto it = pids_.find(decky);
  return it == pids_.end() ? 0 : it->second;
}

void DecoyRecords::appendLocked(const std::string& line) {
  if (fd_ < 0) fd_ = openForAppend(path());
  if (fd_ < 0) return;  // the next write tries again; adoption after a restart is then partial
  struct stat before {};
  if (::fstat(fd_, &before) != 0) return;
  if (!writeFully(fd_, line)) {
    // A line cut short (a full disk) must not glue itself to the next one: cut it back.
    if (::ftruncate(fd_, before.st_size) != 0) writeFully(fd_, "\n");
    return;
  }
  ++lines_;
}

void DecoyRecords::compactLocked() {
  // Amortised: a rewrite of L live lines comes after at least L + 64 appends.
  if (lines_ > 2 * pids_.size() + 64) rewriteLocked(readLocked());
}

bool DecoyRecords::rewriteLocked(const std::map<std::string, api::Json>& records) {
  std::string text;
  for (const auto& [decky, record] : records) text += startLine(decky, record);
  const std::string temporary = path() + ".tmp";
  const int fd =
      ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return false;
  const bool written = writeFully(fd, text);
  ::close(fd);
  if (!written || ::rename(temporary.c_str(), path().c_str()) != 0) {
    ::unlink(temporary.c_str());
    return false;
  }
  if (fd_ >= 0) ::close(fd_);
  fd_ = openForAppend(path());
  lines_ = records.size();
  return true;
}

std::map<std::string, api::Json> DecoyRecords::readLocked() const {
  std::map<std::string, api::Json> records;
  std::ifstream in(path());
  std::string line;
  while (std::getline(in, line)) {
    const api::Json parsed = api::Json::parse(line, nullptr, false);
    if (!parsed.is_object() || !parsed.contains("decky") || !parsed["decky"].is_string()) continue;
    const std::string decky = parsed["decky"];
    if (!parsed.contains("record")) {
      records.erase(decky);  // a stop
    } else if (wellFormed(parsed["record"])) {
      records[decky] = parsed["record"];
    }
  }
  return records;
}

// Older agents kept a file per decky: "<decky>.json" ({"pid", "hash", "namespace", "hostname",
// "spec"}), and before that the spec alone there with "PID HASH" in "<decky>.pid".
bool DecoyRecords::foldLegacyLocked(std::map<std::string, api::Json>& records) const {
  bool found = false;
  std::error_code ec;
  for (const auto& file : fs::directory_iterator(dir_, ec)) {
    if (file.path().extension() == ".pid") found = true;
    if (file.path().extension() != ".json") continue;
    found = true;
    std::ifstream in(file.path());
    api::Json record = api::Json::parse(in, nullptr, false);
    if (!record.is_object()) continue;
    const std::string decky = file.path().stem();
    if (std::ifstream pidFile(dir_ + "/" + decky + ".pid"); pidFile) {
      int pid = 0;
      std::string hash;
      pidFile >> pid >> hash;
      record["pid"] = pid;
      record["hash"] = hash;
    }
    if (wellFormed(record) && record["pid"].get<int>() > 0) records[decky] = std::move(record);
  }
  return found;
}

}  // namespace decnet::agents
