#pragma once
// The controller-runtime contract: a reconciler converges one object, named by a key.
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/types/object.h"
#include "api/types/result.h"

namespace decnet::controller {

// Names one object to converge. Carries no event: reconcilers re-read current state.
struct Request {
  api::ObjectKey key;
};

// What the loop does after a successful pass.
struct Outcome {
  std::chrono::milliseconds requeue_after{0};  // 0: wait for the next change
};

// Maps a changed object of `kind` to the keys a reconciler must look at.
struct WatchSpec {
  std::string kind;
  std::function<std::vector<api::ObjectKey>(const api::Object&)> map;
  // Writes that change only the watched object's status (same generation, labels and
  // deletion state) wake nothing: for mappings that read the spec, where a status written per
  // child would otherwise wake every child each time.
  bool ignoreStatusWrites = false;
  // Updates that leave the object under the same keys (not an add, a delete, or a move to
  // another key) wake the keys after this delay instead of at once, so a burst of child writes
  // (status, scheduling, finalizers) makes one pass per delay, not one per write: for parents
  // that sum up their children. 0: at once. Status-only writes skipped by ignoreStatusWrites
  // stay skipped.
  std::chrono::milliseconds updateDelay{0};
  // When set, only changes it accepts are mapped (old is null for an added object, now for a
  // deleted one): for maps that are costly and matter only for some changes.
  std::function<bool(const api::Object* old, const api::Object* now)> wakesOn;
};

// Drives actual state toward the spec of one kind.
// Must be idempotent and tolerate a key whose object no longer exists.
// Errc::kTerminal / kInvalid: not retried (the status condition says why).
// Any other error: retried with exponential backoff.
class Reconciler {
 public:
  virtual ~Reconciler() = default;
  // Short name for logs and metrics ("fleet", "scheduler").
  virtual std::string_view name() const = 0;
  // The kind whose keys this reconciler receives.
  virtual std::string_view kind() const = 0;
  // Other kinds whose changes enqueue keys of kind(); changes of kind() map to themselves.
  virtual std::vector<WatchSpec> watches() const { return {}; }
  // Which changes of kind() wake the changed object's own key (old null: added; now null:
  // deleted; old == now: the informer's periodic resync). All of them unless overridden.
  virtual bool wakesOnOwnChange(const api::Object* /*old*/, const api::Object* /*now*/) const {
    return true;
  }
  [[nodiscard]] virtual Result<Outcome> reconcile(const Request& request) = 0;
};
using ReconcilerPtr = std::unique_ptr<Reconciler>;

}  // namespace decnet::controller
