#pragma once
// Active defragmentation of util::slab_heap blocks: when the heap holds many
// free slots in partly used slabs (the keyspace's value sizes changed,
// deletions thinned it, or a big hash or set grew), walks every table and
// moves the entries of sparse slabs into fuller ones (Entry::defragment),
// and the blocks of their value objects (ValueObject::defragment), a bounded
// slice per step, so that emptied slabs go back to the kernel. Redis does the same with
// jemalloc (activedefrag); glibc's malloc coalesced free chunks instead.
// Not thread-safe itself: one owner calls step(); it locks one shard at a time.

#include <chrono>
#include <cstddef>
#include <cstdint>

#include "larder/storage/keyspace.h"

namespace larder::storage {

class Defragmenter {
 public:
  // A pass starts when the free slots exceed this and an eighth of the
  // slots of the slabs in use; after a pass that moved nothing, also twice
  // what it left (or the least seen since).
  static constexpr std::size_t kMinFreeBytes = 1024 * 1024;

  explicit Defragmenter(Keyspace& keyspace) : keyspace_(keyspace) {}

  // Runs for about `budget` when a pass is due or under way; true while a
  // pass is under way (the caller comes back soon).
  bool step(std::chrono::steady_clock::duration budget);
  // Blocks moved by the passes finished so far.
  std::size_t moved() const { return moved_; }

 private:
  bool due();
  // Moves entry `e` and then, unless `stay` is set already, its value
  // object's blocks a slice at a time: `stay` is set when the object is not
  // done, so that the bucket is walked again. `objects` counts the objects
  // met in this walk of the bucket.
  Entry* move(Entry* e, std::size_t& objects, bool& stay);

  Keyspace& keyspace_;
  bool running_ = false;
  std::size_t shard_ = 0;
  int db_ = 0;
  std::uint64_t bucket_ = 0;
  // Within the bucket: the objects done (in chain order), and where the
  // next one stopped (its address, compared only, and its cursor).
  std::size_t done_objects_ = 0;
  std::uintptr_t object_ = 0;
  std::uint64_t object_cursor_ = 0;
  std::size_t left_by_last_pass_ = 0;  // free slot bytes when it ended
  std::size_t moved_in_pass_ = 0;
  std::size_t moved_ = 0;
};

}  // namespace larder::storage
