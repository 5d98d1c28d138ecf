#include "agents/runtime/descriptor_slots.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

namespace decnet::agents {

DescriptorSlots::DescriptorSlots(int lowest) {
  slots_.fill(-1);
  devNull_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (devNull_ < 0) return;
  for (int& slot : slots_) slot = ::fcntl(devNull_, F_DUPFD_CLOEXEC, lowest);
}

DescriptorSlots::~DescriptorSlots() {
  for (int slot : slots_) {
    if (slot >= 0) ::close(slot);
  }
  if (devNull_ >= 0) ::close(devNull_);
}

bool DescriptorSlots::usable() const {
  return std::all_of(slots_.begin(), slots_.end(), [](int slot) { return slot >= 0; });
}

int DescriptorSlots::hold(std::size_t index, int fd) {
  if (fd < 0 || index >= slots_.size()) return -1;
  return ::dup3(fd, slots_[index], O_CLOEXEC) == slots_[index] ? slots_[index] : -1;
}

void DescriptorSlots::release() {
  for (int slot : slots_) {
    if (slot >= 0) ::dup3(devNull_, slot, O_CLOEXEC);
  }
}

int DescriptorSlots::highest() const { return *std::max_element(slots_.begin(), slots_.end()); }

}  // namespace decnet::agents
