#pragma once
// Holds the locks of a set of shards for the duration of one command.
// With a single-owner keyspace (one event loop) there is nothing to exclude
// and acquire() takes no lock.
//
// Deadlock freedom: only the holder of the keyspace's script lock ever waits
// for a shard while holding another. Everyone else, holding nothing, waits
// for one wanted shard, then only tries the rest, and on a miss lets go of
// all and waits for the one it missed. Scripts (add_script()) take the script
// lock first, so they run one at a time and may take more shards as they go
// (their undeclared keys): two-phase locking, released together at the end.

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
  // A script: acquire() takes the script lock before any shard.
  void add_script() { script_ = true; }
  // Locks what was added and is not held yet. Called once, except by a
  // script, which calls it again for each command it runs (keeping what it
  // holds).
  void acquire();
  void release();

 private:
  Keyspace& keyspace_;
  std::bitset<kShardCount> wanted_;
  std::bitset<kShardCount> held_;
  bool script_ = false;
  bool script_held_ = false;
};

}  // namespace larder::storage
