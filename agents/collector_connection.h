#pragma once
// The shipper's connection to `decnet collect`: plain TCP on loopback, TLS (OpenSSL, the
// collector's certificate verified against a CA and its address, our own certificate offered)
// anywhere else. OpenSSL stays in collector_connection.cc.
#include <memory>
#include <string>

#include "api/types/result.h"

namespace decnet::agents {

struct TlsFiles {
  std::string cert, key, ca;  // PEM paths; all empty: plain TCP
  bool enabled() const { return !cert.empty() || !key.empty() || !ca.empty(); }
};

class CollectorConnection {
 public:
  virtual ~CollectorConnection() = default;
  // Connects to `address` (IPV4:PORT). With TLS the handshake is done and the peer verified;
  // without, only a loopback address is accepted (kTerminal otherwise: lines would cross a
  // network in the clear). kUnavailable when it cannot connect or the handshake fails.
  static Result<std::unique_ptr<CollectorConnection>> open(const std::string& address,
                                                           const TlsFiles& tls);
  // Sends all of `bytes`; false once the connection is broken.
  virtual bool sendAll(const std::string& bytes) = 0;
  // Waits up to `timeoutMs` for bytes: how many were read into `buffer`, 0 on timeout, -1 when
  // the connection is over.
  virtual int receive(char* buffer, int size, int timeoutMs) = 0;
};

// Whether `address` (HOST:PORT) is on loopback (127.0.0.0/8, ::1, localhost).
bool isLoopbackAddress(const std::string& address);

}  // namespace decnet::agents
