#include "larder/util/clock.h"

#include <algorithm>
#include <thread>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace larder::util {

namespace {

bool has_invariant_tsc() {
#if defined(__x86_64__) || defined(__i386__)
  unsigned a = 0, b = 0, c = 0, d = 0;
  // int under clang's cpuid.h, unsigned under GCC's.
  if (static_cast<unsigned>(__get_cpuid_max(0x80000000, nullptr)) < 0x80000007u) return false;
  __get_cpuid(0x80000007, &a, &b, &c, &d);
  return (d & (1u << 8)) != 0;
#else
  return false;
#endif
}

// Microseconds per tick of cycles(): the best of three 1 ms samples, each
// bracketed by steady_clock readings.
double measure_us_per_cycle() {
  using namespace std::chrono;
  if (!detail::tsc_invariant) return 0.001;  // cycles() counts nanoseconds
  double best = 0.0;
  for (int i = 0; i < 3; ++i) {
    const auto t0 = steady_clock::now();
    const std::uint64_t c0 = cycles();
    std::this_thread::sleep_for(milliseconds(1));
    const std::uint64_t c1 = cycles();
    const auto t1 = steady_clock::now();
    if (c1 <= c0) continue;
    const double us = static_cast<double>(duration_cast<nanoseconds>(t1 - t0).count()) / 1000.0;
    const double rate = us / static_cast<double>(c1 - c0);
    best = best == 0.0 ? rate : std::min(best, rate);
  }
  return best;
}

}  // namespace

namespace detail {
const bool tsc_invariant = has_invariant_tsc();
}  // namespace detail

std::uint64_t cycles_to_us(std::uint64_t n) {
  static const double us_per_cycle = measure_us_per_cycle();
  return static_cast<std::uint64_t>(static_cast<double>(n) * us_per_cycle);
}

}  // namespace larder::util
