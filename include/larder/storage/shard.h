#pragma once
// A shard owns one Table per database for the keys whose hash routes to it,
// plus its statistics. Its mutex guards all of it: whoever touches a shard's
// tables or stats holds `mutex` (see ShardLocks for the lock order).

#include <cstdint>
#include <mutex>
#include <vector>

#include "larder/storage/table.h"

namespace larder::storage {

struct ShardStats {
  std::uint64_t keyspace_hits = 0;
  std::uint64_t keyspace_misses = 0;
  std::uint64_t expired_keys = 0;
};

class Shard {
 public:
  explicit Shard(int databases) : tables_(databases) {}

  std::mutex& mutex() { return mutex_; }
  Table& table(int db) { return tables_[db]; }
  ShardStats& stats() { return stats_; }

 private:
  std::mutex mutex_;
  std::vector<Table> tables_;
  ShardStats stats_;
};

}  // namespace larder::storage
