#include "pipeline/profiler/profile_rules.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <utility>

namespace decnet::pipeline {
namespace {

// Substrings of a User-Agent or client banner (lower-cased) and the tool they name.
constexpr std::pair<const char*, const char*> kToolSignatures[] = {
    {"nmap", "nmap"},
    {"nikto", "nikto"},
    {"sqlmap", "sqlmap"},
    {"nuclei", "nuclei"},
    {"masscan", "masscan"},
    {"zgrab", "zgrab"},
    {"gobuster", "gobuster"},
    {"dirbuster", "dirbuster"},
    {"hydra", "hydra"},
    {"wfuzz", "wfuzz"},
    {"curl/", "curl"},
    {"python-requests", "python-requests"},
    {"metasploit", "metasploit"},
    {"msf", "metasploit"},
};

struct Phase {
  const char* name;
  std::initializer_list<const char*> eventTypes;
  int weight;  // its share of the threat score
};

const Phase kPhases[] = {
    {"recon",
     {"connect", "disconnect", "scan", "banner", "request", "negotiate", "prelogin", "startup",
      "connection_request", "ehlo", "get_request", "tls_client_hello"},
     5},
    {"credential_access", {"auth_attempt", "bind"}, 15},
    {"execution", {"command", "query", "session", "file_upload", "upload"}, 25},
    {"exfiltration", {"download", "download_attempt", "retr"}, 20},
};

int behaviourWeight(const std::string& behaviour) {
  if (behaviour == "interactive") return 30;
  if (behaviour == "brute_force" || behaviour == "beaconing") return 25;
  if (behaviour == "slow_scan" || behaviour == "mixed") return 15;
  if (behaviour == "scanning") return 10;
  return 0;
}

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

std::string behaviourClass(std::int64_t n, double mean, double cv, std::size_t s) {
  if (n < 3) return "unknown";
  if (s >= 2 && mean >= 10 && n >= 4) return "slow_scan";
  if ((s >= 3 && mean < 10) || (s >= 2 && mean < 2)) return "scanning";
  if (s == 1 && n >= 8 && mean < 5 && cv < 0.6) return "brute_force";
  if (cv < 0.35 && mean >= 5 && n >= 4) return "beaconing";
  if (cv >= 0.5 && mean < 5 && n >= 6) return "interactive";
  return "mixed";
}

AttackerProfile profileAttacker(const AttackerRecord& attacker) {
  AttackerProfile profile;
  const double mean = attacker.gaps > 0 ? attacker.gapMean : 0.0;
  const double stddev =
      attacker.gaps > 0 ? std::sqrt(attacker.gapM2 / static_cast<double>(attacker.gaps)) : 0.0;
  const double cv = mean > 0 ? stddev / mean : 0.0;
  profile.behaviour = behaviourClass(attacker.eventCount, mean, cv, attacker.services.size());

  for (const auto& client : attacker.clients) {
    const std::string text = lower(client);
    for (const auto& [needle, tool] : kToolSignatures) {
      if (text.find(needle) != std::string::npos &&
          std::find(profile.tools.begin(), profile.tools.end(), tool) == profile.tools.end()) {
        profile.tools.push_back(tool);
      }
    }
  }

  for (int ttl : attacker.ttls) {
    if (ttl >= 55 && ttl <= 70) profile.osGuess = "linux";
    if (ttl >= 115 && ttl <= 135) profile.osGuess = "windows";
    if (ttl >= 235 && ttl <= 255) profile.osGuess = "embedded";
    if (profile.osGuess != "unknown") break;
  }

  int score = behaviourWeight(profile.behaviour);
  for (const auto& phase : kPhases) {
    const bool seen =
        std::any_of(phase.eventTypes.begin(), phase.eventTypes.end(),
                    [&](const char* type) { return attacker.eventTypes.count(type); });
    if (!seen) continue;
    profile.killChain.push_back(phase.name);
    score += phase.weight;
  }
  if (attacker.credentialReused) score += 10;
  if (!attacker.deckies.empty()) {
    score += std::min<int>(10, 2 * static_cast<int>(attacker.deckies.size() - 1));
  }
  profile.threatScore = std::clamp(score, 0, 100);
  return profile;
}

}  // namespace decnet::pipeline
