#pragma once
// Active expiry: walks every table that holds keys with a TTL from a saved
// cursor and deletes the expired ones, a bounded slice per step.
// Not thread-safe itself: one owner calls step(); it locks one shard at a time.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

#include "larder/storage/keyspace.h"

namespace larder::storage {

struct SweepBudget {
  std::chrono::steady_clock::duration time = std::chrono::milliseconds(1);
  std::size_t max_buckets = SIZE_MAX;  // also stops the step (for tests)
};

struct SweepResult {
  std::size_t checked = 0;           // entries looked at
  std::size_t checked_volatile = 0;  // of those, entries with a TTL (the expired included)
  std::size_t expired = 0;           // entries deleted
  bool wrapped = false;     // the cursor went round the whole keyspace

  // Worth another step soon: a large share of what was checked had expired.
  bool busy() const { return expired > 0 && expired * 4 >= checked; }
};

// Active expiry's figures for INFO, as Redis keeps them: the time spent
// sweeping (expire_cycle_cpu_milliseconds) and a running estimate of the
// share of keys with a TTL that have expired but are not deleted yet
// (expired_stale_perc). The sweeping thread adds; any thread reads.
class ExpiryStats {
 public:
  // Steps counted as one cycle at most: a sweep that stays busy (keys
  // expiring in bulk) still moves the estimate.
  static constexpr int kStepsPerCycle = 25;

  // A step took `ns` nanoseconds and found `r`.
  void add_step(const SweepResult& r, std::uint64_t ns) {
    time_ns_.store(time_ns_.load(std::memory_order_relaxed) + ns, std::memory_order_relaxed);
    cycle_checked_ += r.checked_volatile;
    cycle_expired_ += r.expired;
    if (++cycle_steps_ == kStepsPerCycle) end_cycle();
  }
  // A sweep cycle ended: the share of expired keys among the keys with a TTL
  // it checked enters the estimate with a weight of 5% (Redis's, per cycle).
  // A cycle without a step (already ended by add_step, or no sweep ran)
  // changes nothing.
  void end_cycle() {
    if (cycle_steps_ == 0) return;
    cycle_steps_ = 0;
    const double share = cycle_checked_ > 0 ? static_cast<double>(cycle_expired_) / cycle_checked_ : 0;
    stale_.store(share * 0.05 + stale_.load(std::memory_order_relaxed) * 0.95, std::memory_order_relaxed);
    cycle_checked_ = cycle_expired_ = 0;
  }
  std::uint64_t time_ms() const { return time_ns_.load(std::memory_order_relaxed) / 1'000'000; }
  double stale_percent() const { return stale_.load(std::memory_order_relaxed) * 100; }
  // CONFIG RESETSTAT (any thread).
  void reset() {
    time_ns_.store(0, std::memory_order_relaxed);
    stale_.store(0, std::memory_order_relaxed);
  }

 private:
  std::atomic<std::uint64_t> time_ns_{0};
  std::atomic<double> stale_{0};
  int cycle_steps_ = 0;  // the sweeping thread's
  std::size_t cycle_checked_ = 0;
  std::size_t cycle_expired_ = 0;
};

class ExpirySweeper {
 public:
  explicit ExpirySweeper(Keyspace& keyspace) : keyspace_(keyspace) {}

  SweepResult step(std::int64_t now_ms, const SweepBudget& budget);

 private:
  Keyspace& keyspace_;
  std::size_t shard_ = 0;
  int db_ = 0;
  std::uint64_t cursor_ = 0;
};

}  // namespace larder::storage
