#include "reconcilers/gc_reconciler.h"

#include <spdlog/spdlog.h>

#include "reconcilers/watch_maps.h"

namespace decnet::reconcilers {

GarbageCollectorReconciler::GarbageCollectorReconciler(api::Client& client,
                                                       controller::EventRecorder& events)
    : client_(client), events_(events) {}

std::vector<controller::WatchSpec> GarbageCollectorReconciler::watches() const {
  return {fleetWakesItsDeckies(client_)};
}

bool GarbageCollectorReconciler::wakesOnOwnChange(const api::Object* old,
                                                  const api::Object* now) const {
  if (now == nullptr || now->deleting()) return false;  // nothing left to collect
  if (old == nullptr || old == now) return true;        // new, or the periodic resync
  return old->metadata.uid != now->metadata.uid ||
         old->metadata.ownerReferences != now->metadata.ownerReferences;
}

Result<controller::Outcome> GarbageCollectorReconciler::reconcile(
    const controller::Request& request) {
  auto object = client_.get(request.key);
  if (!object) {
    if (object.error().code == Errc::kNotFound) return controller::Outcome{};
    return tl::unexpected(object.error());
  }
  if (object->deleting()) return controller::Outcome{};
  const auto* owner = object->controllerOwner();
  if (owner == nullptr) return controller::Outcome{};
  auto found = client_.get({owner->kind, owner->name});
  if (found && found->metadata.uid == owner->uid && !found->deleting()) {
    return controller::Outcome{};
  }
  if (!found && found.error().code != Errc::kNotFound) return tl::unexpected(found.error());
  auto removed = client_.remove(object->key());
  if (!removed && removed.error().code != Errc::kNotFound) return tl::unexpected(removed.error());
  spdlog::info("gc: deleting {} (owner {}/{} is gone)", object->key().str(), owner->kind,
               owner->name);
  return controller::Outcome{};
}

}  // namespace decnet::reconcilers
