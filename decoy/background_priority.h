#pragma once
// Work a decoy does for itself in the background (making its RSA host key: up to a CPU-second)
// must not slow the agent and the other decoys starting around it. Each decoy runs in its own
// session, and with the kernel's autogroup scheduling every session weighs as much as any
// other whatever its threads' nice values; only the session's own nice value
// (/proc/self/autogroup) moves its weight.
namespace decnet::decoy {

class BackgroundPriority {
 public:
  // Opens /proc/self/autogroup and reads its nice value now, while files can still be opened
  // (before the sandbox). Inert when the kernel has no autogroup.
  BackgroundPriority();
  ~BackgroundPriority();
  BackgroundPriority(const BackgroundPriority&) = delete;
  BackgroundPriority& operator=(const BackgroundPriority&) = delete;

  // Gives the whole session the lowest weight (nice 19) until restore(): use it in a session
  // leader only. False when refused.
  bool lower();
  // Puts back the nice value read at construction, waiting out the kernel's rate limit for
  // unprivileged changes (one per 100 ms on the host). False when it could not.
  bool restore();
  // The autogroup's nice value as read at construction; nullopt-like -100 when unknown.
  int original() const { return original_; }

 private:
  bool set(int nice);
  int fd_ = -1;
  int original_ = -100;
};

}  // namespace decnet::decoy
