#pragma once
// Periodic identity mutation as a desired-state change: when a decky is due (its fleet's
// spec.mutation interval plus a per-decky jitter since status.lastMutationTime), or when the
// decnet.io/mutate-requested annotation asks for it, the next identity is written into the
// Decky spec (new generation), a Mutated event records old and new values, and
// status.lastMutationTime is stamped.
#include "api/client/client.h"
#include "controller/runtime/event_recorder.h"
#include "controller/runtime/reconciler.h"
#include "metrics/registry.h"

namespace decnet::reconcilers {

// When the decky last got a new identity (RFC 3339), written together with that identity.
inline constexpr const char* kLastMutationAnnotation = "decnet.io/last-mutation-time";

class MutationReconciler final : public controller::Reconciler {
 public:
  // With `metrics`, each mutation counts decnet_mutations_total{fleet,rotated} once per rotated
  // part (hostname, distro, services, mac, ip).
  MutationReconciler(api::Client& client, controller::EventRecorder& events,
                     const api::Clock& clock = api::systemClock(),
                     metrics::Registry* metrics = nullptr);

  std::string_view name() const override { return "mutation"; }
  std::string_view kind() const override { return "Decky"; }
  // A Fleet change (its mutation policy) wakes its deckies.
  std::vector<controller::WatchSpec> watches() const override;
  // New deckies, spec and annotation changes: not the agents' status writes.
  bool wakesOnOwnChange(const api::Object* old, const api::Object* now) const override;
  Result<controller::Outcome> reconcile(const controller::Request& request) override;

 private:
  api::Client& client_;
  controller::EventRecorder& events_;
  const api::Clock& clock_;
  metrics::Registry* metrics_;
};

}  // namespace decnet::reconcilers
