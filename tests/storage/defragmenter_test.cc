#include "larder/storage/defragmenter.h"

#include <catch2/catch.hpp>
#include <string>

#include "larder/storage/db.h"
#include "larder/storage/shard_locks.h"
#include "larder/util/slab_heap.h"

using larder::storage::Db;
using larder::storage::Defragmenter;
using larder::storage::Keyspace;
using larder::storage::kNoExpire;
using larder::storage::ShardLocks;
namespace slab_heap = larder::util::slab_heap;

namespace {
std::string value_of(int i) { return std::string(100, static_cast<char>('a' + i % 26)) + std::to_string(i); }
}  // namespace

TEST_CASE("the defragmenter packs a thinned keyspace into fewer slabs and keeps every key", "[defragmenter]") {
  Keyspace ks(1);
  ShardLocks locks(ks);
  locks.add_all();
  locks.acquire();
  Db db(ks, 0, 0);
  constexpr int kKeys = 60000;  // about 8 MiB of 136-byte slots
  for (int i = 0; i < kKeys; ++i) db.set("key:" + std::to_string(i), value_of(i), kNoExpire);
  // Three keys in four go: every slab is left about a quarter full.
  for (int i = 0; i < kKeys; ++i) {
    if (i % 4 != 0) db.erase("key:" + std::to_string(i));
  }
  const std::size_t free_before = slab_heap::free_slot_bytes();
  REQUIRE(free_before > 4 * Defragmenter::kMinFreeBytes);
  locks.release();

  Defragmenter defrag(ks);
  int steps = 0;
  while (defrag.step(std::chrono::milliseconds(1)) && steps < 100000) ++steps;
  CHECK(defrag.moved() > 0);
  CHECK(slab_heap::free_slot_bytes() < free_before / 4);
  // A pass that left little to pack is not started again.
  CHECK_FALSE(defrag.step(std::chrono::milliseconds(1)));

  locks.acquire();
  Db after(ks, 0, 0);
  CHECK(after.size() == kKeys / 4);
  for (int i = 0; i < kKeys; i += 4) {
    const auto* e = after.find_for_read("key:" + std::to_string(i));
    REQUIRE(e != nullptr);
    CHECK(e->value() == value_of(i));
  }
  after.flush();
}

TEST_CASE("the defragmenter does nothing when slabs are full", "[defragmenter]") {
  Keyspace ks(1);
  {
    ShardLocks locks(ks);
    locks.add_all();
    locks.acquire();
    Db db(ks, 0, 0);
    for (int i = 0; i < 20000; ++i) db.set("key:" + std::to_string(i), value_of(i), kNoExpire);
  }
  Defragmenter defrag(ks);
  CHECK_FALSE(defrag.step(std::chrono::milliseconds(1)));
  CHECK(defrag.moved() == 0);
}
