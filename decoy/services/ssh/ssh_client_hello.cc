#include "decoy/services/ssh/ssh_client_hello.h"

#include <algorithm>
#include <vector>

namespace decnet::decoy::ssh {
namespace {

constexpr unsigned char kMsgKexInit = 20;

std::size_t bigEndian32(std::string_view bytes, std::size_t at) {
  const auto b = [&](std::size_t i) { return static_cast<unsigned char>(bytes[at + i]); };
  return static_cast<std::size_t>(b(0)) << 24 | static_cast<std::size_t>(b(1)) << 16 |
         static_cast<std::size_t>(b(2)) << 8 | b(3);
}

}  // namespace

SshClientHello::State SshClientHello::feed(std::string_view data) {
  if (state_ != State::kNeedMore) return state_;
  const std::size_t room = maxPacket_ + 8 - std::min(pending_.size(), maxPacket_ + 8);
  pending_.append(data.substr(0, room));
  if (!identified_) {
    if (const State state = readIdentification(); !identified_ || state != State::kNeedMore) {
      return state;
    }
  }
  return readKexInitPacket();
}

SshClientHello::State SshClientHello::readIdentification() {
  const auto lf = pending_.find('\n');
  if (lf == std::string::npos || lf > maxIdentification_) {
    const bool tooLong = pending_.size() > maxIdentification_;
    return tooLong ? fail("identification_too_long") : state_;
  }
  std::string line = pending_.substr(0, lf);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  pending_.erase(0, lf + 1);
  version_ = line;
  if (line.rfind("SSH-2.0-", 0) != 0 && line.rfind("SSH-1.99-", 0) != 0) {
    return fail("invalid_identification");
  }
  identified_ = true;
  return state_;
}

SshClientHello::State SshClientHello::readKexInitPacket() {
  if (pending_.size() < 6) return state_;
  const std::size_t length = bigEndian32(pending_, 0);
  if (length < 12 || length > maxPacket_) return fail("malformed_packet");
  if (pending_.size() < length + 4) return state_;
  const std::size_t padding = static_cast<unsigned char>(pending_[4]);
  if (padding + 1 > length || static_cast<unsigned char>(pending_[5]) != kMsgKexInit) {
    return fail("unexpected_packet");
  }
  const std::string packet = pending_.substr(5, length - padding - 1);
  pending_.clear();
  pending_.shrink_to_fit();
  return parseKexInit(packet);
}

// RFC 4253 §7.1: message number, 16-byte cookie, then ten name-lists; hassh takes the first,
// third, fifth and seventh (kex, encryption, mac and compression client to server).
SshClientHello::State SshClientHello::parseKexInit(std::string_view payload) {
  std::size_t at = 1 + 16;
  std::vector<std::string_view> lists;
  while (lists.size() < 7 && at + 4 <= payload.size()) {
    const std::size_t length = bigEndian32(payload, at);
    at += 4;
    if (length > payload.size() - at) break;
    lists.push_back(payload.substr(at, length));
    at += length;
  }
  if (lists.size() < 7) return fail("malformed_kexinit");
  hasshAlgorithms_.append(lists[0]).append(";").append(lists[2]).append(";");
  hasshAlgorithms_.append(lists[4]).append(";").append(lists[6]);
  state_ = State::kDone;
  return state_;
}

SshClientHello::State SshClientHello::fail(const char* tag) {
  anomaly_ = tag;
  state_ = State::kAnomaly;
  pending_.clear();
  pending_.shrink_to_fit();
  return state_;
}

}  // namespace decnet::decoy::ssh
