#pragma once
// Durable store of API objects with a global revision and a change log.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/types/object.h"
#include "api/types/result.h"

namespace decnet::store {

// One change in the store's global, strictly increasing revision order.
struct Change {
  enum class Type { kAdded, kModified, kDeleted };
  Type type = Type::kAdded;
  std::int64_t revision = 0;
  api::Object object;  // for kDeleted: the object as it was last stored
};

// Optimistic concurrency: a write that carries a resourceVersion other than the stored one
// returns Errc::kConflict and writes nothing (resourceVersion 0 on update means
// "unconditional"). Every write is one transaction and takes the next global revision, which
// becomes the object's resourceVersion. Implementations are thread-safe and never throw; a
// lost database connection returns Errc::kUnavailable.
class Repository {
 public:
  virtual ~Repository() = default;

  // kNotFound when absent.
  [[nodiscard]] virtual Result<api::Object> get(const api::ObjectKey& key) const = 0;
  // All objects of `kind` sorted by name, plus the revision the list is consistent at.
  [[nodiscard]] virtual Result<std::vector<api::Object>> list(std::string_view kind,
                                                              std::int64_t* revision) const = 0;
  // Assigns uid (unless set), resourceVersion, generation = 1 and creationTimestamp.
  // kAlreadyExists when the key is taken. Stores status as given.
  [[nodiscard]] virtual Result<api::Object> create(api::Object object) = 0;
  // Replaces metadata (except uid, creationTimestamp) and spec; keeps the stored status.
  // Bumps generation only when spec changed. kNotFound, kConflict.
  [[nodiscard]] virtual Result<api::Object> update(api::Object object) = 0;
  // Replaces status only (the Kubernetes status subresource). kNotFound, kConflict.
  [[nodiscard]] virtual Result<api::Object> updateStatus(api::Object object) = 0;
  // Deletes the object; resource_version 0 means unconditional. Returns the deleted object.
  [[nodiscard]] virtual Result<api::Object> remove(const api::ObjectKey& key,
                                                   std::int64_t resource_version) = 0;
  // Changes after `revision`, oldest first, at most `limit`. kGone when `revision` is older
  // than the compacted revision.
  [[nodiscard]] virtual Result<std::vector<Change>> changesSince(std::int64_t revision,
                                                                 std::size_t limit) const = 0;
  // The newest revision written (0 for an empty store).
  [[nodiscard]] virtual Result<std::int64_t> currentRevision() const = 0;
  // Drops change-log entries at or below `revision`; later watches from there get kGone.
  [[nodiscard]] virtual Result<void> compact(std::int64_t revision) = 0;
};
using RepositoryPtr = std::unique_ptr<Repository>;

// "sqlite:///var/lib/decnet/decnet.db", "sqlite::memory:". Unknown scheme: kInvalid.
[[nodiscard]] Result<RepositoryPtr> openRepository(std::string_view dsn);

}  // namespace decnet::store
