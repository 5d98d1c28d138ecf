#pragma once
// `decnet correlate`: folds the stored events, in id order, into sessions (per attacker address,
// decky and service; closed at disconnect or after 5 min idle), attackers (per address) and
// credentials. It keeps no state between steps: each step loads what its events touch, so a
// standby copy that takes the lease over continues exactly where the last holder committed.
#include <chrono>
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "api/types/result.h"
#include "pipeline/collector/telemetry_store.h"
#include "pipeline/correlator/analysis_store.h"

namespace decnet::pipeline {

struct CorrelatorOptions {
  std::chrono::seconds sessionIdle{300};
  std::size_t batchEvents = 20000;
};

// Folds `events` (ascending ids) into the attackers and open sessions they touch, which the
// caller loaded (keyed by address; sessions of those addresses). Returns what changed.
CorrelationBatch foldEvents(const std::vector<CollectedEvent>& events,
                            std::map<std::string, AttackerRecord>& attackers,
                            std::vector<SessionRecord>& openSessions,
                            const CorrelatorOptions& options);

class Correlator {
 public:
  Correlator(TelemetryStore& events, AnalysisStore& analysis, CorrelatorOptions options = {});
  // Correlates the next batch of events after the stored cursor and closes idle sessions, while
  // `holder` holds the "correlator" lease; how many events it consumed (0: none new).
  Result<std::size_t> step(const std::string& holder);

 private:
  TelemetryStore& events_;
  AnalysisStore& analysis_;
  const CorrelatorOptions options_;
  std::chrono::steady_clock::time_point lastIdleSweep_{};
};

}  // namespace decnet::pipeline
