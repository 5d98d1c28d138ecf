#pragma once
// Wire helpers shared by the SFTP server's two halves (sftp_protocol.cc, sftp_files.cc): packet
// types, status codes, big-endian encoding and the bounds-checked reader. Internal to ssh/.
#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>

#include "decoy/services/ssh/sftp_protocol.h"

namespace decnet::decoy::ssh {
namespace sftp {

enum : std::uint8_t {
  kInit = 1,
  kVersion = 2,
  kOpen = 3,
  kClose = 4,
  kRead = 5,
  kWrite = 6,
  kLstat = 7,
  kFstat = 8,
  kSetstat = 9,
  kFsetstat = 10,
  kOpendir = 11,
  kReaddir = 12,
  kRemove = 13,
  kMkdir = 14,
  kRmdir = 15,
  kRealpath = 16,
  kStat = 17,
  kRename = 18,
  kReadlink = 19,
  kSymlink = 20,
  kStatus = 101,
  kHandle = 102,
  kData = 103,
  kName = 104,
  kAttrs = 105,
  kExtended = 200,
  kExtendedReply = 201,
};
enum : std::uint32_t {
  kOk = 0,
  kEof = 1,
  kNoSuchFile = 2,
  kPermissionDenied = 3,
  kFailure = 4,
  kUnsupported = 8,
};
enum : std::uint32_t {
  kFlagRead = 1,
  kFlagWrite = 2,
  kFlagAppend = 4,
  kFlagCreate = 8,
  kFlagTruncate = 0x10,
  kFlagExclusive = 0x20
};
enum : std::uint32_t {
  kAttrSize = 1,
  kAttrUidGid = 2,
  kAttrPermissions = 4,
  kAttrTimes = 8,
  kAttrExtended = 0x80000000u
};
constexpr std::uint32_t kMaxRead = 256 * 1024 - 1024;  // OpenSSH's largest READ answer
constexpr std::size_t kReaddirBatch = 100;             // entries per READDIR, as sftp-server

inline void put32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}
inline void put64(std::string& out, std::uint64_t v) {
  put32(out, static_cast<std::uint32_t>(v >> 32));
  put32(out, static_cast<std::uint32_t>(v));
}
inline void putString(std::string& out, std::string_view s) {
  put32(out, static_cast<std::uint32_t>(s.size()));
  out.append(s);
}
// Frames a packet body (type byte first).
inline void packet(std::string& out, const std::string& body) {
  put32(out, static_cast<std::uint32_t>(body.size()));
  out += body;
}
inline std::string head(std::uint8_t type, std::uint32_t id) {
  std::string body(1, static_cast<char>(type));
  put32(body, id);
  return body;
}

inline const char* statusText(std::uint32_t code) {
  switch (code) {
    case kOk:
      return "Success";
    case kEof:
      return "End of file";
    case kNoSuchFile:
      return "No such file";
    case kPermissionDenied:
      return "Permission denied";
    case kUnsupported:
      return "Operation unsupported";
    default:
      return "Failure";
  }
}
inline void status(std::string& out, std::uint32_t id, std::uint32_t code) {
  std::string body = head(kStatus, id);
  put32(body, code);
  putString(body, statusText(code));
  putString(body, "");
  packet(out, body);
}

inline std::string parentOf(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}
inline std::string baseOf(const std::string& path) { return path.substr(path.rfind('/') + 1); }

inline std::uint32_t modeBits(const FsNode& node) {
  std::uint32_t bits = node.type == 'd' ? 0040000 : node.type == 'l' ? 0120000 : 0100000;
  for (std::size_t i = 0; i < 9 && i < node.mode.size(); ++i) {
    const char c = node.mode[i];
    if (c != '-' && c != 'S' && c != 'T') bits |= 1u << (8 - i);
  }
  if (node.mode.size() >= 9) {
    if (node.mode[2] == 's' || node.mode[2] == 'S') bits |= 04000;
    if (node.mode[5] == 's' || node.mode[5] == 'S') bits |= 02000;
    if (node.mode[8] == 't' || node.mode[8] == 'T') bits |= 01000;
  }
  return bits;
}

inline std::string modeText(std::uint32_t permissions) {
  std::string text = "rwxrwxrwx";
  for (int i = 0; i < 9; ++i) {
    if ((permissions & (1u << (8 - i))) == 0) text[static_cast<std::size_t>(i)] = '-';
  }
  return text;
}

// "0755": how a chmod is recorded.
inline std::string octal(std::uint32_t permissions) {
  char out[8];
  std::snprintf(out, sizeof(out), "%04o", permissions & 07777);
  return out;
}

inline std::string sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr) != 1) return "";
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) out += {kHex[digest[i] >> 4], kHex[digest[i] & 15]};
  return out;
}

}  // namespace sftp

// Bounds-checked big-endian fields; a short read sets !ok() and yields zeros.
struct SftpServer::Reader {
  std::string_view data;
  bool good = true;
  bool ok() const { return good; }
  bool need(std::size_t n) {
    if (data.size() < n) good = false;
    return good;
  }
  std::uint8_t u8() {
    if (!need(1)) return 0;
    const auto v = static_cast<std::uint8_t>(data[0]);
    data.remove_prefix(1);
    return v;
  }
  std::uint32_t u32() {
    if (!need(4)) return 0;
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i)
      v = (v << 8) | static_cast<std::uint8_t>(data[static_cast<std::size_t>(i)]);
    data.remove_prefix(4);
    return v;
  }
  std::uint64_t u64() {
    const std::uint64_t high = u32();
    return (high << 32) | u32();
  }
  std::string string() {
    const std::uint32_t n = u32();
    if (!need(n)) return {};
    std::string v(data.substr(0, n));
    data.remove_prefix(n);
    return v;
  }
  // An ATTRS block; returns the permissions if it carried them.
  std::optional<std::uint32_t> attrs() {
    const std::uint32_t flags = u32();
    std::optional<std::uint32_t> permissions;
    if (flags & sftp::kAttrSize) u64();
    if (flags & sftp::kAttrUidGid) u64();
    if (flags & sftp::kAttrPermissions) permissions = u32();
    if (flags & sftp::kAttrTimes) u64();
    if (flags & sftp::kAttrExtended) {
      const std::uint32_t count = u32();
      for (std::uint32_t i = 0; i < count && good; ++i) {
        string();
        string();
      }
    }
    return permissions;
  }
};

}  // namespace decnet::decoy::ssh
