#include "cli/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>

namespace decnet::cli {
namespace {

// "<PRI>1 TIMESTAMP HOST APP PROCID - -": facility local0 (16), severity from the level.
class Rfc5424Header final : public spdlog::custom_flag_formatter {
 public:
  Rfc5424Header(std::string app, std::string host) : app_(std::move(app)), host_(std::move(host)) {}

  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    int severity = 6;
    switch (msg.level) {
      case spdlog::level::critical:
        severity = 2;
        break;
      case spdlog::level::err:
        severity = 3;
        break;
      case spdlog::level::warn:
        severity = 4;
        break;
      case spdlog::level::info:
        severity = 6;
        break;
      default:
        severity = 7;
    }
    const auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(msg.time.time_since_epoch()).count();
    const std::time_t seconds = static_cast<std::time_t>(micros / 1000000);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char stamp[64];
    std::snprintf(stamp, sizeof(stamp), "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", utc.tm_year + 1900,
                  utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                  static_cast<long>(micros % 1000000));
    const std::string header = "<" + std::to_string(16 * 8 + severity) + ">1 " + stamp + " " +
                               host_ + " " + app_ + " " + std::to_string(::getpid()) + " - -";
    dest.append(header.data(), header.data() + header.size());
  }

  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<Rfc5424Header>(app_, host_);
  }

 private:
  std::string app_;
  std::string host_;
};

}  // namespace

void setupLogging(const std::string& part, const std::string& level) {
  char host[256] = "-";
  if (::gethostname(host, sizeof(host) - 1) != 0) std::snprintf(host, sizeof(host), "-");
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>("decnet." + part, sink);
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<Rfc5424Header>('*', "decnet." + part, host).set_pattern("%* %v");
  logger->set_formatter(std::move(formatter));
  logger->set_level(spdlog::level::from_str(level));
  spdlog::set_default_logger(logger);
}

}  // namespace decnet::cli
