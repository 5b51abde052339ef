#pragma once
// What an entry's 24-bit access field records, which depends on the eviction
// policy (as Redis's lru field does):
//  - kLru:   the LRU clock, unix seconds modulo 2^24.
//  - kLfu:   16 bits of minutes since the last decay, 8 bits of logarithmic
//            access counter (Redis's LFU: lfu-log-factor, lfu-decay-time).
//  - kSieve: an insertion sequence number; the entry's visited bit lives in
//            its flags. Eviction is SIEVE over sampled entries.
//  - kTinyLfu: the LRU clock as kLru (OBJECT IDLETIME answers); each access
//            also counts in the shard's FrequencySketch, and a new key takes
//            the window bit and a place in the AdmissionWindow (tinylfu.h).
// Switching policy at runtime reinterprets old stamps; they settle as keys
// are accessed again, as in Redis.

#include <atomic>
#include <cstdint>
#include <random>

namespace larder::storage {

enum class AccessMode : int { kLru = 0, kLfu = 1, kSieve = 2, kTinyLfu = 3 };

struct AccessPolicy {
  std::atomic<int> mode{static_cast<int>(AccessMode::kLru)};
  std::atomic<int> lfu_log_factor{10};
  std::atomic<int> lfu_decay_time{1};  // minutes per counter decrement

  AccessMode current() const { return static_cast<AccessMode>(mode.load(std::memory_order_relaxed)); }
};

namespace lfu {

inline constexpr std::uint32_t kInitialCounter = 5;

inline std::uint32_t minutes(std::int64_t now_ms) { return static_cast<std::uint32_t>(now_ms / 60000) & 0xffff; }
inline std::uint32_t counter(std::uint32_t access) { return access & 0xff; }
inline std::uint32_t stamp(std::uint32_t mins, std::uint32_t count) { return (mins << 8) | (count & 0xff); }

// The counter after decaying by the periods elapsed since the stamp.
inline std::uint32_t decayed(std::uint32_t access, std::int64_t now_ms, int decay_minutes) {
  const std::uint32_t now = minutes(now_ms);
  const std::uint32_t then = access >> 8;
  const std::uint32_t elapsed = now >= then ? now - then : 65535 - then + now;
  const std::uint32_t periods = decay_minutes > 0 ? elapsed / static_cast<std::uint32_t>(decay_minutes) : 0;
  const std::uint32_t c = counter(access);
  return periods > c ? 0 : c - periods;
}

// Logarithmic increment: the higher the counter, the less likely it grows.
inline std::uint32_t incremented(std::uint32_t c, int log_factor) {
  if (c >= 255) return 255;
  thread_local std::minstd_rand rng{std::random_device{}()};
  const double r = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
  const double base = c > kInitialCounter ? c - kInitialCounter : 0;
  const double p = 1.0 / (base * log_factor + 1);
  return r < p ? c + 1 : c;
}

}  // namespace lfu
}  // namespace larder::storage
