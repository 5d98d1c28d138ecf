#include "apiserver/routes/watch.h"

#include "apiserver/error_status.h"
#include "apiserver/routes/tables.h"

namespace decnet::apiserver {
namespace {

using api::Json;

std::shared_ptr<const std::string> line(const Json& event) {
  return std::make_shared<const std::string>(event.dump() + "\n");
}

// What one watcher sends for each cached change; runs on the cache's thread.
struct Watcher {
  std::shared_ptr<ResponseStream> stream;
  api::KindInfo kind;
  WatchSettings settings;
  bool table = false;
  bool bookmarks = true;
  std::string includeObject;
  bool firstTable = true;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point lastBookmark = started;

  bool operator()(const CachedEvent& event) {
    if (event.expired) {
      stream->write(line({{"type", "ERROR"},
                          {"object", statusBody(Error{Errc::kGone,
                                                      "the watch cache reloaded; list again and "
                                                      "watch from the list's resourceVersion",
                                                      {}})}}));
      stream->finish();
      return false;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now - started > settings.maxDuration) {
      stream->finish();
      return false;
    }
    if (event.type == api::WatchEvent::Type::kBookmark) {
      if (!bookmarks || now - lastBookmark < settings.bookmarkEvery) return true;
      lastBookmark = now;
      return stream->write(
          line({{"type", "BOOKMARK"},
                {"object",
                 {{"apiVersion", api::kApiVersion},
                  {"kind", kind.kind},
                  {"metadata", {{"resourceVersion", std::to_string(event.revision)}}}}}}));
    }
    if (!table) return stream->write(event.line);
    // kubectl get -w: each event's object is a one-row Table, columns with the first only.
    Json rows = tableFor(kind, {event.object->object}, std::to_string(event.revision),
                         includeObject, firstTable);
    firstTable = false;
    return stream->write(line({{"type", api::watchEventTypeName(event.type)}, {"object", rows}}));
  }
};

}  // namespace

Reply serveWatch(WatchCache& cache, const HttpRequest& request, const WatchRequest& watch,
                 const WatchSettings& settings, std::function<void()> onEnd) {
  if (auto servable = cache.checkStart(watch.revision); !servable) {
    onEnd();
    return {errorResponse(servable.error()), nullptr};
  }
  auto kind = api::findKind(watch.kind);
  Watcher watcher;
  watcher.kind = *kind;
  watcher.settings = settings;
  watcher.table = wantsTable(request);
  watcher.includeObject = request.param("includeObject");
  // Bookmarks only when asked for, as kube-apiserver sends them (our own clients always ask).
  watcher.bookmarks = !watcher.table || request.param("allowWatchBookmarks") == "true";
  Reply reply;
  reply.response.contentType = "application/json";
  reply.stream = [&cache, watcher, revision = watch.revision,
                  onEnd = std::move(onEnd)](std::shared_ptr<ResponseStream> stream) mutable {
    watcher.stream = stream;
    auto id = cache.subscribe(watcher.kind.kind, revision, watcher);
    if (!id) {
      stream->write(line({{"type", "ERROR"}, {"object", statusBody(id.error())}}));
      stream->finish();
      stream->onClosed(std::move(onEnd));
      return;
    }
    stream->onClosed([&cache, id = *id, onEnd = std::move(onEnd)] {
      cache.unsubscribe(id);
      onEnd();
    });
  };
  return reply;
}

}  // namespace decnet::apiserver
