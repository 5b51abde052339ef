#pragma once
// Holds the locks of a set of shards for the duration of one command, taken in
// ascending shard order so that commands on any threads never deadlock.
// With a single-owner keyspace (one event loop) there is nothing to exclude
// and acquire() takes no lock.

#include <bitset>
#include <span>
#include <string_view>

#include "larder/storage/keyspace.h"

namespace larder::storage {

class ShardLocks {
 public:
  explicit ShardLocks(Keyspace& keyspace) : keyspace_(keyspace) {}
  ShardLocks(const ShardLocks&) = delete;
  ShardLocks& operator=(const ShardLocks&) = delete;
  ~ShardLocks() { release(); }

  // Marks the shard of `key` to be locked by acquire().
  // A single owner takes no locks: the key is not even hashed.
  void add(std::string_view key) {
    if (!keyspace_.single_owner()) wanted_.set(Keyspace::shard_index(key));
  }
  void add_all() { wanted_.set(); }
  void acquire();
  void release();

 private:
  Keyspace& keyspace_;
  std::bitset<kShardCount> wanted_;
  std::bitset<kShardCount> held_;
};

}  // namespace larder::storage
