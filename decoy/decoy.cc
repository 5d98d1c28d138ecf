#include "decoy/decoy.h"

#include <signal.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <exception>
#include <memory>
#include <vector>

#include "api/catalog/catalog.h"
#include "api/types/fleet_spec.h"
#include "decoy/event_writer.h"
#include "decoy/sandbox.h"
#include "decoy/services/service.h"

namespace decnet::decoy {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

// The decoy's own lines (not about a service) use this APP-NAME.
constexpr const char* kDecoyApp = "decoy";

// Live connections of all services; excess connections are refused at accept time.
struct Budget {
  int max = 256;
  std::atomic<int> active{0};
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

    if (budget_.active.load() >= budget_.max) {
      // Accept-and-close keeps the kernel backlog from filling with connections we never serve.
      boost::system::error_code ignored;
      socket.close(ignored);
      sink_->record(peerInteraction(service_, peer, "connection_refused", {{"reason", "limit"}}));
      accept();
      return;
    }
    ++budget_.active;
    Budget* budget = &budget_;
    auto connection = std::make_shared<Connection>(std::move(socket), service_, std::move(peer),
                                                   sink_, [budget] { --budget->active; });
    connection->record("connect", {});
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
  context.maxConnections = options.maxConnections > 0 ? options.maxConnections : 1;

  Budget budget;
  budget.max = context.maxConnections;
  // Declared before the io_context: pending handlers (which reference services) die first.
  std::vector<ServicePtr> handlers;
  asio::io_context io(1);
  std::vector<std::shared_ptr<Listener>> listeners;

  const auto bindFailed = [&](const std::string& service, const std::string& port,
                              const std::string& error) {
    recordPlain(*sink, service, "bind_failed", {{"port", port}, {"proto", "tcp"}, {"error", error}},
                kSeverityError);
  };

  boost::system::error_code addressError;
  const auto address = asio::ip::make_address(options.bindAddress, addressError);

  for (std::size_t i = 0; i < services.size(); ++i) {
    const api::ServiceSpec& service = services[i];
    std::vector<int> ports = service.ports;
    const auto* info = api::catalog::findService(service.name);
    if (ports.empty() && info != nullptr) ports = info->ports;
    if (info != nullptr && !api::catalog::servesProtocol(*info, "tcp")) {
      for (int port : ports) bindFailed(service.name, std::to_string(port), "udp not emulated yet");
      continue;
    }
    if (ports.empty()) {
      bindFailed(service.name, "-", "no ports");
      continue;
    }
    auto factory = ServiceRegistry::instance().find(service.name);
    if (!factory) {
      for (int port : ports)
        bindFailed(service.name, std::to_string(port), factory.error().message);
      continue;
    }
    auto created = (*factory)->create(service, context);
    if (!created) {
      std::string detail = created.error().message;
      for (const auto& field : created.error().fields) {
        detail += "; spec.services[" + std::to_string(i) + "]." + field.path + ": " + field.detail;
      }
      for (int port : ports) bindFailed(service.name, std::to_string(port), detail);
      continue;
    }
    Service& handler = **created;
    handlers.push_back(std::move(*created));

    for (int port : ports) {
      if (addressError) {
        bindFailed(service.name, std::to_string(port),
                   "bad bind address " + options.bindAddress + ": " + addressError.message());
        continue;
      }
      if (port < 1 || port > 65535) {
        bindFailed(service.name, std::to_string(port), "port out of range");
        continue;
      }
      tcp::acceptor acceptor(io);
      const tcp::endpoint endpoint(address, static_cast<unsigned short>(port));
      boost::system::error_code ec;
      acceptor.open(endpoint.protocol(), ec);
      if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
      if (!ec) acceptor.bind(endpoint, ec);
      if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
      if (ec) {
        bindFailed(service.name, std::to_string(port), ec.message());
        continue;
      }
      listeners.push_back(
          std::make_shared<Listener>(std::move(acceptor), service.name, handler, sink, budget));
      recordPlain(*sink, service.name, "listening",
                  {{"port", std::to_string(port)}, {"proto", "tcp"}});
    }
  }

  if (listeners.empty()) {
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
    if (auto sandboxed = applySandbox(maxOpenFiles); !sandboxed) {
      recordPlain(*sink, kDecoyApp, "decoy_failed",
                  {{"error", "sandbox: " + sandboxed.error().message}}, kSeverityError);
      return 1;
    }
  }

  asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    recordPlain(*sink, kDecoyApp, "stopping", {{"signal", std::to_string(signal)}});
    for (auto& listener : listeners) listener->stop();
    for (auto& handler : handlers) handler->shutdown();
    io.stop();
  });
  for (auto& listener : listeners) listener->start();

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
