#include "pipeline/common/leased_worker.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <random>

namespace decnet::pipeline {

std::string defaultHolder() {
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  std::random_device random;
  return std::string(host) + ":" + std::to_string(getpid()) + ":" +
         std::to_string(random() % 100000);
}

LeasedWorker::LeasedWorker(AnalysisStore& store, LeasedWorkerOptions options, WorkerStep step)
    : store_(store), options_(std::move(options)), step_(std::move(step)) {
  if (options_.holder.empty()) options_.holder = defaultHolder();
}

LeasedWorker::~LeasedWorker() { stop(); }

void LeasedWorker::start() {
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void LeasedWorker::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (leader_.exchange(false)) (void)store_.releaseLease(options_.worker, options_.holder);
}

bool LeasedWorker::renew() {
  auto held = store_.acquireLease(options_.worker, options_.holder, options_.leaseTtl);
  if (!held) {
    spdlog::warn("{}: cannot reach the lease: {}", options_.worker, held.error().message);
    leader_ = false;
    return false;
  }
  if (*held != leader_.exchange(*held)) {
    if (*held) {
      spdlog::info("{}: this copy ({}) holds the lease and works", options_.worker,
                   options_.holder);
    } else {
      auto other = store_.leaseHolder(options_.worker);
      spdlog::info("{}: standby, another copy ({}) holds the lease", options_.worker,
                   other ? *other : std::string("?"));
    }
  }
  return *held;
}

void LeasedWorker::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    std::size_t done = 0;
    if (renew()) {
      auto stepped = step_(options_.holder);
      if (stepped) {
        done = *stepped;
        handled_ += done;
      } else if (stepped.error().code == Errc::kConflict) {
        leader_ = false;  // the lease ran out during the step: nothing was written
      } else {
        spdlog::warn("{}: {}", options_.worker, stepped.error().message);
      }
    }
    lock.lock();
    if (done == 0) {
      // A standby polls at a third of the lease's life, so it takes over soon after expiry.
      const auto wait = leader_ ? options_.idleWait : options_.leaseTtl / 3;
      wake_.wait_for(lock, wait, [this] { return stopping_.load(); });
    }
  }
}

Result<std::size_t> LeasedWorker::drain() {
  if (!renew()) {
    auto other = store_.leaseHolder(options_.worker);
    return fail(Errc::kConflict, "another " + options_.worker + " (" +
                                     (other ? *other : std::string("?")) +
                                     ") holds the lease; this one would double its work");
  }
  std::size_t total = 0;
  while (true) {
    auto stepped = step_(options_.holder);
    if (!stepped) {
      (void)store_.releaseLease(options_.worker, options_.holder);
      leader_ = false;
      return tl::unexpected(stepped.error());
    }
    total += *stepped;
    if (*stepped == 0) break;
    if (!renew()) return fail(Errc::kConflict, "lost the " + options_.worker + " lease");
  }
  (void)store_.releaseLease(options_.worker, options_.holder);
  leader_ = false;
  handled_ += total;
  return total;
}

}  // namespace decnet::pipeline
