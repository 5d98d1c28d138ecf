#include "reconcilers/fleet_reconciler.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "api/net/ipv4.h"
#include "api/types/conditions.h"
#include "api/types/fleet_spec.h"
#include "reconcilers/identity.h"
#include "reconcilers/ip_usage.h"

namespace decnet::reconcilers {
namespace {

using api::Json;

struct Desired {
  std::string name;
  std::size_t ordinal = 0;                     // position for round-robin choices
  const api::NamedDeckySpec* named = nullptr;  // null for a replica
};

// Everything a decky takes from its fleet, except identity fields that mutation rotates.
struct Stamp {
  std::string archetype;
  std::string osFamily;
  std::vector<api::ServiceSpec> services;
  std::string hash;
};

Stamp stampFor(const api::Object& fleet, const api::FleetSpec& spec, const Desired& d) {
  Stamp stamp;
  Json basis = {{"network", fleet.spec.value("network", Json::object())},
                {"nodeSelector", fleet.spec.value("nodeSelector", Json::object())}};
  if (d.named != nullptr && !d.named->archetype.empty()) {
    stamp.archetype = d.named->archetype;
    stamp.osFamily = osFamilyFor(d.named->osFamily, stamp.archetype);
    stamp.services = servicesFor(d.named->services, stamp.archetype);
  } else {
    stamp.archetype = spec.templ.archetype;
    stamp.osFamily = osFamilyFor(
        d.named != nullptr && !d.named->osFamily.empty() ? d.named->osFamily : spec.templ.osFamily,
        stamp.archetype);
    stamp.services = servicesFor(
        d.named != nullptr && !d.named->services.empty() ? d.named->services : spec.templ.services,
        stamp.archetype);
    basis["template"] = fleet.spec.value("template", Json::object());
  }
  if (d.named != nullptr) {
    for (const auto& entry : fleet.spec.value("deckies", Json::array())) {
      if (entry.value("name", "") == d.named->name) basis["named"] = entry;
    }
  }
  stamp.hash = stableHashHex(basis.dump());
  return stamp;
}

bool ownedBy(const api::Object& decky, const api::Object& fleet) {
  const auto* owner = decky.controllerOwner();
  return owner != nullptr && owner->kind == "Fleet" && owner->uid == fleet.metadata.uid;
}

std::string hostnameOf(const api::Object& decky) { return decky.spec.value("hostname", ""); }

bool phaseIs(const api::Object& decky, std::string_view phase) {
  if (!decky.status.is_object()) return false;
  auto it = decky.status.find("phase");
  return it != decky.status.end() && it->is_string() && it->get_ref<const std::string&>() == phase;
}

}  // namespace

std::string replicaName(const std::string& fleet, int index) {
  char buffer[16];
  std::snprintf(buffer, sizeof(buffer), "%02d", index);
  return fleet + "-" + buffer;
}

FleetReconciler::FleetReconciler(api::Client& client, controller::EventRecorder& events,
                                 const api::Clock& clock)
    : client_(client), events_(events), clock_(clock) {}

std::vector<controller::WatchSpec> FleetReconciler::watches() const {
  controller::WatchSpec deckies;
  deckies.kind = "Decky";
  deckies.map = [](const api::Object& decky) -> std::vector<api::ObjectKey> {
    auto label = decky.metadata.labels.find(api::kFleetLabel);
    if (label == decky.metadata.labels.end()) return {};
    return {{"Fleet", label->second}};
  };
  // A pass reads every decky of the fleet: while 1,000 deckies are scheduled, taken by their
  // agent and report Ready one by one, sum them four times a second instead of once per write
  // (which made apply quadratic). A decky added, deleted or moved to another fleet wakes it at
  // once.
  deckies.updateDelay = std::chrono::milliseconds(250);
  return {deckies};
}

Result<controller::Outcome> FleetReconciler::reconcile(const controller::Request& request) {
  auto fleet = client_.get(request.key);
  if (!fleet) {
    if (fleet.error().code == Errc::kNotFound) return controller::Outcome{};  // GC's turn
    return tl::unexpected(fleet.error());
  }
  if (fleet->deleting()) return controller::Outcome{};
  const std::string& fleetName = fleet->metadata.name;
  const api::FleetSpec spec = api::parseFleetSpec(fleet->spec);
  const std::string now = api::formatTime(clock_.now());

  // Only this fleet's deckies are read on every pass; the whole set only when an address
  // must be allocated (a no-op pass must stay cheap).
  // Shared, read-only: a pass that changes nothing copies no decky.
  auto labelled =
      client_.listShared("Decky", {std::string(api::kFleetLabel) + "=" + fleetName, ""});
  if (!labelled) return tl::unexpected(labelled.error());
  const auto keep = [](api::Object written) {
    return std::make_shared<const api::Object>(std::move(written));
  };

  // Ours: owned by this fleet's uid; adopt labelled deckies nobody owns. Hashed, not ordered:
  // a pass looks up every decky of a 1,000-decky fleet, whose names share long prefixes.
  std::unordered_map<std::string, std::shared_ptr<const api::Object>> owned;
  owned.reserve(labelled->size());
  std::unordered_set<std::string> foreignNames;
  for (const auto& decky : *labelled) {
    if (ownedBy(*decky, *fleet)) {
      owned[decky->metadata.name] = decky;
    } else if (decky->controllerOwner() == nullptr && !decky->deleting()) {
      api::Object adopting = *decky;
      adopting.metadata.ownerReferences.push_back(
          {api::kApiVersion, "Fleet", fleetName, fleet->metadata.uid, true});
      auto adopted = client_.update(adopting);
      if (!adopted) return tl::unexpected(adopted.error());
      owned[decky->metadata.name] = keep(std::move(*adopted));
    } else {
      foreignNames.insert(decky->metadata.name);
    }
  }

  std::vector<Desired> desired;
  for (int i = 1; i <= spec.replicas; ++i) {
    desired.push_back({replicaName(fleetName, i), static_cast<std::size_t>(i - 1), nullptr});
  }
  for (std::size_t j = 0; j < spec.deckies.size(); ++j) {
    desired.push_back({fleetName + "-" + spec.deckies[j].name,
                       static_cast<std::size_t>(spec.replicas) + j, &spec.deckies[j]});
  }
  std::unordered_set<std::string_view> desiredNames;  // views of `desired`, which stays put
  desiredNames.reserve(desired.size());
  for (const auto& d : desired) desiredNames.insert(d.name);

  // Scale down first, highest index first, so their addresses and names free up.
  std::vector<std::string> extras;
  std::set<std::string> released;  // deleted for good in this pass: their addresses are free
  for (const auto& [name, decky] : owned) {
    if (desiredNames.count(name) == 0) extras.push_back(name);
  }
  // Highest index first: by length, then by text, so "-100" sorts after "-99".
  std::sort(extras.begin(), extras.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() > b.size() : a > b;
  });
  int created = 0, deleted = 0, updated = 0;
  for (const auto& name : extras) {
    if (owned[name]->deleting()) continue;  // waiting for its finalizer
    auto removed = client_.remove({"Decky", name});
    if (!removed && removed.error().code != Errc::kNotFound) {
      return tl::unexpected(removed.error());
    }
    events_.record(*fleet, "Normal", "SuccessfulDelete", "Deleted decky " + name);
    ++deleted;
    if (removed && removed->deleting()) {
      owned[name] = keep(std::move(*removed));  // holding its address until torn down
    } else {
      owned.erase(name);
      released.insert(name);
    }
  }

  // Addresses: everything on this parent except what we just released.
  const auto subnet = api::net::Subnet::parse(spec.network.subnet);
  if (!subnet) {
    return fail(Errc::kTerminal, "fleet " + fleetName + " has an invalid subnet");
  }
  const auto range = spec.network.ipRange.empty() ? std::optional<api::net::IpRange>{}
                                                  : api::net::IpRange::parse(spec.network.ipRange);
  const auto gateway = spec.network.gateway.empty() ? std::optional<api::net::Ipv4>{}
                                                    : api::net::Ipv4::parse(spec.network.gateway);
  std::optional<std::set<std::uint32_t>> used;  // loaded on first allocation
  std::optional<std::set<std::string>> macs;    // loaded with `used`
  const auto loadUsed = [&]() -> Result<void> {
    if (used) return {};
    auto all = client_.listShared("Decky");
    if (!all) return tl::unexpected(all.error());
    used = usedAddresses(*all, spec.network.interface, released);
    macs = usedMacs(*all, spec.network.interface, released);
    for (const auto& named : spec.deckies) {
      if (auto ip = api::net::Ipv4::parse(named.ip)) used->insert(ip->value);  // reserved
    }
    return {};
  };
  std::optional<std::set<std::string>> takenHostnames;  // read on the first creation
  const auto hostnamesTaken = [&]() -> std::set<std::string>& {
    if (!takenHostnames) {
      takenHostnames.emplace();
      for (const auto& [name, decky] : owned) takenHostnames->insert(hostnameOf(*decky));
    }
    return *takenHostnames;
  };
  static const std::string hashAnnotation = kTemplateHashAnnotation;

  std::string degradedReason, degradedMessage;
  std::optional<Stamp> replicaStamp, namedStamp;
  for (const auto& d : desired) {
    // Every replica shares one stamp: compute it once per pass.
    if (d.named == nullptr && !replicaStamp) replicaStamp = stampFor(*fleet, spec, d);
    const Stamp& stamp =
        d.named == nullptr ? *replicaStamp : namedStamp.emplace(stampFor(*fleet, spec, d));
    auto existing = owned.find(d.name);
    if (existing != owned.end()) {
      const api::Object& current = *existing->second;
      if (current.deleting()) continue;
      auto hashIt = current.metadata.annotations.find(hashAnnotation);
      if (hashIt != current.metadata.annotations.end() && hashIt->second == stamp.hash) continue;
      // The fleet's settings for this decky changed: restamp, keep its identity.
      api::Object decky = current;
      api::DeckySpec next = api::parseDeckySpec(decky.spec);
      const std::string oldFamily = next.osFamily;
      next.network = spec.network;
      next.archetype = stamp.archetype;
      next.osFamily = stamp.osFamily;
      next.services = stamp.services;
      next.nodeSelector = spec.nodeSelector;
      if (d.named != nullptr) {
        if (!d.named->ip.empty()) next.ip = d.named->ip;
        if (!d.named->hostname.empty()) next.hostname = d.named->hostname;
        if (!d.named->distro.empty()) next.distro = d.named->distro;
      }
      if (next.osFamily != oldFamily) {
        if (auto loaded = loadUsed(); !loaded) return tl::unexpected(loaded.error());
        next.mac = macFor(next.osFamily, stableHash(fleet->metadata.uid + d.name), *macs);
        macs->insert(next.mac);
      }
      // A family change across Windows and the rest also changes what the decky runs: a
      // Windows host carries a Windows version, anything else a Linux distro.
      if (!distroFits(next.distro, next.osFamily)) {
        next.distro =
            distroFor(d.named != nullptr && !d.named->archetype.empty() ? std::vector<std::string>{}
                                                                        : spec.templ.distros,
                      stamp.archetype, next.osFamily, d.ordinal);
      }
      decky.spec = api::toJson(next);
      decky.metadata.annotations[kTemplateHashAnnotation] = stamp.hash;
      auto written = client_.update(decky);
      if (!written) return tl::unexpected(written.error());
      existing->second = keep(std::move(*written));
      ++updated;
      continue;
    }
    if (foreignNames.count(d.name) > 0) {
      degradedReason = "NameConflict";
      degradedMessage = "decky " + d.name + " exists and is not owned by this fleet";
      continue;
    }
    api::DeckySpec next;
    next.network = spec.network;
    next.archetype = stamp.archetype;
    next.osFamily = stamp.osFamily;
    next.services = stamp.services;
    next.nodeSelector = spec.nodeSelector;
    next.identityGeneration = 1;
    const std::uint64_t seed = stableHash(fleet->metadata.uid + d.name);
    if (d.named != nullptr && !d.named->ip.empty()) {
      next.ip = d.named->ip;
    } else {
      if (auto loaded = loadUsed(); !loaded) return tl::unexpected(loaded.error());
      auto ip = api::net::lowestFree(*subnet, range, gateway, *used);
      if (!ip) {
        degradedReason = "AddressesExhausted";
        degradedMessage =
            "no free address in " +
            (spec.network.ipRange.empty() ? spec.network.subnet : spec.network.ipRange) + " for " +
            d.name;
        continue;
      }
      next.ip = ip->str();
      used->insert(ip->value);
    }
    next.distro = d.named != nullptr && !d.named->distro.empty()
                      ? d.named->distro
                      : distroFor(d.named != nullptr && !d.named->archetype.empty()
                                      ? std::vector<std::string>{}
                                      : spec.templ.distros,
                                  stamp.archetype, next.osFamily, d.ordinal);
    next.hostname =
        d.named != nullptr && !d.named->hostname.empty()
            ? d.named->hostname
            : hostnameFor(next.distro, next.osFamily, stamp.archetype, seed, hostnamesTaken());
    hostnamesTaken().insert(next.hostname);
    if (auto loaded = loadUsed(); !loaded) return tl::unexpected(loaded.error());
    next.mac = macFor(next.osFamily, seed, *macs);
    macs->insert(next.mac);

    api::Object decky;
    decky.kind = "Decky";
    decky.metadata.name = d.name;
    decky.metadata.labels = fleet->metadata.labels;
    decky.metadata.labels[api::kFleetLabel] = fleetName;
    decky.metadata.annotations[kTemplateHashAnnotation] = stamp.hash;
    decky.metadata.ownerReferences.push_back(
        {api::kApiVersion, "Fleet", fleetName, fleet->metadata.uid, true});
    decky.spec = api::toJson(next);
    auto written = client_.create(decky);
    if (!written) {
      if (written.error().code == Errc::kInvalid) {
        // Another fleet's reconcile took the address meanwhile: admission caught it; retry
        // with a fresh view rather than give up.
        return fail(Errc::kConflict, "creating " + d.name + ": " + describe(written.error()));
      }
      if (written.error().code == Errc::kAlreadyExists) {
        // Someone else's object holds the name (a labelled one would have been adopted).
        degradedReason = "NameConflict";
        degradedMessage = "decky " + d.name + " exists and is not owned by this fleet";
        continue;
      }
      return tl::unexpected(written.error());
    }
    owned[d.name] = keep(std::move(*written));
    events_.record(*fleet, "Normal", "SuccessfulCreate",
                   "Created decky " + d.name + " at " + next.ip);
    ++created;
  }
  if (!degradedReason.empty()) {
    events_.record(*fleet, "Warning", degradedReason, degradedMessage);
  }

  // Status.
  int ready = 0, failed = 0, unschedulable = 0, notEmulated = 0, current = 0, terminating = 0;
  for (const auto& [name, shared] : owned) {
    const api::Object& decky = *shared;
    if (decky.deleting() || desiredNames.count(name) == 0) {
      ++terminating;
      continue;
    }
    ++current;
    // Ready counts only when it describes the decky's current spec: after a template change
    // the old Ready speaks for the previous generation.
    if (api::conditionMet(decky, "Ready")) {
      ++ready;  // and so neither failed, nor unscheduled, nor short of emulators
      continue;
    }
    if (phaseIs(decky, "Failed")) ++failed;
    if (api::conditionHas(decky.status, "Scheduled", "False")) ++unschedulable;
    if (api::conditionHas(decky.status, "ServicesReady", "False", "NotEmulated")) ++notEmulated;
  }
  const int want = static_cast<int>(desired.size());
  if (degradedReason.empty() && failed > 0) {
    degradedReason = "DeckiesFailed";
    degradedMessage = std::to_string(failed) + " deckies failed";
  }
  if (degradedReason.empty() && unschedulable > 0) {
    degradedReason = "Unschedulable";
    degradedMessage = std::to_string(unschedulable) + " deckies cannot be scheduled";
  }
  if (degradedReason.empty() && notEmulated > 0) {
    degradedReason = "NotEmulated";
    degradedMessage = std::to_string(notEmulated) +
                      " deckies run services that have no emulator yet (see describe decky)";
  }
  const std::int64_t generation = fleet->metadata.generation;
  Json status = fleet->status.is_object() ? fleet->status : Json::object();
  status["observedGeneration"] = generation;
  status["replicas"] = want;
  status["readyReplicas"] = ready;
  const bool allReady = ready == want && current == want;
  const std::string readyMessage =
      std::to_string(ready) + "/" + std::to_string(want) + " deckies ready";
  api::setCondition(
      status,
      {"Ready", allReady ? "True" : "False", allReady ? "AllDeckiesReady" : "DeckiesNotReady",
       readyMessage, "", generation},
      now);
  // Derived from state, not from what this pass did, so a repeat pass writes nothing.
  const std::string progressReason = current < want    ? "ScalingUp"
                                     : terminating > 0 ? "ScalingDown"
                                     : !allReady       ? "WaitingForDeckies"
                                                       : "Stable";
  const bool progressing = progressReason != "Stable";
  api::setCondition(
      status,
      {"Progressing", progressing ? "True" : "False", progressReason,
       std::to_string(current) + "/" + std::to_string(want) + " deckies exist", "", generation},
      now);
  api::setCondition(
      status,
      {"Degraded", degradedReason.empty() ? "False" : "True",
       degradedReason.empty() ? "AsExpected" : degradedReason, degradedMessage, "", generation},
      now);
  if (status != fleet->status) {
    fleet->status = std::move(status);
    fleet->metadata.resourceVersion = 0;  // the status belongs to this controller alone
    auto written = client_.updateStatus(*fleet);
    if (!written && written.error().code != Errc::kNotFound) {
      return tl::unexpected(written.error());
    }
  }
  if (created + deleted + updated > 0) {
    spdlog::info("fleet {}: {} created, {} updated, {} deleted, {}/{} ready", fleetName, created,
                 updated, deleted, ready, want);
  }
  return controller::Outcome{};
}

}  // namespace decnet::reconcilers
