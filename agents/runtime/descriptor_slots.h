#pragma once
// Low descriptor numbers the agent keeps open to hand descriptors to a decoy it starts. The
// child shares the agent's descriptor table (CLONE_FILES) and unshares only the entries up to
// the highest slot (close_range with CLOSE_RANGE_UNSHARE), instead of copying the whole table
// and then closing it: at 1,000 deckies the agent holds a pidfd per decoy and a socket per
// namespace, and the copy-then-close cost grew with every decky started.
#include <array>
#include <cstddef>

namespace decnet::agents {

class DescriptorSlots {
 public:
  static constexpr std::size_t kCount = 5;

  // Opens kCount slots on /dev/null (O_CLOEXEC) at the lowest free numbers from `lowest` up.
  explicit DescriptorSlots(int lowest);
  ~DescriptorSlots();
  DescriptorSlots(const DescriptorSlots&) = delete;
  DescriptorSlots& operator=(const DescriptorSlots&) = delete;

  // True when every slot is open.
  [[nodiscard]] bool usable() const;
  // Makes slot `index` refer to what `fd` refers to and returns the slot's number; -1 when `fd`
  // is negative (the slot keeps /dev/null). The number never becomes free meanwhile, so no
  // other thread's open() can take it. Not thread-safe: one caller at a time.
  int hold(std::size_t index, int fd);
  // Points every slot back at /dev/null, so the agent keeps nothing a child was handed (a
  // namespace, a log file) open.
  void release();
  // The highest slot number: a child needs the table up to it.
  [[nodiscard]] int highest() const;

 private:
  std::array<int, kCount> slots_{};
  int devNull_ = -1;
};

}  // namespace decnet::agents
