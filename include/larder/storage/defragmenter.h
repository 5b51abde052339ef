#pragma once
// Active defragmentation of entry blocks: when util::slab_heap holds many
// free slots in partly used slabs (the keyspace's value sizes changed, or
// deletions thinned it), walks every table and moves the entries of sparse
// slabs into fuller ones (Entry::defragment), a bounded slice per step, so
// that emptied slabs go back to the kernel. Redis does the same with
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
  // Entries moved by the passes finished so far.
  std::size_t moved() const { return moved_; }

 private:
  bool due();

  Keyspace& keyspace_;
  bool running_ = false;
  std::size_t shard_ = 0;
  int db_ = 0;
  std::uint64_t bucket_ = 0;
  std::size_t left_by_last_pass_ = 0;  // free slot bytes when it ended
  std::size_t moved_in_pass_ = 0;
  std::size_t moved_ = 0;
};

}  // namespace larder::storage
