#include "agents/spool_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace decnet::agents {

SpoolReader::SpoolReader(const SpoolSegments& spool, std::int64_t committed) : spool_(spool) {
  for (const auto& segment : spool_.rotated()) {
    if (static_cast<std::int64_t>(segment.firstSequence) <= committed + 1) {
      after_ = segment.firstSequence - 1;
    }
  }
}

SpoolReader::~SpoolReader() { closeFile(); }

std::optional<std::string> SpoolReader::next() {
  for (;;) {
    if (auto line = takeLine()) return line;
    if (fd_ < 0 && !openNext()) return std::nullopt;
    char chunk[64 * 1024];
    const ssize_t n = ::read(fd_, chunk, sizeof chunk);
    if (n > 0) {
      buffer_.append(chunk, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (readingActive_ && !rotatedAway_) {
      if (activeStillOurs()) return std::nullopt;  // the forwarder will append more
      // Renamed since the read above: what was appended before the rename is still to read.
      rotatedAway_ = true;
      continue;
    }
    if (readingActive_) locateRotatedAway();
    // The end of a file that no longer grows: a partial last line (a torn write) is all of it.
    std::string rest = buffer_.substr(consumed_);
    closeFile();
    if (!rest.empty()) return rest;
  }
}

bool SpoolReader::openNext() {
  for (int attempt = 0; attempt < 100; ++attempt) {
    bool newer = false;
    for (const auto& segment : spool_.rotated()) {
      if (segment.firstSequence <= after_) continue;
      newer = true;
      const int fd = ::open(segment.path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) continue;  // deleted since the listing (trimmed, or over the cap)
      after_ = segment.firstSequence;
      adopt(fd, false);
      return true;
    }
    if (newer) continue;
    const int fd = ::open(spool_.activePath().c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;  // nothing written since the last rotation
    // A rotation between the listing and the open may have made this file a segment already:
    // segments come first.
    const auto segments = spool_.rotated();
    if (std::any_of(segments.begin(), segments.end(),
                    [&](const SpoolSegment& segment) { return segment.firstSequence > after_; })) {
      ::close(fd);
      continue;
    }
    adopt(fd, true);
    return true;
  }
  return false;
}

void SpoolReader::adopt(int fd, bool active) {
  fd_ = fd;
  struct stat status {};
  ::fstat(fd_, &status);
  device_ = status.st_dev;
  inode_ = status.st_ino;
  readingActive_ = active;
  rotatedAway_ = false;
}

bool SpoolReader::activeStillOurs() const {
  struct stat status {};
  return ::stat(spool_.activePath().c_str(), &status) == 0 && status.st_dev == device_ &&
         status.st_ino == inode_;
}

void SpoolReader::locateRotatedAway() {
  struct stat status {};
  for (const auto& segment : spool_.rotated()) {
    if (::stat(segment.path.c_str(), &status) == 0 && status.st_dev == device_ &&
        status.st_ino == inode_) {
      after_ = segment.firstSequence;
      return;
    }
  }
  // Deleted already (over the cap): carry on after the newest line read.
  if (lastSequence_ > 0) after_ = std::max(after_, static_cast<std::uint64_t>(lastSequence_));
}

std::optional<std::string> SpoolReader::takeLine() {
  const auto lf = buffer_.find('\n', consumed_);
  if (lf == std::string::npos) {
    buffer_.erase(0, consumed_);
    consumed_ = 0;
    return std::nullopt;
  }
  std::string line = buffer_.substr(consumed_, lf - consumed_);
  consumed_ = lf + 1;
  lastSequence_ = std::max(lastSequence_, sequenceIdOf(line));
  return line;
}

void SpoolReader::closeFile() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  buffer_.clear();
  consumed_ = 0;
}

}  // namespace decnet::agents
