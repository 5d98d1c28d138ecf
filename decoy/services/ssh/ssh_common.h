#pragma once
// What the ssh emulator's parts share: the per-service state, the per-connection facts the relay
// learns, and small helpers for the session threads.
#include <libssh/callbacks.h>
#include <libssh/libssh.h>
#include <libssh/server.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <boost/asio/local/stream_protocol.hpp>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "decoy/common/shell/fake_shell.h"
#include "decoy/service.h"

namespace decnet::decoy::ssh {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

constexpr int kMaxAuthTries = 6;  // OpenSSH's MaxAuthTries
constexpr auto kIdleTimeout = std::chrono::seconds(60);
constexpr auto kShutdownGrace = std::chrono::milliseconds(1500);  // the agent SIGKILLs after 2 s
constexpr std::size_t kMaxIdentification = 255;                   // RFC 4253 §4.2
constexpr std::size_t kMaxKexPacket = 35000;                      // RFC 4253 §6.1
constexpr std::size_t kMaxLine = 4096;
constexpr std::uint64_t kMaxUpload = 64ull << 20;
constexpr std::size_t kThreadStack = 512 * 1024;
// What Debian's and Ubuntu's stock sshd_config advertise ("publickey,password"): libssh would
// list keyboard-interactive before password, an order no OpenSSH produces. Clients that try
// keyboard-interactive anyway are still answered (and recorded).
constexpr int kAuthMethods = SSH_AUTH_METHOD_PUBLICKEY | SSH_AUTH_METHOD_PASSWORD;

inline std::string hexOf(const unsigned char* data, std::size_t length) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < length; ++i) out += {kHex[data[i] >> 4], kHex[data[i] & 15]};
  return out;
}

inline std::string digestHex(const EVP_MD* md, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), out, &length, md, nullptr) != 1) return "";
  return hexOf(out, length);
}

// What the relay learned about the client; read by the session thread.
struct ClientInfo {
  mutable std::mutex mutex;
  std::string version;
  std::string hassh;
};

struct SshShared {
  std::string version;
  FakeHost host;
  std::string kexRelease;  // the OpenSSH table the KEXINIT follows
  std::mutex bindMutex;    // ssh_bind_accept_fd reads shared bind state
  ssh_bind bind = nullptr;
  std::mutex mutex;
  std::condition_variable changed;
  int threads = 0;
  int maxThreads = 256;
  bool stopping = false;

  ~SshShared() {
    if (bind != nullptr) ssh_bind_free(bind);
  }
  // Sleeps for `duration` unless the decoy stops first (then returns false).
  bool sleepFor(std::chrono::milliseconds duration) {
    std::unique_lock lock(mutex);
    return !changed.wait_for(lock, duration, [this] { return stopping; });
  }
  bool isStopping() {
    std::lock_guard lock(mutex);
    return stopping;
  }
};

struct SessionArgs {
  std::shared_ptr<SshShared> shared;
  std::shared_ptr<InteractionSink> sink;
  Peer peer;
  int fd = -1;
  std::shared_ptr<ClientInfo> info;
  std::string localAddress;  // the decky address the attacker reached (for ifconfig)
};

// Reads a channel with a carry-over buffer: scp needs lines and exact byte counts.
class ChannelReader {
 public:
  ChannelReader(ssh_channel channel, SshShared& shared) : channel_(channel), shared_(shared) {}

  // Up to `max` bytes; false on EOF, error, idle timeout or shutdown.
  bool some(std::string& out, std::size_t max) {
    if (buffer_.empty() && !fill()) return false;
    const std::size_t n = std::min(max, buffer_.size());
    out.assign(buffer_, 0, n);
    buffer_.erase(0, n);
    return true;
  }

  bool line(std::string& out, std::size_t max) {
    for (;;) {
      const auto lf = buffer_.find('\n');
      if (lf != std::string::npos) {
        out = buffer_.substr(0, lf);
        buffer_.erase(0, lf + 1);
        return true;
      }
      if (buffer_.size() > max || !fill()) return false;
    }
  }

 private:
  bool fill() {
    std::array<char, 4096> chunk;
    const auto deadline = Clock::now() + kIdleTimeout;
    while (Clock::now() < deadline && !shared_.isStopping()) {
      const int n = ssh_channel_read_timeout(channel_, chunk.data(), chunk.size(), 0, 1000);
      if (n == SSH_ERROR) return false;
      if (n > 0) {
        buffer_.append(chunk.data(), static_cast<std::size_t>(n));
        return true;
      }
      if (ssh_channel_is_eof(channel_) || !ssh_channel_is_open(channel_)) return false;
    }
    return false;
  }

  ssh_channel channel_;
  SshShared& shared_;
  std::string buffer_;
};

class Sha256 {
 public:
  Sha256() : ctx_(EVP_MD_CTX_new()) {
    if (ctx_ != nullptr) EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr);
  }
  ~Sha256() { EVP_MD_CTX_free(ctx_); }
  void update(std::string_view data) {
    if (ctx_ != nullptr) EVP_DigestUpdate(ctx_, data.data(), data.size());
  }
  std::string hex() {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (ctx_ == nullptr || EVP_DigestFinal_ex(ctx_, out, &length) != 1) return "";
    return hexOf(out, length);
  }

 private:
  EVP_MD_CTX* ctx_;
};

}  // namespace decnet::decoy::ssh
