#include "larder/storage/db.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>
#include <catch2/catch.hpp>

#include "larder/storage/memory_usage.h"
#include "larder/storage/shard_locks.h"

using larder::storage::Db;
using larder::storage::Entry;
using larder::storage::MemoryUsage;
using larder::storage::Keyspace;
using larder::storage::kNoExpire;
using larder::storage::ShardLocks;

namespace {

// prefix + decimal n; built with append (operator+ on a literal and a
// temporary trips GCC 12's -Wrestrict false positive at -O2).
std::string numbered(std::string_view prefix, long n) {
  std::string s(prefix);
  s.append(std::to_string(n));
  return s;
}

}  // namespace

TEST_CASE("lazy expiry follows the clock the caller passes", "[db]") {
  Keyspace ks(16);
  ShardLocks locks(ks);
  locks.add_all();
  locks.acquire();
  Db at0(ks, 0, 1000);
  at0.set("k", "v", 1500);
  at0.set("forever", "v", kNoExpire);
  CHECK(Db(ks, 0, 1500).find_for_read("k") != nullptr);
  CHECK(Db(ks, 0, 1501).find_for_read("k") == nullptr);
  CHECK(Db(ks, 0, 1501).size() == 1);  // deleted on that access
  CHECK(ks.shard(Keyspace::shard_index("k")).stats().expired_keys == 1);
  CHECK(Db(ks, 0, 99999).find_for_read("forever") != nullptr);
}

TEST_CASE("databases are independent", "[db]") {
  Keyspace ks(4);
  ShardLocks locks(ks);
  locks.add_all();
  locks.acquire();
  Db(ks, 0, 0).set("k", "zero", kNoExpire);
  Db(ks, 3, 0).set("k", "three", kNoExpire);
  CHECK(Db(ks, 0, 0).find_for_read("k")->value() == "zero");
  CHECK(Db(ks, 3, 0).find_for_read("k")->value() == "three");
  Db(ks, 0, 0).flush();
  CHECK(Db(ks, 0, 0).size() == 0);
  CHECK(Db(ks, 3, 0).size() == 1);
}

TEST_CASE("set_expire adds, changes and removes an expiry", "[db]") {
  Keyspace ks(1);
  ShardLocks locks(ks);
  locks.add_all();
  locks.acquire();
  Db db(ks, 0, 100);
  db.set("k", "v", kNoExpire);
  CHECK(db.set_expire("k", 500));
  CHECK(db.find_for_write("k")->expire_at() == 500);
  CHECK(db.set_expire("k", 700));
  CHECK(db.find_for_write("k")->expire_at() == 700);
  CHECK(db.set_expire("k", kNoExpire));
  CHECK_FALSE(db.find_for_write("k")->has_expire());
  CHECK(db.find_for_write("k")->value() == "v");
  CHECK_FALSE(db.set_expire("missing", 500));
}

namespace {

// Runs a full SCAN iteration; between calls `between(step)` may change the db.
template <class Between>
std::vector<std::string> full_scan(Keyspace& ks, std::uint64_t count, Between&& between) {
  std::vector<std::string> seen;
  std::uint64_t cursor = 0;
  int step = 0;
  do {
    std::vector<std::string_view> batch;  // views die with the next change
    cursor = Db(ks, 0, 100).scan(cursor, count, batch);
    seen.insert(seen.end(), batch.begin(), batch.end());
    between(step++);
  } while (cursor != 0);
  return seen;
}

}  // namespace

TEST_CASE("scan without changes returns every key exactly once", "[db][scan]") {
  Keyspace ks(1);
  ShardLocks locks(ks);
  locks.add_all();
  locks.acquire();
  Db db(ks, 0, 100);
  for (int i = 0; i < 5000; ++i) db.set(numbered("key:", i), "v", kNoExpire);
  db.set("gone", "v", 50);  // expired: never returned, deleted on the way
  for (std::uint64_t count : {1u, 10u, 1000u, 100000u}) {
    std::vector<std::string> seen = full_scan(ks, count, [](int) {});
    std::sort(seen.begin(), seen.end());
    CHECK(seen.size() == 5000);
    CHECK(std::adjacent_find(seen.begin(), seen.end()) == seen.end());
    CHECK_FALSE(std::binary_search(seen.begin(), seen.end(), std::string("gone")));
  }
  CHECK(db.size() == 5000);
}

TEST_CASE("scan returns keys present for the whole iteration while tables grow and shrink",
          "[db][scan]") {
  Keyspace ks(1);
  ShardLocks locks(ks);
  locks.add_all();
  locks.acquire();
  Db db(ks, 0, 100);
  const int kStable = 3000;
  for (int i = 0; i < kStable; ++i) db.set(numbered("stable:", i), "v", kNoExpire);

  for (int mode = 0; mode < 3; ++mode) {
    // mode 0: grow between calls; 1: shrink; 2: grow, then shrink to nothing.
    const int kExtra = 60000;
    if (mode == 1) {
      for (int i = 0; i < kExtra; ++i) db.set(numbered("extra:", i), "v", kNoExpire);
    }
    int next_extra = 0;
    std::vector<std::string> seen = full_scan(ks, 7, [&](int step) {
      const bool grow = mode == 0 || (mode == 2 && step < 60);
      for (int i = 0; i < 1000 && next_extra < kExtra; ++i, ++next_extra) {
        const std::string k = numbered("extra:", next_extra);
        if (grow) {
          db.set(k, "v", kNoExpire);
        } else {
          db.erase(k);
        }
      }
      if (mode == 2 && step == 59) next_extra = 0;
    });
    std::sort(seen.begin(), seen.end());
    for (int i = 0; i < kStable; ++i) {
      const std::string k = numbered("stable:", i);
      INFO("mode " << mode << " key " << k);
      REQUIRE(std::binary_search(seen.begin(), seen.end(), k));
    }
    // Clean the extra keys for the next mode.
    for (int i = 0; i < kExtra; ++i) db.erase(numbered("extra:", i));
    CHECK(db.size() == static_cast<std::size_t>(kStable));
  }
}

TEST_CASE("scan accepts any cursor and an empty db ends at once", "[db][scan]") {
  Keyspace ks(2);
  ShardLocks locks(ks);
  locks.add_all();
  locks.acquire();
  std::vector<std::string_view> out;
  CHECK(Db(ks, 1, 0).scan(0, 10, out) == 0);
  CHECK(out.empty());
  Db db(ks, 0, 0);
  for (int i = 0; i < 100; ++i) db.set(std::to_string(i), "v", kNoExpire);
  for (std::uint64_t c : {~std::uint64_t{0}, std::uint64_t{255}, std::uint64_t{1} << 63}) {
    std::uint64_t cursor = c;
    int calls = 0;
    do {
      cursor = db.scan(cursor, 10, out);
    } while (cursor != 0 && ++calls < 10000);
    CHECK(cursor == 0);
  }
  // A small db is returned whole by one call with the default COUNT hint.
  out.clear();
  Db small(ks, 1, 0);
  for (int i = 0; i < 5; ++i) small.set(numbered("s", i), "v", kNoExpire);
  CHECK(small.scan(0, 10, out) == 0);
  CHECK(out.size() == 5);
}

TEST_CASE("rename keeps the value and expiry and replaces the target", "[db]") {
  Keyspace ks(1);
  ShardLocks locks(ks);
  locks.add_all();
  locks.acquire();
  Db db(ks, 0, 100);
  using R = Db::RenameResult;
  CHECK(db.rename("missing", "x", false) == R::kNoSuchKey);
  CHECK(db.rename("missing", "missing", true) == R::kNoSuchKey);
  db.set("a", "va", 5000);
  db.set("b", "vb", kNoExpire);
  CHECK(db.rename("a", "a", false) == R::kRenamed);
  CHECK(db.rename("a", "a", true) == R::kTargetExists);
  CHECK(db.rename("a", "b", true) == R::kTargetExists);
  CHECK(db.find_for_write("b")->value() == "vb");
  CHECK(db.rename("a", "b", false) == R::kRenamed);
  CHECK(db.find_for_write("a") == nullptr);
  CHECK(db.find_for_write("b")->value() == "va");
  CHECK(db.find_for_write("b")->expire_at() == 5000);
  CHECK(db.size() == 1);
  db.set("old", "v", 50);  // expired: RENAMENX onto it succeeds
  CHECK(db.rename("b", "old", true) == R::kRenamed);
  CHECK(db.find_for_write("old")->value() == "va");
  // Many renames within one table survive its resizes.
  for (int i = 0; i < 500; ++i) db.set(numbered("r", i), std::to_string(i), kNoExpire);
  for (int i = 0; i < 500; ++i) {
    REQUIRE(db.rename(numbered("r", i), numbered("q", i), false) == R::kRenamed);
  }
  for (int i = 0; i < 500; ++i) {
    CHECK(db.find_for_write(numbered("q", i))->value() == std::to_string(i));
  }
  CHECK(db.size() == 501);
}

TEST_CASE("copy and move across databases keep the expiry", "[db]") {
  Keyspace ks(4);
  ShardLocks locks(ks);
  locks.add_all();
  locks.acquire();
  Db db0(ks, 0, 100);
  Db db2(ks, 2, 100);
  db0.set("k", "v", 9000);
  using C = Db::CopyResult;
  using M = Db::MoveResult;
  CHECK(db0.copy("missing", "x", 0, false) == C::kNoSuchKey);
  CHECK(db0.copy("k", "k2", 0, false) == C::kCopied);
  CHECK(db0.find_for_write("k2")->expire_at() == 9000);
  CHECK(db0.copy("k", "k", 2, false) == C::kCopied);
  CHECK(db2.find_for_write("k")->value() == "v");
  CHECK(db0.copy("k", "k", 2, false) == C::kTargetExists);
  db0.set("k", "w", kNoExpire);
  CHECK(db0.copy("k", "k", 2, true) == C::kCopied);
  CHECK(db2.find_for_write("k")->value() == "w");
  CHECK_FALSE(db2.find_for_write("k")->has_expire());
  CHECK(db0.copy("k", "k", 0, true) == C::kCopied);  // same entry: value survives
  CHECK(db0.find_for_write("k")->value() == "w");

  CHECK(db0.move("missing", 1) == M::kNoSuchKey);
  CHECK(db0.move("k", 2) == M::kTargetExists);
  CHECK(db0.move("k", 0) == M::kTargetExists);
  CHECK(db0.move("k2", 3) == M::kMoved);
  CHECK(db0.find_for_write("k2") == nullptr);
  CHECK(Db(ks, 3, 100).find_for_write("k2")->value() == "v");
  CHECK(Db(ks, 3, 100).find_for_write("k2")->expire_at() == 9000);
  Db(ks, 1, 100).set("k", "x", 50);  // expired in the target: MOVE succeeds
  CHECK(db0.move("k", 1) == M::kMoved);
  CHECK(Db(ks, 1, 100).find_for_write("k")->value() == "w");
}

TEST_CASE("rename, copy and move mark WATCHers of the keys they change", "[db]") {
  Keyspace ks(2);
  ShardLocks locks(ks);
  locks.add_all();
  locks.acquire();
  Db db(ks, 0, 100);
  auto watch = [&](int dbi, std::string_view key) {
    auto flag = std::make_shared<larder::storage::WatchFlag>();
    ks.shard(Keyspace::shard_index(key)).watch(dbi, key, flag);
    return flag;
  };
  db.set("a", "v", kNoExpire);
  auto from = watch(0, "a");
  auto to = watch(0, "b");
  CHECK(db.rename("a", "b", true) == Db::RenameResult::kRenamed);
  CHECK(from->dirty.load());
  CHECK(to->dirty.load());
  auto copied = watch(1, "c");
  auto source = watch(0, "b");
  CHECK(db.copy("b", "c", 1, false) == Db::CopyResult::kCopied);
  CHECK(copied->dirty.load());
  CHECK_FALSE(source->dirty.load());
  auto moved_from = watch(0, "b");
  auto moved_to = watch(1, "b");
  CHECK(db.move("b", 1) == Db::MoveResult::kMoved);
  CHECK(moved_from->dirty.load());
  CHECK(moved_to->dirty.load());
}

TEST_CASE("random_key returns live keys only", "[db]") {
  Keyspace ks(1);
  ShardLocks locks(ks);
  locks.add_all();
  locks.acquire();
  Db db(ks, 0, 100);
  CHECK_FALSE(db.random_key().has_value());
  for (int i = 0; i < 50; ++i) db.set(numbered("dead", i), "v", 50);
  CHECK_FALSE(db.random_key().has_value());  // all expired: deleted on the way
  CHECK(db.size() == 0);
  db.set("only", "v", kNoExpire);
  for (int i = 0; i < 20; ++i) db.set(numbered("dead", i), "v", 50);
  CHECK(db.random_key() == std::optional<std::string>("only"));
  for (int i = 0; i < 100; ++i) db.set(numbered("k", i), "v", kNoExpire);
  std::set<std::string> seen;
  for (int i = 0; i < 2000; ++i) seen.insert(*db.random_key());
  CHECK(seen.size() > 50);
}

TEST_CASE("set rewrites a value of the same size in place, keeping the accounting", "[db]") {
  Keyspace ks(1);
  ShardLocks locks(ks);
  locks.add_all();
  locks.acquire();
  Db db(ks, 0, 1000);
  db.set("k", "aaaa", 5000);
  const Entry* before = db.find_for_write("k");
  const std::size_t bytes = MemoryUsage::dataset_bytes();
  db.set("k", "bbbb", 9000);  // same size, still with a TTL: same block
  const Entry* after = db.find_for_write("k");
  CHECK(after == before);
  CHECK(after->value() == "bbbb");
  CHECK(after->expire_at() == 9000);
  CHECK(MemoryUsage::dataset_bytes() == bytes);
  db.set("k", "cccc", kNoExpire);  // the TTL goes: a new block
  CHECK(db.find_for_write("k")->value() == "cccc");
  CHECK(!db.find_for_write("k")->has_expire());
  db.set("k", "longer value", kNoExpire);
  CHECK(db.find_for_write("k")->value() == "longer value");
  db.set("k", "LONGER VALUE", kNoExpire, /*keep_ttl=*/true);
  CHECK(db.find_for_write("k")->value() == "LONGER VALUE");
  CHECK(ks.shard(Keyspace::shard_index("k")).table(0).volatile_count() == 0);
}
