#pragma once
// The records a restarted agent adopts running decoys from, in one append-only file
// (`<dir>/decoys.jsonl`): a line per start, a line per stop, the last line of a decky wins. A
// start or a stop writes a line instead of creating or deleting a file, and a restart reads one
// file instead of one per decky.
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "api/types/object.h"

namespace decnet::agents {

class DecoyRecords {
 public:
  // Records kept in `dir`, which must exist. Nothing is read before load().
  explicit DecoyRecords(std::string dir);
  ~DecoyRecords();
  DecoyRecords(const DecoyRecords&) = delete;
  DecoyRecords& operator=(const DecoyRecords&) = delete;

  // Every decky's last record ({"pid", "hash", "namespace", "hostname", "spec"}), including the
  // per-decky files of older agents, which it folds in and deletes; the file is rewritten with
  // only these. Lines cut short by a crash are skipped.
  std::map<std::string, api::Json> load();
  // Records `decky`'s started decoy; `record` holds at least "pid".
  void put(const std::string& decky, const api::Json& record);
  // Records that `decky` has no decoy any more. No-op for a decky without a record.
  void erase(const std::string& decky);
  // The pid last recorded for `decky`; 0 when none.
  int pid(const std::string& decky) const;
  // The path of the file.
  std::string path() const;

 private:
  void appendLocked(const std::string& line);
  // Rewrites the file with one line per live record once stale lines outnumber live ones.
  void compactLocked();
  // Replaces the file with one line per record; false (file unchanged) on failure.
  bool rewriteLocked(const std::map<std::string, api::Json>& records);
  std::map<std::string, api::Json> readLocked() const;
  // Adds the records of older agents' per-decky files; true when there were any.
  bool foldLegacyLocked(std::map<std::string, api::Json>& records) const;

  const std::string dir_;
  mutable std::mutex mutex_;
  int fd_ = -1;  // the file, open for appending
  std::map<std::string, int> pids_;
  std::uint64_t lines_ = 0;  // in the file
};

}  // namespace decnet::agents
