// Analysis throughput: stores N decoy-shaped events in a SQLite telemetry database (the
// collector's store, batches of 1,000), then times `decnet correlate` (the Correlator, 5,000
// events a step, under its lease) over all of them and `decnet profile` over every attacker it
// made. Prints events/s and attackers/s. Asserts nothing.
//   analysis_bench [--events N] [--attackers A]   (default 1,000,000 events from 5,000 addresses)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "pipeline/correlator/correlator.h"
#include "pipeline/profiler/profiler.h"

using namespace decnet;

namespace {

double seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// Event `i`: attacker i % attackers on one of 20 deckies; a mix of connects, requests, logins
// and shell commands over a day, one event every few milliseconds.
pipeline::CollectedEvent eventNumber(long i, long attackers) {
  static const char* const kTypes[] = {"connect", "request", "auth_attempt", "command",
                                       "disconnect"};
  const long who = i % attackers;
  const char* type = kTypes[(i / attackers) % 5];
  pipeline::CollectedEvent e;
  e.node = "local";
  e.sequenceId = i + 1;
  char time[40];
  const long ms = i * 3;
  std::snprintf(time, sizeof(time), "2026-12-01T%02ld:%02ld:%02ld.%03ld000+00:00",
                (ms / 3600000) % 24, (ms / 60000) % 60, (ms / 1000) % 60, ms % 1000);
  e.time = time;
  e.decky = "corp-" + std::to_string((i / attackers + who) % 20);
  e.service = (i % 3 == 0) ? "ssh" : "http";
  e.eventType = type;
  e.attackerIp = "10." + std::to_string(who / 65536 % 256) + "." + std::to_string(who / 256 % 256) +
                 "." + std::to_string(who % 256);
  if (std::strcmp(type, "auth_attempt") == 0) {
    e.fieldsJson =
        R"({"principal":"root","secret":"pw)" + std::to_string(i % 50) + R"(","outcome":"failed"})";
  } else if (std::strcmp(type, "command") == 0) {
    e.fieldsJson = R"({"cmd":"cat /etc/passwd"})";
  } else if (std::strcmp(type, "request") == 0) {
    e.fieldsJson = R"({"method":"GET","path":"/wp-login.php","user_agent":"sqlmap/1.7"})";
  } else {
    e.fieldsJson = "{}";
  }
  e.priority = 134;
  return e;
}

}  // namespace

int main(int argc, char** argv) {
  long events = 1000000, attackers = 5000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--events") == 0) events = std::atol(argv[i + 1]);
    if (std::strcmp(argv[i], "--attackers") == 0) attackers = std::atol(argv[i + 1]);
  }
  const std::string dir = "/tmp/decnet-analysis-bench";
  std::filesystem::remove_all(dir);
  const std::string dsn = dir + "/telemetry.db";
  auto store = pipeline::openTelemetryStore(dsn);
  auto analysis = pipeline::openAnalysisStore(dsn);
  if (!store || !analysis) {
    std::fprintf(stderr, "cannot open %s\n", dsn.c_str());
    return 1;
  }
  auto start = std::chrono::steady_clock::now();
  std::vector<pipeline::CollectedEvent> batch;
  for (long i = 0; i < events; ++i) {
    batch.push_back(eventNumber(i, attackers));
    if (batch.size() == 1000 || i + 1 == events) {
      if (!(*store)->commit(batch, {})) return 1;
      batch.clear();
    }
  }
  std::printf("stored %ld events from %ld addresses in %.1f s (%.0f/s)\n", events, attackers,
              seconds(start), events / seconds(start));

  if (!*(*analysis)->acquireLease("correlator", "bench", std::chrono::hours(1))) return 1;
  pipeline::Correlator correlator(**store, **analysis);
  start = std::chrono::steady_clock::now();
  long correlated = 0;
  for (;;) {
    auto stepped = correlator.step("bench");
    if (!stepped) {
      std::fprintf(stderr, "correlate: %s\n", stepped.error().message.c_str());
      return 1;
    }
    if (*stepped == 0) break;
    correlated += static_cast<long>(*stepped);
  }
  const double correlateSeconds = seconds(start);
  std::printf("correlate: %ld events in %.1f s = %.0f events/s\n", correlated, correlateSeconds,
              correlated / correlateSeconds);

  if (!*(*analysis)->acquireLease("profiler", "bench", std::chrono::hours(1))) return 1;
  pipeline::Profiler profiler(**analysis);
  start = std::chrono::steady_clock::now();
  long profiled = 0;
  for (;;) {
    auto stepped = profiler.step("bench");
    if (!stepped) return 1;
    if (*stepped == 0) break;
    profiled += static_cast<long>(*stepped);
  }
  const double profileSeconds = seconds(start);
  auto counts = (*analysis)->counts();
  std::printf("profile: %ld attackers in %.2f s = %.0f attackers/s\n", profiled, profileSeconds,
              profiled / profileSeconds);
  std::printf("made %lld attackers, %lld sessions, %lld credentials\n",
              static_cast<long long>(counts->attackers), static_cast<long long>(counts->sessions),
              static_cast<long long>(counts->credentials));
  std::filesystem::remove_all(dir);
  return 0;
}
