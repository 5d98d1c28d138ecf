#include "agents/decky_reconciler.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>

#include "api/catalog/catalog.h"
#include "api/net/ipv4.h"
#include "api/types/conditions.h"
#include "api/types/fleet_spec.h"
#include "api/types/hash.h"

namespace decnet::agents {
namespace {

using api::Json;

void removeFinalizer(api::Object& object) {
  auto& f = object.metadata.finalizers;
  f.erase(std::remove(f.begin(), f.end(), std::string(api::kTeardownFinalizer)), f.end());
}

}  // namespace

std::string namespaceFor(const std::string& decky) { return "decnet-" + decky; }

std::string hairpinName(const std::string& parent) {
  char out[16];
  std::snprintf(out, sizeof(out), "decnet-hp-%05llx",
                static_cast<unsigned long long>(stableHash(parent) & 0xfffff));
  return out;
}

Result<void> DeckyReconciler::ensureHairpin(const std::string& parent,
                                            const std::string& subnetText) {
  if (!options_.hairpin) return {};
  {
    // Trust the record only while the link really exists: a concurrent teardown of the last
    // other decky on this parent may have just removed it.
    std::lock_guard lock(mutex_);
    struct stat link {};
    if (hairpins_.count(parent) > 0 &&
        ::stat(("/sys/class/net/" + hairpinName(parent)).c_str(), &link) == 0) {
      return {};
    }
  }
  auto subnet = api::net::Subnet::parse(subnetText);
  if (!subnet || subnet->prefix > 30) return {};
  // The subnet's highest usable address: the host's own foothold on the decoy LAN.
  const api::net::Ipv4 address{subnet->broadcast().value - 1};
  auto made = network_.ensureHairpin(hairpinName(parent), parent,
                                     address.str() + "/" + std::to_string(subnet->prefix));
  if (!made) return made;
  std::lock_guard lock(mutex_);
  if (hairpins_.insert(parent).second) {
    spdlog::info("hairpin {} on {} at {}: the host reaches its deckies", hairpinName(parent),
                 parent, address.str());
  }
  return {};
}

DeckyReconciler::DeckyReconciler(api::Client& client, NetworkDriver& network,
                                 RuntimeDriver& runtime, LogForwarder& logs,
                                 controller::EventRecorder& events, DeckyReconcilerOptions options,
                                 const api::Clock& clock)
    : client_(client),
      network_(network),
      runtime_(runtime),
      logs_(logs),
      events_(events),
      options_(std::move(options)),
      clock_(clock) {}

std::map<std::string, std::string> DeckyReconciler::parentsInUse() const {
  std::lock_guard lock(mutex_);
  std::map<std::string, std::string> out;
  for (const auto& [decky, where] : placement_) out.emplace(where.first, where.second);
  return out;
}

Result<void> DeckyReconciler::teardown(const std::string& decky) {
  // The watcher's socket inside the namespace would keep it, and its MAC, alive.
  if (options_.drift != nullptr) options_.drift->forget(decky);
  if (auto stopped = runtime_.remove(decky); !stopped) return stopped;
  if (auto removed = network_.remove(namespaceFor(decky)); !removed) return removed;
  logs_.forget(decky);
  if (options_.stages != nullptr) options_.stages->forget(decky);
  std::string parent;
  bool lastOnParent = false;
  {
    std::lock_guard lock(mutex_);
    auto it = placement_.find(decky);
    if (it == placement_.end()) return {};
    parent = it->second.first;
    placement_.erase(it);
    lastOnParent = std::none_of(placement_.begin(), placement_.end(),
                                [&](const auto& entry) { return entry.second.first == parent; });
    if (lastOnParent) hairpins_.erase(parent);
  }
  // The hairpin goes with the last decky on its parent, before that decky's object does.
  if (lastOnParent && options_.hairpin) return network_.removeHairpin(hairpinName(parent));
  return {};
}

std::string DeckyReconciler::resolveParent(const std::string& configured) {
  if (!configured.empty()) return configured;
  auto detected = network_.defaultRouteInterface();
  if (!detected) return "";
  std::lock_guard lock(mutex_);
  if (!warnedDefaultRoute_) {
    spdlog::warn(
        "a fleet names no network.interface: using the default-route interface {}; its "
        "deckies join that LAN",
        *detected);
    warnedDefaultRoute_ = true;
  }
  return *detected;
}

Result<controller::Outcome> DeckyReconciler::reconcile(const controller::Request& request) {
  const std::string& name = request.key.name;
  auto decky = client_.get(request.key);
  if (!decky) {
    if (decky.error().code != Errc::kNotFound) return tl::unexpected(decky.error());
    // Gone without our finalizer (never ours, or removed by force): clean what is left.
    if (auto cleaned = teardown(name); !cleaned) return tl::unexpected(cleaned.error());
    return controller::Outcome{};
  }
  const bool mine = decky->spec.value("node", "") == options_.node;
  const bool held = decky->hasFinalizer(api::kTeardownFinalizer);
  if (!mine && !held) return controller::Outcome{};

  if (decky->deleting() || !mine) {
    if (!held) return controller::Outcome{};
    if (auto cleaned = teardown(name); !cleaned) return tl::unexpected(cleaned.error());
    removeFinalizer(*decky);
    auto written = client_.update(*decky);
    if (!written && written.error().code != Errc::kNotFound) return tl::unexpected(written.error());
    spdlog::info("decky {} torn down", name);
    return controller::Outcome{};
  }

  mark(name, ReadyStage::kSeen);
  if (!held) {
    // From here on the host holds state for this decky: deletion must wait for teardown.
    decky->metadata.finalizers.push_back(api::kTeardownFinalizer);
    auto written = client_.update(*decky);
    if (!written) return tl::unexpected(written.error());
    *decky = *written;
  }

  const api::DeckySpec spec = api::parseDeckySpec(decky->spec);
  const std::int64_t generation = decky->metadata.generation;
  const std::string now = api::formatTime(clock_.now());
  Json status = decky->status.is_object() ? decky->status : Json::object();

  // Network and identity (MAC and sysctls are part of the namespace set-up).
  DeckyNetwork network;
  network.namespaceName = namespaceFor(name);
  network.parent = resolveParent(spec.network.interface);
  network.driver = spec.network.driver.empty() ? "macvlan" : spec.network.driver;
  network.mac = spec.mac;
  network.ip = spec.ip;
  network.gateway = spec.network.gateway;
  network.linked = [this, &name] { mark(name, ReadyStage::kLinked); };
  if (auto subnet = api::net::Subnet::parse(spec.network.subnet)) network.prefix = subnet->prefix;
  if (const auto* family =
          api::catalog::findOsFamily(spec.osFamily.empty() ? "linux" : spec.osFamily)) {
    network.sysctls = family->sysctls;
  }
  // A namespace deleted behind our back lives on inside its decoy, holding the MAC on the
  // parent: stop that decoy first so the namespace (and the MAC) can be made anew.
  if (struct stat nsFile{}; ::stat(("/run/netns/" + network.namespaceName).c_str(), &nsFile) != 0) {
    if (options_.drift != nullptr) options_.drift->forget(name);  // its socket holds it too
    if (runtime_.state(name).running) {
      spdlog::warn("decky {}: namespace {} vanished; restarting the decoy in a new one", name,
                   network.namespaceName);
      if (auto stopped = runtime_.remove(name); !stopped) return tl::unexpected(stopped.error());
    }
  }
  Result<void> networked =
      network.parent.empty()
          ? Result<void>(fail(Errc::kUnavailable,
                              "no network.interface given and no default route to take one from"))
          : network_.ensure(network);
  bool terminal = false;
  if (networked) {
    mark(name, ReadyStage::kSysctls);
    {
      std::lock_guard lock(mutex_);
      placement_[name] = {network.parent, spec.network.subnet};
    }
    if (auto hairpin = ensureHairpin(network.parent, spec.network.subnet); !hairpin) {
      spdlog::warn("hairpin on {}: {}", network.parent, hairpin.error().message);
    }
    if (options_.drift != nullptr) {
      options_.drift->watch(name, network.namespaceName,
                            options_.hairpin ? hairpinName(network.parent) : "");
    }
    api::setCondition(
        status,
        {"NetworkReady", "True", "NamespaceReady",
         network.namespaceName + ": eth0 " + spec.ip + " on " + network.parent, "", generation},
        now);
  } else {
    terminal = networked.error().code == Errc::kTerminal;
    const std::string reason = terminal ? "DriverUnsupported" : "NetworkFailed";
    if (!api::conditionTrue(status, "NetworkReady") &&
        api::findCondition(status, "NetworkReady").value_or(api::Condition{}).message !=
            networked.error().message) {
      events_.record(*decky, "Warning", reason, networked.error().message);
    }
    api::setCondition(
        status, {"NetworkReady", "False", reason, networked.error().message, "", generation}, now);
  }

  // The decoy: started once the network exists; restarted when its spec or hostname changes.
  DecoyState decoy;
  std::string decoyError;
  if (networked) {
    // A namespace deleted by hand and re-created is a new namespace: the decoy must move.
    struct stat nsStat {};
    const std::uint64_t namespaceId =
        ::stat(("/run/netns/" + network.namespaceName).c_str(), &nsStat) == 0 ? nsStat.st_ino : 0;
    auto ensured =
        runtime_.ensure({name, network.namespaceName, spec.hostname, decky->spec, namespaceId});
    if (ensured) {
      decoy = *ensured;
      if (decoy.running) mark(name, ReadyStage::kDecoyExec);
    } else {
      decoyError = ensured.error().message;
    }
  }
  const bool identity = networked && decoy.running;
  api::setCondition(
      status,
      {"IdentityApplied", identity ? "True" : "False", identity ? "IdentityApplied" : "Pending",
       identity ? "os " + (spec.osFamily.empty() ? std::string("linux") : spec.osFamily) +
                      ", mac " + spec.mac + ", hostname " + spec.hostname
                : "waiting for the network and the decoy",
       "", generation},
      now);

  // Services: ready when the decoy reported every service listening.
  const DecoyReadiness readiness = logs_.readiness(name);
  Json services = Json::array();
  bool allReady = decoy.running && readiness.started && !spec.services.empty();
  std::string notReady, notEmulated;
  for (const auto& service : spec.services) {
    auto it = readiness.services.find(service.name);
    const bool ready = decoy.running && it != readiness.services.end() && it->second.ready;
    Json entry = {{"name", service.name}, {"ready", ready}};
    if (it != readiness.services.end()) {
      entry["ports"] = it->second.ports;
      if (!it->second.message.empty()) entry["message"] = it->second.message;
    }
    if (!ready) {
      allReady = false;
      if (decoy.running && it != readiness.services.end() && it->second.notEmulated) {
        notEmulated += (notEmulated.empty() ? "" : ", ") + service.name;
      } else {
        notReady += (notReady.empty() ? "" : ", ") + service.name;
      }
    }
    services.push_back(entry);
  }
  status["services"] = services;
  if (allReady) mark(name, ReadyStage::kListening);
  // Every service that has an emulator listens; the rest wait for emulators. Not a fault of
  // this decky, and nothing a restart fixes: say so instead of looking stuck in Provisioning.
  const bool onlyNotEmulated = !allReady && notReady.empty() && !notEmulated.empty();
  std::string servicesReason = allReady          ? "Listening"
                               : onlyNotEmulated ? "NotEmulated"
                                                 : "Starting";
  std::string servicesMessage =
      allReady ? std::to_string(spec.services.size()) + " services listening"
      : onlyNotEmulated
          ? "no emulator yet for " + notEmulated + "; the other services are listening"
          : (decoyError.empty() ? "not listening yet: " + notReady : decoyError);
  const auto before = api::findCondition(decky->status, "ServicesReady");
  const bool newlyNotEmulated = onlyNotEmulated && !(before && before->reason == "NotEmulated" &&
                                                     before->observedGeneration == generation);
  api::setCondition(status,
                    {"ServicesReady", allReady ? "True" : "False", servicesReason, servicesMessage,
                     "", generation},
                    now);
  const bool ready = networked && identity && allReady;
  api::setCondition(
      status,
      {"Ready", ready ? "True" : "False", ready ? "DeckyReady" : "NotReady",
       ready ? "answering as " + spec.hostname + " at " + spec.ip : "see the other conditions", "",
       generation},
      now);
  status["phase"] = ready || (networked && identity && onlyNotEmulated) ? "Running"
                    : terminal                                          ? "Failed"
                                                                        : "Provisioning";
  status["observedGeneration"] = generation;
  status["decoyPid"] = decoy.pid;
  status["restarts"] = decoy.restarts;
  const std::string lastError = !networked            ? networked.error().message
                                : !decoyError.empty() ? decoyError
                                                      : decoy.lastError;
  if (lastError.empty()) {
    status.erase("lastError");
  } else {
    status["lastError"] = lastError;
  }
  if (status != decky->status) {
    const bool becameReady = ready && !api::conditionTrue(decky->status, "Ready");
    decky->status = status;
    // Conditional on what we read: other controllers write fields of this status too, and a
    // blind write would drop them. A conflict retries with a fresh read.
    auto written = client_.updateStatus(*decky);
    if (!written && written.error().code != Errc::kNotFound) return tl::unexpected(written.error());
    if (becameReady)
      events_.record(*decky, "Normal", "DeckyReady",
                     "answering as " + spec.hostname + " at " + spec.ip);
    if (newlyNotEmulated) events_.record(*decky, "Warning", "NotEmulated", servicesMessage);
  }
  if (ready) mark(name, ReadyStage::kReported);
  if (terminal) return controller::Outcome{std::chrono::seconds(60)};
  // Waiting for the decoy to listen is polled; a decky that only lacks emulators waits for a
  // new spec (a watch event), not for time.
  if (!ready && !(networked && identity && onlyNotEmulated)) {
    return controller::Outcome{options_.pollWhileStarting};
  }
  // Spread over the last half of the period, so deckies made together are not all checked in
  // the same second forever after.
  const auto spread = std::max<std::int64_t>(1, options_.resync.count() / 2);
  const auto offset =
      static_cast<std::int64_t>(std::hash<std::string>{}(name) % static_cast<std::size_t>(spread));
  return controller::Outcome{std::chrono::milliseconds(options_.resync.count() - offset)};
}

}  // namespace decnet::agents
