#include "decoy/decoy.h"

#include <signal.h>

#include <array>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <exception>
#include <memory>
#include <unordered_map>
#include <vector>

#include "api/catalog/catalog.h"
#include "api/types/fleet_spec.h"
#include "decoy/event_writer.h"
#include "decoy/memory_trim.h"
#include "decoy/sandbox.h"
#include "decoy/saved_syn.h"
#include "decoy/service.h"

namespace decnet::decoy {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

// The decoy's own lines (not about a service) use this APP-NAME.
constexpr const char* kDecoyApp = "decoy";

// Live connections of all services, in total and per attacker address; excess connections are
// refused at accept time. Touched only on the loop thread, apart from the atomic total.
struct Budget {
  int max = 256;
  int maxPerAddress = 64;
  std::atomic<int> active{0};
  std::unordered_map<std::string, int> perAddress;
};

void recordPlain(InteractionSink& sink, std::string service, std::string type, Fields fields,
                 int severity = kSeverityInfo, std::string message = {}) {
  Interaction interaction;
  interaction.service = std::move(service);
  interaction.type = std::move(type);
  interaction.fields = std::move(fields);
  interaction.severity = severity;
  interaction.message = std::move(message);
  sink.record(std::move(interaction));
}

// One listening port of one service: accepts, counts, hands connections to the service.
class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(tcp::acceptor acceptor, std::string service, Service& handler,
           std::shared_ptr<InteractionSink> sink, Budget& budget)
      : acceptor_(std::move(acceptor)),
        retry_(acceptor_.get_executor()),
        service_(std::move(service)),
        handler_(handler),
        sink_(std::move(sink)),
        budget_(budget) {}

  void start() { accept(); }

  void stop() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    retry_.cancel();
  }

 private:
  void accept() {
    acceptor_.async_accept(
        [self = shared_from_this()](const boost::system::error_code& ec, tcp::socket socket) {
          self->accepted(ec, std::move(socket));
        });
  }

  void accepted(const boost::system::error_code& ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (ec) {
      // Out of descriptors or memory: back off instead of spinning on a full accept queue.
      recordPlain(*sink_, service_, "accept_failed", {{"error", ec.message()}}, kSeverityWarning);
      retry_.expires_after(std::chrono::milliseconds(200));
      retry_.async_wait([self = shared_from_this()](const boost::system::error_code& wait) {
        if (!wait) self->accept();
      });
      return;
    }
    Peer peer;
    boost::system::error_code endpointError;
    const auto remote = socket.remote_endpoint(endpointError);
    if (!endpointError) {
      const auto address = remote.address();
      peer.ip = address.is_v6() && address.to_v6().is_v4_mapped()
                    ? asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).to_string()
                    : address.to_string();
      peer.port = remote.port();
    }
    const auto local = socket.local_endpoint(endpointError);
    if (!endpointError) peer.localPort = local.port();
    Fields connectFields;
    if (const auto ttl = synTtl(socket.native_handle())) {
      connectFields.emplace_back("ttl", std::to_string(*ttl));
    }

    const bool overTotal = budget_.active.load() >= budget_.max;
    const bool overAddress = !overTotal && budget_.perAddress[peer.ip] >= budget_.maxPerAddress;
    if (overTotal || overAddress) {
      // Accept-and-close keeps the kernel backlog from filling with connections we never serve.
      boost::system::error_code ignored;
      socket.close(ignored);
      sink_->record(peerInteraction(service_, peer, "connection_refused",
                                    {{"reason", overTotal ? "limit" : "address_limit"}}));
      if (budget_.perAddress[peer.ip] == 0) budget_.perAddress.erase(peer.ip);
      accept();
      return;
    }
    ++budget_.active;
    ++budget_.perAddress[peer.ip];
    Budget* budget = &budget_;
    auto executor = acceptor_.get_executor();
    // The release may run on a service thread (ssh): the per-address count is only touched on
    // the loop thread, so it is posted there.
    auto connection = std::make_shared<Connection>(
        std::move(socket), service_, peer, sink_, [budget, executor, ip = peer.ip] {
          --budget->active;
          asio::post(executor, [budget, ip] {
            auto it = budget->perAddress.find(ip);
            if (it != budget->perAddress.end() && --it->second <= 0) budget->perAddress.erase(it);
          });
        });
    connection->record("connect", connectFields);
    handler_.serve(std::move(connection));
    accept();
  }

  tcp::acceptor acceptor_;
  asio::steady_timer retry_;
  const std::string service_;
  Service& handler_;
  const std::shared_ptr<InteractionSink> sink_;
  Budget& budget_;
};

// One UDP port of one service: every datagram goes to the service, its answer (if any) back to
// the sender. Datagrams are bounded by the receive buffer (64 KiB, the UDP maximum).
class DatagramListener : public std::enable_shared_from_this<DatagramListener> {
 public:
  DatagramListener(asio::ip::udp::socket socket, Service& handler,
                   std::shared_ptr<InteractionSink> sink)
      : socket_(std::move(socket)), handler_(handler), sink_(std::move(sink)) {}

  void start() { receive(); }

  void stop() {
    boost::system::error_code ignored;
    socket_.close(ignored);
  }

 private:
  void receive() {
    socket_.async_receive_from(
        asio::buffer(buffer_), sender_,
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t size) {
          self->received(ec, size);
        });
  }

  void received(const boost::system::error_code& ec, std::size_t size) {
    if (ec == asio::error::operation_aborted || !socket_.is_open()) return;
    if (!ec) {
      Datagram datagram;
      const auto address = sender_.address();
      datagram.peer.ip =
          address.is_v6() && address.to_v6().is_v4_mapped()
              ? asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).to_string()
              : address.to_string();
      datagram.peer.port = sender_.port();
      boost::system::error_code localError;
      const auto local = socket_.local_endpoint(localError);
      if (!localError) datagram.peer.localPort = local.port();
      datagram.payload = std::string_view(buffer_.data(), size);
      if (auto reply = handler_.answer(datagram, *sink_); reply && !reply->empty()) {
        boost::system::error_code sendError;
        socket_.send_to(asio::buffer(*reply), sender_, 0, sendError);  // UDP: never blocks long
      }
    }
    receive();
  }

  asio::ip::udp::socket socket_;
  Service& handler_;
  const std::shared_ptr<InteractionSink> sink_;
  asio::ip::udp::endpoint sender_;
  std::array<char, 65536> buffer_{};
};

// The sink all services share. It only borrows the caller's FILE*, so SSH threads that outlive
// runDecoy() by a few milliseconds can still hold it safely.
std::shared_ptr<InteractionSink> makeSink(const DecoyOptions& options) {
  return std::make_shared<EventWriter>(options.out, options.decky);
}

int serve(const DecoyOptions& options, const std::shared_ptr<InteractionSink>& sink) {
  const api::DeckySpec spec = api::parseDeckySpec(options.spec);
  std::vector<api::ServiceSpec> services = spec.services;
  if (services.empty() && !spec.archetype.empty()) {
    if (const auto* archetype = api::catalog::findArchetype(spec.archetype)) {
      for (const auto& name : archetype->services) services.push_back({name, {}, {}});
    }
  }

  ServiceContext context;
  context.decky = options.decky;
  context.hostname = spec.hostname.empty() ? options.decky : spec.hostname;
  context.osFamily = spec.osFamily.empty() ? "linux" : spec.osFamily;
  context.distro = &api::catalog::distroFor(spec.distro, context.osFamily);
  context.maxConnections = options.maxConnections > 0 ? options.maxConnections : 1;
  context.maxPerAddress = options.maxPerAddress > 0 ? options.maxPerAddress : 1;
  context.stateDir = options.stateDir;
  context.keygenLock = options.keygenLock;

  Budget budget;
  budget.max = context.maxConnections;
  budget.maxPerAddress = context.maxPerAddress;
  // Declared before the io_context: pending handlers (which reference services) die first.
  std::vector<ServicePtr> handlers;
  asio::io_context io(1);
  // Registered first: a SIGTERM that arrives while services start (an agent tearing a decky
  // down at once) is queued and handled below as a clean stop, not a death by signal.
  asio::signal_set signals(io, SIGTERM, SIGINT);
  std::vector<std::shared_ptr<Listener>> listeners;
  std::vector<std::shared_ptr<DatagramListener>> datagramListeners;
  int notEmulated = 0;

  const auto bindFailed = [&](const std::string& service, const std::string& port,
                              const std::string& proto, const std::string& error) {
    recordPlain(*sink, service, "bind_failed", {{"port", port}, {"proto", proto}, {"error", error}},
                kSeverityError);
  };

  boost::system::error_code addressError;
  const auto address = asio::ip::make_address(options.bindAddress, addressError);

  for (std::size_t i = 0; i < services.size(); ++i) {
    const api::ServiceSpec& service = services[i];
    std::vector<int> ports = service.ports;
    const auto* info = api::catalog::findService(service.name);
    if (ports.empty() && info != nullptr) ports = info->ports;
    if (ports.empty()) {
      bindFailed(service.name, "-", "tcp", "no ports");
      continue;
    }
    auto factory = ServiceRegistry::instance().find(service.name);
    if (!factory) {
      // Not a failure of this decky: the other services run, and the agent reports the gap
      // (ServicesReady=False, NotEmulated) instead of restarting the decoy over and over.
      ++notEmulated;
      std::string list;
      for (int port : ports) list += (list.empty() ? "" : ",") + std::to_string(port);
      recordPlain(*sink, service.name, "not_emulated",
                  {{"ports", list}, {"error", "no emulator for service " + service.name + " yet"}},
                  kSeverityWarning);
      continue;
    }
    auto created = (*factory)->create(service, context);
    if (!created) {
      std::string detail = created.error().message;
      for (const auto& field : created.error().fields) {
        detail += "; spec.services[" + std::to_string(i) + "]." + field.path + ": " + field.detail;
      }
      for (int port : ports) bindFailed(service.name, std::to_string(port), "tcp", detail);
      continue;
    }
    Service& handler = **created;
    handlers.push_back(std::move(*created));

    const bool tcp = info == nullptr || api::catalog::servesProtocol(*info, "tcp");
    const bool udp = info != nullptr && api::catalog::servesProtocol(*info, "udp");
    for (int port : ports) {
      const std::string portText = std::to_string(port);
      if (addressError) {
        bindFailed(service.name, portText, tcp ? "tcp" : "udp",
                   "bad bind address " + options.bindAddress + ": " + addressError.message());
        continue;
      }
      if (port < 1 || port > 65535) {
        bindFailed(service.name, portText, tcp ? "tcp" : "udp", "port out of range");
        continue;
      }
      if (tcp) {
        tcp::acceptor acceptor(io);
        const tcp::endpoint endpoint(address, static_cast<unsigned short>(port));
        boost::system::error_code ec;
        acceptor.open(endpoint.protocol(), ec);
        if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
        if (!ec) acceptor.bind(endpoint, ec);
        if (!ec) keepSynHeaders(acceptor.native_handle());
        if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
        if (ec) {
          bindFailed(service.name, portText, "tcp", ec.message());
        } else {
          listeners.push_back(
              std::make_shared<Listener>(std::move(acceptor), service.name, handler, sink, budget));
          recordPlain(*sink, service.name, "listening", {{"port", portText}, {"proto", "tcp"}});
        }
      }
      if (udp) {
        asio::ip::udp::socket socket(io);
        const asio::ip::udp::endpoint endpoint(address, static_cast<unsigned short>(port));
        boost::system::error_code ec;
        socket.open(endpoint.protocol(), ec);
        if (!ec) socket.set_option(asio::socket_base::reuse_address(true), ec);
        if (!ec) socket.bind(endpoint, ec);
        if (ec) {
          bindFailed(service.name, portText, "udp", ec.message());
        } else {
          datagramListeners.push_back(
              std::make_shared<DatagramListener>(std::move(socket), handler, sink));
          recordPlain(*sink, service.name, "listening", {{"port", portText}, {"proto", "udp"}});
        }
      }
    }
  }

  if (listeners.empty() && datagramListeners.empty() && notEmulated == 0) {
    recordPlain(*sink, kDecoyApp, "decoy_failed", {{"error", "no service is listening"}},
                kSeverityError);
    return 1;
  }

  if (!options.runAsUser.empty()) {
    if (auto dropped = dropPrivileges(options.runAsUser); !dropped) {
      recordPlain(*sink, kDecoyApp, "decoy_failed",
                  {{"error", "privilege drop: " + dropped.error().message}}, kSeverityError);
      return 1;
    }
  }
  // Three descriptors per connection at most (an SSH session's socket pair) plus headroom for
  // listeners, the event loop and the log stream.
  const int maxOpenFiles = budget.max * 3 + 64;
  if (options.sandbox) {
    if (auto sandboxed = applySandbox(maxOpenFiles, stderrTag(options.decky)); !sandboxed) {
      recordPlain(*sink, kDecoyApp, "decoy_failed",
                  {{"error", "sandbox: " + sandboxed.error().message}}, kSeverityError);
      return 1;
    }
  }

  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    recordPlain(*sink, kDecoyApp, "stopping", {{"signal", std::to_string(signal)}});
    for (auto& listener : listeners) listener->stop();
    for (auto& listener : datagramListeners) listener->stop();
    for (auto& handler : handlers) handler->shutdown();
    io.stop();
  });
  for (auto& listener : listeners) listener->start();
  for (auto& listener : datagramListeners) listener->start();
  // Start-up is over once the loop has run for a moment: what it touched and serving does not
  // is handed back.
  asio::steady_timer startupOver(io, std::chrono::milliseconds(200));
  startupOver.async_wait([](const boost::system::error_code& ec) {
    if (!ec) releaseStartupMemory();
  });

  for (;;) {
    try {
      io.run();
      break;
    } catch (const std::exception& e) {
      // A handler ran out of memory or hit a library bug: keep serving the other connections.
      recordPlain(*sink, kDecoyApp, "internal_error", {{"error", e.what()}}, kSeverityError);
    }
  }
  return 0;
}

}  // namespace

std::string stderrTag(const std::string& decky) { return "decnet-decoy[" + decky + "]"; }

int runDecoy(const DecoyOptions& options) {
  // Peers that vanish must not kill the decoy with SIGPIPE; writes just fail.
  ::signal(SIGPIPE, SIG_IGN);
  auto sink = makeSink(options);
  try {
    return serve(options, sink);
  } catch (const std::exception& e) {
    recordPlain(*sink, kDecoyApp, "decoy_failed", {{"error", e.what()}}, kSeverityError);
    return 1;
  }
}

}  // namespace decnet::decoy
