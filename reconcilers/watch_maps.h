#pragma once
// Watch mappings several reconcilers share.
#include "api/client/client.h"
#include "controller/runtime/reconciler.h"

namespace decnet::reconcilers {

// A change of a Fleet's spec, labels or deletion wakes every Decky that carries its
// decnet.io/fleet label; the Fleet's status writes (one per decky status change) do not.
controller::WatchSpec fleetWakesItsDeckies(api::Client& client);

}  // namespace decnet::reconcilers
