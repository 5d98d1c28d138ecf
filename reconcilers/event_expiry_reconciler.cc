#include "reconcilers/event_expiry_reconciler.h"

#include <spdlog/spdlog.h>

namespace decnet::reconcilers {

EventExpiryReconciler::EventExpiryReconciler(api::Client& client, std::chrono::seconds ttl,
                                             const api::Clock& clock)
    : client_(client), ttl_(ttl), clock_(clock) {}

Result<controller::Outcome> EventExpiryReconciler::reconcile(const controller::Request& request) {
  auto event = client_.get(request.key);
  if (!event) {
    if (event.error().code == Errc::kNotFound) return controller::Outcome{};
    return tl::unexpected(event.error());
  }
  // A repeated event lives on from its last occurrence; one without times from its creation.
  auto last = api::parseTime(event->spec.value("lastTimestamp", ""));
  if (!last) last = api::parseTime(event->metadata.creationTimestamp);
  const auto expires = last ? *last + ttl_ : clock_.now();
  const auto left = expires - clock_.now();
  if (left > std::chrono::seconds(0)) {
    return controller::Outcome{std::chrono::duration_cast<std::chrono::milliseconds>(left) +
                               std::chrono::seconds(1)};
  }
  auto removed = client_.remove(request.key);
  if (!removed && removed.error().code != Errc::kNotFound) return tl::unexpected(removed.error());
  spdlog::debug("event {} expired", request.key.name);
  return controller::Outcome{};
}

}  // namespace decnet::reconcilers
