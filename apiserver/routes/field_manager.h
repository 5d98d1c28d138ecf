#pragma once
// Field ownership for server-side apply (metadata.managedFields, FieldsV1), as kube-apiserver
// tracks it for custom resources: lists are atomic, map keys (labels, annotations) are owned one
// by one. Pure functions over wire JSON, so they are tested without a server.
#include <string>

#include "api/types/object.h"  // api::Json
#include "api/types/result.h"

namespace decnet::apiserver {

struct FieldManagerWrite {
  std::string manager;  // "kubectl", "decnet", "kubectl-client-side-apply"
  std::string apiVersion = "decnet.io/v1alpha1";
  std::string time;  // RFC 3339, "2026-12-02T06:30:00Z"
};

// The fields `config` sets, as FieldsV1 ({"f:spec":{"f:count":{}}}); apiVersion, kind, status and
// the server-owned metadata (name, uid, resourceVersion, generation, timestamps, managedFields,
// ownerReferences, finalizers) are left out.
api::Json fieldsOf(const api::Json& config);

// `live` (null when the object does not exist yet) after `write.manager` applies `config`:
// the fields config sets take its values; fields this manager applied before that config no
// longer sets are removed unless another manager also owns them; managedFields gets an
// operation "Apply" entry for the manager holding exactly fieldsOf(config). kConflict when another
// manager owns a field config sets to a different value (unless `force`: then the field is taken
// over and removed from the other manager's set). The conflict Error's message is kube-apiserver's
// (managers sorted, their paths in field order, lines joined with "\n"):
//   Apply failed with 1 conflict: conflict with "other" using decnet.io/v1alpha1: .spec.a
//   Apply failed with 2 conflicts: conflicts with "other" using decnet.io/v1alpha1:
//   - .spec.a
//   - .spec.b
// and its `fields` hold one FieldError per field: path ".spec.a", detail "conflict with \"other\"
// using decnet.io/v1alpha1" (an Apply owner is just "\"other\"", as kube prints it).
Result<api::Json> applyConfiguration(const api::Json& live, const api::Json& config,
                                     const FieldManagerWrite& write, bool force);

// `after`'s managedFields once `write.manager` wrote it with a non-apply write (create, PUT, merge
// or JSON patch) over `before` (null for a create): every field whose value changed, was added or
// (for create) is set becomes this manager's (operation "Update" entry, merged with what the
// manager already owned by Update), and leaves every other manager's set; entries left empty are
// dropped. Returns `after` with metadata.managedFields replaced. Fields removed by the write leave
// every manager. managedFields that `after` carries with entries replace before's, and [] or [{}]
// clears them, as kube-apiserver lets a client reset them.
api::Json recordUpdate(const api::Json& before, api::Json after, const FieldManagerWrite& write);

}  // namespace decnet::apiserver
