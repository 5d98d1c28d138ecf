#include "reconcilers/mutation_reconciler.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>
#include <set>

#include "api/net/ipv4.h"
#include "api/types/fleet_spec.h"
#include "reconcilers/identity.h"
#include "reconcilers/ip_usage.h"
#include "reconcilers/watch_maps.h"

namespace decnet::reconcilers {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

std::string joinNames(const std::vector<api::ServiceSpec>& services) {
  std::string out;
  for (const auto& s : services) out += (out.empty() ? "" : ",") + s.name;
  return out;
}

}  // namespace

MutationReconciler::MutationReconciler(api::Client& client, controller::EventRecorder& events,
                                       const api::Clock& clock, metrics::Registry* metrics)
    : client_(client), events_(events), clock_(clock), metrics_(metrics) {}

std::vector<controller::WatchSpec> MutationReconciler::watches() const {
  return {fleetWakesItsDeckies(client_)};
}

bool MutationReconciler::wakesOnOwnChange(const api::Object* old, const api::Object* now) const {
  if (now == nullptr || now->deleting()) return false;
  if (old == nullptr || old == now) return true;
  // A mutation is requested by annotation and recorded with the spec; the due time of the next
  // one is already queued (reconcile() returns it).
  return old->metadata.uid != now->metadata.uid ||
         old->metadata.generation != now->metadata.generation ||
         old->metadata.annotations != now->metadata.annotations;
}

Result<controller::Outcome> MutationReconciler::reconcile(const controller::Request& request) {
  auto decky = client_.get(request.key);
  if (!decky) {
    if (decky.error().code == Errc::kNotFound) return controller::Outcome{};
    return tl::unexpected(decky.error());
  }
  if (decky->deleting()) return controller::Outcome{};
  const bool requested = decky->metadata.annotations.count(api::kMutateRequestAnnotation) > 0;

  std::optional<api::Object> fleet;
  std::optional<api::FleetSpec> fleetSpec;
  if (const auto* owner = decky->controllerOwner(); owner != nullptr && owner->kind == "Fleet") {
    auto found = client_.get({"Fleet", owner->name});
    if (found && found->metadata.uid == owner->uid) {
      fleet = *found;
      fleetSpec = api::parseFleetSpec(found->spec);
    }
  }
  const bool hasPolicy =
      fleetSpec && fleetSpec->mutation && fleetSpec->mutation->interval.count() > 0;
  if (!requested && !hasPolicy) return controller::Outcome{};

  const auto now = clock_.now();
  if (!requested) {
    const auto& policy = *fleetSpec->mutation;
    // The annotation is written with the spec change itself, so it cannot be lost to a
    // concurrent status write; status.lastMutationTime mirrors it for humans.
    std::optional<api::TimePoint> last;
    if (auto a = decky->metadata.annotations.find(kLastMutationAnnotation);
        a != decky->metadata.annotations.end()) {
      last = api::parseTime(a->second);
    }
    if (!last) last = api::parseTime(decky->status.value("lastMutationTime", ""));
    if (!last) last = api::parseTime(decky->metadata.creationTimestamp);
    if (!last) last = now;
    // Each decky gets its own offset inside the jitter window, fixed per identity.
    std::chrono::seconds jitter{0};
    if (policy.jitter.count() > 0) {
      const auto seed = stableHash(decky->metadata.name + "#" +
                                   std::to_string(decky->spec.value("identityGeneration", 0)));
      jitter = std::chrono::seconds(seed % static_cast<std::uint64_t>(policy.jitter.count() + 1));
    }
    const auto due = *last + policy.interval + jitter;
    if (now < due) {
      return controller::Outcome{duration_cast<milliseconds>(due - now) + milliseconds(1)};
    }
  }

  std::vector<std::string> rotate = {"hostname"};
  if (hasPolicy && !fleetSpec->mutation->rotate.empty())
    rotate = fleetSpec->mutation->rotate;
  else if (hasPolicy)
    rotate = {"hostname", "services"};

  api::DeckySpec spec = api::parseDeckySpec(decky->spec);
  const api::DeckySpec before = spec;
  const std::int64_t nextGeneration = spec.identityGeneration + 1;
  const std::uint64_t seed = stableHash(decky->metadata.uid + "#" + std::to_string(nextGeneration));
  const api::NamedDeckySpec* named = nullptr;
  if (fleetSpec) {
    for (const auto& n : fleetSpec->deckies) {
      if (fleet->metadata.name + "-" + n.name == decky->metadata.name) named = &n;
    }
  }
  auto siblings = client_.list(
      "Decky", {fleet ? std::string(api::kFleetLabel) + "=" + fleet->metadata.name : "", ""});
  if (!siblings) return tl::unexpected(siblings.error());

  std::vector<std::string> changes;
  for (const auto& what : rotate) {
    // A field the user set on a named decky is pinned: mutation leaves it alone (the fleet
    // would otherwise restamp it at its next template change and undo the mutation).
    const bool pinned = named != nullptr && ((what == "hostname" && !named->hostname.empty()) ||
                                             (what == "distro" && !named->distro.empty()));
    if (pinned) {
      changes.push_back(what + " kept (set in the fleet)");
      continue;
    }
    if (what == "hostname") {
      std::set<std::string> taken;
      for (const auto& s : siblings->items) taken.insert(s.spec.value("hostname", ""));
      spec.hostname = hostnameFor(spec.distro, spec.osFamily, spec.archetype, seed, taken);
      changes.push_back("hostname " + before.hostname + " -> " + spec.hostname);
    } else if (what == "distro") {
      std::vector<std::string> pool =
          fleetSpec ? fleetSpec->templ.distros : std::vector<std::string>{};
      for (std::size_t i = 1; i <= 16; ++i) {
        auto candidate =
            distroFor(pool, spec.archetype, spec.osFamily, static_cast<std::size_t>(seed % 97) + i);
        if (candidate != before.distro) {
          spec.distro = candidate;
          break;
        }
      }
      changes.push_back("distro " + before.distro + " -> " + spec.distro);
    } else if (what == "services") {
      const auto pool = servicesFor(
          fleetSpec ? fleetSpec->templ.services : std::vector<api::ServiceSpec>{}, spec.archetype);
      spec.services = rotateServices(spec.services, pool, seed);
      changes.push_back("services " + joinNames(before.services) + " -> " +
                        joinNames(spec.services));
    } else if (what == "mac") {
      auto all = client_.listShared("Decky");
      if (!all) return tl::unexpected(all.error());
      spec.mac = macFor(spec.osFamily, seed, usedMacs(*all, spec.network.interface));
      changes.push_back("mac " + before.mac + " -> " + spec.mac);
      // A new MAC moves to a new address too, unless the fleet pins this decky's IP.
      if (fleetSpec && (named == nullptr || named->ip.empty())) {
        auto used = usedAddresses(*all, spec.network.interface);
        auto subnet = api::net::Subnet::parse(spec.network.subnet);
        auto range = spec.network.ipRange.empty() ? std::optional<api::net::IpRange>{}
                                                  : api::net::IpRange::parse(spec.network.ipRange);
        auto gateway = spec.network.gateway.empty() ? std::optional<api::net::Ipv4>{}
                                                    : api::net::Ipv4::parse(spec.network.gateway);
        if (subnet) {
          if (auto ip = api::net::lowestFree(*subnet, range, gateway, used)) {
            spec.ip = ip->str();
            changes.push_back("ip " + before.ip + " -> " + spec.ip);
          }
        }
      }
    }
  }
  spec.identityGeneration = nextGeneration;
  const api::Json oldSpec = decky->spec;
  decky->spec = api::toJson(spec);
  decky->metadata.annotations.erase(api::kMutateRequestAnnotation);
  decky->metadata.annotations[kLastMutationAnnotation] = api::formatTime(now);
  auto written = client_.update(*decky);
  if (!written) return tl::unexpected(written.error());

  std::string message;
  for (const auto& c : changes) message += (message.empty() ? "" : "; ") + c;
  if (metrics_ != nullptr) {
    // "hostname a -> b": the part is the first word; kept (pinned) parts did not rotate.
    for (const auto& c : changes) {
      if (c.find(" -> ") == std::string::npos) continue;
      metrics_
          ->counter(
              "decnet_mutations_total", "Identity parts rotated by mutation, per fleet.",
              {{"fleet", fleet ? fleet->metadata.name : ""}, {"rotated", c.substr(0, c.find(' '))}})
          .inc();
    }
  }
  events_.record(*written, "Normal", "Mutated",
                 (requested ? "on request: " : "on schedule: ") + message);
  spdlog::info("decky {} mutated ({}): {}", written->metadata.name,
               requested ? "requested" : "scheduled", message);

  api::Object current = *written;
  for (int attempt = 0; attempt < 5; ++attempt) {
    current.status["lastMutationTime"] = api::formatTime(now);
    auto w = client_.updateStatus(current);
    if (w || w.error().code == Errc::kNotFound) break;
    if (w.error().code != Errc::kConflict) return tl::unexpected(w.error());
    auto fresh = client_.get(current.key());
    if (!fresh) break;
    current = *fresh;
  }
  if (!hasPolicy) return controller::Outcome{};
  return controller::Outcome{duration_cast<milliseconds>(fleetSpec->mutation->interval)};
}

}  // namespace decnet::reconcilers
