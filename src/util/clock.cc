#include "larder/util/clock.h"

#include <thread>

namespace larder::util {

namespace {
double measure_us_per_cycle() {
  using namespace std::chrono;
  const auto t0 = steady_clock::now();
  const std::uint64_t c0 = cycles();
  std::this_thread::sleep_for(milliseconds(2));
  const std::uint64_t c1 = cycles();
  const auto t1 = steady_clock::now();
  const double us = static_cast<double>(duration_cast<nanoseconds>(t1 - t0).count()) / 1000.0;
  return c1 > c0 ? us / static_cast<double>(c1 - c0) : 0.0;
}
}  // namespace

std::uint64_t cycles_to_us(std::uint64_t n) {
  static const double us_per_cycle = measure_us_per_cycle();
  return static_cast<std::uint64_t>(static_cast<double>(n) * us_per_cycle);
}

}  // namespace larder::util
