#pragma once
// Debian's Prometheus for tests: started on a free port from the shipped
// manifests/prometheus/prometheus.yml with its targets moved to the test's ports and a 1 s
// interval, queried through its HTTP API. Stopped on destruction.
#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <thread>

#include "api/types/object.h"
#include "tests/support/process.h"

namespace decnet::testing {

class PrometheusServer {
 public:
  // `targets` maps a shipped target ("127.0.0.1:8000") to the test's; `extraConfig` is appended
  // to the scrape configs (more jobs); `extraRules` are more rule files beside alerts.yml.
  PrometheusServer(const std::string& dir, const std::map<std::string, std::string>& targets,
                   const std::string& extraConfig = "",
                   const std::vector<std::string>& extraRules = {})
      : dir_(dir) {
    run("mkdir -p " + dir_);
    std::ifstream in(sourceDir() + "/manifests/prometheus/prometheus.yml");
    std::stringstream text;
    text << in.rdbuf();
    std::string config = text.str();
    for (const auto& [from, to] : targets) {
      config = std::regex_replace(
          config, std::regex(std::regex_replace(from, std::regex("\\."), "\\.")), to);
    }
    config = std::regex_replace(config, std::regex("interval: 15s"), "interval: 1s");
    std::string rules = "  - alerts.yml\n";
    for (const auto& rule : extraRules) {
      run("cp " + rule + " " + dir_);
      rules += "  - " + rule.substr(rule.rfind('/') + 1) + "\n";
    }
    config = std::regex_replace(config, std::regex("  - alerts\\.yml\n"), rules);
    std::ofstream(dir_ + "/prometheus.yml") << config << extraConfig;
    run("cp " + sourceDir() + "/manifests/prometheus/alerts.yml " + dir_);
    const int port = freePort();
    url_ = "http://127.0.0.1:" + std::to_string(port);
    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{"/usr/bin/prometheus", "--config.file=" + dir_ + "/prometheus.yml",
                                 "--storage.tsdb.path=" + dir_ + "/data",
                                 "--web.listen-address=127.0.0.1:" + std::to_string(port)},
        dir_ + "/prometheus.log");
  }

  // The result vector of an instant query; an empty array when it has none (yet) or fails.
  api::Json query(const std::string& promql) const {
    auto json = api::Json::parse(queryRaw(promql), nullptr, false);
    if (!json.is_object() || json.value("status", "") != "success") return api::Json::array();
    return json["data"]["result"];
  }
  // The whole answer of an instant query (status, errorType, error, data).
  std::string queryRaw(const std::string& promql) const {
    std::string quoted;
    for (char c : promql) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return run("curl -s -G " + url_ + "/api/v1/query --data-urlencode 'query=" + quoted + "'")
        .output;
  }
  // The first sample's value of `promql` once `wanted` accepts it (within `seconds`); NaN if
  // it never does.
  double valueOf(const std::string& promql, const std::function<bool(double)>& wanted,
                 int seconds = 30) const {
    for (int i = 0; i < seconds * 2; ++i) {
      auto result = query(promql);
      if (!result.empty()) {
        const double value = std::stod(result[0]["value"][1].get<std::string>());
        if (wanted(value)) return value;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    return std::nan("");
  }
  // The alerts now firing, as the HTTP API lists them.
  std::string firingAlerts() const { return run("curl -s " + url_ + "/api/v1/alerts").output; }
  std::string targets() const { return run("curl -s " + url_ + "/api/v1/targets").output; }
  std::string log() const { return process_->log(); }

 private:
  std::string dir_, url_;
  std::unique_ptr<ChildProcess> process_;
};

// Three consecutive free loopback ports (the workers' metrics ports); 0 when none found.
inline int freePortRun() {
  const auto free = [](int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    ::close(fd);
    return ok;
  };
  for (int attempt = 0; attempt < 50; ++attempt) {
    const int base = freePort();
    if (base + 2 < 65536 && free(base + 1) && free(base + 2)) return base;
  }
  return 0;
}

// The targets map for a `decnet up` at `server` ("http://127.0.0.1:P") whose workers serve
// from `workerBase`.
inline std::map<std::string, std::string> decnetUpTargets(const std::string& server,
                                                          int workerBase) {
  std::map<std::string, std::string> out{
      {"127.0.0.1:8000", server.substr(std::string("http://").size())}};
  for (int offset = 0; offset < 3; ++offset) {
    out["127.0.0.1:" + std::to_string(9710 + offset)] =
        "127.0.0.1:" + std::to_string(workerBase + offset);
  }
  return out;
}

}  // namespace decnet::testing
