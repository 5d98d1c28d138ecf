#include "pipeline/collector/collector.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>

#include "api/types/clock.h"
#include "pipeline/collector/event_fields.h"
#include "pipeline/collector/frame_splitter.h"
#include "pipeline/collector/syslog_message.h"
#include "pipeline/common/flood_gate.h"

namespace decnet::pipeline {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using udp = net::ip::udp;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kHello = "DECNET-FORWARD/1 ";
// The subject decnet's CA gives a node's client certificate (CN system:node:NAME, as Kubernetes
// names kubelets): such a sender may speak for its own node only.
constexpr std::string_view kNodeSubjectPrefix = "system:node:";
constexpr std::size_t kMaxQueuedBatches = 8;
constexpr std::size_t kPruneBatch = 2000;  // rows per retention transaction

Result<std::pair<net::ip::address, unsigned short>> endpointOf(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) return fail(Errc::kTerminal, "expected HOST:PORT, not " + text);
  boost::system::error_code ec;
  auto address = net::ip::make_address(text.substr(0, colon), ec);
  if (ec) return fail(Errc::kTerminal, "expected an IP address in " + text);
  const int port = std::atoi(text.c_str() + colon + 1);
  if (port < 0 || port > 65535) return fail(Errc::kTerminal, "bad port in " + text);
  return std::pair{address, static_cast<unsigned short>(port)};
}

}  // namespace

// A batch on its way to the store.
struct Batch {
  std::vector<CollectedEvent> events;
  std::vector<MalformedLine> malformed;
};

struct Collector::Impl {
  class Session;

  TelemetryStore& store;
  CollectorOptions options;
  net::io_context context;
  tcp::acceptor acceptor{context};
  std::unique_ptr<net::ssl::context> tls;  // set when the options give a certificate
  udp::socket datagrams{context};
  udp::endpoint datagramSender;
  std::array<char, 65536> datagramBuffer{};
  net::steady_timer flushTimer{context};
  std::thread thread;
  bool started = false;

  // Parsing runs on the network thread, commits on this one: the two overlap on two cores.
  std::thread committer;
  std::mutex batchesMutex;
  std::condition_variable batchesChanged;
  std::deque<Batch> batches;  // at most kMaxQueuedBatches; the network thread waits past it
  bool committing = false;
  bool committerStopping = false;
  // Committed batches, destroyed by the network thread that allocated their strings: freeing
  // them on the committer put both threads on one malloc arena lock, on the committer's time.
  std::vector<Batch> spent;

  std::vector<CollectedEvent> events;
  std::vector<MalformedLine> malformed;
  std::unordered_map<std::string, Clock::time_point> lastBurst;  // attacker|decky|service|type
  // Floods of identical events from senders other than decnet's agent (which folds at source).
  struct HeldEvent {
    std::string node;
    SyslogMessage message;
  };
  FloodGate<HeldEvent> floods;
  std::map<std::string, std::set<std::shared_ptr<Session>>> forwarders;  // node -> sessions

  std::atomic<std::uint64_t> received{0}, stored{0}, duplicates{0}, malformedCount{0},
      deduplicated{0}, floodFolded{0}, pruned{0};

  // decnet_collector_* series (no-ops without a registry).
  metrics::Histogram batchDuration;
  metrics::Gauge lag;

  Impl(TelemetryStore& s, CollectorOptions o)
      : store(s), options(std::move(o)), floods(options.flood) {
    if (options.metrics == nullptr) return;
    auto& registry = *options.metrics;
    batchDuration = registry.histogram("decnet_collector_batch_duration_seconds",
                                       "Time to commit one batch of events to the database.");
    lag = registry.gauge("decnet_collector_lag_seconds",
                         "Age of the newest committed event when it was committed (its time as "
                         "sent to now).");
    registry.countersFromState(
        "decnet_collector_messages_total",
        "Lines received by the collector, by what became of them: stored, duplicate (resent, "
        "already stored), malformed (kept raw), folded (counted in a burst or flood event).",
        [this] {
          return std::vector<metrics::Sample>{
              {{{"result", "stored"}}, static_cast<double>(stored.load())},
              {{{"result", "duplicate"}}, static_cast<double>(duplicates.load())},
              {{{"result", "malformed"}}, static_cast<double>(malformedCount.load())},
              {{{"result", "folded"}},
               static_cast<double>(deduplicated.load() + floodFolded.load())}};
        });
  }

  void accept();
  void receiveDatagram();
  void armFlush();
  void flush();
  void commitLoop();
  void pruneExpired();
  void commitBatch(Batch& batch);
  void waitUntilCommitted();
  void ingest(std::string_view frame, bool truncated, const std::string& node);
  bool isBurstRepeat(const SyslogMessage& message);
  bool isFloodRepeat(SyslogMessage& message, const std::string& node);
  // Queues the event for the next batch; its strings are moved out of `message`.
  void addEvent(SyslogMessage message, const std::string& node);
  void addCountEvent(HeldEvent held, std::uint64_t count);
  void closeFloodWindows(Clock::time_point now);
};

// NAME when the peer's verified certificate has the subject CN system:node:NAME, else "".
static std::string certifiedNodeOf(SSL* ssl) {
  X509* peer = SSL_get1_peer_certificate(ssl);
  if (peer == nullptr) return "";
  std::array<char, 512> commonName{};
  const int length = X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName,
                                               commonName.data(), commonName.size());
  X509_free(peer);
  if (length <= 0 || SSL_get_verify_result(ssl) != X509_V_OK) return "";
  const std::string_view name(commonName.data(), static_cast<std::size_t>(length));
  if (name.substr(0, kNodeSubjectPrefix.size()) != kNodeSubjectPrefix) return "";
  return std::string(name.substr(kNodeSubjectPrefix.size()));
}

// One TCP sender: frames in, acknowledgments out when it is a decnet forwarder.
class Collector::Impl::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Impl& collector, tcp::socket socket)
      : collector_(collector), socket_(std::move(socket)), splitter_(collector.options.maxFrame) {
    boost::system::error_code ec;
    const auto peer = socket_.remote_endpoint(ec);
    node_ = "remote:" + (ec ? std::string("unknown") : peer.address().to_string());
    if (collector_.tls)
      tls_ = std::make_unique<net::ssl::stream<tcp::socket&>>(socket_, *collector_.tls);
  }

  void start() {
    if (!tls_) return read();
    tls_->async_handshake(
        net::ssl::stream_base::server, [self = shared_from_this()](boost::system::error_code ec) {
          if (ec) {
            spdlog::warn("collect: TLS handshake with {} failed: {}", self->node_, ec.message());
            return self->close();
          }
          self->certifiedNode_ = certifiedNodeOf(self->tls_->native_handle());
          self->read();
        });
  }

  // Queues one line for the sender.
  void send(std::string line) {
    outbound_.push_back(std::move(line));
    if (outbound_.size() == 1) writeNext();
  }

 private:
  void read() {
    auto onRead = [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
      const auto onFrame = [&](std::string_view frame, bool truncated) {
        self->frame(frame, truncated);
      };
      if (ec) {
        self->splitter_.finish(onFrame);
        return self->close();
      }
      self->splitter_.feed(std::string_view(self->buffer_.data(), n), onFrame);
      self->read();
    };
    if (tls_) {
      tls_->async_read_some(net::buffer(buffer_), std::move(onRead));
    } else {
      socket_.async_read_some(net::buffer(buffer_), std::move(onRead));
    }
  }

  void frame(std::string_view frame, bool truncated) {
    if (first_) {
      first_ = false;
      if (!truncated && frame.substr(0, kHello.size()) == kHello) return hello(frame);
    }
    collector_.ingest(frame, truncated, node_);
  }

  // "DECNET-FORWARD/1 node=NAME": from now on this connection speaks for NAME.
  void hello(std::string_view frame) {
    const auto at = frame.find("node=");
    std::string node = at == std::string_view::npos ? "" : std::string(frame.substr(at + 5));
    while (!node.empty() && (node.back() == ' ' || node.back() == '\r')) node.pop_back();
    if (node.empty() || node.size() > 253 || node.find(' ') != std::string::npos) {
      send("DECNET-ERROR/1 a forwarder names its node: DECNET-FORWARD/1 node=NAME\n");
      return;
    }
    if (!certifiedNode_.empty() && node != certifiedNode_) {
      spdlog::warn(
          "collect: {} presents the certificate of node {} but speaks for node {}: refused", node_,
          certifiedNode_, node);
      send("DECNET-ERROR/1 this certificate belongs to node " + certifiedNode_ + ", not " + node +
           "\n");
      return close();
    }
    node_ = node;
    collector_.flush();  // what this node sent before is counted in the answer
    collector_.waitUntilCommitted();
    auto committed = collector_.store.committedSequence(node_);
    if (!committed) {
      send("DECNET-ERROR/1 " + committed.error().message + "\n");
      return close();
    }
    collector_.forwarders[node_].insert(shared_from_this());
    send("DECNET-COMMITTED/1 " + std::to_string(*committed) + "\n");
  }

  void writeNext() {
    auto onWritten = [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
      if (ec) return self->close();
      self->outbound_.pop_front();
      if (!self->outbound_.empty()) self->writeNext();
    };
    if (tls_) {
      net::async_write(*tls_, net::buffer(outbound_.front()), std::move(onWritten));
    } else {
      net::async_write(socket_, net::buffer(outbound_.front()), std::move(onWritten));
    }
  }

  void close() {
    boost::system::error_code ignored;
    socket_.close(ignored);
    auto it = collector_.forwarders.find(node_);
    if (it != collector_.forwarders.end()) {
      it->second.erase(shared_from_this());
      if (it->second.empty()) collector_.forwarders.erase(it);
    }
  }

  Impl& collector_;
  tcp::socket socket_;
  std::unique_ptr<net::ssl::stream<tcp::socket&>> tls_;  // over socket_ when TLS is on
  FrameSplitter splitter_;
  std::array<char, 16384> buffer_{};
  std::string node_;
  std::string certifiedNode_;  // NAME when the client certificate is system:node:NAME's
  bool first_ = true;
  std::deque<std::string> outbound_;
};

void Collector::Impl::accept() {
  acceptor.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
    if (!acceptor.is_open()) return;
    if (!ec) std::make_shared<Session>(*this, std::move(socket))->start();
    accept();
  });
}

void Collector::Impl::receiveDatagram() {
  datagrams.async_receive_from(
      net::buffer(datagramBuffer), datagramSender,
      [this](boost::system::error_code ec, std::size_t n) {
        if (!datagrams.is_open()) return;
        if (!ec) {
          std::string_view frame(datagramBuffer.data(), n);
          while (!frame.empty() && (frame.back() == '\n' || frame.back() == '\r')) {
            frame.remove_suffix(1);
          }
          ingest(frame, false, "remote:" + datagramSender.address().to_string());
        }
        receiveDatagram();
      });
}

bool Collector::Impl::isBurstRepeat(const SyslogMessage& message) {
  // A line with a sequence number comes from decnet's agent, which already folds floods at the
  // source (a `count` field) and whose every sequence number must be stored exactly once.
  if (message.sequenceId) return false;
  if (message.msgId != "connect" && message.msgId != "disconnect") return false;
  const auto now = Clock::now();
  if (lastBurst.size() > 100000) {
    std::erase_if(lastBurst,
                  [&](const auto& entry) { return now - entry.second > options.burstWindow; });
  }
  const std::string key = message.attackerAddress + '|' + message.hostname + '|' + message.appName +
                          '|' + message.msgId;
  auto [it, inserted] = lastBurst.try_emplace(key, now);
  if (inserted || now - it->second > options.burstWindow) {
    it->second = now;
    return false;
  }
  return true;
}

// Held back (true) when the line is past the flood rate of its kind; the line that ends up
// standing for the held ones is stored when the window closes. Agent lines are never held here:
// every sequence number is stored exactly once.
bool Collector::Impl::isFloodRepeat(SyslogMessage& message, const std::string& node) {
  if (message.sequenceId || options.flood.perWindow == 0) return false;
  std::string key = floodKey(message, message.hostname);
  if (key.empty()) return false;
  HeldEvent held{node, std::move(message)};
  const bool passes = floods.admit(
      std::move(key), std::move(held), Clock::now(),
      [this](HeldEvent ended, std::uint64_t count) { addCountEvent(std::move(ended), count); });
  if (passes) message = std::move(held.message);
  return !passes;
}

// The last held-back event of a window, carrying count="N" in its relay element as the agent's
// folded lines do (an element relay@55555 is added when the sender had none).
void Collector::Impl::addCountEvent(HeldEvent held, std::uint64_t count) {
  auto relay = std::find_if(held.message.data.begin(), held.message.data.end(),
                            [](const SdElement& e) { return e.id.rfind("relay@", 0) == 0; });
  if (relay == held.message.data.end()) {
    held.message.data.push_back({"relay@55555", {}});
    relay = std::prev(held.message.data.end());
  }
  relay->params.push_back({"count", std::to_string(count)});
  addEvent(std::move(held.message), held.node);
}

void Collector::Impl::closeFloodWindows(Clock::time_point now) {
  floods.closeEnded(now, [this](HeldEvent ended, std::uint64_t count) {
    addCountEvent(std::move(ended), count);
  });
}

void Collector::Impl::addEvent(SyslogMessage message, const std::string& node) {
  std::string fields = fieldsJson(message);
  events.push_back({0, node, message.sequenceId, std::move(message.timestamp),
                    std::move(message.hostname), std::move(message.appName),
                    std::move(message.msgId), std::move(message.attackerAddress), std::move(fields),
                    std::move(message.message), message.priority});
}

void Collector::Impl::ingest(std::string_view frame, bool truncated, const std::string& node) {
  ++received;
  const auto now = [] { return api::formatTime(api::systemClock().now()); };
  if (truncated) {
    malformed.push_back({node, now(),
                         "frame longer than " + std::to_string(options.maxFrame) + " bytes, cut",
                         std::string(frame)});
  } else if (auto message = parseSyslog(frame); !message) {
    malformed.push_back({node, now(), message.error().message, std::string(frame)});
  } else if (isBurstRepeat(*message)) {
    ++deduplicated;
  } else if (isFloodRepeat(*message, node)) {
    ++floodFolded;
  } else {
    addEvent(std::move(*message), node);
  }
  if (events.size() + malformed.size() >= options.batchEvents) flush();
}

// Hands the pending lines to the committer. Blocks while kMaxQueuedBatches wait already, which
// stops reading from senders: TCP then slows them down instead of memory growing.
void Collector::Impl::flush() {
  std::vector<Batch> committed;  // declared before the lock: destroyed after it is released
  {
    std::unique_lock lock(batchesMutex);
    committed.swap(spent);
    if (events.empty() && malformed.empty()) return;
    batchesChanged.wait(lock, [&] { return batches.size() < kMaxQueuedBatches; });
    batches.push_back({std::move(events), std::move(malformed)});
    batchesChanged.notify_all();
  }
  events.clear();
  malformed.clear();
  if (!committed.empty()) {
    events = std::move(committed.back().events);  // its capacity is reused
    events.clear();
  }
}

void Collector::Impl::waitUntilCommitted() {
  std::unique_lock lock(batchesMutex);
  batchesChanged.wait(lock, [&] { return batches.empty() && !committing; });
}

void Collector::Impl::commitLoop() {
  auto nextPrune = std::chrono::steady_clock::now();
  for (;;) {
    Batch batch;
    {
      std::unique_lock lock(batchesMutex);
      while (batches.empty() && !committerStopping) {
        if (options.retention.count() > 0 && std::chrono::steady_clock::now() >= nextPrune) {
          lock.unlock();
          pruneExpired();
          nextPrune = std::chrono::steady_clock::now() + options.pruneEvery;
          lock.lock();
          continue;
        }
        if (options.retention.count() > 0) {
          batchesChanged.wait_until(lock, nextPrune);
        } else {
          batchesChanged.wait(lock);
        }
      }
      if (batches.empty()) return;
      batch = std::move(batches.front());
      batches.pop_front();
      committing = true;
    }
    commitBatch(batch);
    std::lock_guard lock(batchesMutex);
    spent.push_back(std::move(batch));
    committing = false;
    batchesChanged.notify_all();
  }
}

void Collector::Impl::commitBatch(Batch& batch) {
  for (int attempt = 0;; ++attempt) {
    const auto started = Clock::now();
    auto result = store.commit(batch.events, batch.malformed);
    if (result) {
      batchDuration.observe(std::chrono::duration<double>(Clock::now() - started).count());
      stored += result->stored;
      duplicates += result->duplicates;
      malformedCount += result->malformed;
      // The lag: how old the newest committed event was when it reached the database.
      if (options.metrics != nullptr && !batch.events.empty()) {
        if (auto sent = api::parseTime(batch.events.back().time)) {
          lag.set(std::max(
              0.0, std::chrono::duration<double>(api::systemClock().now() - *sent).count()));
        }
      }
      break;
    }
    // Forwarders get no ACK for it and resend after a reconnect; other senders' lines are lost
    // only if the store stays down until shutdown.
    spdlog::error("collect: commit of {} events failed (attempt {}): {}", batch.events.size(),
                  attempt + 1, result.error().message);
    {
      std::lock_guard lock(batchesMutex);
      if (committerStopping) return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  std::map<std::string, std::int64_t> newest;  // node -> highest sequenceId in this batch
  for (const auto& event : batch.events) {
    if (event.sequenceId) newest[event.node] = std::max(newest[event.node], *event.sequenceId);
  }
  if (newest.empty()) return;
  net::post(context, [this, newest = std::move(newest)] {
    for (const auto& [node, sequence] : newest) {
      auto sessions = forwarders.find(node);
      if (sessions == forwarders.end()) continue;
      for (const auto& session : sessions->second) {
        session->send("ACK " + std::to_string(sequence) + "\n");
      }
    }
  });
}

// Deletes events past the retention age in small transactions, stopping as soon as a batch
// waits: ingest never stalls behind a prune (the next idle moment continues it).
void Collector::Impl::pruneExpired() {
  const auto cutoff = api::systemClock().now() - options.retention;
  const std::string before = api::formatTime(cutoff);
  std::int64_t total = 0;
  for (;;) {
    auto removed = store.pruneBefore(before, kPruneBatch);
    if (!removed) {
      spdlog::warn("collect: pruning events before {}: {}", before, removed.error().message);
      break;
    }
    total += *removed;
    if (*removed == 0) break;
    std::lock_guard lock(batchesMutex);
    if (!batches.empty() || committerStopping) break;
  }
  pruned += total;
  if (total > 0) spdlog::info("collect: pruned {} events older than {}", total, before);
}

void Collector::Impl::armFlush() {
  flushTimer.expires_after(options.batchInterval);
  flushTimer.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    closeFloodWindows(Clock::now());
    flush();
    armFlush();
  });
}

Collector::Collector(TelemetryStore& store, CollectorOptions options)
    : impl_(std::make_unique<Impl>(store, std::move(options))) {}

Collector::~Collector() { stop(); }

// The server's TLS context: its certificate and key, and when a CA is given, client
// certificates it signed required of every sender.
static Result<std::unique_ptr<net::ssl::context>> tlsContext(const CollectorOptions& options) {
  try {
    auto context = std::make_unique<net::ssl::context>(net::ssl::context::tls_server);
    context->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                         net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                         net::ssl::context::no_tlsv1_1);
    context->use_certificate_chain_file(options.tlsCert);
    context->use_private_key_file(options.tlsKey, net::ssl::context::pem);
    if (!options.tlsCa.empty()) {
      context->load_verify_file(options.tlsCa);
      context->set_verify_mode(net::ssl::verify_peer | net::ssl::verify_fail_if_no_peer_cert);
    }
    return context;
  } catch (const boost::system::system_error& e) {
    return fail(Errc::kTerminal, "collector TLS (--tls-cert " + options.tlsCert + ", --tls-key " +
                                     options.tlsKey + ", --tls-ca " + options.tlsCa +
                                     "): " + e.what());
  }
}

Result<void> Collector::start() {
  auto tcpEndpoint = endpointOf(impl_->options.listen);
  if (!tcpEndpoint) return tl::unexpected(tcpEndpoint.error());
  const bool tls = !impl_->options.tlsCert.empty() || !impl_->options.tlsKey.empty();
  if (!tls && !tcpEndpoint->first.is_loopback()) {
    return fail(Errc::kTerminal,
                "the collector listens beyond loopback (" + impl_->options.listen +
                    ") only with TLS: give --tls-cert and --tls-key (and --tls-ca to require "
                    "agents' client certificates)");
  }
  if (tls) {
    auto context = tlsContext(impl_->options);
    if (!context) return tl::unexpected(context.error());
    impl_->tls = std::move(*context);
  }
  boost::system::error_code ec;
  const tcp::endpoint endpoint(tcpEndpoint->first, tcpEndpoint->second);
  impl_->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(endpoint, ec);
  if (!ec) impl_->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return fail(Errc::kUnavailable,
                "cannot listen on " + impl_->options.listen + ": " + ec.message());
  }
  if (!impl_->options.udpListen.empty()) {
    auto udpEndpoint = endpointOf(impl_->options.udpListen);
    if (!udpEndpoint) return tl::unexpected(udpEndpoint.error());
    // UDP has no peer verification and no retransmission: it stays on this host.
    if (!udpEndpoint->first.is_loopback()) {
      return fail(Errc::kTerminal, "UDP is accepted on loopback only, not " +
                                       impl_->options.udpListen + " (use TCP with TLS)");
    }
    const udp::endpoint local(udpEndpoint->first, udpEndpoint->second);
    impl_->datagrams.open(local.protocol(), ec);
    if (!ec) impl_->datagrams.bind(local, ec);
    if (ec) {
      return fail(Errc::kUnavailable,
                  "cannot listen on udp " + impl_->options.udpListen + ": " + ec.message());
    }
    impl_->receiveDatagram();
  }
  impl_->accept();
  impl_->armFlush();
  impl_->started = true;
  impl_->committer = std::thread([impl = impl_.get()] { impl->commitLoop(); });
  impl_->thread = std::thread([impl = impl_.get()] { impl->context.run(); });
  return {};
}

void Collector::stop() {
  if (!impl_ || !impl_->started) return;
  impl_->started = false;
  net::post(impl_->context, [impl = impl_.get()] {
    boost::system::error_code ignored;
    impl->acceptor.close(ignored);
    impl->datagrams.close(ignored);
    impl->flushTimer.cancel();
    impl->closeFloodWindows(Clock::time_point::max());
    impl->flush();
    impl->forwarders.clear();
    impl->context.stop();
  });
  impl_->thread.join();
  {
    // The batches already handed over are committed before the committer ends.
    std::lock_guard lock(impl_->batchesMutex);
    impl_->committerStopping = true;
    impl_->batchesChanged.notify_all();
  }
  impl_->committer.join();
}

int Collector::tcpPort() const {
  boost::system::error_code ec;
  const auto local = impl_->acceptor.local_endpoint(ec);
  return ec ? 0 : local.port();
}

CollectorCounters Collector::counters() const {
  return {impl_->received.load(),       impl_->stored.load(),       impl_->duplicates.load(),
          impl_->malformedCount.load(), impl_->deduplicated.load(), impl_->floodFolded.load(),
          impl_->pruned.load()};
}

}  // namespace decnet::pipeline
