#pragma once
// Watches (GET on a collection with watch=true), streamed from the watch cache: one line per
// change, as kube-apiserver sends them; Tables for kubectl get -w; bookmarks when asked for.
#include <chrono>
#include <functional>

#include "apiserver/http_transport.h"
#include "apiserver/routes/objects.h"
#include "apiserver/watch_cache.h"

namespace decnet::apiserver {

struct WatchSettings {
  std::chrono::seconds bookmarkEvery{5};
  std::chrono::seconds maxDuration{std::chrono::minutes(30)};  // clients reconnect
};

// The streamed reply to `watch`, or a whole 410 when its start revision is too old. `onEnd`
// runs once when the stream ends, however it ends.
Reply serveWatch(WatchCache& cache, const HttpRequest& request, const WatchRequest& watch,
                 const WatchSettings& settings, std::function<void()> onEnd);

}  // namespace decnet::apiserver
