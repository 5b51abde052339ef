#include "larder/commands/keys_walk.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "larder/storage/db.h"
#include "larder/storage/shard_locks.h"

using larder::commands::KeysWalk;
using larder::storage::Db;
using larder::storage::Keyspace;
using larder::storage::kNoExpire;
using larder::storage::ShardLocks;

namespace {

constexpr std::int64_t kNow = 1'000'000;
constexpr std::size_t kShard = 7;

// n keys prefix<i> whose hash routes them to `shard`, so that a walk spends
// many steps in one table.
std::vector<std::string> keys_in_shard(std::string_view prefix, std::size_t shard, std::size_t n) {
  std::vector<std::string> out;
  for (long i = 0; out.size() < n; ++i) {
    std::string k(prefix);
    k.append(std::to_string(i));
    if (Keyspace::shard_index(k) == shard) out.push_back(std::move(k));
  }
  return out;
}

// Runs `change` on database `db` with every shard locked, as a command would.
template <class Change>
void with_db(Keyspace& ks, int db, Change&& change) {
  ShardLocks locks(ks);
  locks.add_all();
  locks.acquire();
  Db d(ks, db, kNow);
  change(d);
}

void put(Keyspace& ks, const std::vector<std::string>& keys, std::int64_t expire_at = kNoExpire) {
  with_db(ks, 0, [&](Db& db) {
    for (const auto& k : keys) db.set(k, "v", expire_at);
  });
}

std::size_t buckets(Keyspace& ks, std::size_t shard, int db = 0) {
  return ks.shard(shard).table(db).bucket_count();
}

// The keys of a KEYS reply, checking that the header counts them and that
// nothing follows.
std::vector<std::string> parse_keys(const std::string& reply) {
  std::size_t eol = reply.find("\r\n");
  REQUIRE(reply[0] == '*');
  const std::size_t n = std::stoul(reply.substr(1, eol - 1));
  std::size_t pos = eol + 2;
  std::vector<std::string> keys;
  for (std::size_t i = 0; i < n; ++i) {
    REQUIRE(reply[pos] == '$');
    eol = reply.find("\r\n", pos);
    const std::size_t len = std::stoul(reply.substr(pos + 1, eol - pos - 1));
    keys.push_back(reply.substr(eol + 2, len));
    pos = eol + 2 + len + 2;
  }
  CHECK(pos == reply.size());
  return keys;
}

// A whole KEYS walk in steps whose deadline has already passed (each does
// the least a step does), calling between() after each unfinished step.
template <class Between>
std::vector<std::string> walk_all(Keyspace& ks, std::string_view pattern, Between&& between) {
  std::string out;
  larder::protocol::ReplyBuilder reply(out);
  KeysWalk walk(ks, 0, pattern, kNow, KeysWalk::Locking::kPerShard);
  while (!walk.step(reply, std::chrono::steady_clock::now())) between();
  return parse_keys(out);
}

std::map<std::string, int> counts(const std::vector<std::string>& keys) {
  std::map<std::string, int> m;
  for (const auto& k : keys) ++m[k];
  return m;
}

int most_repeats(const std::map<std::string, int>& counts) {
  int most = 0;
  for (const auto& [k, n] : counts) most = std::max(most, n);
  return most;
}

}  // namespace

TEST_CASE("KEYS walk matches the glob and skips expired keys", "[keys_walk]") {
  Keyspace ks(1);
  with_db(ks, 0, [](Db& db) {
    db.set("user:1", "a", kNoExpire);
    db.set("user:2", "b", kNow - 1);  // already expired
    db.set("user:3", "b", kNow);      // expires just after now
    db.set("post:1", "c", kNoExpire);
    db.set("", "empty key", kNoExpire);
  });
  auto sorted = [](std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
  };
  CHECK(sorted(walk_all(ks, "user:*", [] {})) == std::vector<std::string>{"user:1", "user:3"});
  CHECK(sorted(walk_all(ks, "*", [] {})) ==
        std::vector<std::string>{"", "post:1", "user:1", "user:3"});  // "*" matches ""
  CHECK(walk_all(ks, "nothing*", [] {}).empty());
}

TEST_CASE("KEYS walk returns each key once while its table grows between steps", "[keys_walk]") {
  Keyspace ks(1);
  const auto stable = keys_in_shard("stable:", kShard, 2000);
  const auto extra = keys_in_shard("extra:", kShard, 30000);
  put(ks, stable);
  const std::size_t before = buckets(ks, kShard);
  std::size_t added = 0;
  int steps = 0;
  const auto got = counts(walk_all(ks, "*", [&] {
    ++steps;
    const std::size_t end = std::min(added + 300, extra.size());
    put(ks, {extra.begin() + added, extra.begin() + end});
    added = end;
  }));
  CHECK(steps > 20);
  CHECK(buckets(ks, kShard) >= 8 * before);  // it doubled several times mid-walk
  CHECK(most_repeats(got) == 1);
  for (const auto& k : stable) CHECK(got.count(k) == 1);
}

TEST_CASE("KEYS walk returns each key once while keys are deleted between steps", "[keys_walk]") {
  Keyspace ks(1);
  put(ks, keys_in_shard("doomed:", kShard, 5000));
  REQUIRE(buckets(ks, kShard) == 4096);
  // The first 32 buckets a reverse-binary cursor visits in 4096 are those
  // whose low 7 bits are 0: the first step walks them.
  std::vector<std::string> early;
  for (long i = 0; early.size() < 8; ++i) {
    const std::string k = "early:" + std::to_string(i);
    const std::uint64_t hash = larder::storage::Table::hash_of(k);
    if (Keyspace::shard_index(hash) == kShard && (hash & 127) == 0) early.push_back(k);
  }
  put(ks, early);
  bool deleted = false;
  // Deleting the doomed keys after the first step would shrink the table to
  // 64 buckets and rewind the cursor to bucket 0, where all of `early` lands:
  // without the pause, every early key would come back twice.
  const auto got = counts(walk_all(ks, "*", [&] {
    if (deleted) return;
    with_db(ks, 0, [](Db& db) {
      for (const auto& k : keys_in_shard("doomed:", kShard, 5000)) db.erase(k);
    });
    deleted = true;
  }));
  REQUIRE(deleted);
  CHECK(most_repeats(got) == 1);  // doomed keys met in the first step are in, once
  for (const auto& k : early) CHECK(got.count(k) == 1);
  // Leaving the table resumed shrinking, toward the size 8 keys need: 8
  // times smaller per resize, the next once one ends.
  CHECK(buckets(ks, kShard) == 512);
  while (ks.shard(kShard).table(0).advance_resize(64) > 0) {
  }
  CHECK(buckets(ks, kShard) == 64);
}

TEST_CASE("a KEYS walk destroyed mid-table gives back its shrink pause", "[keys_walk]") {
  Keyspace ks(1);
  const auto doomed = keys_in_shard("doomed:", kShard, 20000);
  put(ks, doomed);
  const std::size_t full = buckets(ks, kShard);
  {
    std::string out;
    larder::protocol::ReplyBuilder reply(out);
    KeysWalk walk(ks, 0, "*", kNow, KeysWalk::Locking::kPerShard);
    REQUIRE_FALSE(walk.step(reply, std::chrono::steady_clock::now()));
    CHECK(out.empty());  // nothing is replied before the walk is done
    with_db(ks, 0, [&](Db& db) {
      for (std::size_t i = 0; i < 19000; ++i) db.erase(doomed[i]);
    });
    CHECK(buckets(ks, kShard) == full);
  }
  with_db(ks, 0, [&](Db& db) { db.erase(doomed[19000]); });  // shrinks again, to fit 999
  CHECK(buckets(ks, kShard) == full / 4);
}

TEST_CASE("a KEYS walk survives FLUSHDB and SWAPDB between its steps", "[keys_walk]") {
  Keyspace ks(2);
  const auto zero = keys_in_shard("zero:", kShard, 5000);
  put(ks, zero);
  with_db(ks, 1, [](Db& db) {
    for (int i = 0; i < 3000; ++i) db.set("one:" + std::to_string(i), "v", kNoExpire);
  });
  int steps = 0;
  SECTION("FLUSHDB: the table's contents leave for the background thread") {
    const auto got = counts(walk_all(ks, "*", [&] {
      if (++steps == 3) with_db(ks, 0, [](Db& db) { db.flush(); });
    }));
    CHECK(steps >= 3);
    CHECK(most_repeats(got) == 1);
  }
  SECTION("SWAPDB: the walk goes on over the other database's contents") {
    const auto got = counts(walk_all(ks, "*", [&] {
      if (++steps == 3) {
        ShardLocks locks(ks);
        locks.add_all();
        locks.acquire();
        for (std::size_t i = 0; i < larder::storage::kShardCount; ++i) ks.shard(i).swap_tables(0, 1);
      }
    }));
    CHECK(steps >= 3);
    CHECK(most_repeats(got) == 1);
  }
  // Both slots shrink again: no pause was left behind.
  const auto bulk = keys_in_shard("bulk:", kShard, 5000);
  for (int db = 0; db < 2; ++db) {
    with_db(ks, db, [&](Db& d) {
      d.flush();
      for (const auto& k : bulk) d.set(k, "v", kNoExpire);
      for (const auto& k : bulk) d.erase(k);
    });
    CHECK(buckets(ks, kShard, db) == 0);
  }
}

TEST_CASE("a KEYS walk whose caller holds every shard lock completes in one step", "[keys_walk]") {
  Keyspace ks(1);
  put(ks, keys_in_shard("k:", kShard, 5000));
  ShardLocks locks(ks);
  locks.add_all();
  locks.acquire();
  std::string out;
  larder::protocol::ReplyBuilder reply(out);
  KeysWalk walk(ks, 0, "*", kNow, KeysWalk::Locking::kCallerHoldsAll);
  CHECK(walk.step(reply, std::chrono::steady_clock::time_point::max()));
  CHECK(parse_keys(out).size() == 5000);
}
