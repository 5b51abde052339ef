#include "larder/storage/shard_locks.h"

namespace larder::storage {

void ShardLocks::acquire() {
  if (keyspace_.single_owner()) return;  // nothing else can reach the shards
  for (std::size_t i = wanted_._Find_first(); i < kShardCount; i = wanted_._Find_next(i)) {
    if (!held_.test(i)) {
      keyspace_.shard(i).mutex().lock();
      held_.set(i);
    }
  }
}

void ShardLocks::release() {
  for (std::size_t i = held_._Find_first(); i < kShardCount; i = held_._Find_next(i)) {
    keyspace_.shard(i).mutex().unlock();
  }
  held_.reset();
  wanted_.reset();
}

}  // namespace larder::storage
