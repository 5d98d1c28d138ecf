#pragma once
// The profiler's rules, a pure function of an attacker record: behaviour class, tool guesses,
// OS guess, kill-chain phases and a threat score (docs/events.md states them).
#include "pipeline/correlator/analysis_store.h"

namespace decnet::pipeline {

// The profile `attacker` earns as it stands.
AttackerProfile profileAttacker(const AttackerRecord& attacker);

// The behaviour class from n events, their inter-arrival mean (s) and coefficient of variation,
// and s distinct services.
std::string behaviourClass(std::int64_t events, double meanGap, double cv, std::size_t services);

}  // namespace decnet::pipeline
