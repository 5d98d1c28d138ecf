#pragma once
// Reads a node's spool in order for the shipper: the rotated segments oldest first, then the
// active file, which it follows as it grows and across rotations (a file renamed while it is read
// keeps its descriptor: it is read to its end before the reader moves on). Segments deleted
// before they were opened (trimmed, or over the cap) are skipped.
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

#include "agents/spool_segments.h"

namespace decnet::agents {

class SpoolReader {
 public:
  // Starts in the segment that holds the line after `committed` (the oldest when none does).
  SpoolReader(const SpoolSegments& spool, std::int64_t committed);
  ~SpoolReader();
  SpoolReader(const SpoolReader&) = delete;
  SpoolReader& operator=(const SpoolReader&) = delete;

  // The next complete line, without its newline; nullopt when there is none yet. Never blocks.
  // Not thread-safe: one reader per connection.
  std::optional<std::string> next();

 private:
  bool openNext();
  void adopt(int fd, bool active);
  bool activeStillOurs() const;
  void locateRotatedAway();
  std::optional<std::string> takeLine();
  void closeFile();

  const SpoolSegments& spool_;
  int fd_ = -1;
  dev_t device_ = 0;
  ino_t inode_ = 0;
  bool readingActive_ = false;
  bool rotatedAway_ = false;  // the active file being read was renamed: read it to its end
  std::uint64_t after_ = 0;   // the next segment is the oldest whose first sequence is above this
  std::int64_t lastSequence_ = -1;  // the highest sequenceId read
  std::string buffer_;
  std::size_t consumed_ = 0;  // bytes of buffer_ already returned
};

}  // namespace decnet::agents
