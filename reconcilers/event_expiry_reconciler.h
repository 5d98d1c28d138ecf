#pragma once
// Deletes Event objects once their last occurrence is older than a TTL (1 h by default, as the
// Kubernetes API server's --event-ttl), so the store stops growing with time. Each Event is
// requeued for the moment it expires: nothing is scanned.
#include <chrono>

#include "api/client/client.h"
#include "api/types/clock.h"
#include "controller/runtime/reconciler.h"

namespace decnet::reconcilers {

class EventExpiryReconciler final : public controller::Reconciler {
 public:
  EventExpiryReconciler(api::Client& client, std::chrono::seconds ttl = std::chrono::hours(1),
                        const api::Clock& clock = api::systemClock());

  std::string_view name() const override { return "eventexpiry"; }
  std::string_view kind() const override { return "Event"; }
  // Deletes the Event when it has expired, else requeues it for when it will.
  Result<controller::Outcome> reconcile(const controller::Request& request) override;

 private:
  api::Client& client_;
  const std::chrono::seconds ttl_;
  const api::Clock& clock_;
};

}  // namespace decnet::reconcilers
