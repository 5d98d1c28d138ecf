#pragma once
// Long-running commands stop on SIGINT/SIGTERM: the signals are blocked before any thread
// starts (threads inherit the mask), then the main thread waits for one.
#include <signal.h>

namespace decnet::cli {

// Call before starting threads. Returns the set to wait on.
sigset_t blockTerminationSignals();
// Blocks until SIGINT or SIGTERM arrives; returns which.
int waitForTermination(const sigset_t& signals);

}  // namespace decnet::cli
