#pragma once
// Every key of every database, split over a fixed number of shards by key hash.
// The keyspace itself is immutable after construction; shards carry their own
// locks. The top bits of a key's hash pick its shard, the low bits its bucket.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "larder/storage/access_policy.h"
#include "larder/storage/background_free.h"
#include "larder/storage/shard.h"

namespace larder::storage {

inline constexpr unsigned kShardBits = 8;
inline constexpr std::size_t kShardCount = std::size_t{1} << kShardBits;

class Keyspace {
 public:
  explicit Keyspace(int databases);

  int databases() const { return databases_; }
  Shard& shard(std::size_t index) { return *shards_[index]; }
  static std::size_t shard_index(std::uint64_t hash) { return hash >> (64 - kShardBits); }
  static std::size_t shard_index(std::string_view key) { return shard_index(Table::hash_of(key)); }

  // Sums of every shard's statistics; takes each shard's lock in turn.
  ShardStats stats();

  // Running estimate of the TTL left on keys that have one (INFO keyspace
  // avg_ttl), fed by the expiry sweeper's samples; any thread may read it.
  std::int64_t avg_ttl(int db) const { return avg_ttl_[db].load(std::memory_order_relaxed); }
  void sample_ttl(int db, std::int64_t sample_avg_ms);

  // How reads and writes stamp entries for the eviction policy.
  AccessPolicy& access_policy() { return access_policy_; }
  const AccessPolicy& access_policy() const { return access_policy_; }

  // Where flushed tables go to be freed off the event loops.
  BackgroundFree& background_free() { return background_free_; }

 private:
  int databases_;
  std::unique_ptr<std::atomic<std::int64_t>[]> avg_ttl_;
  AccessPolicy access_policy_;
  std::vector<std::unique_ptr<Shard>> shards_;
  BackgroundFree background_free_;  // declared last: destroyed first
};

}  // namespace larder::storage
