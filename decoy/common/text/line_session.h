#pragma once
// Runs a LineProtocol on an accepted connection: async reads framed into lines, replies written
// in order (after the protocol's delay), events recorded, an idle timeout, and a graceful close.
#include <chrono>
#include <cstddef>
#include <memory>

#include "decoy/common/text/line_protocol.h"
#include "decoy/service.h"

namespace decnet::decoy::text {

struct LineSessionOptions {
  std::size_t maxLine = 4096;            // longer lines become LineAnomaly::kLineTooLong
  std::size_t maxLines = 2000;           // inputs per connection before kTooManyLines + close
  std::chrono::seconds idleTimeout{60};  // no input for this long: onIdle(), then close
};

// Starts serving `connection` with `protocol`; returns at once (the session keeps itself alive
// through its pending operations). Loop thread only.
void startLineSession(std::shared_ptr<Connection> connection,
                      std::unique_ptr<LineProtocol> protocol, LineSessionOptions options);

}  // namespace decnet::decoy::text
