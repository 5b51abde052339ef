#pragma once
// Active expiry: walks every table that holds keys with a TTL from a saved
// cursor and deletes the expired ones, a bounded slice per step.
// Not thread-safe itself: one owner calls step(); it locks one shard at a time.

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
  std::size_t checked = 0;  // entries looked at
  std::size_t expired = 0;  // entries deleted
  bool wrapped = false;     // the cursor went round the whole keyspace

  // Worth another step soon: a large share of what was checked had expired.
  bool busy() const { return expired > 0 && expired * 4 >= checked; }
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
