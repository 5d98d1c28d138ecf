// The SFTP requests that touch the fake tree: open, read, write, close, directories, the
// OpenSSH extensions, and path resolution against the tree.
#include "decoy/services/ssh/sftp_protocol.h"
#include "decoy/services/ssh/sftp_wire.h"

namespace decnet::decoy::ssh {

using namespace sftp;

void SftpServer::open(std::uint32_t id, Reader& in, SftpOutput& out) {
  const std::string path = resolve(in.string());
  const std::uint32_t flags = in.u32();
  const auto permissions = in.attrs();
  if (!in.ok()) return;
  const bool write = (flags & (kFlagWrite | kFlagAppend)) != 0;
  command("sftp open " + path + (write ? " (write)" : " (read)"), out);
  const auto node = stat(path, true);
  const auto parent = stat(parentOf(path), true);
  if (node && node->type == 'd') return status(out.reply, id, kFailure);
  if (!node && (!write || (flags & kFlagCreate) == 0 || !parent || parent->type != 'd')) {
    return status(out.reply, id, kNoSuchFile);
  }
  if (node && (flags & kFlagCreate) && (flags & kFlagExclusive)) {
    return status(out.reply, id, kFailure);
  }
  if (handles_.size() >= limits_.maxHandles) return status(out.reply, id, kFailure);
  Handle open;
  open.path = path;
  open.write = write;
  const auto stored = stored_.find(path);
  if (write) {
    if (!writable(parentOf(path))) return status(out.reply, id, kPermissionDenied);
    if (!node && newNodes_ >= limits_.maxNewNodes) return status(out.reply, id, kFailure);
    if (!node) ++newNodes_;
    if (stored != stored_.end() && (flags & kFlagTruncate) == 0) {
      if (storedBytes_ + stored->second.size() > limits_.maxStored) {
        return status(out.reply, id, kFailure);
      }
      open.data = stored->second;
      storedBytes_ += open.data.size();
    }
    open.highest = open.data.size();
    FsNode created = node.value_or(FsNode{baseOf(path),
                                          '-',
                                          modeText(permissions.value_or(0644) & 0755),
                                          1,
                                          files_.user,
                                          0,
                                          files_.now,
                                          {}});
    created.name = baseOf(path);
    created.size = open.data.size();
    created.mtime = files_.now;
    place(path, created);
  } else if (stored != stored_.end()) {
    open.data = stored->second;
  } else {
    const auto content = files_.content ? files_.content(path) : std::nullopt;
    if (!content) return status(out.reply, id, kPermissionDenied);
    open.data = *content;
  }
  std::string key;
  put32(key, nextHandle_++);
  handles_[key] = std::move(open);
  std::string reply = head(kHandle, id);
  putString(reply, key);
  packet(out.reply, reply);
}

void SftpServer::write(std::uint32_t id, Reader& in, SftpOutput& out) {
  const std::string key = in.string();
  const std::uint64_t offset = in.u64();
  const std::string data = in.string();
  if (!in.ok()) return;
  const auto it = handles_.find(key);
  if (it == handles_.end() || !it->second.write) return status(out.reply, id, kFailure);
  Handle& open = it->second;
  if (offset > limits_.maxStored) {
    open.overflow = true;
    open.highest = std::max<std::uint64_t>(open.highest, offset);
    return status(out.reply, id, kFailure);
  }
  const std::uint64_t end = offset + data.size();
  open.highest = std::max(open.highest, end);
  const std::uint64_t growth = end > open.data.size() ? end - open.data.size() : 0;
  if (storedBytes_ + growth > limits_.maxStored) {
    open.overflow = true;
    return status(out.reply, id, kFailure);
  }
  if (growth > 0) {
    open.data.resize(static_cast<std::size_t>(end));
    storedBytes_ += growth;
  }
  open.data.replace(static_cast<std::size_t>(offset), data.size(), data);
  status(out.reply, id, kOk);
}

void SftpServer::read(std::uint32_t id, Reader& in, SftpOutput& out) {
  const std::string key = in.string();
  const std::uint64_t offset = in.u64();
  const std::uint32_t length = std::min(in.u32(), kMaxRead);
  if (!in.ok()) return;
  const auto it = handles_.find(key);
  if (it == handles_.end() || it->second.directory) return status(out.reply, id, kFailure);
  const std::string& data = it->second.data;
  if (offset >= data.size() || length == 0) return status(out.reply, id, kEof);
  std::string reply = head(kData, id);
  putString(reply, std::string_view(data).substr(static_cast<std::size_t>(offset), length));
  packet(out.reply, reply);
}

void SftpServer::readdir(std::uint32_t id, const std::string& key, SftpOutput& out) {
  const auto it = handles_.find(key);
  if (it == handles_.end() || !it->second.directory) return status(out.reply, id, kFailure);
  auto& entries = it->second.entries;
  if (entries.empty()) return status(out.reply, id, kEof);
  const std::size_t count = std::min(entries.size(), kReaddirBatch);
  std::string reply = head(kName, id);
  put32(reply, static_cast<std::uint32_t>(count));
  for (std::size_t i = 0; i < count; ++i) {
    putString(reply, entries[i].name);
    putString(reply, longname(entries[i]));
    reply += attrs(entries[i]);
  }
  entries.erase(entries.begin(), entries.begin() + static_cast<std::ptrdiff_t>(count));
  packet(out.reply, reply);
}

void SftpServer::closeHandle(std::uint32_t id, const std::string& key, SftpOutput& out) {
  const auto it = handles_.find(key);
  if (it == handles_.end()) return status(out.reply, id, kFailure);
  Handle open = std::move(it->second);
  handles_.erase(it);
  if (open.write) {
    out.records.push_back(upload(open, !open.overflow));
    for (auto& node : files_.tree[parentOf(open.path)]) {
      if (node.name == baseOf(open.path)) node.size = open.highest;
    }
    if (const auto old = stored_.find(open.path); old != stored_.end()) {
      storedBytes_ -= old->second.size();
    }
    stored_[open.path] = std::move(open.data);
  }
  status(out.reply, id, kOk);
}

void SftpServer::extended(std::uint32_t id, Reader& in, SftpOutput& out) {
  const std::string name = in.string();
  if (!in.ok()) return;
  if (name == "posix-rename@openssh.com" || name == "hardlink@openssh.com") {
    const std::string from = resolve(in.string());
    const std::string to = resolve(in.string());
    if (!in.ok()) return;
    const bool link = name[0] == 'h';
    command(std::string(link ? "sftp hardlink " : "sftp rename ") + from + " " + to, out);
    const auto node = stat(from, false);
    if (!node) return status(out.reply, id, kNoSuchFile);
    if (!writable(parentOf(to)) || (!link && !writable(parentOf(from)))) {
      return status(out.reply, id, kPermissionDenied);
    }
    if (!link)
      std::erase_if(files_.tree[parentOf(from)],
                    [&](const FsNode& n) { return n.name == baseOf(from); });
    FsNode moved = *node;
    moved.name = baseOf(to);
    place(to, moved);
    if (auto it = stored_.find(from); it != stored_.end()) {
      std::string content = link ? it->second : std::move(it->second);
      if (!link) stored_.erase(it);
      if (link) storedBytes_ += content.size();
      stored_[to] = std::move(content);
    }
    return status(out.reply, id, kOk);
  }
  if (name == "statvfs@openssh.com" || name == "fstatvfs@openssh.com") {
    in.string();
    if (!in.ok()) return;
    std::string reply = head(kExtendedReply, id);
    // A 30 GB ext4 root, a third used.
    for (std::uint64_t v : {4096ull, 4096ull, 7707950ull, 5284321ull, 4887262ull, 1970176ull,
                            1789432ull, 1789432ull, 0x2b7c9e0a5d1f3c47ull, 0ull, 255ull}) {
      put64(reply, v);
    }
    return packet(out.reply, reply);
  }
  if (name == "limits@openssh.com") {
    std::string reply = head(kExtendedReply, id);
    put64(reply, limits_.maxPacket);
    put64(reply, kMaxRead);
    put64(reply, kMaxRead);
    put64(reply, limits_.maxHandles);
    return packet(out.reply, reply);
  }
  if (name == "expand-path@openssh.com" || name == "home-directory") {
    std::string path = in.string();
    if (!in.ok()) return;
    if (name == "home-directory") {
      path = path.empty() || path == files_.user ? files_.home
             : path == "root"                    ? "/root"
                                                 : "/home/" + path;
    } else if (path == "~" || path.rfind("~/", 0) == 0) {
      path = files_.home + path.substr(1);
    } else if (path.rfind("~", 0) == 0) {
      const auto slash = path.find('/');
      const std::string user = path.substr(1, slash == std::string::npos ? slash : slash - 1);
      path = (user == "root" ? "/root" : "/home/" + user) +
             (slash == std::string::npos ? "" : path.substr(slash));
    }
    path = resolve(path);
    std::string reply = head(kName, id);
    put32(reply, 1);
    putString(reply, path);
    putString(reply, path);
    put32(reply, 0);
    return packet(out.reply, reply);
  }
  if (name == "users-groups-by-id@openssh.com") {
    const std::string uids = in.string();
    const std::string gids = in.string();
    if (!in.ok()) return;
    std::string reply = head(kExtendedReply, id);
    for (const std::string* ids : {&uids, &gids}) {
      Reader list{*ids};
      std::string names;
      for (std::size_t i = 0; i < 4096 && list.data.size() >= 4; ++i) {
        const std::uint32_t uid = list.u32();
        putString(names, uid == 0 ? "root" : uid == files_.uid ? files_.user : "");
      }
      putString(reply, names);
    }
    return packet(out.reply, reply);
  }
  if (name == "fsync@openssh.com") {
    const std::string key = in.string();
    if (!in.ok()) return;
    return status(out.reply, id, handles_.count(key) ? kOk : kFailure);
  }
  if (name == "lsetstat@openssh.com") {
    const std::string path = resolve(in.string());
    in.attrs();
    if (!in.ok()) return;
    return status(out.reply, id, stat(path, false) ? kOk : kNoSuchFile);
  }
  command("sftp extended " + name.substr(0, 64), out);
  status(out.reply, id, kUnsupported);
}

std::string SftpServer::resolve(std::string_view path) const {
  std::string full = !path.empty() && path.front() == '/' ? std::string(path)
                                                          : files_.home + "/" + std::string(path);
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= full.size()) {
    const auto slash = std::min(full.find('/', start), full.size());
    const std::string part = full.substr(start, slash - start);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    start = slash + 1;
  }
  std::string out;
  for (const auto& part : parts) out += "/" + part;
  return out.empty() ? "/" : out;
}

const FsNode* SftpServer::find(const std::string& path) const {
  const auto it = files_.tree.find(parentOf(path));
  if (it == files_.tree.end()) return nullptr;
  for (const auto& node : it->second) {
    if (node.name == baseOf(path)) return &node;
  }
  return nullptr;
}

std::optional<FsNode> SftpServer::stat(const std::string& path, bool follow) const {
  if (path == "/")
    return FsNode{"/", 'd', "rwxr-xr-x", 18, "root", 4096, files_.now - 86400 * 30, {}};
  const FsNode* node = find(path);
  if (node == nullptr) {
    if (files_.tree.count(path) == 0) return std::nullopt;
    return FsNode{baseOf(path), 'd', "rwxr-xr-x", 2, "root", 4096, files_.now - 86400 * 30, {}};
  }
  if (follow && node->type == 'l' && !node->target.empty()) {
    const std::string target =
        node->target.front() == '/' ? node->target : parentOf(path) + "/" + node->target;
    const FsNode* linked = find(resolve(target));
    if (linked != nullptr && linked->type != 'l') {
      FsNode copy = *linked;
      copy.name = node->name;
      return copy;
    }
    if (files_.tree.count(resolve(target)) != 0) {
      return FsNode{node->name, 'd', "rwxr-xr-x", 2, "root", 4096, node->mtime, {}};
    }
  }
  return *node;
}

bool SftpServer::writable(const std::string& directory) const {
  if (files_.user == "root") return true;
  for (const std::string& base :
       {files_.home, std::string("/tmp"), std::string("/var/tmp"), std::string("/dev/shm")}) {
    if (directory == base || directory.rfind(base + "/", 0) == 0) return true;
  }
  return false;
}

void SftpServer::place(const std::string& path, FsNode node) {
  auto& siblings = files_.tree[parentOf(path)];
  for (auto& existing : siblings) {
    if (existing.name == node.name) {
      existing = std::move(node);
      return;
    }
  }
  siblings.push_back(std::move(node));
}

std::uint32_t SftpServer::uidOf(const std::string& owner) const {
  if (owner == "root") return 0;
  if (owner == files_.user) return files_.uid;
  if (owner == "www-data") return 33;
  if (owner == "syslog") return 104;
  return 1000;
}

std::string SftpServer::attrs(const FsNode& node) const {
  std::string out;
  put32(out, kAttrSize | kAttrUidGid | kAttrPermissions | kAttrTimes);
  put64(out, node.size);
  put32(out, uidOf(node.owner));
  put32(out, uidOf(node.owner));
  put32(out, modeBits(node));
  put32(out, static_cast<std::uint32_t>(node.mtime));
  put32(out, static_cast<std::uint32_t>(node.mtime));
  return out;
}

// sftp-server's "ls -l" line: "drwxr-xr-x    2 root     root         4096 Nov 14 13:41 etc".
std::string SftpServer::longname(const FsNode& node) const {
  char links[16];
  std::snprintf(links, sizeof(links), "%3d", node.links);
  std::string owner = node.owner;
  if (owner.size() < 8) owner.resize(8, ' ');
  std::string size = std::to_string(node.size);
  if (size.size() < 8) size.insert(0, 8 - size.size(), ' ');
  return std::string(1, node.type) + node.mode + "  " + links + " " + owner + " " + owner + " " +
         size + " " + lsTime(node.mtime, files_.now) + " " + node.name;
}

}  // namespace decnet::decoy::ssh
