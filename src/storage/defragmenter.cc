#include "larder/storage/defragmenter.h"

#include <algorithm>
#include <mutex>

#include "larder/util/slab_heap.h"

namespace larder::storage {

namespace {
// Buckets walked under one lock hold, between two looks at the clock.
constexpr std::size_t kBucketsPerSlice = 16;
}  // namespace

bool Defragmenter::due() {
  const std::size_t free = util::slab_heap::free_slot_bytes();
  left_by_last_pass_ = std::min(left_by_last_pass_, free);
  const std::size_t slots = free + util::slab_heap::used_bytes();
  return free > kMinFreeBytes && free * 8 > slots && free > 2 * left_by_last_pass_;
}

bool Defragmenter::step(std::chrono::steady_clock::duration budget) {
  if (!running_) {
    if (!due()) return false;
    running_ = true;
    moved_in_pass_ = 0;
    shard_ = 0;
    db_ = 0;
    bucket_ = 0;
  }
  const auto deadline = std::chrono::steady_clock::now() + budget;
  while (std::chrono::steady_clock::now() < deadline) {
    Shard& shard = keyspace_.shard(shard_);
    {
      const auto lock = keyspace_.lock_shard(shard);
      Table* table = shard.find_table(db_);
      bucket_ = table == nullptr ? 0 : table->move_entries(bucket_, kBucketsPerSlice, [this](Entry* e) {
        Entry* moved = Entry::defragment(e);
        moved_in_pass_ += moved != e ? 1 : 0;
        return moved;
      });
    }
    if (bucket_ != 0) continue;
    if (++db_ < keyspace_.databases()) continue;
    db_ = 0;
    if (++shard_ < kShardCount) continue;
    running_ = false;
    moved_ += moved_in_pass_;
    // A pass that moved nothing found nothing to pack: wait for more.
    left_by_last_pass_ = moved_in_pass_ == 0 ? util::slab_heap::free_slot_bytes() : 0;
    return false;
  }
  return true;
}

}  // namespace larder::storage
