#pragma once
// Helpers for tests that drive real processes: run a command, start and stop `decnet up`.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace decnet::testing {

struct CommandResult {
  int exitCode = -1;
  std::string output;  // stdout and stderr, interleaved
};

// Runs `command` through /bin/sh, capturing stdout+stderr.
inline CommandResult run(const std::string& command) {
  CommandResult result;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buffer{};
  std::size_t n;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    result.output.append(buffer.data(), n);
  const int status = ::pclose(pipe);
  result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// A loopback port nobody listens on right now.
inline int freePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

inline std::string decnetBinary() {
  const char* env = std::getenv("DECNET_BINARY");
  return env != nullptr ? env : "decnet";
}

inline std::string sourceDir() {
  const char* env = std::getenv("DECNET_SOURCE_DIR");
  return env != nullptr ? env : ".";
}

// A child process (argv[0] is the program), stopped with SIGINT then SIGKILL on destruction;
// its stdout and stderr go to `logPath`.
class ChildProcess {
 public:
  ChildProcess(std::vector<std::string> args, const std::string& logPath) : logPath_(logPath) {
    pid_ = ::fork();
    if (pid_ == 0) {
      FILE* out = std::freopen(logPath.c_str(), "w", stdout);
      (void)out;
      ::dup2(STDOUT_FILENO, STDERR_FILENO);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      std::_Exit(127);
    }
  }
  ~ChildProcess() { stop(); }
  int stop() {
    if (pid_ <= 0) return 0;
    ::kill(pid_, SIGINT);
    for (int i = 0; i < 100; ++i) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = 0;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = 0;
    return -1;
  }
  std::string log() const { return run("cat " + logPath_).output; }

 private:
  std::string logPath_;
  pid_t pid_ = 0;
};

// `decnet up` in a child process with its own data dir; stopped (SIGINT, then SIGKILL) and its
// data dir removed on destruction, even when the test failed.
class DecnetUp {
 public:
  // `dataDir` empty: a fresh temp dir this object removes; else reuse it (a restart).
  explicit DecnetUp(std::vector<std::string> extraArgs = {}, const std::string& dataDir = "") {
    if (dataDir.empty()) {
      char pattern[] = "/tmp/decnet-test-XXXXXX";
      dataDir_ = ::mkdtemp(pattern);
      ownsDataDir_ = true;
    } else {
      dataDir_ = dataDir;
    }
    const int port = freePort();
    const bool tls =
        std::find(extraArgs.begin(), extraArgs.end(), "--tls-self-signed") != extraArgs.end();
    server_ = (tls ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(port);
    collectPort_ = freePort();
    std::vector<std::string> args = {
        decnetBinary(),     "up",
        "--data-dir",       dataDir_,
        "--listen",         "127.0.0.1:" + std::to_string(port),
        "--collect-listen", "127.0.0.1:" + std::to_string(collectPort_)};
    // Tests run several `decnet up` at once: the workers' fixed default metrics ports would
    // collide, so they serve none unless the test asks for a port.
    if (std::find(extraArgs.begin(), extraArgs.end(), "--worker-metrics-port") == extraArgs.end()) {
      args.insert(args.end(), {"--worker-metrics-port", "0"});
    }
    args.insert(args.end(), extraArgs.begin(), extraArgs.end());
    process_ = std::make_unique<ChildProcess>(args, dataDir_ + "/up.log");
    // Ready when the API answers.
    for (int i = 0; i < 100; ++i) {
      if (run("curl -sfk " + server_ + "/readyz").exitCode == 0) {
        ready_ = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  ~DecnetUp() {
    stop();
    if (ownsDataDir_) run("rm -rf " + dataDir_);
  }
  // Hands the data dir's removal to whoever reuses it next.
  void releaseDataDir() { ownsDataDir_ = false; }
  void adoptDataDir() { ownsDataDir_ = true; }
  // Graceful stop; returns the exit status (or -1 when it had to be killed). Idempotent.
  int stop() {
    if (process_) {
      exitStatus_ = process_->stop();
      process_.reset();
    }
    return exitStatus_;
  }
  // Runs `decnet ARGS` against this server, as the admin of <data-dir>/admin.conf.
  CommandResult cli(const std::string& args) const {
    return run(decnetBinary() + " --server " + server_ + " --kubeconfig " + kubeconfig() + " " +
               args);
  }
  // The admin identity `decnet up` wrote (a kubeconfig kubectl reads too).
  std::string kubeconfig() const { return dataDir_ + "/admin.conf"; }
  // curl's arguments that send the admin's bearer token.
  std::string bearer() const {
    const std::string config = run("cat " + kubeconfig()).output;
    const auto at = config.find("token: ");
    if (at == std::string::npos) return "";
    const auto end = config.find('\n', at);
    return "-H 'Authorization: Bearer " + config.substr(at + 7, end - at - 7) + "'";
  }
  bool ready() const { return ready_; }
  const std::string& server() const { return server_; }
  const std::string& dataDir() const { return dataDir_; }
  int collectPort() const { return collectPort_; }
  std::string log() const { return run("cat " + dataDir_ + "/up.log").output; }

 private:
  std::string dataDir_;
  std::string server_;
  int collectPort_ = 0;
  std::unique_ptr<ChildProcess> process_;
  bool ready_ = false;
  bool ownsDataDir_ = false;
  int exitStatus_ = -1;
};

}  // namespace decnet::testing
