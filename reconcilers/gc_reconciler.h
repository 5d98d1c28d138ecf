#pragma once
// Garbage collection along ownerReferences: a Decky whose controlling Fleet is gone (or was
// replaced by a new object of the same name) is deleted; its finalizers still apply.
#include "api/client/client.h"
#include "controller/runtime/event_recorder.h"
#include "controller/runtime/reconciler.h"

namespace decnet::reconcilers {

class GarbageCollectorReconciler final : public controller::Reconciler {
 public:
  GarbageCollectorReconciler(api::Client& client, controller::EventRecorder& events);

  std::string_view name() const override { return "gc"; }
  std::string_view kind() const override { return "Decky"; }
  // A deleted Fleet wakes the deckies that carry its label.
  std::vector<controller::WatchSpec> watches() const override;
  // New deckies and changed owners: a status, finalizer or spec write changes no ownership.
  bool wakesOnOwnChange(const api::Object* old, const api::Object* now) const override;
  Result<controller::Outcome> reconcile(const controller::Request& request) override;

 private:
  api::Client& client_;
  controller::EventRecorder& events_;
};

}  // namespace decnet::reconcilers
