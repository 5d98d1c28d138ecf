#include "cli/worker_supervisor.h"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>

namespace decnet::cli {

WorkerSupervisor::WorkerSupervisor(std::vector<std::string> argv) : argv_(std::move(argv)) {}

WorkerSupervisor::~WorkerSupervisor() { stop(); }

pid_t WorkerSupervisor::spawn() {
  std::vector<std::string> args = argv_;
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const pid_t parent = ::getpid();
  const pid_t child = ::fork();
  if (child == 0) {
    // A worker never outlives `decnet up`, even when up is killed with SIGKILL.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) std::_Exit(0);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);  // up blocks termination signals; the worker not
    ::execv(argv[0], argv.data());
    std::_Exit(127);
  }
  if (child > 0) ++starts_;
  return child;
}

void WorkerSupervisor::start() {
  pid_ = spawn();
  thread_ = std::thread([this] { supervise(); });
}

void WorkerSupervisor::supervise() {
  while (!stopping_.load()) {
    const pid_t child = pid_.load();
    int status = 0;
    if (child <= 0 || ::waitpid(child, &status, 0) != child) {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_.load(); });
    } else {
      pid_ = 0;
      if (stopping_.load()) break;
      spdlog::warn("{} {} exited ({}); starting it again", argv_[0],
                   argv_.size() > 1 ? argv_[1] : "",
                   WIFSIGNALED(status) ? "signal " + std::to_string(WTERMSIG(status))
                                       : "status " + std::to_string(WEXITSTATUS(status)));
      std::unique_lock lock(mutex_);
      // A worker that cannot start at all (a port taken) is not restarted in a tight loop.
      wake_.wait_for(lock, std::chrono::milliseconds(500), [&] { return stopping_.load(); });
    }
    if (stopping_.load()) break;
    if (pid_.load() == 0) pid_ = spawn();
  }
}

void WorkerSupervisor::stop() {
  if (stopping_.exchange(true)) return;
  wake_.notify_all();
  const pid_t child = pid_.load();
  if (child > 0) {
    ::kill(child, SIGTERM);
    for (int i = 0; i < 50 && ::kill(child, 0) == 0; ++i) {
      int status = 0;
      if (::waitpid(child, &status, WNOHANG) == child) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ::kill(child, SIGKILL);
  }
  if (thread_.joinable()) thread_.join();
  pid_ = 0;
}

}  // namespace decnet::cli
