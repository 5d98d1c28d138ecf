#pragma once
// The bytes an SSH client sends before encryption starts: its identification line and its first
// binary packet (KEXINIT), from which client_version and hassh are made. No I/O, so tests and
// the fuzzer drive it with bytes; the relay feeds it what it forwards.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace decnet::decoy::ssh {

class SshClientHello {
 public:
  enum class State { kNeedMore, kDone, kAnomaly };

  SshClientHello(std::size_t maxIdentification, std::size_t maxPacket)
      : maxIdentification_(maxIdentification), maxPacket_(maxPacket) {}

  // Consumes the next bytes the client sent (any chunking). Buffers at most maxPacket + 8 bytes;
  // once kDone or kAnomaly, further bytes are ignored.
  State feed(std::string_view data);
  State state() const { return state_; }
  // The identification line without CR LF; set once its newline arrived, even if invalid.
  const std::optional<std::string>& version() const { return version_; }
  // "kex;encryption c2s;mac c2s;compression c2s": the hassh input, once a KEXINIT was read.
  const std::string& hasshAlgorithms() const { return hasshAlgorithms_; }
  // What was wrong ("invalid_identification", "malformed_kexinit", ...); "" unless kAnomaly.
  const std::string& anomaly() const { return anomaly_; }

 private:
  State readIdentification();
  State readKexInitPacket();
  State parseKexInit(std::string_view payload);
  State fail(const char* tag);

  const std::size_t maxIdentification_;
  const std::size_t maxPacket_;
  State state_ = State::kNeedMore;
  bool identified_ = false;
  std::string pending_;
  std::optional<std::string> version_;
  std::string hasshAlgorithms_;
  std::string anomaly_;
};

}  // namespace decnet::decoy::ssh
