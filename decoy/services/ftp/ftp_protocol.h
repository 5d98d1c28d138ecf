#pragma once
// vsftpd 3.0.3 as seen from the control connection: login, the usual navigation commands, and
// data commands that always fail to connect (the sandbox forbids new listening sockets).
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "decoy/common/text/line_protocol.h"

namespace decnet::decoy::ftp {

struct FtpConfig {
  std::string banner = "220 (vsFTPd 3.0.3)";
  std::vector<std::pair<std::string, std::string>> users;  // logins that succeed
  std::string localIp = "127.0.0.1";                       // what PASV announces
  std::chrono::milliseconds failDelay{1000};               // vsftpd's delay_failed_login
  std::uint32_t seed = 0;                                  // picks the PASV ports
};

class FtpProtocol final : public text::LineProtocol {
 public:
  explicit FtpProtocol(FtpConfig config) : config_(std::move(config)), random_(config_.seed) {}

  // decnet::decoy::text::LineProtocol.
  text::LineOutput greeting() override;
  text::LineOutput onLine(std::string_view line) override;
  text::LineOutput onAnomaly(text::LineAnomaly anomaly, std::string_view sample) override;
  text::LineOutput onIdle(std::string_view pending) override;

 private:
  text::LineOutput preLogin(const std::string& verb, std::string_view arg);
  text::LineOutput postLogin(const std::string& verb, std::string_view arg);
  text::LineOutput dataCommand(const std::string& verb, std::string_view arg);
  std::uint16_t passivePort();

  FtpConfig config_;
  std::uint32_t random_;
  std::string user_;
  bool haveUser_ = false;
  bool loggedIn_ = false;
  int failures_ = 0;
  bool dataMode_ = false;  // PASV/PORT seen
  std::string cwd_ = "/";
};

}  // namespace decnet::decoy::ftp
