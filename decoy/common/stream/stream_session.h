#pragma once
// The Asio side of request/response binary protocols (MySQL, PostgreSQL, TDS, Redis): async
// reads into a buffer, replies written in order, an idle timeout and a close. Subclasses keep
// only their protocol logic.
#include <array>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "decoy/service.h"

namespace decnet::decoy::stream {

// One accepted connection of a request/response binary protocol: reads into a buffer, lets the
// protocol consume it, writes the replies, closes on request, on error or after the idle timeout.
class StreamSession : public std::enable_shared_from_this<StreamSession> {
 public:
  StreamSession(std::shared_ptr<Connection> connection, std::chrono::seconds idleTimeout);
  virtual ~StreamSession() = default;
  StreamSession(const StreamSession&) = delete;
  StreamSession& operator=(const StreamSession&) = delete;

  // Starts reading (after sending `greeting`, if any). Loop thread only; call on a shared_ptr.
  void start(std::string greeting = {});

 protected:
  // Consumes what it can of `buffer` (erasing it), appends replies to `out`; true: close after
  // sending `out`. Never throws.
  virtual bool onBytes(std::string& buffer, std::string& out) = 0;

  // Records an `anomaly` event (warning) with raw_b64 of up to the first 256 bytes of `raw`.
  void anomaly(const std::string& what, std::string_view raw);
  // base64 of up to the first 256 bytes of `raw`, for protocols that log anomalies otherwise.
  static std::string rawPreview(std::string_view raw);

  // The connection being served.
  Connection& connection() { return *connection_; }
  const Connection& connection() const { return *connection_; }

 private:
  void read();
  void onRead(const boost::system::error_code& ec, std::size_t n);
  void write(std::string data, bool closing);
  void armTimer();
  void close();

  std::shared_ptr<Connection> connection_;
  std::chrono::seconds idleTimeout_;
  boost::asio::steady_timer timer_;
  std::array<char, 16 * 1024> chunk_{};
  std::string buffer_;
  std::string outgoing_;
};

}  // namespace decnet::decoy::stream
