#include "agents/spool_segments.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "agents/write_fully.h"

namespace decnet::agents {
namespace fs = std::filesystem;
namespace {

constexpr std::size_t kDigits = 20;            // zero-padded so names sort like numbers
constexpr std::uint64_t kScanBytes = 1 << 20;  // how far into a file a sequence is sought

// Up to `length` bytes of the file from `offset`.
std::string readRange(const std::string& path, std::uint64_t offset, std::uint64_t length) {
  std::ifstream in(path, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(offset));
  std::string bytes(length, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(length));
  bytes.resize(static_cast<std::size_t>(in.gcount()));
  return bytes;
}

// Calls visit(line) for each complete line of `bytes`; with `skipFirst` the first (partial) line
// is not visited.
template <class Visit>
void eachLine(const std::string& bytes, bool skipFirst, Visit visit) {
  std::size_t start = 0;
  if (skipFirst) {
    const auto first = bytes.find('\n');
    start = first == std::string::npos ? bytes.size() : first + 1;
  }
  for (auto end = bytes.find('\n', start); end != std::string::npos;
       start = end + 1, end = bytes.find('\n', start)) {
    visit(std::string_view(bytes).substr(start, end - start));
  }
}

// The first sequenceId near the start of the file; 0 when none (missing, empty, only raw lines).
std::uint64_t firstSequenceIn(const std::string& path) {
  std::int64_t first = -1;
  eachLine(readRange(path, 0, kScanBytes), false, [&](std::string_view line) {
    if (first < 0) first = sequenceIdOf(line);
  });
  return first < 0 ? 0 : static_cast<std::uint64_t>(first);
}

// The highest sequenceId near the end of the file; `fallback` when there is none.
std::uint64_t lastSequenceIn(const std::string& path, std::uint64_t size, std::uint64_t fallback) {
  const std::uint64_t from = size > kScanBytes ? size - kScanBytes : 0;
  std::int64_t last = -1;
  eachLine(readRange(path, from, size - from), from > 0,
           [&](std::string_view line) { last = std::max(last, sequenceIdOf(line)); });
  return last < 0 ? fallback : static_cast<std::uint64_t>(last);
}

// Lines of the file the collector has not acknowledged (raw lines have no sequence: counted).
std::uint64_t linesAfter(const std::string& path, std::int64_t committed) {
  std::ifstream in(path, std::ios::binary);
  std::uint64_t count = 0;
  for (std::string line; std::getline(in, line);) {
    const auto sequence = sequenceIdOf(line);
    if (!line.empty() && (sequence < 0 || sequence > committed)) ++count;
  }
  return count;
}

}  // namespace

std::int64_t sequenceIdOf(std::string_view line) {
  static constexpr std::string_view kMarker = "[meta sequenceId=\"";
  const auto at = line.find(kMarker);
  if (at == std::string_view::npos) return -1;
  std::int64_t value = 0;
  std::size_t i = at + kMarker.size();
  for (; i < line.size() && line[i] >= '0' && line[i] <= '9' && value < (1LL << 55); ++i) {
    value = value * 10 + (line[i] - '0');
  }
  return i < line.size() && line[i] == '"' ? value : -1;
}

SpoolSegments::SpoolSegments(std::string directory, std::string node, SpoolLimits limits)
    : directory_(std::move(directory)), node_(std::move(node)), limits_(limits) {
  const std::string prefix = node_ + ".log.";
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(directory_, ec)) {
    const std::string name = entry.path().filename();
    if (name.size() != prefix.size() + kDigits || name.rfind(prefix, 0) != 0) continue;
    const char* digits = name.data() + prefix.size();
    std::uint64_t first = 0;
    const auto parsed = std::from_chars(digits, name.data() + name.size(), first);
    if (parsed.ec != std::errc{} || parsed.ptr != name.data() + name.size()) continue;
    const std::uint64_t bytes = entry.file_size(ec);
    if (ec) continue;
    rotated_[first] = {entry.path(), lastSequenceIn(entry.path(), bytes, first), bytes};
  }
  if (const auto first = firstSequenceIn(activePath()); first > 0) {
    activeFirst_ = std::max(first, rotated_.empty() ? 0 : rotated_.rbegin()->first + 1);
  }
}

std::string SpoolSegments::activePath() const { return directory_ + "/" + node_ + ".log"; }

std::string SpoolSegments::segmentPath(std::uint64_t firstSequence) const {
  char digits[kDigits + 1];
  std::snprintf(digits, sizeof digits, "%020llu", static_cast<unsigned long long>(firstSequence));
  return activePath() + "." + digits;
}

bool SpoolSegments::append(std::string_view lines, std::uint64_t firstSequence,
                           std::uint64_t lastSequence) {
  std::lock_guard lock(mutex_);
  const int fd = ::open(activePath().c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) return false;
  struct stat before {};
  if (::fstat(fd, &before) != 0) {
    ::close(fd);
    return false;
  }
  const bool complete = writeFully(fd, lines) && ::fsync(fd) == 0;
  // A torn tail would glue itself to the first line of the retry.
  if (!complete && ::ftruncate(fd, before.st_size) != 0) {
    spdlog::warn("spool {}: could not cut a failed write back", activePath());
  }
  ::close(fd);
  if (!complete) return false;
  if (before.st_size == 0 || activeFirst_ == 0) {
    // Names keep increasing even when a crash made the forwarder stamp some lines again.
    activeFirst_ = std::max(firstSequence, rotated_.empty() ? 0 : rotated_.rbegin()->first + 1);
    if (before.st_size == 0) activeLast_ = 0;
  }
  activeLast_ = std::max(activeLast_, lastSequence);
  std::uint64_t activeBytes = static_cast<std::uint64_t>(before.st_size) + lines.size();
  if (activeBytes >= limits_.segmentBytes && rotateLocked(activeBytes)) activeBytes = 0;
  enforceCapLocked(activeBytes);
  return true;
}

bool SpoolSegments::rotateLocked(std::uint64_t activeBytes) {
  const std::string path = segmentPath(activeFirst_);
  if (::rename(activePath().c_str(), path.c_str()) != 0) {
    spdlog::warn("spool {}: could not rotate to {}", activePath(), path);
    return false;
  }
  rotated_[activeFirst_] = {path, activeLast_, activeBytes};
  activeFirst_ = 0;
  activeLast_ = 0;
  return true;
}

void SpoolSegments::enforceCapLocked(std::uint64_t activeBytes) {
  std::uint64_t total = activeBytes;
  for (const auto& [first, segment] : rotated_) total += segment.bytes;
  // The active file is never cut: the spool stays within the cap or one segment, the larger.
  while (total > limits_.capBytes && !rotated_.empty()) {
    const auto oldest = rotated_.begin();
    const std::uint64_t lost = linesAfter(oldest->second.path, committed_);
    std::error_code ec;
    fs::remove(oldest->second.path, ec);
    total -= oldest->second.bytes;
    droppedByCap_ += lost;
    if (lost > 0) {
      spdlog::warn(
          "spool {}: over its cap of {} bytes, deleted {} and with it {} lines the collector has "
          "not acknowledged (acknowledged up to sequenceId {}; is a collector configured and "
          "reachable?); {} lines dropped so far",
          node_, limits_.capBytes, oldest->second.path, lost, committed_, droppedByCap_.load());
    }
    rotated_.erase(oldest);
  }
}

std::vector<SpoolSegment> SpoolSegments::rotated() const {
  std::lock_guard lock(mutex_);
  std::vector<SpoolSegment> segments;
  segments.reserve(rotated_.size());
  for (const auto& [first, segment] : rotated_) segments.push_back({segment.path, first});
  return segments;
}

void SpoolSegments::trimCommitted(std::int64_t committed) {
  std::lock_guard lock(mutex_);
  committed_ = std::max(committed_, committed);
  if (committed_ <= 0) return;
  for (auto it = rotated_.begin();
       it != rotated_.end() && it->second.lastSequence <= static_cast<std::uint64_t>(committed_);
       it = rotated_.erase(it)) {
    std::error_code ec;
    fs::remove(it->second.path, ec);
    spdlog::debug("spool {}: the collector has every line of {}: deleted", node_, it->second.path);
  }
}

}  // namespace decnet::agents
