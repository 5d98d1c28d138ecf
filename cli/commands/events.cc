// decnet events: the attacker events the collector stored (telemetry), newest last; -f follows.
// `decnet get events` stays the controller's Event objects.
#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>
#include <thread>

#include "cli/context.h"
#include "cli/signals.h"

namespace decnet::cli {
namespace {

// Query parameter text: percent-encodes what a URL may not carry as is.
std::string encoded(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == ':') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// "path=/x user=root": the fields (and the free-text message) on one line, as an operator scans
// them.
std::string details(const api::Json& fields, const std::string& message) {
  std::string out = message;
  for (const auto& [key, value] : fields.items()) {
    if (key == "src_ip" || key == "src_port") continue;
    out += (out.empty() ? "" : " ") + key + "=" +
           (value.is_string() ? value.get<std::string>() : value.dump());
  }
  return out.size() > 120 ? out.substr(0, 117) + "..." : out;
}

}  // namespace

void addEventsCommand(CLI::App& app, Globals& globals) {
  struct Options {
    std::string decky, service, type, attacker, since, text;
    int limit = 50;
    bool follow = false;
    bool json = false;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "events", "Show attacker events (what the decoys recorded), oldest first; -f follows");
  cmd->footer(
      "These are the collector's telemetry; `decnet get events` shows the controller's Event\n"
      "objects (scheduling, readiness).\n\nExamples:\n"
      "  decnet events --decky corp-lan-03 --service ssh\n"
      "  decnet events -f --attacker 10.77.0.250\n"
      "  decnet events --type auth_attempt --since 2026-12-02T08:00:00 -o json");
  cmd->add_option("--decky", options->decky, "Only this decky");
  cmd->add_option("--service", options->service, "Only this service (ssh, http, ...)");
  cmd->add_option("--type", options->type, "Only this event type (connect, auth_attempt, ...)");
  cmd->add_option("--attacker", options->attacker, "Only this attacker address");
  cmd->add_option("--since", options->since, "Only events at or after this RFC 3339 time");
  cmd->add_option("-q,--query", options->text, "Only events whose message or fields hold this");
  cmd->add_option("--limit", options->limit, "Events per request (1..1000)")->capture_default_str();
  cmd->add_flag("-f,--follow", options->follow, "Keep printing new events as they arrive");
  cmd->add_flag("--json", options->json, "One JSON object per line, as /api/v1/events gives them");
  cmd->callback([options, &globals] {
    auto client = connect(globals);
    std::string base = "/api/v1/events?limit=" + std::to_string(options->limit);
    for (const auto& [key, value] : {std::pair<std::string, std::string>{"decky", options->decky},
                                     {"service", options->service},
                                     {"event_type", options->type},
                                     {"attacker", options->attacker},
                                     {"since", options->since},
                                     {"q", options->text}}) {
      if (!value.empty()) base += "&" + key + "=" + encoded(value);
    }
    const sigset_t signals = blockTerminationSignals();
    std::string cursor;
    bool header = false;
    for (;;) {
      auto page = client->getDocument(base + (cursor.empty() ? "" : "&cursor=" + cursor));
      if (!page) {
        std::cerr << "error: " << page.error().message << "\n";
        throw CLI::RuntimeError(kExitError);
      }
      const auto& items = (*page)["items"];
      if (!options->json && !header && (!items.empty() || !options->follow)) {
        std::printf("%-27s %-16s %-8s %-14s %-15s %s\n", "TIME", "DECKY", "SERVICE", "TYPE",
                    "ATTACKER", "DETAILS");
        header = true;
      }
      for (const auto& event : items) {
        if (options->json) {
          std::cout << event.dump() << "\n";
          continue;
        }
        std::printf("%-27s %-16s %-8s %-14s %-15s %s\n", event.value("time", "").c_str(),
                    event.value("decky", "").c_str(), event.value("service", "").c_str(),
                    event.value("event_type", "").c_str(), event.value("attacker_ip", "").c_str(),
                    details(event.value("fields", api::Json::object()), event.value("message", ""))
                        .c_str());
      }
      std::cout << std::flush;
      if ((*page)["next_cursor"].is_string()) cursor = (*page)["next_cursor"].get<std::string>();
      const bool fullPage = static_cast<int>(items.size()) >= options->limit;
      if (fullPage) continue;
      if (!options->follow) break;
      if (waitForTerminationFor(signals, std::chrono::seconds(1))) break;
    }
  });
}

}  // namespace decnet::cli
