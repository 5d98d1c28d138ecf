#pragma once
// The plugin shape of an emulated service: a factory validates the persona and builds a
// Service; the Service takes over accepted connections. One service is one file plus one
// DECNET_REGISTER_SERVICE line. Boost.Asio is the decoy's event loop; no other module sees it.
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/catalog/catalog.h"
#include "api/types/fleet_spec.h"
#include "api/types/result.h"
#include "decoy/event_writer.h"

namespace decnet::decoy {

// The attacker's side of a connection (or datagram) and the decoy port it reached.
struct Peer {
  std::string ip;
  std::uint16_t port = 0;
  std::uint16_t localPort = 0;
};

// An interaction of `service` about `peer`: src_ip, src_port and dst_port come first.
Interaction peerInteraction(std::string service, const Peer& peer, std::string type, Fields fields);

// One accepted TCP connection. Services keep it alive (shared_ptr) while they use it; the last
// owner's release emits `disconnect` with duration and byte counts and frees the slot.
class Connection {
 public:
  Connection(boost::asio::ip::tcp::socket socket, std::string service, Peer peer,
             std::shared_ptr<InteractionSink> sink, std::function<void()> onClosed);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // The socket; only touched from the event loop thread.
  boost::asio::ip::tcp::socket& socket() { return socket_; }
  // Immutable after construction; safe from any thread.
  const Peer& peer() const { return peer_; }
  const std::string& service() const { return service_; }
  const std::shared_ptr<InteractionSink>& sink() const { return sink_; }

  // Byte accounting for the disconnect line. Thread-safe.
  void addBytesIn(std::size_t n) { bytesIn_ += n; }
  void addBytesOut(std::size_t n) { bytesOut_ += n; }

  // Adds a field to the disconnect line (e.g. the SSH client version). Loop thread only.
  void setDisconnectField(std::string key, std::string value);

  // Records an event about this connection (src_ip, src_port, dst_port prepended). Thread-safe.
  void record(std::string type, Fields fields, std::string message = {},
              int severity = kSeverityInfo) const;

 private:
  boost::asio::ip::tcp::socket socket_;
  const std::string service_;
  const Peer peer_;
  const std::shared_ptr<InteractionSink> sink_;
  const std::function<void()> onClosed_;
  const std::chrono::steady_clock::time_point start_;
  std::atomic<std::uint64_t> bytesIn_{0};
  std::atomic<std::uint64_t> bytesOut_{0};
  Fields disconnectFields_;
};

// One UDP datagram that reached a service.
struct Datagram {
  Peer peer;
  std::string_view payload;  // valid only during the call
};

// Records an interaction of `service` about `peer` (src_ip, src_port, dst_port first): the
// datagram services' counterpart of Connection::record. Thread-safe.
void recordFor(InteractionSink& sink, const std::string& service, const Peer& peer,
               std::string type, Fields fields, std::string message = {},
               int severity = kSeverityInfo);

// What every service of one decoy shares.
struct ServiceContext {
  std::string decky;     // the decky's name (HOSTNAME of every line)
  std::string hostname;  // the name the fake host gives itself (spec hostname, else decky)
  std::string osFamily = "linux";  // the decky's OS family (linux, windows, bsd, embedded, cisco)
  // The decky's distro (or Windows version): default banners, Server headers and kernel strings
  // come from here so every service tells the same story. Never null (debian when unknown).
  const api::catalog::DistroInfo* distro = &api::catalog::distroFor("", "linux");
  int maxConnections = 256;              // per decoy, all services together
  int maxPerAddress = 64;                // per attacker address, all services together
  std::chrono::seconds idleTimeout{60};  // a connection with no input for this long is closed
  // A directory private to this decky that survives restarts (host keys, certificates); "" when
  // there is none (keys are then made anew each start). Factories may read and write it: they
  // run before the sandbox. Services keep their files in a subfolder named after their slug.
  std::string stateDir;
  // A lock file shared by every decoy on this host ("" = none): slow key generation (RSA) takes
  // it, so a hundred decoys starting together make their keys one at a time instead of starving
  // the host.
  std::string keygenLock;
};

// One emulated protocol. Every byte is hostile: malformed input is recorded (an `anomaly`
// field), never thrown or returned as an error.
class Service {
 public:
  virtual ~Service() = default;
  // Takes over an accepted connection and returns at once; the work continues on the socket's
  // executor (or a service-owned thread). Called on the loop thread; never throws.
  // Stream services only; a datagram-only service is never handed a connection.
  virtual void serve(std::shared_ptr<Connection> connection) { (void)connection; }
  // Answers one datagram (UDP services): the reply to send back to `datagram.peer`, or nullopt to
  // stay silent (as a real agent does for a wrong community). Records through `sink`. Called on
  // the loop thread; never throws; must not block.
  virtual std::optional<std::string> answer(const Datagram& datagram, InteractionSink& sink) {
    (void)datagram;
    (void)sink;
    return std::nullopt;
  }
  // Ends background work (threads) promptly when the decoy stops. Called once on the loop
  // thread before the loop ends; may block for a bounded time.
  virtual void shutdown() {}
};
using ServicePtr = std::unique_ptr<Service>;

// Validates a service's persona and builds its Service. Registered once by name.
class ServiceFactory {
 public:
  virtual ~ServiceFactory() = default;
  // The catalog slug this factory serves ("ssh"). Pure.
  virtual std::string_view name() const = 0;
  // Builds the service for `spec` (all its ports share it). kInvalid with one field error per
  // bad persona key ("persona.fake_app"). Runs before the sandbox: may read files, make keys.
  [[nodiscard]] virtual Result<ServicePtr> create(const api::ServiceSpec& spec,
                                                  const ServiceContext& context) const = 0;
};

// Name -> factory. Duplicate names abort at startup; unknown names are kNotFound.
class ServiceRegistry {
 public:
  // The process-wide registry that DECNET_REGISTER_SERVICE fills during static initialization.
  static ServiceRegistry& instance();
  // Adds a factory; aborts the process on a duplicate name (a build error, not a runtime one).
  void add(std::unique_ptr<ServiceFactory> factory);
  // The factory for `name` (non-owning, lives as long as the process) or kNotFound.
  [[nodiscard]] Result<const ServiceFactory*> find(std::string_view name) const;
  // Every registered name, sorted.
  std::vector<std::string_view> names() const;

 private:
  std::map<std::string, std::unique_ptr<ServiceFactory>, std::less<>> factories_;
};

template <class Factory>
struct ServiceRegistration {
  ServiceRegistration() { ServiceRegistry::instance().add(std::make_unique<Factory>()); }
};

// Reads persona values (strings, as the spec holds them) with defaults, collecting every error
// instead of stopping at the first, so a user fixes a persona in one round.
class PersonaReader {
 public:
  // Keys, types, bounds and defaults from the service's descriptor: the same rules admission
  // applies. Unknown keys and values out of bounds are errors.
  explicit PersonaReader(const api::ServiceSpec& spec);
  // The value, or the descriptor's default when absent.
  std::string text(const std::string& key) const;
  // An integer key within the descriptor's bounds (its default when absent or invalid).
  int integer(const std::string& key);
  // A boolean key ("true"/"false"); the descriptor's default when absent or invalid.
  bool boolean(const std::string& key);
  // A users key: (name, password) pairs, in order; malformed entries are errors.
  std::vector<std::pair<std::string, std::string>> users(const std::string& key);
  // The value, or `fallback` when the key is absent.
  std::string text(const std::string& key, std::string fallback) const;
  // True when the key is present (even if empty).
  bool has(const std::string& key) const;
  // Records an error on `key` found by the caller's own parsing.
  void invalid(const std::string& key, std::string detail);
  // kInvalid listing every error, or success.
  [[nodiscard]] Result<void> finish() const;

 private:
  const api::ServiceSpec& spec_;
  const api::catalog::ServiceDescriptor* descriptor_ = nullptr;
  std::vector<FieldError> errors_;
};

}  // namespace decnet::decoy

#define DECNET_REGISTER_SERVICE(FACTORY)                     \
  static const ::decnet::decoy::ServiceRegistration<FACTORY> \
      decnet_service_registration_##FACTORY {}
