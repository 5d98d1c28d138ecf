#pragma once
// Telnet option negotiation (RFC 854/855) as a byte filter: IAC sequences are answered or
// dropped, the rest is user data. No I/O here, so tests drive it with bytes.
#include <cstdint>
#include <string>
#include <string_view>

namespace decnet::decoy::telnet {

inline constexpr unsigned char kIac = 255, kDont = 254, kDo = 253, kWont = 252, kWill = 251,
                               kSb = 250, kSe = 240, kEcho = 1, kSga = 3, kTtype = 24, kNaws = 31,
                               kTspeed = 32, kXdisploc = 35, kNewEnviron = 39;

// What a Linux (netkit/inetutils) telnetd sends first: DO TTYPE, TSPEED, XDISPLOC and
// NEW-ENVIRON, then nothing until the client answers (scanners fingerprint exactly that).
std::string telnetGreeting();

// Once the client has answered: it will echo and suppress go-ahead (character mode) and asks
// for the window size; the banner and login prompt follow.
std::string telnetModeNegotiation();

class TelnetDecoder {
 public:
  // Consumes `in`; appends user data to `data` and negotiation answers to `replies`.
  void feed(std::string_view in, std::string& data, std::string& replies);
  // The client's terminal type once it told (TTYPE IS), else "".
  const std::string& terminalType() const { return terminalType_; }
  // What was wrong with the negotiation, "" when nothing (the first problem only).
  const std::string& anomaly() const { return anomaly_; }

 private:
  void option(unsigned char command, unsigned char code, std::string& replies);
  void subnegotiation(std::string& replies);

  enum class State { kData, kIac, kOption, kSb, kSbIac, kCr };
  State state_ = State::kData;
  unsigned char command_ = 0;
  std::string sb_;
  std::string terminalType_;
  std::string anomaly_;
  std::uint64_t answered_[4] = {0, 0, 0, 0};  // options already answered (no negotiation loops)
  unsigned negotiations_ = 0;
};

}  // namespace decnet::decoy::telnet
