#include "agents/spool_shipper.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "agents/spool_reader.h"

namespace decnet::agents {
namespace {

constexpr std::size_t kMaxSendBytes = 256 * 1024;  // frames gathered into one send

std::string frame(const std::string& line) { return std::to_string(line.size()) + " " + line; }

}  // namespace

SpoolShipper::SpoolShipper(ShipperOptions options) : options_(std::move(options)) {}

SpoolShipper::~SpoolShipper() { stop(); }

void SpoolShipper::start() {
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "agent-spool");
    run();
  });
}

void SpoolShipper::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

void SpoolShipper::run() {
  auto backoff = std::chrono::milliseconds(250);
  std::string lastError;
  while (!stopping_.load()) {
    auto connection = CollectorConnection::open(options_.collector, options_.tls);
    if (connection) {
      ++connections_;
      lastError.clear();
      backoff = std::chrono::milliseconds(250);
      ship(**connection);
    } else if (connection.error().message != lastError) {
      lastError = connection.error().message;  // said once, not at every retry
      spdlog::warn("ship: {}", lastError);
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

void SpoolShipper::ship(CollectorConnection& connection) {
  if (!connection.sendAll(frame("DECNET-FORWARD/1 node=" + options_.spool->node()))) return;
  std::string replies;
  std::int64_t committed = -1;
  char buffer[4096];
  // Reads what the collector sent; false when the connection is over.
  const auto readReplies = [&](int timeoutMs) {
    const int n = connection.receive(buffer, sizeof buffer, timeoutMs);
    if (n == 0) return true;
    if (n < 0) return false;
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
      if (!connection.sendAll(batch)) return;
      sent_ += lines;
    }
    if (!readReplies(batch.empty() ? static_cast<int>(options_.pollInterval.count()) : 0)) {
      return;
    }
  }
}

}  // namespace decnet::agents
