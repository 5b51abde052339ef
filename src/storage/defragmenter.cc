#include "larder/storage/defragmenter.h"

#include <algorithm>
#include <mutex>

#include "larder/util/slab_heap.h"

namespace larder::storage {

namespace {
// Buckets walked under one lock hold, between two looks at the clock.
constexpr std::size_t kBucketsPerSlice = 16;
// A value object's own buckets (ValueObject::defragment steps) per visit.
constexpr std::size_t kObjectStepsPerSlice = 64;
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
    done_objects_ = 0;
    object_ = 0;
  }
  const auto deadline = std::chrono::steady_clock::now() + budget;
  while (std::chrono::steady_clock::now() < deadline) {
    Shard& shard = keyspace_.shard(shard_);
    bool stay = false;
    {
      const auto lock = keyspace_.lock_shard(shard);
      Table* table = shard.find_table(db_);
      for (std::size_t n = 0; n < kBucketsPerSlice; ++n) {
        std::size_t objects = 0;
        const std::uint64_t next = table == nullptr ? 0 : table->move_entries(bucket_, 1, [&](Entry* e) {
          return move(e, objects, stay);
        });
        if (stay) break;
        done_objects_ = 0;
        bucket_ = next;
        if (bucket_ == 0) break;
      }
    }
    if (stay || bucket_ != 0) continue;
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

// A deleted object whose address is reused, or a chain reordered between
// visits, only makes the walk redo or skip some of a bucket's objects.
Entry* Defragmenter::move(Entry* e, std::size_t& objects, bool& stay) {
  Entry* moved = Entry::defragment(e);
  moved_in_pass_ += moved != e ? 1 : 0;
  if (stay || moved->encoding() != Encoding::kObject) return moved;
  if (objects++ < done_objects_) return moved;
  ValueObject* object = moved->object();
  const auto id = reinterpret_cast<std::uintptr_t>(object);
  const std::uint64_t from = id == object_ ? object_cursor_ : 0;
  object_cursor_ = object->defragment(from, kObjectStepsPerSlice, moved_in_pass_);
  if (object_cursor_ == 0) {
    ++done_objects_;
    object_ = 0;
  } else {
    object_ = id;
    stay = true;
  }
  return moved;
}

}  // namespace larder::storage
