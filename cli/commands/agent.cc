// decnet agent --node NAME [--controller URL]: the node agent alone, against a remote API
// server (decnet up embeds the same agent as node "local").
#include "agents/agent.h"

#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <thread>

#include "api/client/swappable_client.h"
#include "api/rest/rest_client.h"
#include "api/types/clock.h"
#include "apiserver/auth/certificate_authority.h"
#include "apiserver/auth/identity.h"
#include "cli/context.h"
#include "cli/control_plane.h"
#include "cli/kubeconfig.h"
#include "cli/logging.h"
#include "cli/metrics_endpoint.h"
#include "cli/security.h"
#include "cli/signals.h"

namespace decnet::cli {
namespace {

[[noreturn]] void refuseJoin(const std::string& why) {
  std::cerr << "error: " << why << "\n";
  throw CLI::RuntimeError(kExitError);
}

// Over https: fetches the controller's CA without trusting it yet, checks it against the hash
// the operator pinned (kubeadm's --discovery-token-ca-cert-hash), and returns it.
std::string pinnedCa(const std::string& server, const std::string& caHash) {
  if (caHash.empty()) {
    refuseJoin(
        "joining " + server +
        " over https needs --ca-hash sha256:... (`decnet up` and "
        "`decnet controller` print it), so that the agent knows it talks to your controller");
  }
  api::RestClientOptions unverified;
  unverified.insecureSkipVerify = true;
  auto answer = api::getJson(server, "/api/v1/auth/ca", unverified);
  if (!answer) refuseJoin("cannot fetch the CA of " + server + ": " + describe(answer.error()));
  const std::string ca = answer->value("ca", "");
  const std::string actual = apiserver::auth::publicKeyHash(ca);
  if (actual != caHash) {
    refuseJoin("the CA of " + server + " has the hash " + (actual.empty() ? "(none)" : actual) +
               ", not the --ca-hash " + caHash + "; not joining (is this your controller?)");
  }
  return ca;
}

// Joins `server` as `node` with `bootstrapToken`: over https with a CSR, so the node gets its
// own client certificate (mTLS); over plain http (loopback) a node token. Kept in `kept`.
void join(const std::string& server, const std::string& node, const std::string& bootstrapToken,
          const std::string& caHash, const std::string& kept) {
  Kubeconfig config;
  config.server = server;
  config.user = std::string(apiserver::auth::kNodeSubjectPrefix) + node;
  config.path = kept;
  api::Json request = {{"node", node}, {"token", bootstrapToken}};
  api::RestClientOptions client;
  std::string key;
  if (server.rfind("https://", 0) == 0) {
    config.caPem = client.caPem = pinnedCa(server, caHash);
    auto made = apiserver::auth::makeKeyAndRequest(config.user);
    if (!made) refuseJoin(describe(made.error()));
    request["csr"] = made->requestPem;
    key = made->keyPem;
  }
  auto joined = api::postJson(server, "/api/v1/auth/node", request, client);
  if (!joined) {
    refuseJoin("cannot join " + server + " as node " + node + ": " + describe(joined.error()));
  }
  if (key.empty()) {
    config.token = joined->value("access_token", "");
  } else {
    config.clientCertificatePem = joined->value("certificate", "");
    config.clientKeyPem = key;
  }
  if (auto written = writeKubeconfig(kept, config); !written) refuseJoin(describe(written.error()));
  std::cout << "joined " << server << " as node " << node
            << (key.empty() ? " (token)" : " (client certificate, mTLS)") << std::endl;
}

// A client certificate with under 30 days left is renewed over the mTLS link it still works on.
// True when it was.
bool renewIfExpiring(const std::string& kept) {
  auto config = readKubeconfig(kept);
  if (!config || config->clientCertificatePem.empty() ||
      apiserver::auth::secondsLeft(config->clientCertificatePem) > 30 * 86400) {
    return false;
  }
  auto made = apiserver::auth::makeKeyAndRequest(config->user);
  if (!made) return false;
  api::RestClientOptions client{"", config->caPem, config->clientCertificatePem,
                                config->clientKeyPem, false};
  auto renewed =
      api::postJson(config->server, "/api/v1/auth/renew", {{"csr", made->requestPem}}, client);
  if (!renewed || renewed->value("certificate", "").empty()) {
    std::cerr << "warning: cannot renew the node certificate in " << kept << ": "
              << (renewed ? "no certificate in the answer" : describe(renewed.error())) << "\n";
    return false;
  }
  config->clientCertificatePem = renewed->value("certificate", "");
  config->clientKeyPem = made->keyPem;
  if (!writeKubeconfig(kept, *config)) return false;
  std::cout << "node certificate renewed" << std::endl;
  return true;
}

// Whether `kept` already holds this node's identity from joining `server`: the bootstrap token
// is then not needed again (as kubelet uses its kubeconfig once it has one).
bool alreadyJoined(const std::string& kept, const std::string& server, const std::string& node) {
  auto config = readKubeconfig(kept);
  return config && config->server == server &&
         config->user == std::string(apiserver::auth::kNodeSubjectPrefix) + node;
}

// The agent's identity: a fresh one when it joins with a bootstrap token (kept in
// <data-dir>/node.conf, as kubelet.conf), else the one kept from an earlier join, else the
// CLI's (admin.conf on the controller's own host).
api::ClientPtr connectAsNode(const Globals& globals, const std::string& node,
                             const std::string& dataDir, const std::string& bootstrapToken,
                             const std::string& caHash) {
  const std::string kept = dataDir + "/node.conf";
  if (!bootstrapToken.empty() && !alreadyJoined(kept, serverUrl(globals), node)) {
    std::filesystem::create_directories(dataDir);
    join(serverUrl(globals), node, bootstrapToken, caHash, kept);
  }
  if (::access(kept.c_str(), R_OK) == 0) {
    renewIfExpiring(kept);
    Globals asNode = globals;
    asNode.kubeconfig = kept;
    return connect(asNode);
  }
  return connect(globals);
}

// The collector link beyond loopback without --tls-* flags: the node's own certificate from its
// join (node.conf), which `decnet up`'s collector accepts, and the controller's CA.
agents::TlsFiles collectorTlsFromNodeIdentity(const agents::AgentOptions& agent) {
  const std::string kept = agent.dataDir + "/node.conf";
  auto identity = readKubeconfig(kept);
  auto files = identity ? writeJoinedNodeTls(agent.dataDir, *identity)
                        : Result<agents::TlsFiles>(tl::unexpected(identity.error()));
  if (!files) {
    refuseJoin("the collector " + agent.collector +
               " is beyond loopback, so events travel over TLS: join an https controller with "
               "--token (the node's certificate is then used), or give --tls-cert, --tls-key and "
               "--tls-ca (" +
               describe(files.error()) + ")");
  }
  return *files;
}

// While the agent runs: checks the node certificate in <data-dir>/node.conf every `every` and
// renews it with under 30 days left; the API client then switches to the new certificate, and
// the collector link's files are rewritten (used from its next connection). Stops with the
// object.
class CertificateRenewal {
 public:
  CertificateRenewal(Globals target, std::string dataDir, std::chrono::seconds every,
                     std::shared_ptr<api::SwappableClient> client, bool collectorFiles)
      : thread_([=, this] {
          const std::string kept = dataDir + "/node.conf";
          std::unique_lock lock(mutex_);
          while (!wake_.wait_for(lock, every, [this] { return stopping_; })) {
            if (::access(kept.c_str(), R_OK) != 0 || !renewIfExpiring(kept)) continue;
            Globals asNode = target;
            asNode.kubeconfig = kept;
            client->replace(connect(asNode));
            if (auto renewed = readKubeconfig(kept); renewed && collectorFiles) {
              (void)writeJoinedNodeTls(dataDir, *renewed);
            }
          }
        }) {}
  ~CertificateRenewal() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts once the members it uses exist
};

}  // namespace

void addAgentCommand(CLI::App& app, Globals& globals) {
  struct Options {
    agents::AgentOptions agent;
    std::string controller;
    std::vector<std::string> labels;
    std::string metricsListen;
    std::string bootstrapToken;
    std::string caHash;
    std::chrono::seconds certificateCheck{std::chrono::hours(1)};
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "agent", "Run the node agent: turns this node's deckies into real fake hosts");
  cmd->footer(
      "Registers a Node, heartbeats, and runs the deckies scheduled onto it (namespaces,\n"
      "macvlan links, decoys); their events go to <data-dir>/spool/<node>.log.\n\n"
      "Joins with a bootstrap token (decnet token create) the first time; over https it pins the\n"
      "controller's CA (--ca-hash) and gets its own client certificate (mTLS), kept in\n"
      "<data-dir>/node.conf, which later starts use (the token is not needed again). The\n"
      "certificate is renewed with under 30 days left, at start and while running.\n\n"
      "Examples:\n  decnet agent --node sensor-2 --controller https://10.0.0.5:8000 --token T \\\n"
      "      --ca-hash sha256:... -l site=branch\n"
      "  decnet agent --node lab --capacity 50");
  cmd->add_option("--node", options->agent.node, "Node name")->required();
  cmd->add_option("--controller", options->controller,
                  "API server URL (default --server / DECNET_SERVER)");
  cmd->add_option("--data-dir", options->agent.dataDir, "Pid files, decoy logs and the spool")
      ->capture_default_str();
  cmd->add_option("-l,--label", options->labels, "Node label key=value (for nodeSelector)");
  cmd->add_option("--capacity", options->agent.capacity, "Deckies this node accepts")
      ->capture_default_str();
  cmd->add_option("--collector", options->agent.collector,
                  "Ship the spool to this `decnet collect` HOST:PORT (resends after cuts, no "
                  "doubles); unset: the spool stays on this host");
  cmd->add_option("--tls-cert", options->agent.collectorTls.cert,
                  "This node's certificate (PEM) for the collector; TLS is required off loopback. "
                  "Default there: the node certificate from joining (node.conf)");
  cmd->add_option("--tls-key", options->agent.collectorTls.key, "Its private key (PEM)");
  cmd->add_option("--tls-ca", options->agent.collectorTls.ca,
                  "CA (PEM) that signed the collector's certificate, which must name its address");
  cmd->add_option("--decoy-user", options->agent.user, "Unprivileged user the decoys run as")
      ->capture_default_str();
  cmd->add_option("--token", options->bootstrapToken,
                  "Bootstrap token (decnet token create) to join with: the agent gets its own "
                  "node identity, kept in <data-dir>/node.conf for restarts");
  cmd->add_option("--ca-hash", options->caHash,
                  "sha256:... of the controller's CA (printed by decnet up/controller): checked "
                  "before joining over https");
  cmd->add_option_function<std::string>(
         "--certificate-check",
         [options](const std::string& text) {
           auto every = api::parseDuration(text);
           if (!every) throw CLI::ValidationError("--certificate-check", "a duration such as 1h");
           options->certificateCheck = *every;
         },
         "How often the running agent checks its node certificate, renewed with under 30 days "
         "left (also at each start)")
      ->default_str("1h");
  cmd->add_option("--metrics-listen", options->metricsListen,
                  "Serve Prometheus /metrics (decoys, attackers, credentials, spool) on HOST:PORT");
  cmd->callback([options, &globals] {
    setupLogging("agent", globals.logLevel);
    metrics::Registry registry;
    if (!options->metricsListen.empty()) options->agent.metrics = &registry;
    auto metricsServer = serveMetrics(registry, options->metricsListen);
    Globals target = globals;
    if (!options->controller.empty()) target.server = options->controller;
    for (const auto& label : options->labels) {
      auto eq = label.find('=');
      if (eq == std::string::npos) {
        std::cerr << "error: --label takes key=value\n";
        throw CLI::RuntimeError(kExitUsage);
      }
      options->agent.labels[label.substr(0, eq)] = label.substr(eq + 1);
    }
    options->agent.binary = decoyBinary();
    const sigset_t signals = blockTerminationSignals();
    auto client = std::make_shared<api::SwappableClient>(
        connectAsNode(target, options->agent.node, options->agent.dataDir, options->bootstrapToken,
                      options->caHash));
    const bool collectorFromIdentity = !options->agent.collector.empty() &&
                                       !options->agent.collectorTls.enabled() &&
                                       !agents::isLoopbackAddress(options->agent.collector);
    if (collectorFromIdentity) {
      options->agent.collectorTls = collectorTlsFromNodeIdentity(options->agent);
    }
    agents::Agent agent(*client, options->agent, agents::makeNetlinkDriver(),
                        agents::makeProcessRuntime({options->agent.binary, options->agent.dataDir,
                                                    options->agent.user, options->agent.sandbox}));
    if (auto started = agent.start(); !started) {
      std::cerr << "error: " << describe(started.error()) << "\n";
      throw CLI::RuntimeError(kExitError);
    }
    {
      CertificateRenewal renewal(target, options->agent.dataDir, options->certificateCheck, client,
                                 collectorFromIdentity);
      waitForTermination(signals);
    }
    metricsServer.reset();  // stop serving before the agent its series read from goes away
    agent.stop();
  });
}

}  // namespace decnet::cli
