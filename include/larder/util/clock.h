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

// Milliseconds of steady_clock: for intervals that must not follow the wall
// clock's jumps.
inline std::int64_t steady_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

// Microseconds of steady_clock, likewise.
inline std::int64_t steady_us() {
  using namespace std::chrono;
  return duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count();
}

namespace detail {
// The CPU has an invariant time-stamp counter (CPUID 0x80000007 EDX bit 8).
extern const bool tsc_invariant;
}  // namespace detail

// The invariant time-stamp counter where there is one (a few nanoseconds per
// reading), else steady_clock's nanoseconds.
inline std::uint64_t cycles() {
#if defined(__x86_64__) || defined(__i386__)
  if (detail::tsc_invariant) return __rdtsc();
#endif
  return static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
}

// Microseconds in `n` ticks of cycles(); the rate is measured against
// steady_clock on first use (a few ms; call it once at startup).
std::uint64_t cycles_to_us(std::uint64_t n);
// Microseconds since `start`, a reading of cycles(); 0 if the counter went
// backwards (another core's counter, a resumed VM).
inline std::uint64_t us_since(std::uint64_t start) {
  const std::uint64_t now = cycles();
  return now > start ? cycles_to_us(now - start) : 0;
}

}  // namespace larder::util
