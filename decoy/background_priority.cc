#include "decoy/background_priority.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

namespace decnet::decoy {

BackgroundPriority::BackgroundPriority() {
  fd_ = ::open("/proc/self/autogroup", O_RDWR | O_CLOEXEC);
  if (fd_ < 0) return;
  char text[128] = {};
  const ssize_t length = ::pread(fd_, text, sizeof text - 1, 0);
  int nice = 0;
  // "/autogroup-123 nice 0"
  if (length <= 0 || std::sscanf(text, "%*s nice %d", &nice) != 1) {
    ::close(fd_);
    fd_ = -1;
    return;
  }
  original_ = nice;
}

BackgroundPriority::~BackgroundPriority() {
  if (fd_ >= 0) ::close(fd_);
}

bool BackgroundPriority::set(int nice) {
  if (fd_ < 0) return false;
  const std::string text = std::to_string(nice);
  // Unprivileged, the kernel takes one autogroup change per 100 ms on the whole host (EAGAIN).
  for (int attempt = 0; attempt < 30; ++attempt) {
    // write, not pwrite: the file cannot seek (ESPIPE), and takes each write whole.
    if (::write(fd_, text.data(), text.size()) == static_cast<ssize_t>(text.size())) {
      return true;
    }
    if (errno != EBUSY && errno != EAGAIN) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

bool BackgroundPriority::lower() { return set(19); }

bool BackgroundPriority::restore() { return original_ != -100 && set(original_); }

}  // namespace decnet::decoy
