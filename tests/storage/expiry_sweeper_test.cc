#include "larder/storage/expiry_sweeper.h"

#include <catch2/catch.hpp>
#include <string>

#include "larder/storage/db.h"
#include "larder/storage/shard_locks.h"

using larder::storage::Db;
using larder::storage::ExpirySweeper;
using larder::storage::Keyspace;
using larder::storage::kNoExpire;
using larder::storage::ShardLocks;
using larder::storage::SweepBudget;

namespace {
void fill(Keyspace& ks, int volatile_keys, int persistent_keys, std::int64_t expire_at) {
  ShardLocks locks(ks);
  locks.add_all();
  locks.acquire();
  Db db(ks, 0, 0);
  for (int i = 0; i < volatile_keys; ++i) db.set("v:" + std::to_string(i), "x", expire_at);
  for (int i = 0; i < persistent_keys; ++i) db.set("p:" + std::to_string(i), "x", kNoExpire);
}

std::size_t size_of(Keyspace& ks) {
  ShardLocks locks(ks);
  locks.add_all();
  locks.acquire();
  return Db(ks, 0, 0).size();
}
}  // namespace

TEST_CASE("a sweep step stops at its budget and resumes from its cursor", "[sweeper]") {
  Keyspace ks(2);
  fill(ks, 5000, 1000, 100);
  ExpirySweeper sweeper(ks);

  auto first = sweeper.step(50, {.time = std::chrono::seconds(10), .max_buckets = 100});
  CHECK(first.expired == 0);  // nothing is due yet at t=50
  CHECK(first.checked > 0);

  auto bounded = sweeper.step(200, {.time = std::chrono::seconds(10), .max_buckets = 64});
  CHECK(bounded.expired > 0);
  CHECK(bounded.expired < 5000);
  CHECK(bounded.busy());

  std::size_t rounds = 0;
  while (size_of(ks) > 1000 && rounds++ < 10000) {
    sweeper.step(200, {.time = std::chrono::seconds(10), .max_buckets = 64});
  }
  CHECK(size_of(ks) == 1000);
  CHECK(ks.stats().expired_keys == 5000);
}

TEST_CASE("a sweep over a keyspace without TTLs finishes in one step and is idle", "[sweeper]") {
  Keyspace ks(16);
  fill(ks, 0, 2000, kNoExpire);
  ExpirySweeper sweeper(ks);
  // A generous time budget: on a loaded machine the default 1 ms can pass
  // before the walk over every shard ends.
  auto r = sweeper.step(1'000'000, {.time = std::chrono::seconds(10)});
  CHECK(r.checked == 0);
  CHECK(r.wrapped);
  CHECK_FALSE(r.busy());
}

TEST_CASE("a time budget bounds a step", "[sweeper]") {
  Keyspace ks(1);
  fill(ks, 200000, 0, 100);
  ExpirySweeper sweeper(ks);
  // Deleting 200k keys takes far longer than the 1 ms budget allows one step.
  auto r = sweeper.step(200, {.time = std::chrono::milliseconds(1)});
  CHECK(r.expired > 0);
  CHECK(r.expired < 200000);
}

TEST_CASE("a step counts the keys with a TTL it checked", "[sweeper]") {
  Keyspace ks(1);
  fill(ks, 300, 700, 100);
  ExpirySweeper sweeper(ks);
  auto r = sweeper.step(200, {.time = std::chrono::seconds(10)});
  CHECK(r.wrapped);
  // Tables holding no key with a TTL are skipped; the others are walked whole.
  CHECK(r.checked > 300);
  CHECK(r.checked_volatile == 300);
  CHECK(r.expired == 300);
}

TEST_CASE("ExpiryStats: time, and a 5%-per-cycle estimate of the expired share", "[sweeper]") {
  using larder::storage::ExpiryStats;
  using larder::storage::SweepResult;
  ExpiryStats stats;
  CHECK(stats.stale_percent() == 0);
  SweepResult half;
  half.checked = 400;
  half.checked_volatile = 200;
  half.expired = 100;
  stats.add_step(half, 1'500'000);
  stats.add_step(half, 1'000'000);
  CHECK(stats.time_ms() == 2);
  CHECK(stats.stale_percent() == 0);  // the cycle has not ended
  stats.end_cycle();
  CHECK(stats.stale_percent() == Approx(2.5));  // 5% of a 50% share
  stats.end_cycle();  // no step since the last end: nothing changes
  CHECK(stats.stale_percent() == Approx(2.5));
  stats.add_step(SweepResult{}, 0);  // a cycle that found no key with a TTL: the estimate fades
  stats.end_cycle();
  CHECK(stats.stale_percent() == Approx(2.375));
  // A busy sweep ends a cycle every kStepsPerCycle steps on its own.
  SweepResult all;
  all.checked_volatile = all.expired = 10;
  for (int i = 0; i < ExpiryStats::kStepsPerCycle; ++i) stats.add_step(all, 0);
  CHECK(stats.stale_percent() == Approx(2.375 * 0.95 + 5));
  stats.end_cycle();  // the sweep's own end of that cycle does not count it twice
  CHECK(stats.stale_percent() == Approx(2.375 * 0.95 + 5));
  stats.reset();
  CHECK(stats.stale_percent() == 0);
  CHECK(stats.time_ms() == 0);
}
