#include "larder/storage/shard_locks.h"

#include <thread>

namespace larder::storage {

void ShardLocks::acquire() {
  if (keyspace_.single_owner()) return;  // nothing else can reach the shards
  if (script_ && !script_held_) {
    keyspace_.script_mutex().lock();
    script_held_ = true;
  }
  const std::bitset<kShardCount> missing = wanted_ & ~held_;
  if (missing.none()) return;
  if (script_held_) {
    // The script lock's holder: may wait while holding (see the header).
    for (std::size_t i = missing._Find_first(); i < kShardCount; i = missing._Find_next(i)) {
      keyspace_.shard(i).mutex().lock();
      held_.set(i);
    }
    return;
  }
  std::size_t wait_for = missing._Find_first();
  for (;;) {
    keyspace_.shard(wait_for).mutex().lock();
    held_.set(wait_for);
    std::size_t missed = kShardCount;
    for (std::size_t i = missing._Find_first(); i < kShardCount; i = missing._Find_next(i)) {
      if (i == wait_for) continue;
      if (!keyspace_.shard(i).mutex().try_lock()) {
        missed = i;
        break;
      }
      held_.set(i);
    }
    if (missed == kShardCount) return;
    for (std::size_t i = held_._Find_first(); i < kShardCount; i = held_._Find_next(i)) {
      keyspace_.shard(i).mutex().unlock();
    }
    held_.reset();
    wait_for = missed;
    std::this_thread::yield();
  }
}

void ShardLocks::release() {
  for (std::size_t i = held_._Find_first(); i < kShardCount; i = held_._Find_next(i)) {
    keyspace_.shard(i).mutex().unlock();
  }
  held_.reset();
  wanted_.reset();
  if (script_held_) keyspace_.script_mutex().unlock();
  script_held_ = false;
  script_ = false;
}

}  // namespace larder::storage
