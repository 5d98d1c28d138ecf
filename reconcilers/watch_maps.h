#pragma once
// Watch mappings several reconcilers share.
#include "api/client/client.h"
#include "controller/runtime/reconciler.h"

namespace decnet::reconcilers {

// A change of a Fleet wakes every Decky that carries its decnet.io/fleet label.
controller::WatchSpec fleetWakesItsDeckies(api::Client& client);

}  // namespace decnet::reconcilers
