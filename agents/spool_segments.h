#pragma once
// The node's spool on disk: the active file <dir>/<node>.log that the LogForwarder appends to, and
// the rotated segments <node>.log.<first sequenceId, 20 digits> it becomes once it reaches the
// segment size. This class is the one owner of the files: rotated segments whose every line the
// collector has committed are deleted (trimCommitted); past the size cap the oldest segments are
// deleted even uncommitted, and their lines counted as dropped. One instance per node spool,
// shared by the forwarder (appends) and the shipper (reads, trims).
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace decnet::agents {

struct SpoolLimits {
  std::uint64_t segmentBytes = 64ull << 20;  // the active file is rotated once it reaches this
  std::uint64_t capBytes = 1ull << 30;       // all the node's spool files together
};

struct SpoolSegment {
  std::string path;
  std::uint64_t firstSequence = 0;  // from its name
};

class SpoolSegments {
 public:
  // Finds the segments already on disk. Creates nothing until the first append.
  SpoolSegments(std::string directory, std::string node, SpoolLimits limits = {});

  const std::string& node() const { return node_; }
  std::string activePath() const;
  // Appends complete lines (each ending in \n) to the active file and fsyncs it; the sequence
  // numbers are those of its first and last line. Then rotates the active file if it reached the
  // segment size and enforces the cap. false, and the file as it was, when the write failed.
  // Thread-safe.
  bool append(std::string_view lines, std::uint64_t firstSequence, std::uint64_t lastSequence);
  // The rotated segments, oldest first. Thread-safe.
  std::vector<SpoolSegment> rotated() const;
  // Deletes the rotated segments whose lines are all at or below `committed` (the collector's
  // acknowledgment). Thread-safe; idempotent.
  void trimCommitted(std::int64_t committed);
  // Lines the cap deleted before the collector had acknowledged them. Thread-safe.
  std::uint64_t linesDroppedByCap() const { return droppedByCap_.load(); }

 private:
  struct Rotated {
    std::string path;
    std::uint64_t lastSequence = 0;
    std::uint64_t bytes = 0;
  };
  std::string segmentPath(std::uint64_t firstSequence) const;
  bool rotateLocked(std::uint64_t activeBytes);      // requires mutex_
  void enforceCapLocked(std::uint64_t activeBytes);  // requires mutex_

  const std::string directory_;
  const std::string node_;
  const SpoolLimits limits_;
  mutable std::mutex mutex_;
  std::map<std::uint64_t, Rotated> rotated_;  // by first sequence
  std::uint64_t activeFirst_ = 0;             // 0 until known
  std::uint64_t activeLast_ = 0;
  std::int64_t committed_ = 0;
  std::atomic<std::uint64_t> droppedByCap_{0};
};

// The N of a line's [meta sequenceId="N"]; -1 when it has none.
std::int64_t sequenceIdOf(std::string_view line);

}  // namespace decnet::agents
