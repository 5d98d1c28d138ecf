#include "reconcilers/watch_maps.h"

namespace decnet::reconcilers {

controller::WatchSpec fleetWakesItsDeckies(api::Client& client) {
  api::Client* source = &client;
  return {"Fleet",
          [source](const api::Object& fleet) {
            std::vector<api::ObjectKey> keys;
            auto deckies = source->listShared(
                "Decky", {std::string(api::kFleetLabel) + "=" + fleet.metadata.name, ""});
            if (deckies) {
              for (const auto& d : *deckies) keys.push_back(d->key());
            }
            return keys;
          },
          /*ignoreStatusWrites=*/true};
}

}  // namespace decnet::reconcilers
