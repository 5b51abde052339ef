#include "larder/storage/db.h"

#include <algorithm>
#include <catch2/catch.hpp>

#include "larder/storage/shard_locks.h"

using larder::storage::Db;
using larder::storage::Keyspace;
using larder::storage::kNoExpire;
using larder::storage::ShardLocks;

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

TEST_CASE("keys matches a glob and skips expired keys", "[db]") {
  Keyspace ks(1);
  ShardLocks locks(ks);
  locks.add_all();
  locks.acquire();
  Db db(ks, 0, 100);
  db.set("user:1", "a", kNoExpire);
  db.set("user:2", "b", 50);  // already expired at t=100
  db.set("post:1", "c", kNoExpire);
  std::vector<std::string> keys;
  db.keys("user:*", keys);
  CHECK(keys == std::vector<std::string>{"user:1"});
  keys.clear();
  db.keys("*", keys);
  std::sort(keys.begin(), keys.end());
  CHECK(keys == std::vector<std::string>{"post:1", "user:1"});
}
