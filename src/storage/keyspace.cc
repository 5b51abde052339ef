#include "larder/storage/keyspace.h"

namespace larder::storage {

Keyspace::Keyspace(int databases)
    : databases_(databases), avg_ttl_(std::make_unique<std::atomic<std::int64_t>[]>(databases)) {
  shards_.reserve(kShardCount);
  for (std::size_t i = 0; i < kShardCount; ++i) shards_.push_back(std::make_unique<Shard>(databases, i));
}

void Keyspace::sample_ttl(int db, std::int64_t sample_avg_ms) {
  // Like Redis: the new sample weighs 2% so the estimate moves smoothly.
  std::int64_t old = avg_ttl_[db].load(std::memory_order_relaxed);
  std::int64_t next = old == 0 ? sample_avg_ms : (old / 50) * 49 + sample_avg_ms / 50;
  avg_ttl_[db].store(next, std::memory_order_relaxed);
}

void Keyspace::preserve_db(int db) {
  if (snapshot_hook_.load(std::memory_order_acquire) == nullptr) return;
  for (auto& shard : shards_) {
    Table* table = shard->find_table(db);
    if (table == nullptr) continue;
    std::uint64_t cursor = 0;
    do {
      cursor = table->scan(cursor, [&](const Entry& e) {
        before_change(db, const_cast<Entry&>(e));  // only the mark changes
        return false;
      });
    } while (cursor != 0);
  }
}

std::uint64_t Keyspace::changes(bool lock) {
  std::uint64_t total = 0;
  for (auto& shard : shards_) {
    std::unique_lock guard(shard->mutex(), std::defer_lock);
    if (lock) guard.lock();
    total += shard->changes();
  }
  return total;
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
