#include "agents/spool_shipper.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include "agents/spool_reader.h"

namespace decnet::agents {
namespace {

constexpr std::size_t kMaxSendBytes = 256 * 1024;  // frames gathered into one send

int connectTo(const std::string& address) {
  const auto colon = address.rfind(':');
  if (colon == std::string::npos) return -1;
  sockaddr_in peer{};
  peer.sin_family = AF_INET;
  peer.sin_port = htons(static_cast<std::uint16_t>(std::atoi(address.c_str() + colon + 1)));
  if (::inet_pton(AF_INET, address.substr(0, colon).c_str(), &peer.sin_addr) != 1) return -1;
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&peer), sizeof peer) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool sendAll(int fd, const std::string& bytes) {
  for (std::size_t at = 0; at < bytes.size();) {
    const ssize_t n = ::send(fd, bytes.data() + at, bytes.size() - at, MSG_NOSIGNAL);
    if (n <= 0) return false;
    at += static_cast<std::size_t>(n);
  }
  return true;
}

std::string frame(const std::string& line) { return std::to_string(line.size()) + " " + line; }

}  // namespace

SpoolShipper::SpoolShipper(ShipperOptions options) : options_(std::move(options)) {}

SpoolShipper::~SpoolShipper() { stop(); }

void SpoolShipper::start() {
  thread_ = std::thread([this] { run(); });
}

void SpoolShipper::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

void SpoolShipper::run() {
  auto backoff = std::chrono::milliseconds(250);
  while (!stopping_.load()) {
    const int fd = connectTo(options_.collector);
    if (fd >= 0) {
      ++connections_;
      backoff = std::chrono::milliseconds(250);
      ship(fd);
      ::close(fd);
    }
    if (stopping_.load()) break;
    // Doubling up to the cap, in poll-sized naps so stop() stays prompt.
    for (auto slept = std::chrono::milliseconds(0); slept < backoff && !stopping_.load();
         slept += options_.pollInterval) {
      std::this_thread::sleep_for(options_.pollInterval);
    }
    backoff = std::min(backoff * 2, options_.maxBackoff);
  }
}

void SpoolShipper::acknowledge(std::int64_t committed) {
  acknowledged_ = std::max(acknowledged_.load(), committed);
  options_.spool->trimCommitted(acknowledged_.load());
}

void SpoolShipper::ship(int fd) {
  if (!sendAll(fd, frame("DECNET-FORWARD/1 node=" + options_.spool->node()))) return;
  std::string replies;
  std::int64_t committed = -1;
  char buffer[4096];
  // Reads what the collector sent; false when the connection is over.
  const auto readReplies = [&](int timeoutMs) {
    pollfd ready{fd, POLLIN, 0};
    if (::poll(&ready, 1, timeoutMs) <= 0) return true;
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) return false;
    replies.append(buffer, static_cast<std::size_t>(n));
    for (auto lf = replies.find('\n'); lf != std::string::npos; lf = replies.find('\n')) {
      const std::string reply = replies.substr(0, lf);
      replies.erase(0, lf + 1);
      if (reply.rfind("DECNET-COMMITTED/1 ", 0) == 0) {
        committed = static_cast<std::int64_t>(std::atoll(reply.c_str() + 19));
        acknowledge(committed);
      } else if (reply.rfind("ACK ", 0) == 0) {
        acknowledge(std::atoll(reply.c_str() + 4));
      } else if (reply.rfind("DECNET-ERROR/1 ", 0) == 0) {
        spdlog::warn("ship: the collector refused us: {}", reply.substr(15));
        return false;
      }
    }
    return true;
  };
  for (int waited = 0; committed < 0; waited += 100) {
    if (stopping_.load() || waited > 5000 || !readReplies(100)) return;
  }
  spdlog::info("ship: connected to {}; it has committed up to {}", options_.collector, committed);
  // Lines at or below the committed position are skipped, so a resend after a cut starts
  // exactly where the collector stopped.
  SpoolReader spool(*options_.spool, committed);
  while (!stopping_.load()) {
    std::string batch;
    std::uint64_t lines = 0;
    while (batch.size() < kMaxSendBytes) {
      const auto line = spool.next();
      if (!line) break;
      if (line->empty()) continue;
      const std::int64_t sequence = sequenceIdOf(*line);
      if (sequence >= 0 && sequence <= committed) continue;
      batch += frame(*line);
      ++lines;
    }
    if (!batch.empty()) {
      if (!sendAll(fd, batch)) return;
      sent_ += lines;
    }
    if (!readReplies(batch.empty() ? static_cast<int>(options_.pollInterval.count()) : 0)) {
      return;
    }
  }
}

}  // namespace decnet::agents
