#pragma once
// `decnet collect`: receives RFC 5424 over TCP (octet-counted or LF-delimited frames, RFC 6587)
// and over UDP on loopback, parses each line, and commits them to a TelemetryStore in batches
// (1,000 events or 100 ms, whichever comes first). Lines that are not RFC 5424 are kept raw.
//
// decnet's agent forwarder says who it is first, with one frame `DECNET-FORWARD/1 node=NAME`; the
// collector answers `DECNET-COMMITTED/1 N` (the highest sequenceId stored for that node, where
// the forwarder resumes) and, after every batch that held its lines, `ACK N`. Other senders
// (rsyslog's omfwd, logger) just send; they get no acknowledgments.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "api/types/result.h"
#include "metrics/registry.h"
#include "pipeline/collector/telemetry_store.h"
#include "pipeline/common/flood_gate.h"

namespace decnet::pipeline {

struct CollectorOptions {
  std::string listen = "127.0.0.1:6514";  // TCP HOST:PORT
  std::string udpListen;                  // "" off; a loopback HOST:PORT only
  // TLS (PEM paths): a certificate and key make TCP TLS-only, and a CA then requires senders'
  // client certificates signed by it. Required when `listen` is not on loopback.
  std::string tlsCert, tlsKey, tlsCa;
  std::size_t batchEvents = 1000;
  std::chrono::milliseconds batchInterval{100};
  std::size_t maxFrame = 64 * 1024;  // longer frames are kept raw, cut, as malformed
  // Connect and disconnect events repeated within this window for the same attacker, decky and
  // service are counted once (scanners open thousands).
  std::chrono::milliseconds burstWindow{1000};
  // Floods of identical events from senders without sequence numbers are folded like the agent
  // folds them (pipeline/common/flood_gate.h); perWindow 0 turns it off.
  FloodOptions flood;
  // Where the decnet_collector_* series go; null: none. Must outlive the collector.
  metrics::Registry* metrics = nullptr;
  // Events older than this (by their time) are deleted, in small batches while ingest is idle;
  // zero keeps everything.
  std::chrono::seconds retention{std::chrono::hours(24 * 90)};
  std::chrono::milliseconds pruneEvery{60000};
};

struct CollectorCounters {
  std::uint64_t received = 0;      // frames and datagrams
  std::uint64_t stored = 0;        // events committed
  std::uint64_t duplicates = 0;    // resent events already stored
  std::uint64_t malformed = 0;     // kept raw
  std::uint64_t deduplicated = 0;  // connect/disconnect bursts folded
  std::uint64_t floodFolded = 0;   // identical events past the flood rate, stored as one count
  std::uint64_t pruned = 0;        // deleted past the retention age
};

class Collector {
 public:
  Collector(TelemetryStore& store, CollectorOptions options);
  ~Collector();
  Collector(const Collector&) = delete;
  Collector& operator=(const Collector&) = delete;

  // Binds and starts receiving. kUnavailable when an address cannot be bound; kTerminal for a
  // UDP address off loopback.
  Result<void> start();
  // Stops receiving and commits what is pending. Idempotent.
  void stop();
  // The bound TCP port (useful with port 0).
  int tcpPort() const;
  CollectorCounters counters() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace decnet::pipeline
