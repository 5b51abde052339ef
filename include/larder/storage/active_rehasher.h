#pragma once
// Active rehashing (Redis's activerehashing): moves on the resizes of tables
// that stopped changing. A table's resize moves on with its own inserts and
// removals (storage/table.h); one that stops changing halfway would keep
// both bucket arrays, and the slower lookups between them, until its next
// change. Not thread-safe itself: one owner calls step(); it locks one shard
// at a time.

#include <cstddef>

#include "larder/storage/keyspace.h"

namespace larder::storage {

class ActiveRehasher {
 public:
  explicit ActiveRehasher(Keyspace& keyspace) : keyspace_(keyspace) {}

  // Moves resizes under way on by about `slots` bucket slots in all
  // (Table::advance_resize), from the shard where the last step stopped,
  // looking at each shard at most once. True when it found one under way
  // (the caller comes back soon), false after a round of every shard found
  // none.
  bool step(std::size_t slots);

 private:
  Keyspace& keyspace_;
  std::size_t shard_ = 0;
};

}  // namespace larder::storage
