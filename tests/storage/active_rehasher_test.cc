#include "larder/storage/active_rehasher.h"

#include <catch2/catch.hpp>
#include <string>

#include "larder/storage/db.h"
#include "larder/storage/shard_locks.h"

using larder::storage::ActiveRehasher;
using larder::storage::Db;
using larder::storage::Keyspace;
using larder::storage::kNoExpire;
using larder::storage::kShardCount;
using larder::storage::ShardLocks;

namespace {
std::size_t tables_resizing(Keyspace& ks) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < kShardCount; ++i) {
    for (int db = 0; db < ks.shard(i).table_count(); ++db) {
      if (const auto* t = ks.shard(i).find_table(db); t != nullptr && t->resizing()) ++n;
    }
  }
  return n;
}
}  // namespace

TEST_CASE("the active rehasher finishes the resizes of tables that stopped changing", "[active_rehasher]") {
  Keyspace ks(2);
  {
    ShardLocks locks(ks);
    locks.add_all();
    locks.acquire();
    Db zero(ks, 0, 0);
    Db one(ks, 1, 0);
    // About 586 keys a shard: about a third of the tables are left halfway
    // through a doubling (between 512 and 576 keys).
    for (int i = 0; i < 150000; ++i) zero.set("key:" + std::to_string(i), "v", kNoExpire);
    for (int i = 0; i < 150000; ++i) one.set("key:" + std::to_string(i), "v", kNoExpire);
    locks.release();
  }
  const std::size_t before = tables_resizing(ks);
  REQUIRE(before > 100);
  ActiveRehasher rehasher(ks);
  int steps = 0;
  while (rehasher.step(64) && steps < 100000) ++steps;
  CHECK(tables_resizing(ks) == 0);
  CHECK(steps > 0);
  CHECK_FALSE(rehasher.step(64));  // nothing left to do
  ShardLocks locks(ks);
  locks.add_all();
  locks.acquire();
  Db zero(ks, 0, 0);
  Db one(ks, 1, 0);
  for (int i = 0; i < 150000; i += 7) {
    REQUIRE(zero.find_for_read("key:" + std::to_string(i)) != nullptr);
    REQUIRE(one.find_for_read("key:" + std::to_string(i)) != nullptr);
  }
  locks.release();
}
