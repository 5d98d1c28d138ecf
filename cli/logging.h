#pragma once
// Process-wide logging: spdlog in RFC 5424 on stderr, APP-NAME "decnet.<part>".
#include <string>

namespace decnet::cli {

// level: trace|debug|info|warn|error|off. Safe to call again to change the part name.
void setupLogging(const std::string& part, const std::string& level);

}  // namespace decnet::cli
