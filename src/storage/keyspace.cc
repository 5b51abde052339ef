#include "larder/storage/keyspace.h"

namespace larder::storage {

Keyspace::Keyspace(int databases)
    : databases_(databases), avg_ttl_(std::make_unique<std::atomic<std::int64_t>[]>(databases)) {
  shards_.reserve(kShardCount);
  for (std::size_t i = 0; i < kShardCount; ++i) shards_.push_back(std::make_unique<Shard>(databases));
}

void Keyspace::sample_ttl(int db, std::int64_t sample_avg_ms) {
  // Like Redis: the new sample weighs 2% so the estimate moves smoothly.
  std::int64_t old = avg_ttl_[db].load(std::memory_order_relaxed);
  std::int64_t next = old == 0 ? sample_avg_ms : (old / 50) * 49 + sample_avg_ms / 50;
  avg_ttl_[db].store(next, std::memory_order_relaxed);
}

ShardStats Keyspace::stats() {
  ShardStats total;
  for (auto& shard : shards_) {
    std::lock_guard lock(shard->mutex());
    total.add(shard->stats());
  }
  return total;
}

}  // namespace larder::storage
