#include "decoy/services/ssh/sftp_protocol.h"

#include "decoy/event_writer.h"
#include "decoy/services/ssh/sftp_wire.h"

namespace decnet::decoy::ssh {

using namespace sftp;

SftpServer::SftpServer(SftpFiles files, SftpLimits limits)
    : files_(std::move(files)), limits_(limits) {}

SftpOutput SftpServer::feed(std::string_view bytes) {
  SftpOutput out;
  if (closed_) {
    out.close = true;
    return out;
  }
  pending_.append(bytes);
  while (pending_.size() >= 4 && !out.close) {
    Reader length{pending_};
    const std::uint32_t size = length.u32();
    if (size > limits_.maxPacket || size < 1) {
      anomaly(size < 1 ? "malformed_packet" : "packet_too_long", pending_, out);
      break;
    }
    if (pending_.size() < 4 + std::size_t{size}) break;
    const std::string body = pending_.substr(4, size);
    pending_.erase(0, 4 + std::size_t{size});
    handle(body, out);
  }
  if (out.close) {
    closed_ = true;
    pending_.clear();
  }
  return out;
}

std::vector<SftpRecord> SftpServer::finish() {
  std::vector<SftpRecord> records;
  for (const auto& [key, open] : handles_) {
    if (open.write) records.push_back(upload(open, false));
  }
  handles_.clear();
  return records;
}

void SftpServer::handle(std::string_view body, SftpOutput& out) {
  Reader in{body};
  const std::uint8_t type = in.u8();
  if (!initialized_ || type == kInit) {
    const std::uint32_t version = in.u32();
    if (type != kInit || initialized_ || !in.ok()) {
      anomaly(type != kInit ? "request_before_init" : "malformed_init", body, out);
      return;
    }
    initialized_ = true;
    command("sftp init (client version " + std::to_string(version) + ")", out);
    std::string reply(1, static_cast<char>(kVersion));
    put32(reply, 3);
    for (const auto& [name, data] : {std::pair{"posix-rename@openssh.com", "1"},
                                     {"statvfs@openssh.com", "2"},
                                     {"fstatvfs@openssh.com", "2"},
                                     {"hardlink@openssh.com", "1"},
                                     {"fsync@openssh.com", "1"},
                                     {"lsetstat@openssh.com", "1"},
                                     {"limits@openssh.com", "1"},
                                     {"expand-path@openssh.com", "1"},
                                     {"copy-data", "1"},
                                     {"home-directory", "1"},
                                     {"users-groups-by-id@openssh.com", "1"}}) {
      putString(reply, name);
      putString(reply, data);
    }
    packet(out.reply, reply);
    return;
  }
  const std::uint32_t id = in.u32();
  if (in.ok()) dispatch(type, id, in, out);
  if (!in.ok()) anomaly("malformed_packet", body, out);
}

void SftpServer::dispatch(std::uint8_t type, std::uint32_t id, Reader& in, SftpOutput& out) {
  switch (type) {
    case kOpen:
      return open(id, in, out);
    case kWrite:
      return write(id, in, out);
    case kRead:
      return read(id, in, out);
    case kClose: {
      const std::string key = in.string();
      if (in.ok()) closeHandle(id, key, out);
      return;
    }
    case kReaddir: {
      const std::string key = in.string();
      if (in.ok()) readdir(id, key, out);
      return;
    }
    case kExtended:
      return extended(id, in, out);
    case kFstat:
    case kFsetstat: {
      const std::string key = in.string();
      const auto permissions = type == kFsetstat ? in.attrs() : std::nullopt;
      if (!in.ok()) return;
      const auto it = handles_.find(key);
      if (it == handles_.end()) return status(out.reply, id, kFailure);
      if (type == kFsetstat) {
        if (permissions && it->second.write) {
          command(
              "sftp fsetstat " + it->second.path + " (mode " + octal(permissions.value_or(0)) + ")",
              out);
        }
        return status(out.reply, id, kOk);
      }
      auto node = stat(it->second.path, true);
      if (!node)
        node = FsNode{baseOf(it->second.path), '-', "rw-r--r--", 1, files_.user, 0, files_.now, {}};
      if (it->second.write) node->size = it->second.data.size();
      std::string reply = head(kAttrs, id) + attrs(*node);
      return packet(out.reply, reply);
    }
    default:
      break;
  }
  // The requests that name a path.
  const std::string rawPath = in.string();
  const std::string path = resolve(rawPath);
  switch (type) {
    case kRealpath: {
      if (!in.ok()) return;
      std::string reply = head(kName, id);
      put32(reply, 1);
      putString(reply, path);
      putString(reply, path);
      put32(reply, 0);
      return packet(out.reply, reply);
    }
    case kStat:
    case kLstat: {
      if (!in.ok()) return;
      const auto node = stat(path, type == kStat);
      if (!node) return status(out.reply, id, kNoSuchFile);
      return packet(out.reply, head(kAttrs, id) + attrs(*node));
    }
    case kSetstat: {
      const auto permissions = in.attrs();
      if (!in.ok()) return;
      if (!stat(path, false)) return status(out.reply, id, kNoSuchFile);
      if (!permissions) return status(out.reply, id, kOk);
      command("sftp setstat " + path + " (mode " + octal(permissions.value_or(0)) + ")", out);
      if (!writable(parentOf(path))) return status(out.reply, id, kPermissionDenied);
      auto& siblings = files_.tree[parentOf(path)];
      for (auto& node : siblings) {
        if (node.name == baseOf(path)) node.mode = modeText(*permissions);
      }
      return status(out.reply, id, kOk);
    }
    case kOpendir: {
      if (!in.ok()) return;
      command("sftp opendir " + path, out);
      const auto node = stat(path, true);
      if (!node) return status(out.reply, id, kNoSuchFile);
      if (node->type != 'd') return status(out.reply, id, kFailure);
      if (files_.user != "root" && (path == "/root" || path.rfind("/root/", 0) == 0)) {
        return status(out.reply, id, kPermissionDenied);
      }
      if (handles_.size() >= limits_.maxHandles) return status(out.reply, id, kFailure);
      Handle open;
      open.directory = true;
      open.path = path;
      FsNode self = *node;
      self.name = ".";
      FsNode up = path == "/" ? self : stat(parentOf(path), true).value_or(self);
      up.name = "..";
      open.entries = {self, up};
      const auto it = files_.tree.find(path);
      if (it != files_.tree.end())
        open.entries.insert(open.entries.end(), it->second.begin(), it->second.end());
      std::string key;
      put32(key, nextHandle_++);
      handles_[key] = std::move(open);
      std::string reply = head(kHandle, id);
      putString(reply, key);
      return packet(out.reply, reply);
    }
    case kMkdir: {
      const auto permissions = in.attrs();
      if (!in.ok()) return;
      command("sftp mkdir " + path, out);
      const auto parent = stat(parentOf(path), true);
      if (!parent || parent->type != 'd') return status(out.reply, id, kNoSuchFile);
      if (stat(path, false)) return status(out.reply, id, kFailure);
      if (!writable(parentOf(path))) return status(out.reply, id, kPermissionDenied);
      if (newNodes_ >= limits_.maxNewNodes) return status(out.reply, id, kFailure);
      ++newNodes_;
      place(path, FsNode{baseOf(path),
                         'd',
                         modeText(permissions.value_or(0755) & 0755),
                         2,
                         files_.user,
                         4096,
                         files_.now,
                         {}});
      files_.tree[path];
      return status(out.reply, id, kOk);
    }
    case kRmdir:
    case kRemove: {
      if (!in.ok()) return;
      command(std::string(type == kRmdir ? "sftp rmdir " : "sftp remove ") + path, out);
      const auto node = stat(path, false);
      if (!node) return status(out.reply, id, kNoSuchFile);
      if ((node->type == 'd') != (type == kRmdir)) return status(out.reply, id, kFailure);
      if (!writable(parentOf(path))) return status(out.reply, id, kPermissionDenied);
      if (type == kRmdir) {
        const auto it = files_.tree.find(path);
        if (it != files_.tree.end() && !it->second.empty()) return status(out.reply, id, kFailure);
        if (it != files_.tree.end()) files_.tree.erase(it);
      }
      auto& siblings = files_.tree[parentOf(path)];
      std::erase_if(siblings, [&](const FsNode& n) { return n.name == baseOf(path); });
      if (const auto it = stored_.find(path); it != stored_.end()) {
        storedBytes_ -= it->second.size();
        stored_.erase(it);
      }
      return status(out.reply, id, kOk);
    }
    case kReadlink: {
      if (!in.ok()) return;
      const auto node = stat(path, false);
      if (!node) return status(out.reply, id, kNoSuchFile);
      if (node->type != 'l') return status(out.reply, id, kFailure);
      std::string reply = head(kName, id);
      put32(reply, 1);
      putString(reply, node->target);
      putString(reply, node->target);
      put32(reply, 0);
      return packet(out.reply, reply);
    }
    case kRename:
    case kSymlink: {
      const std::string other = resolve(in.string());
      if (!in.ok()) return;
      command(std::string(type == kRename ? "sftp rename " : "sftp symlink ") + path + " " + other,
              out);
      if (type == kSymlink) {
        return status(out.reply, id, writable(parentOf(other)) ? kOk : kPermissionDenied);
      }
      const auto node = stat(path, false);
      if (!node) return status(out.reply, id, kNoSuchFile);
      if (stat(other, false)) return status(out.reply, id, kFailure);
      if (!writable(parentOf(path)) || !writable(parentOf(other))) {
        return status(out.reply, id, kPermissionDenied);
      }
      std::erase_if(files_.tree[parentOf(path)],
                    [&](const FsNode& n) { return n.name == baseOf(path); });
      FsNode moved = *node;
      moved.name = baseOf(other);
      place(other, moved);
      if (auto it = files_.tree.find(path); it != files_.tree.end()) {
        auto entries = std::move(it->second);
        files_.tree.erase(it);
        files_.tree[other] = std::move(entries);
      }
      if (auto it = stored_.find(path); it != stored_.end()) {
        auto content = std::move(it->second);
        stored_.erase(it);
        stored_[other] = std::move(content);
      }
      return status(out.reply, id, kOk);
    }
    default:
      if (!in.ok()) return;
      return status(out.reply, id, kUnsupported);
  }
}

void SftpServer::anomaly(const char* what, std::string_view packet, SftpOutput& out) {
  out.records.push_back(
      {"command",
       {{"cmd", "sftp"}, {"anomaly", what}, {"raw_b64", base64Encode(packet.substr(0, 256))}}});
  out.close = true;
}

void SftpServer::command(std::string cmd, SftpOutput& out) {
  if (records_ >= limits_.maxRecords) return;
  if (++records_ == limits_.maxRecords) {
    out.records.push_back({"command", {{"cmd", "sftp"}, {"anomaly", "too_many_operations"}}});
    return;
  }
  out.records.push_back({"command", {{"cmd", std::move(cmd)}}});
}

SftpRecord SftpServer::upload(const Handle& open, bool complete) const {
  SftpRecord record{"file_upload",
                    {{"name", baseOf(open.path)},
                     {"path", open.path},
                     {"size", std::to_string(open.highest)},
                     {"sha256", sha256Hex(open.data)}}};
  if (!complete) record.fields.emplace_back("anomaly", "incomplete_upload");
  return record;
}

}  // namespace decnet::decoy::ssh
