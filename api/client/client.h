#pragma once
// What every consumer of the API (reconcilers, the agent, the CLI) talks to. Two
// implementations: the in-process ObjectStore (controller/store) and the REST client.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "api/types/object.h"
#include "api/types/result.h"

namespace decnet::api {

struct ListOptions {
  std::string labelSelector;  // "site=hq,tier!=db"
  std::string fieldSelector;  // "spec.node=local"
};

struct ObjectList {
  std::vector<Object> items;
  std::int64_t revision = 0;  // watch from here to see every later change
};

// Objects shared read-only: a reader that only looks copies nothing, and a later write replaces
// the stored object without changing these.
using SharedObjects = std::vector<std::shared_ptr<const Object>>;

struct WriteOptions {
  bool dryRun = false;  // validate and admit, write nothing
};

struct WatchEvent {
  enum class Type { kAdded, kModified, kDeleted, kBookmark };
  Type type = Type::kAdded;
  std::int64_t revision = 0;
  Object object;  // empty for kBookmark
};
const char* watchEventTypeName(WatchEvent::Type type);  // "ADDED", ...

// Returns false to end the watch.
using WatchHandler = std::function<bool(const WatchEvent&)>;

class Client {
 public:
  virtual ~Client() = default;

  // kNotFound when absent. Thread-safe, as are all methods.
  [[nodiscard]] virtual Result<Object> get(const ObjectKey& key) = 0;
  // Objects of `kind` matching the selectors, sorted by name.
  [[nodiscard]] virtual Result<ObjectList> list(const std::string& kind,
                                                const ListOptions& options = {}) = 0;
  // Like list(), as shared read-only objects: an in-process store hands out its own, without a
  // copy (what reconcilers that only read should use); others wrap what list() returns.
  [[nodiscard]] virtual Result<SharedObjects> listShared(const std::string& kind,
                                                         const ListOptions& options = {});
  // Validates and creates; kInvalid with field errors, kAlreadyExists.
  [[nodiscard]] virtual Result<Object> create(const Object& object,
                                              const WriteOptions& options = {}) = 0;
  // Replaces metadata and spec; kConflict on a stale resourceVersion. Idempotent: an
  // identical object writes nothing and keeps its resourceVersion.
  [[nodiscard]] virtual Result<Object> update(const Object& object,
                                              const WriteOptions& options = {}) = 0;
  // Replaces status only; kConflict on a stale resourceVersion.
  [[nodiscard]] virtual Result<Object> updateStatus(const Object& object,
                                                    const WriteOptions& options = {}) = 0;
  // Deletes, or marks for deletion while finalizers remain (returns the marked object).
  [[nodiscard]] virtual Result<Object> remove(const ObjectKey& key,
                                              const WriteOptions& options = {}) = 0;
  // Streams changes of `kind` after `revision` (-1: from now) to `handler` until it returns
  // false, `stop` becomes true, or the connection ends. Blocks. kGone when `revision` has
  // been compacted: list again and watch from the list's revision.
  [[nodiscard]] virtual Result<void> watch(const std::string& kind, std::int64_t revision,
                                           const WatchHandler& handler,
                                           const std::atomic<bool>& stop) = 0;
  // The newest revision written, so a reader serving from a cache can wait until the cache has
  // it (a consistent read); -1 when this backend cannot say.
  [[nodiscard]] virtual std::int64_t latestRevision() { return -1; }
  // Asks the mutation controller to give a decky its next identity now.
  [[nodiscard]] virtual Result<Object> requestMutation(const std::string& decky) = 0;
  // The server's /version document ({"gitVersion": "v0.1.0", ...}); an in-process backend is
  // this binary.
  [[nodiscard]] virtual Result<Json> serverVersion() {
    return Json{{"gitVersion", std::string("v") + DECNET_VERSION}, {"apiVersion", kApiVersion}};
  }
  // A JSON document from a path of the API that holds no objects ("/api/v1/events?decky=x");
  // in-process backends serve none (kNotFound).
  [[nodiscard]] virtual Result<Json> getDocument(const std::string& pathAndQuery) {
    return fail(Errc::kNotFound, pathAndQuery + " is served by the API server only");
  }
  // Warnings the server sent with writes since the last call ("spec.template.services[0]: no
  // emulator yet ..."), oldest first; clears them. Thread-safe.
  virtual std::vector<std::string> takeWarnings() { return {}; }
};
using ClientPtr = std::shared_ptr<Client>;

// Annotation the mutation controller acts on; requestMutation sets it.
inline constexpr const char* kMutateRequestAnnotation = "decnet.io/mutate-requested";
// Label the fleet controller puts on every decky it owns.
inline constexpr const char* kFleetLabel = "decnet.io/fleet";
// Finalizer the agent adds before it touches the host.
inline constexpr const char* kTeardownFinalizer = "decnet.io/teardown";

}  // namespace decnet::api
