#include "larder/storage/eviction.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <future>
#include <string>
#include <thread>
#include <utility>

#include "larder/storage/db.h"
#include "larder/storage/memory_usage.h"
#include "larder/storage/shard_locks.h"

using namespace larder::storage;

namespace {

constexpr std::int64_t kT0 = 1'700'000'000'000;

// Runs `fn(Db&)` on db 0 with every shard locked, at time `now`.
template <class Fn>
void with_db(Keyspace& ks, std::int64_t now, Fn&& fn) {
  ShardLocks locks(ks);
  locks.add_all();
  locks.acquire();
  Db db(ks, 0, now);
  fn(db);
}

bool exists(Keyspace& ks, const std::string& key, std::int64_t now) {
  bool found = false;
  with_db(ks, now, [&](Db& db) {
    db.set_no_touch(true);
    found = db.find_for_write(key) != nullptr;
  });
  return found;
}

std::size_t count_prefix(Keyspace& ks, const std::string& prefix, int n, std::int64_t now) {
  std::size_t c = 0;
  for (int i = 0; i < n; ++i) c += exists(ks, prefix + std::to_string(i), now) ? 1 : 0;
  return c;
}

// Evicts `n` keys, whatever the memory says.
void evict_n(Evictor& ev, std::int64_t now, const EvictionSettings& s, std::size_t n) {
  std::size_t left = n;
  ev.evict(now, 0, s, std::chrono::seconds(10), [&] { return left-- > 0 ? std::size_t{1} : std::size_t{0}; });
}

}  // namespace

TEST_CASE("policy names parse as Redis spells them", "[eviction]") {
  CHECK(parse_eviction_policy("allkeys-lru") == EvictionPolicy::kAllKeysLru);
  CHECK(parse_eviction_policy("volatile-ttl") == EvictionPolicy::kVolatileTtl);
  CHECK(parse_eviction_policy("allkeys-sieve") == EvictionPolicy::kAllKeysSieve);
  CHECK_FALSE(parse_eviction_policy("allkeys-fifo").has_value());
  CHECK(access_mode_for(EvictionPolicy::kVolatileLfu) == AccessMode::kLfu);
  CHECK(access_mode_for(EvictionPolicy::kAllKeysRandom) == AccessMode::kLru);
}

TEST_CASE("allocated bytes rise and fall with keys", "[eviction][memory]") {
  Keyspace ks(1);
  const std::size_t before = MemoryUsage::dataset_bytes();
  with_db(ks, kT0, [](Db& db) {
    for (int i = 0; i < 1000; ++i) db.set("k" + std::to_string(i), std::string(100, 'v'), kNoExpire);
  });
  const std::size_t filled = MemoryUsage::dataset_bytes();
  CHECK(filled - before >= 1000 * 100);
  with_db(ks, kT0, [](Db& db) {
    for (int i = 0; i < 1000; ++i) db.erase("k" + std::to_string(i));
  });
  CHECK(MemoryUsage::dataset_bytes() == before);
}

TEST_CASE("LRU evicts the keys idle longest", "[eviction]") {
  Keyspace ks(1);
  ks.access_policy().mode = static_cast<int>(AccessMode::kLru);
  with_db(ks, kT0, [](Db& db) {
    for (int i = 0; i < 200; ++i) db.set("old" + std::to_string(i), "v", kNoExpire);
  });
  with_db(ks, kT0 + 100'000, [](Db& db) {
    for (int i = 0; i < 200; ++i) db.set("new" + std::to_string(i), "v", kNoExpire);
  });
  Evictor ev(ks);
  evict_n(ev, kT0 + 200'000, {EvictionPolicy::kAllKeysLru, 5, 1}, 100);
  const std::size_t old_left = count_prefix(ks, "old", 200, kT0 + 200'000);
  const std::size_t new_left = count_prefix(ks, "new", 200, kT0 + 200'000);
  CHECK(old_left + new_left == 300);
  CHECK(new_left > 190);  // sampling approximates LRU: nearly all victims are old
}

TEST_CASE("LFU keeps the keys read most often", "[eviction]") {
  Keyspace ks(1);
  ks.access_policy().mode = static_cast<int>(AccessMode::kLfu);
  ks.access_policy().lfu_log_factor = 0;  // every read counts
  with_db(ks, kT0, [](Db& db) {
    for (int i = 0; i < 200; ++i) db.set("hot" + std::to_string(i), "v", kNoExpire);
    for (int i = 0; i < 200; ++i) db.set("cold" + std::to_string(i), "v", kNoExpire);
    for (int r = 0; r < 20; ++r) {
      for (int i = 0; i < 200; ++i) db.find_for_read("hot" + std::to_string(i));
    }
  });
  Evictor ev(ks);
  evict_n(ev, kT0 + 1000, {EvictionPolicy::kAllKeysLfu, 5, 1}, 150);
  CHECK(count_prefix(ks, "hot", 200, kT0 + 1000) > 190);
}

TEST_CASE("volatile policies only evict keys with a TTL; volatile-ttl the soonest", "[eviction]") {
  Keyspace ks(1);
  with_db(ks, kT0, [](Db& db) {
    for (int i = 0; i < 100; ++i) db.set("keep" + std::to_string(i), "v", kNoExpire);
    for (int i = 0; i < 100; ++i) db.set("soon" + std::to_string(i), "v", kT0 + 10'000);
    for (int i = 0; i < 100; ++i) db.set("late" + std::to_string(i), "v", kT0 + 10'000'000);
  });
  Evictor ev(ks);
  evict_n(ev, kT0, {EvictionPolicy::kVolatileTtl, 5, 1}, 80);
  CHECK(count_prefix(ks, "keep", 100, kT0) == 100);
  CHECK(count_prefix(ks, "late", 100, kT0) > 90);
  evict_n(ev, kT0, {EvictionPolicy::kVolatileRandom, 5, 1}, 1000);
  CHECK(count_prefix(ks, "keep", 100, kT0) == 100);
  CHECK(count_prefix(ks, "late", 100, kT0) + count_prefix(ks, "soon", 100, kT0) == 0);
}

TEST_CASE("volatile policies find the few keys with a TTL among many", "[eviction]") {
  // As Redis samples its expires dict: 5 volatile keys among 200k are found
  // (a fixed walk of a few buckets per shard would miss them), and once they
  // are gone the call reports that nothing is left to evict.
  for (const EvictionPolicy policy : {EvictionPolicy::kVolatileRandom, EvictionPolicy::kVolatileLru,
                                      EvictionPolicy::kVolatileTtl, EvictionPolicy::kVolatileLfu}) {
    Keyspace ks(1);
    with_db(ks, kT0, [](Db& db) {
      for (int i = 0; i < 200'000; ++i) db.set("keep" + std::to_string(i), "v", kNoExpire);
      for (int i = 0; i < 5; ++i) db.set("ttl" + std::to_string(i), "v", kT0 + 10'000'000);
    });
    Evictor ev(ks);
    const auto r = ev.evict(kT0, 0, {policy, 5, 1}, std::chrono::seconds(10), [] { return std::size_t{1}; });
    CHECK(r.evicted == 5);
    CHECK(r.exhausted);
    CHECK(count_prefix(ks, "ttl", 5, kT0) == 0);
  }
}

TEST_CASE("random and SIEVE evict; SIEVE spares visited keys", "[eviction]") {
  Keyspace ks(1);
  ks.access_policy().mode = static_cast<int>(AccessMode::kSieve);
  with_db(ks, kT0, [](Db& db) {
    for (int i = 0; i < 300; ++i) db.set("seen" + std::to_string(i), "v", kNoExpire);
    for (int i = 0; i < 300; ++i) db.set("once" + std::to_string(i), "v", kNoExpire);
    for (int i = 0; i < 300; ++i) db.find_for_read("seen" + std::to_string(i));
  });
  Evictor ev(ks);
  evict_n(ev, kT0, {EvictionPolicy::kAllKeysSieve, 5, 1}, 200);
  CHECK(count_prefix(ks, "seen", 300, kT0) + count_prefix(ks, "once", 300, kT0) == 400);
  CHECK(count_prefix(ks, "seen", 300, kT0) > count_prefix(ks, "once", 300, kT0));
  evict_n(ev, kT0, {EvictionPolicy::kAllKeysRandom, 5, 1}, 100);
  CHECK(count_prefix(ks, "seen", 300, kT0) + count_prefix(ks, "once", 300, kT0) == 300);
}

TEST_CASE("noeviction evicts nothing and an empty keyspace cannot make room", "[eviction]") {
  Keyspace ks(1);
  Evictor ev(ks);
  auto r = ev.evict(kT0, 0, {EvictionPolicy::kNoEviction, 5, 1}, std::chrono::milliseconds(1),
                    [] { return std::size_t{100}; });
  CHECK(r.evicted == 0);
  CHECK_FALSE(r.under_limit);
  r = ev.evict(kT0, 0, {EvictionPolicy::kAllKeysLru, 5, 1}, std::chrono::milliseconds(1),
               [] { return std::size_t{100}; });
  CHECK(r.evicted == 0);
  CHECK_FALSE(r.under_limit);
}

TEST_CASE("the slack a deferring call leaves is 1/256 of the target, at least 64 KiB, at most 1/8", "[eviction]") {
  CHECK(Evictor::defer_slack(std::size_t{1} << 30) == (std::size_t{1} << 22));
  CHECK(Evictor::defer_slack(std::size_t{1} << 20) == 64 * 1024);
  CHECK(Evictor::defer_slack(4096) == 512);
  CHECK(Evictor::defer_slack(1) == 0);
}

namespace {

// Thread a evicts towards `target`; a call within the slack returns without
// waiting for it, a call past the slack waits, then evicts one key itself.
void check_deferral(std::size_t target) {
  Keyspace ks(1);
  with_db(ks, kT0, [](Db& db) {
    for (int i = 0; i < 10; ++i) db.set("k" + std::to_string(i), "v", kNoExpire);
  });
  Evictor ev(ks);
  const EvictionSettings s{EvictionPolicy::kAllKeysRandom, 5, 1};
  const std::size_t slack = Evictor::defer_slack(target);
  // Thread a evicts, and stops inside its first reading of the memory.
  std::promise<void> inside;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::thread a([&] {
    bool first = true;
    ev.evict(kT0, target, s, std::chrono::seconds(10), [&] {
      if (std::exchange(first, false)) {
        inside.set_value();
        released.wait();
      }
      return target;
    });
  });
  inside.get_future().wait();
  // Within the slack: no wait, no eviction.
  auto within = std::async(std::launch::async, [&] {
    return ev.evict(kT0, target, s, std::chrono::seconds(10), [&] { return target + slack; });
  });
  if (within.wait_for(std::chrono::seconds(5)) != std::future_status::ready) {
    release.set_value();  // so that the threads end before the test fails
    a.join();
    FAIL("the call waited for the other thread's eviction");
  }
  const EvictionResult r = within.get();
  CHECK(r.deferred);
  CHECK(r.evicted == 0);
  CHECK_FALSE(r.under_limit);
  // Past it: waits for thread a, then evicts itself.
  std::atomic<bool> done{false};
  std::atomic<int> readings{0};
  EvictionResult late;
  std::thread b([&] {
    late = ev.evict(kT0, target, s, std::chrono::seconds(10),
                    [&] { return ++readings <= 2 ? target + slack + 1 : target; });
    done = true;
  });
  // b has read the memory once (over the slack) before a lets go, however
  // slowly its thread starts on a loaded machine.
  for (int i = 0; i < 1000 && readings.load() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(readings.load() == 1);
  CHECK_FALSE(done);
  release.set_value();
  a.join();
  b.join();
  CHECK_FALSE(late.deferred);
  CHECK(late.evicted == 1);
  CHECK(late.under_limit);
  CHECK(count_prefix(ks, "k", 10, kT0) == 9);
}

}  // namespace

TEST_CASE("a call that finds another thread evicting leaves it the work within the slack", "[eviction]") {
  SECTION("a large target") { check_deferral(std::size_t{1} << 20); }
  SECTION("a small target, whose slack is 1/8 of it") { check_deferral(4096); }
}

TEST_CASE("ExceededTime: periods over the limit open once, close into the total, and reset", "[eviction]") {
  ExceededTime t;
  CHECK_FALSE(t.open());
  CHECK(t.total_us(1000) == 0);
  t.within(1000);  // nothing open: nothing counted
  CHECK(t.total_us(1000) == 0);
  t.over(1000);
  t.over(1500);  // already open: it keeps its start
  CHECK(t.open());
  CHECK(t.current_us(1800) == 800);
  CHECK(t.total_us(1800) == 800);
  t.within(2000);
  CHECK_FALSE(t.open());
  CHECK(t.current_us(5000) == 0);
  CHECK(t.total_us(5000) == 1000);
  t.over(6000);
  CHECK(t.total_us(6500) == 1500);  // the closed period and the open one's 500
  t.reset();
  CHECK_FALSE(t.open());
  CHECK(t.total_us(9000) == 0);
  t.within(9000);
  CHECK(t.total_us(9000) == 0);
}
