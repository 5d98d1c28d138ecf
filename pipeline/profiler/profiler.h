#pragma once
// `decnet profile`: profiles each attacker the correlator changed since its last profile.
#include <cstddef>
#include <string>

#include "api/types/result.h"
#include "pipeline/correlator/analysis_store.h"

namespace decnet::pipeline {

class Profiler {
 public:
  explicit Profiler(AnalysisStore& analysis, std::size_t batch = 500)
      : analysis_(analysis), batch_(batch) {}
  // Profiles the next batch of changed attackers while `holder` holds the "profiler" lease; how
  // many it profiled (0: none changed).
  Result<std::size_t> step(const std::string& holder);

 private:
  AnalysisStore& analysis_;
  const std::size_t batch_;
};

}  // namespace decnet::pipeline
