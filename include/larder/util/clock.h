#pragma once
// Clocks. unix_time_ms() is the wall clock used for expiry deadlines (absolute
// unix ms, as EXPIREAT and PXAT need); connections read it once per batch of
// commands and storage code takes `now` as a parameter, which is how tests move
// time. cycles() is a cheap monotonic tick count for measuring how long a
// command ran; cycles_to_us() converts a difference of two readings.

#include <chrono>
#include <cstdint>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif

namespace larder::util {

inline std::int64_t unix_time_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

#if defined(__x86_64__) || defined(__i386__)
// The invariant time-stamp counter: a few nanoseconds per reading.
inline std::uint64_t cycles() { return __rdtsc(); }
#else
inline std::uint64_t cycles() {
  return static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
}
#endif

// Microseconds in `n` ticks of cycles(); the rate is measured against
// steady_clock on first use (about 2 ms; call it once at startup).
std::uint64_t cycles_to_us(std::uint64_t n);

}  // namespace larder::util
