#pragma once
// The machine's CPU time from /proc/stat, so a bench can print how much the hypervisor took
// (steal) while it ran: on this VM steal moves figures by 2-3x within a day, and results taken
// at different moments are only comparable beside it.
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>

namespace decnet::bench {

class HostCpu {
 public:
  HostCpu() : start_(read()) {}

  // Milliseconds one thread takes for a fixed chain of integer work (137 ms on 2026-12-03 at
  // 18:20 UTC): how fast the machine is right now, which steal alone does not show (a busy
  // neighbour on the same physical core slows it without stealing time).
  static double referenceMs() {
    const auto start = std::chrono::steady_clock::now();
    std::uint64_t x = 88172645463325252ull;
    for (int i = 0; i < 50'000'000; ++i) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
    }
    asm volatile("" : : "r"(x));  // the result counts as used: the loop stays
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
        .count();
  }

  // "steal 12 %, idle 18 %" of all CPU time since construction.
  std::string sinceStart() const {
    const auto now = read();
    std::array<double, 8> delta{};
    double total = 0;
    for (std::size_t i = 0; i < delta.size(); ++i) {
      delta[i] = static_cast<double>(now[i] - start_[i]);
      total += delta[i];
    }
    if (total <= 0) return "steal unknown";
    char text[96];
    std::snprintf(text, sizeof text, "steal %.0f %%, idle %.0f %%", 100 * delta[7] / total,
                  100 * (delta[3] + delta[4]) / total);
    return text;
  }

 private:
  // user nice system idle iowait irq softirq steal, in ticks, summed over every CPU.
  static std::array<unsigned long long, 8> read() {
    std::array<unsigned long long, 8> ticks{};
    std::ifstream in("/proc/stat");
    std::string cpu;
    in >> cpu;
    for (auto& value : ticks) in >> value;
    return ticks;
  }

  std::array<unsigned long long, 8> start_;
};

}  // namespace decnet::bench
