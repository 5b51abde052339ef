#include "larder/storage/active_rehasher.h"

#include <algorithm>

namespace larder::storage {

bool ActiveRehasher::step(std::size_t slots) {
  bool found = false;
  for (std::size_t visited = 0; visited < kShardCount; ++visited) {
    Shard& shard = keyspace_.shard(shard_);
    {
      const auto lock = keyspace_.lock_shard(shard);
      for (int db = 0; db < shard.table_count() && slots > 0; ++db) {
        Table* table = shard.find_table(db);
        if (table == nullptr || !table->resizing()) continue;
        found = true;
        slots -= std::min(slots, table->advance_resize(slots));
      }
    }
    if (slots == 0) return true;  // this shard may have more: start here next time
    shard_ = (shard_ + 1) % kShardCount;
  }
  return found;
}

}  // namespace larder::storage
