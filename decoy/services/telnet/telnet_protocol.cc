#include "decoy/services/telnet/telnet_protocol.h"

namespace decnet::decoy::telnet {
namespace {

constexpr std::size_t kMaxSubnegotiation = 512;
constexpr unsigned kMaxNegotiations = 200;  // answers per connection; then silence

std::string command(unsigned char verb, unsigned char option) {
  return std::string{static_cast<char>(kIac), static_cast<char>(verb), static_cast<char>(option)};
}

}  // namespace

std::string telnetGreeting() {
  return command(kDo, kTtype) + command(kDo, kTspeed) + command(kDo, kXdisploc) +
         command(kDo, kNewEnviron);
}

std::string telnetModeNegotiation() {
  return command(kWill, kEcho) + command(kWill, kSga) + command(kDo, kNaws);
}

void TelnetDecoder::feed(std::string_view in, std::string& data, std::string& replies) {
  for (const char raw : in) {
    const auto c = static_cast<unsigned char>(raw);
    switch (state_) {
      case State::kCr:
        state_ = State::kData;
        if (c == 0 || c == '\n') break;  // CR NUL and CR LF are one Enter
        [[fallthrough]];
      case State::kData:
        if (c == kIac) {
          state_ = State::kIac;
        } else if (c == '\r') {
          data.push_back('\r');
          state_ = State::kCr;
        } else {
          data.push_back(raw);
        }
        break;
      case State::kIac:
        if (c == kIac) {
          data.push_back(raw);
          state_ = State::kData;
        } else if (c >= kWill && c <= kDont) {
          command_ = c;
          state_ = State::kOption;
        } else if (c == kSb) {
          sb_.clear();
          state_ = State::kSb;
        } else {
          state_ = State::kData;  // NOP, AYT, IP, GA...: nothing to answer in a login
        }
        break;
      case State::kOption:
        option(command_, c, replies);
        state_ = State::kData;
        break;
      case State::kSb:
        if (c == kIac) {
          state_ = State::kSbIac;
        } else if (sb_.size() < kMaxSubnegotiation) {
          sb_.push_back(raw);
        } else if (anomaly_.empty()) {
          anomaly_ = "subnegotiation_too_long";
        }
        break;
      case State::kSbIac:
        if (c == kSe) {
          subnegotiation(replies);
          state_ = State::kData;
        } else if (c == kIac) {
          if (sb_.size() < kMaxSubnegotiation) sb_.push_back(raw);
          state_ = State::kSb;
        } else {
          if (anomaly_.empty()) anomaly_ = "unterminated_subnegotiation";
          state_ = State::kData;
        }
        break;
    }
  }
}

void TelnetDecoder::option(unsigned char verb, unsigned char code, std::string& replies) {
  auto& word = answered_[code / 64];
  const std::uint64_t bit = std::uint64_t{1} << (code % 64);
  // Answer each option once: enough for every real client and no loop with a hostile one.
  if ((word & bit) != 0 || negotiations_ >= kMaxNegotiations) return;
  word |= bit;
  ++negotiations_;
  switch (verb) {
    case kDo:
      // We offered ECHO and SGA already (this is the client's agreement).
      if (code != kEcho && code != kSga) replies += command(kWont, code);
      break;
    case kWill:
      if (code == kTtype) {
        // IAC SB TTYPE SEND IAC SE
        replies += std::string{static_cast<char>(kIac),   static_cast<char>(kSb),
                               static_cast<char>(kTtype), 1,
                               static_cast<char>(kIac),   static_cast<char>(kSe)};
      } else if (code != kNaws) {
        replies += command(kDont, code);
      }
      break;
    default:
      break;  // WONT/DONT: nothing to acknowledge for options we never enabled
  }
}

void TelnetDecoder::subnegotiation(std::string& replies) {
  (void)replies;
  if (sb_.size() >= 2 && static_cast<unsigned char>(sb_[0]) == kTtype && sb_[1] == 0) {
    std::string type;
    for (std::size_t i = 2; i < sb_.size() && type.size() < 40; ++i) {
      const char c = sb_[i];
      if (c >= 0x21 && c <= 0x7e) type.push_back(c);
    }
    terminalType_ = type;
  }
}

}  // namespace decnet::decoy::telnet
