// decnet collect: the event collector on its own (decnet up will run it as a child process).
#include <CLI/CLI.hpp>
#include <iostream>

#include "api/types/clock.h"
#include "cli/context.h"
#include "cli/logging.h"
#include "cli/metrics_endpoint.h"
#include "cli/signals.h"
#include "pipeline/collector/collector.h"

namespace decnet::cli {

void addCollectCommand(CLI::App& app, Globals& globals) {
  struct Options {
    pipeline::CollectorOptions collector;
    std::string database = "sqlite:///var/lib/decnet/telemetry.db";
    std::string metricsListen;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "collect",
      "Receive RFC 5424 events (TCP, octet-counted or LF; UDP on loopback) and store them");
  cmd->footer(
      "Examples:\n"
      "  decnet collect --listen 0.0.0.0:6514 --database sqlite:///var/lib/decnet/telemetry.db\n"
      "  decnet collect --listen 127.0.0.1:6514 --udp 127.0.0.1:5514   # also for logger -d\n"
      "  decnet collect --listen 0.0.0.0:6514 --tls-cert c.pem --tls-key c.key --tls-ca ca.pem\n"
      "  rsyslog: action(type=\"omfwd\" target=\"127.0.0.1\" port=\"6514\" protocol=\"tcp\"\n"
      "                  TCP_Framing=\"octet-counted\" "
      "template=\"RSYSLOG_SyslogProtocol23Format\")\n"
      "Lines that are not RFC 5424 are kept raw and counted, never dropped.");
  cmd->add_option("--listen", options->collector.listen, "TCP address HOST:PORT")
      ->capture_default_str();
  cmd->add_option("--tls-cert", options->collector.tlsCert,
                  "Certificate (PEM): TCP becomes TLS-only (required beyond loopback)");
  cmd->add_option("--tls-key", options->collector.tlsKey, "Its private key (PEM)");
  cmd->add_option("--tls-ca", options->collector.tlsCa,
                  "CA (PEM): senders must present a client certificate it signed");
  cmd->add_option("--udp", options->collector.udpListen,
                  "Also receive UDP datagrams on this loopback HOST:PORT (off by default)");
  cmd->add_option("--database", options->database,
                  "Telemetry database: sqlite:///absolute.db, sqlite::memory: or a path")
      ->capture_default_str();
  cmd->add_option("--batch", options->collector.batchEvents, "Events per transaction at most")
      ->capture_default_str();
  cmd->add_option_function<std::string>(
         "--retention",
         [options](const std::string& text) {
           auto age =
               text == "0" ? std::optional(std::chrono::seconds(0)) : api::parseDuration(text);
           if (!age) throw CLI::ValidationError("--retention", "a duration such as 90d or 12h");
           options->collector.retention = *age;
         },
         "Delete events older than this (90d by default; 0 keeps everything)")
      ->default_str("90d");
  cmd->add_option("--fold-rate", options->collector.flood.perWindow,
                  "Identical events per second from one attacker, decky and service stored as "
                  "they come from senders other than decnet's agent; the rest are stored as one "
                  "event with count=N (0: off)")
      ->capture_default_str();
  cmd->add_option("--metrics-listen", options->metricsListen,
                  "Serve Prometheus /metrics on HOST:PORT (off by default)");
  cmd->callback([options, &globals] {
    setupLogging("collect", globals.logLevel);
    metrics::Registry registry;
    if (!options->metricsListen.empty()) options->collector.metrics = &registry;
    auto metricsServer = serveMetrics(registry, options->metricsListen);
    const sigset_t signals = blockTerminationSignals();
    auto store = pipeline::openTelemetryStore(options->database);
    if (!store) {
      std::cerr << "error: " << describe(store.error()) << "\n";
      throw CLI::RuntimeError(kExitError);
    }
    pipeline::Collector collector(**store, options->collector);
    if (auto started = collector.start(); !started) {
      std::cerr << "error: " << describe(started.error()) << "\n";
      throw CLI::RuntimeError(kExitError);
    }
    std::cout << "decnet collect: tcp " << options->collector.listen
              << (options->collector.udpListen.empty() ? ""
                                                       : ", udp " + options->collector.udpListen)
              << " -> " << options->database << " (Ctrl-C to stop)" << std::endl;
    waitForTermination(signals);
    collector.stop();
    metricsServer.reset();  // no scrape may reach the collector's series once it is gone
    const auto counters = collector.counters();
    std::cout << "decnet collect: " << counters.stored << " events stored, " << counters.duplicates
              << " resent duplicates skipped, " << counters.malformed << " malformed kept raw, "
              << counters.deduplicated << " connect/disconnect repeats folded, "
              << counters.floodFolded << " flood events counted in count lines" << std::endl;
  });
}

}  // namespace decnet::cli
