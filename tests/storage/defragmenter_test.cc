#include "larder/storage/defragmenter.h"

#include <catch2/catch.hpp>
#include <string>
#include <thread>

#include "larder/storage/db.h"
#include "larder/storage/hash_value.h"
#include "larder/storage/shard_locks.h"
#include "larder/util/slab_heap.h"

using larder::storage::Db;
using larder::storage::Defragmenter;
using larder::storage::Keyspace;
using larder::storage::kNoExpire;
using larder::storage::ShardLocks;
using larder::storage::ValueType;
namespace hash = larder::storage::hash;
namespace slab_heap = larder::util::slab_heap;

namespace {
std::string value_of(int i) { return std::string(100, static_cast<char>('a' + i % 26)) + std::to_string(i); }

// The slab heap's free slot bytes once the keyspace's background thread
// has freed what it was handed (values of 1 MiB or more go there).
std::size_t free_slots_when_freed(Keyspace& ks) {
  while (ks.background_free().pending() != 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return slab_heap::free_slot_bytes();
}

constexpr hash::Limits kLimits{128, 64};

// A one-database keyspace with every shard's lock held.
struct Locked {
  Keyspace ks{1};
  ShardLocks locks{ks};
  Locked() {
    locks.add_all();
    locks.acquire();
  }
};

// Steps of 200 µs until a pass ends (at most 100000); the steps taken.
int run_pass(Defragmenter& defrag) {
  int steps = 0;
  while (defrag.step(std::chrono::microseconds(200)) && steps < 100000) ++steps;
  return steps;
}
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

TEST_CASE("the defragmenter packs a big hash's blocks a slice at a time and keeps every field", "[defragmenter]") {
  Locked l;
  auto& [ks, locks] = l;
  Db db(ks, 0, 0);
  constexpr int kFields = 100000;
  {
    // Grown together, the two hashes share their slabs.
    Db::Writer kept = db.write("kept", ValueType::kHash, Db::Create::kYes);
    Db::Writer dropped = db.write("dropped", ValueType::kHash, Db::Create::kYes);
    for (int i = 0; i < kFields; ++i) {
      hash::set(kept, "field:" + std::to_string(i), value_of(i).substr(0, 20), kLimits);
      hash::set(dropped, "field:" + std::to_string(i), value_of(i).substr(0, 20), kLimits);
    }
  }
  db.erase("dropped");
  const std::size_t free_before = free_slots_when_freed(ks);
  REQUIRE(free_before > 2 * Defragmenter::kMinFreeBytes);
  locks.release();

  Defragmenter defrag(ks);
  const int steps = run_pass(defrag);
  CHECK(steps > 1);
  CHECK(steps < 100000);  // the pass ended
  CHECK(defrag.moved() > kFields / 20);
  CHECK(slab_heap::free_slot_bytes() < free_before / 2);

  locks.acquire();
  Db after(ks, 0, 0);
  const auto* e = after.find_for_read("kept");
  REQUIRE(e != nullptr);
  CHECK(hash::size(*e) == kFields);
  for (int i = 0; i < kFields; i += 7) CHECK(hash::get(*e, "field:" + std::to_string(i)) == value_of(i).substr(0, 20));
  after.flush();
}

TEST_CASE("the defragmenter packs many hashes, several to a table bucket, and keeps every field", "[defragmenter]") {
  Locked l;
  auto& [ks, locks] = l;
  Db db(ks, 0, 0);
  // 3000 hashes of 160 fields (each a PackedDict) in 256 shards' tables:
  // many buckets hold two or more. Every other one is dropped.
  constexpr int kHashes = 3000;
  constexpr int kFields = 160;
  for (int f = 0; f < kFields; ++f) {
    for (int h = 0; h < kHashes; ++h) {
      Db::Writer w = db.write("h:" + std::to_string(h), ValueType::kHash, Db::Create::kYes);
      hash::set(w, "field:" + std::to_string(f), value_of(f).substr(0, 12), kLimits);
    }
  }
  for (int h = 1; h < kHashes; h += 2) db.erase("h:" + std::to_string(h));
  const std::size_t free_before = free_slots_when_freed(ks);
  REQUIRE(free_before > 2 * Defragmenter::kMinFreeBytes);
  locks.release();

  Defragmenter defrag(ks);
  CHECK(run_pass(defrag) < 100000);
  CHECK(slab_heap::free_slot_bytes() < free_before / 2);

  locks.acquire();
  Db after(ks, 0, 0);
  CHECK(after.size() == kHashes / 2);
  for (int h = 0; h < kHashes; h += 2) {
    const auto* e = after.find_for_read("h:" + std::to_string(h));
    REQUIRE(e != nullptr);
    REQUIRE(hash::size(*e) == kFields);
    for (int f = h % 7; f < kFields; f += 37) CHECK(hash::get(*e, "field:" + std::to_string(f)) == value_of(f).substr(0, 12));
  }
  after.flush();
}
