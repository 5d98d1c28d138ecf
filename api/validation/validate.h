#pragma once
// Admission checks: the CRD schema (crds/) plus the semantic rules of each kind. Pure functions
// of their arguments; thread-safe; never throw.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/types/object.h"
#include "api/types/result.h"

namespace decnet::api {

// Every problem of one object on its own (schema, catalog references, address arithmetic),
// each with its field path ("spec.template.services[1]") and a hint; empty when valid.
// Errors come in document order: apiVersion, kind, metadata, then the spec in schema order.
std::vector<FieldError> validateObject(const Object& object);

// Rules that span objects, for a candidate Fleet or Decky written while `fleets` and `deckies`
// exist: no IP used twice on one parent interface, and a fleet's pool still fits what it needs
// once other fleets' deckies are counted. Objects with the candidate's kind and name are its
// previous version and ignored. Assumes validateObject(candidate) found nothing.
std::vector<FieldError> validateAgainst(const Object& candidate, const std::vector<Object>& fleets,
                                        const std::vector<Object>& deckies);
// The same over borrowed objects, so a store can check against its cache without copying.
using ObjectRefs = std::vector<const Object*>;
std::vector<FieldError> validateAgainst(const Object& candidate, const ObjectRefs& fleets,
                                        const ObjectRefs& deckies);

// The parent interface and IPv4 address a Decky spec claims, the key of the one-IP-per-interface
// rule ("" interface: the node's default route); nullopt when the spec has no valid ip.
std::optional<std::pair<std::string, std::uint32_t>> deckyAddressOf(const Json& spec);

// Things admission accepts but the user should hear about (services with no emulator yet), as
// "path: text" lines. The API sends them as Warning headers; kubectl and decnet print them.
std::vector<std::string> admissionWarnings(const Object& object);

// True when `node` reports its interfaces (status.interfaces) and `name` is not among them; a
// node that reports none yet is not ruled out.
bool nodeLacksInterface(const Object& node, const std::string& name);

// A warning when `object` (a Fleet or Decky) names a parent interface that no Ready node among
// `nodes` reports: its deckies would stay Pending (Unschedulable). Nothing when no interface is
// named (the default route is used) or no node reports its interfaces yet.
std::vector<std::string> placementWarnings(const Object& object, const ObjectRefs& nodes);

// The kInvalid error for `object` with `fields` ("Fleet \"corp-lan\" is invalid").
Error invalidObjectError(const Object& object, std::vector<FieldError> fields);

}  // namespace decnet::api
