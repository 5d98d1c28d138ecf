#pragma once
// Long-running commands stop on SIGINT/SIGTERM: the signals are blocked before any thread
// starts (threads inherit the mask), then the main thread waits for one.
#include <signal.h>

#include <chrono>

namespace decnet::cli {

// Call before starting threads. Returns the set to wait on.
sigset_t blockTerminationSignals();
// Blocks until SIGINT or SIGTERM arrives; returns which.
int waitForTermination(const sigset_t& signals);
// Waits at most `timeout` for SIGINT or SIGTERM; true when one arrived.
bool waitForTerminationFor(const sigset_t& signals, std::chrono::milliseconds timeout);

}  // namespace decnet::cli
