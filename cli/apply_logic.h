#pragma once
// kubectl-style apply over any Client: create, configure or leave unchanged; optional prune.
#include <ostream>
#include <string>
#include <vector>

#include "api/client/client.h"
#include "cli/manifests.h"

namespace decnet::cli {

// Remembers what apply wrote, so later applies can tell user-removed labels/annotations and
// prune can tell applied objects from controller-made ones.
inline constexpr const char* kLastAppliedAnnotation = "decnet.io/last-applied";

struct ApplyOptions {
  bool dryRun = false;  // server-side dry run: nothing is written
  std::string
      pruneSelector;  // non-empty: delete applied objects matching it that are not in the set
};

// The object apply would write over `existing` (nullptr: create). Pure.
api::Object mergeForApply(const api::Object* existing, const api::Object& manifest);

// Applies every manifest after a dry run of all of them passed (so one invalid document writes
// nothing). Prints "fleet.decnet.io/x created|configured|unchanged" lines to `out`.
Result<void> applyManifests(api::Client& client, const std::vector<Manifest>& manifests,
                            const ApplyOptions& options, std::ostream& out);

}  // namespace decnet::cli
