#pragma once
// Runs a decoy (decnet-decoy) as a child process on loopback for the service tests, and always
// stops it: SIGTERM, then SIGKILL, even when an assertion failed.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "api/types/object.h"
#include "tests/support/process.h"

namespace decnet::decoy::testing {

using namespace std::chrono_literals;
using decnet::testing::freePort;
using decnet::testing::run;

inline std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

class DecoyProcess {
 public:
  explicit DecoyProcess(const api::Json& spec, std::vector<std::string> extra = {}) {
    char pattern[] = "/tmp/decnet-decoy-test-XXXXXX";
    dir_ = ::mkdtemp(pattern);
    out_ = dir_ + "/events.log";
    err_ = dir_ + "/stderr.log";
    std::vector<std::string> args = {DECOY_BINARY, "--decky",   "decky-test", "--bind", "127.0.0.1",
                                     "--spec",     spec.dump(), "--out",      out_};
    args.insert(args.end(), extra.begin(), extra.end());
    pid_ = ::fork();
    if (pid_ == 0) {
      const int err = ::open(err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (err >= 0) ::dup2(err, STDERR_FILENO);
      std::vector<char*> argv;
      for (auto& arg : args) argv.push_back(arg.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      std::_Exit(127);
    }
  }

  ~DecoyProcess() {
    stop();
    run("rm -rf " + dir_);
  }

  DecoyProcess(const DecoyProcess&) = delete;
  DecoyProcess& operator=(const DecoyProcess&) = delete;

  // SIGTERM, up to 5 s grace, then SIGKILL. Returns the exit code, 128 + N when signal N ended
  // it (139: a crash), or -1 when it had to be killed.
  int stop() {
    if (pid_ <= 0) return status_;
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 100; ++i) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        pid_ = 0;
        return status_;
      }
      std::this_thread::sleep_for(50ms);
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = 0;
    return -1;
  }

  // True once `count` event lines contain every one of `needles`.
  bool waitFor(const std::vector<std::string>& needles, std::chrono::milliseconds timeout = 5s,
               std::size_t count = 1) const {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    do {
      if (lines(needles).size() >= count) return true;
      std::this_thread::sleep_for(20ms);
    } while (std::chrono::steady_clock::now() < deadline);
    return false;
  }

  std::vector<std::string> lines(const std::vector<std::string>& needles) const {
    std::vector<std::string> out;
    std::istringstream in(events());
    for (std::string line; std::getline(in, line);) {
      bool all = true;
      for (const auto& needle : needles) all = all && line.find(needle) != std::string::npos;
      if (all) out.push_back(line);
    }
    return out;
  }

  std::string events() const { return readFile(out_); }
  std::string stderrText() const { return readFile(err_); }
  pid_t pid() const { return pid_; }
  const std::string& dir() const { return dir_; }

  // A /proc/PID/status value in kB ("VmRSS", "RssAnon", "Threads" gives a count).
  long status(const std::string& key) const {
    std::istringstream in(readFile("/proc/" + std::to_string(pid_) + "/status"));
    for (std::string line; std::getline(in, line);) {
      if (line.rfind(key + ":", 0) == 0) return std::atol(line.c_str() + key.size() + 1);
    }
    return -1;
  }

 private:
  std::string dir_, out_, err_;
  pid_t pid_ = 0;
  int status_ = -1;
};

// A fixture with one decoy on `port_`: startDecoy() runs it and waits for its service; the
// teardown checks the sandbox denied nothing and the decoy exits cleanly.
class DecoyServiceTest : public ::testing::Test {
 protected:
  // Runs the decoy with `spec`; fails the set-up unless `service` listens on port_.
  void startDecoy(const std::string& service, const api::Json& spec) {
    decoy_ = std::make_unique<DecoyProcess>(spec);
    ASSERT_TRUE(decoy_->waitFor(
        {" " + service + " - listening ", "port=\"" + std::to_string(port_) + "\""}))
        << decoy_->events() << decoy_->stderrText();
  }

  void TearDown() override {
    if (decoy_) {
      EXPECT_EQ(decoy_->stderrText().find("seccomp"), std::string::npos) << decoy_->stderrText();
      EXPECT_EQ(decoy_->stop(), 0);
    }
  }

  int port_ = 0;
  std::unique_ptr<DecoyProcess> decoy_;
};

// A raw loopback TCP client for bytes curl and ssh would never send.
class RawClient {
 public:
  explicit RawClient(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~RawClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool connected() const { return connected_; }
  bool send(const std::string& data) {
    return ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(data.size());
  }
  // Reads until `stop` appears, the peer closes, or the timeout passes.
  std::string receive(std::chrono::milliseconds timeout = 3s, const std::string& stop = {}) {
    std::string out;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      char buffer[4096];
      const ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
      if (n <= 0) break;
      out.append(buffer, static_cast<std::size_t>(n));
      if (!stop.empty() && out.find(stop) != std::string::npos) break;
    }
    return out;
  }
  // True when the peer closed the connection within the timeout.
  bool closedByPeer(std::chrono::milliseconds timeout = 3s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      char buffer[4096];
      const ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
      if (n <= 0) return true;
    }
    return false;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

}  // namespace decnet::decoy::testing
