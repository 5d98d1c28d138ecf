#pragma once
// SFTP version 3 (draft-ietf-secsh-filexfer-02), answered the way OpenSSH's sftp-server answers,
// over the fake file tree. Pure: client bytes in, reply bytes and what to record out. Uploaded
// content lives in memory only (bounded) and is hashed when its handle closes.
#include <cstdint>
#include <ctime>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "decoy/common/shell/fake_filesystem.h"

namespace decnet::decoy::ssh {

// One event to record: "command" (cmd, anomaly...) or "file_upload" (name, path, size, sha256).
// The caller adds principal (and cwd for commands).
struct SftpRecord {
  std::string type;
  std::vector<std::pair<std::string, std::string>> fields;
};

struct SftpOutput {
  std::string reply;                // complete SFTP packets for the client
  std::vector<SftpRecord> records;  // in order
  bool close = false;               // hostile or broken input: end the channel after `reply`
};

struct SftpLimits {
  std::size_t maxPacket = 256 * 1024;  // OpenSSH's SFTP_MAX_MSG_LENGTH
  std::size_t maxHandles = 64;
  std::uint64_t maxStored = 64ull << 20;  // upload bytes held for the whole session
  std::size_t maxRecords = 2000;          // recorded operations per session
  std::size_t maxNewNodes = 1024;         // files and directories the client may create
};

// The tree the client sees, and the content of the files worth reading.
struct SftpFiles {
  std::map<std::string, std::vector<FsNode>> tree;  // from fakeTree()
  std::string user;
  std::string home;
  std::uint32_t uid = 0;
  std::time_t now = 0;
  std::function<std::optional<std::string>(const std::string& path)> content;
};

class SftpServer {
 public:
  explicit SftpServer(SftpFiles files, SftpLimits limits = {});

  // Consumes client bytes (any split); answers every complete packet.
  SftpOutput feed(std::string_view bytes);
  // The channel ended: uploads whose handle never closed, recorded as incomplete.
  std::vector<SftpRecord> finish();

 private:
  struct Handle {
    bool directory = false;
    std::string path;
    bool write = false;
    std::string data;           // file content (uploads: what was written so far)
    std::uint64_t highest = 0;  // the end of the furthest write, even a refused one
    bool overflow = false;
    std::vector<FsNode> entries;  // directories: what READDIR still has to send
    bool listed = false;
  };
  struct Reader;

  void handle(std::string_view packet, SftpOutput& out);
  void dispatch(std::uint8_t type, std::uint32_t id, Reader& in, SftpOutput& out);
  void extended(std::uint32_t id, Reader& in, SftpOutput& out);
  void open(std::uint32_t id, Reader& in, SftpOutput& out);
  void write(std::uint32_t id, Reader& in, SftpOutput& out);
  void read(std::uint32_t id, Reader& in, SftpOutput& out);
  void readdir(std::uint32_t id, const std::string& key, SftpOutput& out);
  void closeHandle(std::uint32_t id, const std::string& key, SftpOutput& out);
  void anomaly(const char* what, std::string_view packet, SftpOutput& out);
  void command(std::string cmd, SftpOutput& out);
  SftpRecord upload(const Handle& handle, bool complete) const;

  std::string resolve(std::string_view path) const;
  const FsNode* find(const std::string& path) const;
  std::optional<FsNode> stat(const std::string& path, bool follow) const;
  bool writable(const std::string& directory) const;
  void place(const std::string& path, FsNode node);
  std::string attrs(const FsNode& node) const;
  std::string longname(const FsNode& node) const;
  std::uint32_t uidOf(const std::string& owner) const;

  SftpFiles files_;
  SftpLimits limits_;
  std::string pending_;
  bool initialized_ = false;
  bool closed_ = false;
  std::map<std::string, Handle> handles_;
  std::uint32_t nextHandle_ = 0;
  std::map<std::string, std::string> stored_;  // path -> uploaded content
  std::uint64_t storedBytes_ = 0;
  std::size_t records_ = 0;
  std::size_t newNodes_ = 0;
};

}  // namespace decnet::decoy::ssh
