#include "larder/storage/keyspace.h"

namespace larder::storage {

Keyspace::Keyspace(int databases) : databases_(databases) {
  shards_.reserve(kShardCount);
  for (std::size_t i = 0; i < kShardCount; ++i) shards_.push_back(std::make_unique<Shard>(databases));
}

ShardStats Keyspace::stats() {
  ShardStats total;
  for (auto& shard : shards_) {
    std::lock_guard lock(shard->mutex());
    total.keyspace_hits += shard->stats().keyspace_hits;
    total.keyspace_misses += shard->stats().keyspace_misses;
    total.expired_keys += shard->stats().expired_keys;
  }
  return total;
}

}  // namespace larder::storage
