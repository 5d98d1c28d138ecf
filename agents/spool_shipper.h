#pragma once
// Ships the node's spool (its rotated segments, then <data-dir>/spool/<node>.log; every line
// stamped [meta sequenceId="N"]) to `decnet collect` over TCP (TLS off loopback), octet-counted. On
// each connection it says who it is (DECNET-FORWARD/1 node=NAME), learns the highest sequenceId the
// collector has committed for this node and sends only what comes after; the collector's ACKs say
// what is committed. A collector restart or a network cut loses nothing: it reconnects with backoff
// and resends from the committed position (the collector drops what it already has). Each
// acknowledgment trims the spool: the segments the collector has entirely are deleted.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "agents/collector_connection.h"
#include "agents/spool_segments.h"

namespace decnet::agents {

struct ShipperOptions {
  std::shared_ptr<SpoolSegments> spool;  // the node's spool, shared with its LogForwarder
  std::string collector;                 // HOST:PORT (IPv4)
  std::chrono::milliseconds pollInterval{100};
  std::chrono::milliseconds maxBackoff{10000};
  TlsFiles tls;  // required off loopback; on loopback plain TCP unless given
};

class SpoolShipper {
 public:
  explicit SpoolShipper(ShipperOptions options);
  ~SpoolShipper();
  SpoolShipper(const SpoolShipper&) = delete;
  SpoolShipper& operator=(const SpoolShipper&) = delete;

  // Starts shipping on its own thread; returns at once.
  void start();
  // Stops within one poll interval. Idempotent.
  void stop();
  // The highest sequenceId the collector has acknowledged as committed (0 before any).
  std::int64_t acknowledged() const { return acknowledged_.load(); }
  // Lines sent, resends included.
  std::uint64_t linesSent() const { return sent_.load(); }
  // Connections made (1 + reconnects).
  std::uint64_t connections() const { return connections_.load(); }

 private:
  void run();
  // Records the collector's committed position and trims the spool up to it.
  void acknowledge(std::int64_t committed);
  // One connection's life: hello, catch up from the committed position, then follow the spool.
  // Returns when the connection breaks or stop() is called.
  void ship(CollectorConnection& connection);

  const ShipperOptions options_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::int64_t> acknowledged_{0};
  std::atomic<std::uint64_t> sent_{0};
  std::atomic<std::uint64_t> connections_{0};
  std::thread thread_;
};

}  // namespace decnet::agents
