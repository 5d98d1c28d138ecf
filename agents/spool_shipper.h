#pragma once
// Ships the node's spool (<data-dir>/spool/<node>.log, every line stamped [meta sequenceId="N"])
// to `decnet collect` over TCP, octet-counted. On each connection it says who it is
// (DECNET-FORWARD/1 node=NAME), learns the highest sequenceId the collector has committed for
// this node and sends only what comes after; the collector's ACKs say what is committed. A
// collector restart or a network cut loses nothing: it reconnects with backoff and resends from
// the committed position (the collector drops what it already has).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

namespace decnet::agents {

struct ShipperOptions {
  std::string spoolPath;
  std::string node;
  std::string collector;  // HOST:PORT (IPv4), plain TCP
  std::chrono::milliseconds pollInterval{100};
  std::chrono::milliseconds maxBackoff{10000};
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
  // One connection's life: hello, catch up from the committed position, then follow the spool.
  // Returns when the connection breaks or stop() is called.
  void ship(int fd);

  const ShipperOptions options_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::int64_t> acknowledged_{0};
  std::atomic<std::uint64_t> sent_{0};
  std::atomic<std::uint64_t> connections_{0};
  std::thread thread_;
};

// The N of a line's [meta sequenceId="N"]; -1 when it has none.
std::int64_t sequenceIdOf(const std::string& line);

}  // namespace decnet::agents
