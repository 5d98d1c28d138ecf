#include "cli/apply_logic.h"

#include <set>

#include "api/types/kinds.h"

namespace decnet::cli {
namespace {

// The user-owned part of a manifest, as stored in the last-applied annotation.
api::Json appliedConfiguration(const api::Object& manifest) {
  api::Object copy = manifest;
  copy.metadata.annotations.erase(kLastAppliedAnnotation);
  copy.status = api::Json::object();
  return api::toJson(copy);
}

// Keys the user set last time but no longer sets are removed; others the server or
// controllers added are kept.
void mergeMap(std::map<std::string, std::string>& live,
              const std::map<std::string, std::string>& desired, const api::Json& lastApplied) {
  if (lastApplied.is_object()) {
    for (const auto& [key, value] : lastApplied.items()) {
      if (desired.count(key) == 0) live.erase(key);
    }
  }
  for (const auto& [key, value] : desired) live[key] = value;
}

bool sameUserFields(const api::Object& a, const api::Object& b) {
  return a.spec == b.spec && a.metadata.labels == b.metadata.labels &&
         a.metadata.annotations == b.metadata.annotations;
}

}  // namespace

api::Object mergeForApply(const api::Object* existing, const api::Object& manifest) {
  const std::string applied = appliedConfiguration(manifest).dump();
  if (existing == nullptr) {
    api::Object out = manifest;
    out.metadata.annotations[kLastAppliedAnnotation] = applied;
    return out;
  }
  api::Object out = *existing;
  api::Json last;
  if (auto it = existing->metadata.annotations.find(kLastAppliedAnnotation);
      it != existing->metadata.annotations.end()) {
    last = api::Json::parse(it->second, nullptr, false);
  }
  const api::Json lastMeta =
      last.is_object() ? last.value("metadata", api::Json::object()) : api::Json::object();
  out.spec = manifest.spec;
  mergeMap(out.metadata.labels, manifest.metadata.labels,
           lastMeta.value("labels", api::Json::object()));
  mergeMap(out.metadata.annotations, manifest.metadata.annotations,
           lastMeta.value("annotations", api::Json::object()));
  out.metadata.annotations[kLastAppliedAnnotation] = applied;
  return out;
}

Result<void> applyManifests(api::Client& client, const std::vector<Manifest>& manifests,
                            const ApplyOptions& options, std::ostream& out) {
  // Pass 1: the server admits every object (cross-fleet rules included) without writing.
  std::vector<FieldError> problems;
  std::vector<std::optional<api::Object>> existing(manifests.size());
  for (std::size_t i = 0; i < manifests.size(); ++i) {
    const auto& m = manifests[i];
    auto current = client.get(m.object.key());
    if (!current && current.error().code != Errc::kNotFound) return tl::unexpected(current.error());
    if (current) existing[i] = *current;
    api::Object next = mergeForApply(current ? &*current : nullptr, m.object);
    auto checked = current ? client.update(next, {true}) : client.create(next, {true});
    // Admission's warnings (a service without an emulator yet), once per object, as kubectl
    // shows them; the real write in pass 2 repeats them, and those are dropped.
    for (const auto& warning : client.takeWarnings()) {
      std::cerr << "Warning: " << m.source << " (" << displayName(m.object) << "): " << warning
                << "\n";
    }
    if (!checked) {
      if (checked.error().fields.empty()) {
        problems.push_back(
            {m.source + " (" + displayName(m.object) + ")", checked.error().message});
      }
      for (const auto& f : checked.error().fields) {
        problems.push_back({m.source + " (" + displayName(m.object) + "): " + f.path, f.detail});
      }
    }
  }
  if (!problems.empty()) {
    const std::string summary =
        std::to_string(problems.size()) + " problem(s) found; nothing was applied";
    return failInvalid(summary, std::move(problems));
  }

  // Pass 2: write.
  const std::string suffix = options.dryRun ? " (server dry run)" : "";
  std::set<api::ObjectKey> applied;
  for (std::size_t i = 0; i < manifests.size(); ++i) {
    const auto& m = manifests[i];
    applied.insert(m.object.key());
    for (int attempt = 0;; ++attempt) {
      const api::Object* current = existing[i] ? &*existing[i] : nullptr;
      api::Object next = mergeForApply(current, m.object);
      if (current != nullptr && sameUserFields(*current, next)) {
        out << displayName(m.object) << " unchanged" << suffix << "\n";
        break;
      }
      auto written =
          current ? client.update(next, {options.dryRun}) : client.create(next, {options.dryRun});
      client.takeWarnings();
      if (written) {
        out << displayName(m.object) << (current ? " configured" : " created") << suffix << "\n";
        break;
      }
      // Someone wrote in between: re-read and merge again.
      const auto code = written.error().code;
      if ((code != Errc::kConflict && code != Errc::kAlreadyExists) || attempt >= 5) {
        return tl::unexpected(written.error());
      }
      auto again = client.get(m.object.key());
      if (again) {
        existing[i] = *again;
      } else if (again.error().code == Errc::kNotFound) {
        existing[i].reset();
      } else {
        return tl::unexpected(again.error());
      }
    }
  }

  if (!options.pruneSelector.empty()) {
    for (const auto& info : api::kinds()) {
      if (info.kind == "Event") continue;
      auto listed = client.list(info.kind, {options.pruneSelector, ""});
      if (!listed) return tl::unexpected(listed.error());
      for (const auto& object : listed->items) {
        if (applied.count(object.key()) > 0 || object.deleting()) continue;
        if (object.metadata.annotations.count(kLastAppliedAnnotation) == 0) continue;
        auto removed = client.remove(object.key(), {options.dryRun});
        if (!removed && removed.error().code != Errc::kNotFound)
          return tl::unexpected(removed.error());
        out << displayName(object) << " pruned" << suffix << "\n";
      }
    }
  }
  return {};
}

}  // namespace decnet::cli
