// SSH on libssh in server mode. libssh blocks, the decoy's loop must not: Asio accepts, a relay
// on the loop (ssh_relay.h) bridges the TCP socket to one end of a socket pair, and a thread per
// session (ssh_session.cc) runs libssh on the other end. The factory picks the KEXINIT of the
// claimed OpenSSH release (ssh_kex.cc) and the decky's own host keys (ssh_host_keys.cc).
#include <openssl/crypto.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>

#include "api/catalog/catalog.h"
#include "decoy/memory_trim.h"
#include "decoy/services/ssh/ssh_host_keys.h"
#include "decoy/services/ssh/ssh_kex.h"
#include "decoy/services/ssh/ssh_relay.h"
#include "decoy/services/ssh/ssh_session.h"

namespace decnet::decoy::ssh {
namespace {

class SshService final : public Service {
 public:
  explicit SshService(std::shared_ptr<SshShared> shared) : shared_(std::move(shared)) {}

  ~SshService() override { shutdown(); }

  // decnet::decoy::Service
  void serve(std::shared_ptr<Connection> connection) override {
    std::erase_if(relays_, [](const auto& relay) { return relay.expired(); });
    {
      std::lock_guard lock(shared_->mutex);
      if (shared_->stopping || shared_->threads >= shared_->maxThreads) {
        connection->record("connection_refused", {{"reason", "limit"}});
        return;
      }
    }
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
      connection->record("internal_error", {{"error", std::strerror(errno)}}, {}, kSeverityError);
      return;
    }
    boost::system::error_code ec;
    SshRelay::Local inner(connection->socket().get_executor());
    inner.assign(asio::local::stream_protocol(), fds[0], ec);
    if (ec) {
      ::close(fds[0]);
      ::close(fds[1]);
      return;
    }
    auto info = std::make_shared<ClientInfo>();
    auto* args = new SessionArgs{shared_, connection->sink(), connection->peer(), fds[1], info, {}};
    boost::system::error_code localError;
    const auto local = connection->socket().local_endpoint(localError);
    if (!localError) args->localAddress = local.address().to_string();
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setstacksize(&attributes, kThreadStack);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    {
      std::lock_guard lock(shared_->mutex);
      ++shared_->threads;
    }
    pthread_t thread;
    const int rc = pthread_create(&thread, &attributes, sessionThread, args);
    pthread_attr_destroy(&attributes);
    if (rc != 0) {
      {
        std::lock_guard lock(shared_->mutex);
        --shared_->threads;
      }
      ::close(fds[1]);
      delete args;
      connection->record("internal_error", {{"error", std::strerror(rc)}}, {}, kSeverityError);
      return;
    }
    auto relay = std::make_shared<SshRelay>(std::move(connection), std::move(inner), info,
                                            "SSH-2.0-" + shared_->version + "\r\n");
    relay->start();
    relays_.push_back(relay);
  }

  void shutdown() override {
    {
      std::lock_guard lock(shared_->mutex);
      if (shared_->stopping && shared_->threads == 0) return;
      shared_->stopping = true;
    }
    shared_->changed.notify_all();
    for (auto& weak : relays_) {
      if (auto relay = weak.lock()) relay->close();
    }
    relays_.clear();
    // Sessions notice the closed socket (or the flag) within a second; don't let a stuck one
    // hold the process forever.
    std::unique_lock lock(shared_->mutex);
    shared_->changed.wait_for(lock, kShutdownGrace, [this] { return shared_->threads == 0; });
  }

 private:
  const std::shared_ptr<SshShared> shared_;
  std::vector<std::weak_ptr<SshRelay>> relays_;
};

bool validVersion(const std::string& version) {
  if (version.empty() || version.size() > 200) return false;
  if (!std::all_of(version.begin(), version.end(), [](char c) { return c >= 0x20 && c <= 0x7E; })) {
    return false;
  }
  const std::string software = version.substr(0, version.find(' '));
  return !software.empty() && software.find('-') == std::string::npos;
}

bool validHostname(const std::string& name) {
  return !name.empty() && name.size() <= 253 && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
  });
}

struct RsaTask {
  std::shared_ptr<SshShared> shared;
  RsaJob job;
};

// Makes the RSA host key off the startup path; later sessions offer it (accept copies the
// bind's keys under bindMutex).
void* rsaThread(void* raw) {
  std::unique_ptr<RsaTask> task(static_cast<RsaTask*>(raw));
  ssh_key key = makeRsaKey(task->job);
  if (key != nullptr) {
    std::lock_guard lock(task->shared->bindMutex);
    if (task->shared->isStopping() ||
        ssh_bind_options_set(task->shared->bind, SSH_BIND_OPTIONS_IMPORT_KEY, key) != SSH_OK) {
      ssh_key_free(key);
    }
  }
  // The key generation's code and scratch memory are not needed again. OpenSSL's per-thread
  // state is freed first, or the thread's exit would touch its code again.
  OPENSSL_thread_stop();
  releaseStartupMemory();
  return nullptr;
}

void startRsa(std::shared_ptr<SshShared> shared, RsaJob job) {
  auto* task = new RsaTask{std::move(shared), job};
  pthread_attr_t attributes;
  pthread_attr_init(&attributes);
  pthread_attr_setstacksize(&attributes, kThreadStack);
  pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
  pthread_t thread;
  if (pthread_create(&thread, &attributes, rsaThread, task) != 0) {
    if (job.fd >= 0) ::close(job.fd);
    if (job.lockFd >= 0) ::close(job.lockFd);
    delete task;
  }
  pthread_attr_destroy(&attributes);
}

std::string replaceAll(std::string text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

class SshServiceFactory final : public ServiceFactory {
 public:
  std::string_view name() const override { return "ssh"; }

  Result<ServicePtr> create(const api::ServiceSpec& spec,
                            const ServiceContext& context) const override {
    PersonaReader persona(spec);
    auto shared = std::make_shared<SshShared>();
    const auto& distro = *context.distro;
    shared->version = persona.text("version");
    if (shared->version.empty()) shared->version = distro.sshVersion;
    if (shared->version.empty()) shared->version = "OpenSSH_9.2p1 Debian-2+deb12u3";
    if (!validVersion(shared->version)) {
      persona.invalid("version",
                      "must be printable ASCII like \"OpenSSH_8.9p1 Ubuntu-3ubuntu0.6\" (no '-' "
                      "before the first space)");
    }
    FakeHost& host = shared->host;
    host.sshVersion = shared->version;
    host.hostname = persona.text("hostname");
    if (host.hostname.empty()) host.hostname = context.hostname;
    if (!validHostname(host.hostname)) {
      persona.invalid("hostname", "must be letters, digits, '-', '.' or '_'");
    }
    host.osFamily = context.osFamily == "windows" ? "windows" : "linux";
    host.prettyName = distro.prettyName;
    host.installDate = distro.installDate;
    std::string kernel = persona.text("kernel");
    if (kernel.empty() && host.osFamily != "windows") {
      kernel = distro.kernel.empty()
                   ? "Linux HOSTNAME 6.1.0-28-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 "
                     "(2024-11-22) x86_64 GNU/Linux"
                   : distro.kernel;
    }
    host.kernel = replaceAll(kernel, "HOSTNAME", host.hostname);
    if (host.kernel.find_first_of("\r\n") != std::string::npos) {
      persona.invalid("kernel", "must be one line");
    }
    host.users = persona.users("users");
    if (auto valid = persona.finish(); !valid) return tl::unexpected(valid.error());
    shared->maxThreads = context.maxConnections;

    // libssh and OpenSSL set up (and read their configuration) now, before the sandbox.
    static std::once_flag initialized;
    std::call_once(initialized, [] { ssh_init(); });
    shared->bind = ssh_bind_new();
    if (shared->bind == nullptr) return fail(Errc::kInternal, "ssh_bind_new failed");
    int verbosity = SSH_LOG_NOLOG;
    ssh_bind_options_set(shared->bind, SSH_BIND_OPTIONS_LOG_VERBOSITY, &verbosity);
    bool processConfig = false;
    ssh_bind_options_set(shared->bind, SSH_BIND_OPTIONS_PROCESS_CONFIG, &processConfig);
    // libssh sends (and hashes) "SSH-2.0-" + this; the relay sends the same line at accept.
    ssh_bind_options_set(shared->bind, SSH_BIND_OPTIONS_BANNER, shared->version.c_str());
    const KexProfile& profile = kexProfileFor(shared->version);
    shared->kexRelease = profile.release;
    if (!applyKexProfile(shared->bind, profile)) {
      return fail(Errc::kInternal, "libssh refused the OpenSSH " + profile.release + " algorithms");
    }
    auto rsa = loadHostKeys(shared->bind, context.stateDir, host.hostname, context.keygenLock);
    if (!rsa) return tl::unexpected(rsa.error());
    if (rsa->needed) startRsa(shared, *rsa);
    return std::make_unique<SshService>(std::move(shared));
  }
};

}  // namespace

DECNET_REGISTER_SERVICE(SshServiceFactory);

}  // namespace decnet::decoy::ssh
