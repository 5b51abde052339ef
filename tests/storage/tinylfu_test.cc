#include "larder/storage/tinylfu.h"

#include <catch2/catch.hpp>
#include <string>

#include "larder/storage/db.h"
#include "larder/storage/eviction.h"
#include "larder/storage/memory_usage.h"
#include "larder/storage/shard_locks.h"

using namespace larder::storage;

namespace {

constexpr std::int64_t kT0 = 1'700'000'000'000;

std::uint64_t h(const std::string& key) { return Table::hash_of(key); }

template <class Fn>
void with_db(Keyspace& ks, Fn&& fn) {
  ShardLocks locks(ks);
  locks.add_all();
  locks.acquire();
  Db db(ks, 0, kT0);
  fn(db);
}

bool exists(Keyspace& ks, const std::string& key) {
  bool found = false;
  with_db(ks, [&](Db& db) {
    db.set_no_touch(true);
    found = db.find_for_write(key) != nullptr;
  });
  return found;
}

std::size_t count_prefix(Keyspace& ks, const std::string& prefix, int n) {
  std::size_t c = 0;
  for (int i = 0; i < n; ++i) c += exists(ks, prefix + std::to_string(i)) ? 1 : 0;
  return c;
}

void evict_n(Evictor& ev, const EvictionSettings& s, std::size_t n) {
  std::size_t left = n;
  ev.evict(kT0, 0, s, std::chrono::seconds(10), [&] { return left-- > 0 ? std::size_t{1} : std::size_t{0}; });
}

// `n` keys "<prefix><i>" written outside TinyLFU (straight into the main
// area), then TinyLFU switched on and each key read `reads` times.
void main_keys(Keyspace& ks, const std::string& prefix, int n, int reads, std::int64_t expire = kNoExpire) {
  ks.access_policy().mode = static_cast<int>(AccessMode::kLru);
  with_db(ks, [&](Db& db) {
    for (int i = 0; i < n; ++i) db.set(prefix + std::to_string(i), "v", expire);
  });
  ks.access_policy().mode = static_cast<int>(AccessMode::kTinyLfu);
  with_db(ks, [&](Db& db) {
    for (int r = 0; r < reads; ++r) {
      for (int i = 0; i < n; ++i) db.find_for_read(prefix + std::to_string(i));
    }
  });
}

ShardStats totals(Keyspace& ks) { return ks.stats(); }

// "star", read 6 times, then 16 newer keys: the window's oldest key, with
// more counts than a key of the main area read less often.
void star_then_newer_keys(Keyspace& ks) {
  with_db(ks, [](Db& db) {
    db.set("star", "v", kNoExpire);
    for (int r = 0; r < 6; ++r) db.find_for_read("star");
    for (int i = 0; i < 16; ++i) db.set("new" + std::to_string(i), "v", kNoExpire);
  });
}

const EvictionSettings kTinyLfu{EvictionPolicy::kAllKeysTinyLfu, 5, 1};

}  // namespace

TEST_CASE("the sketch counts accesses and saturates at 15", "[tinylfu]") {
  FrequencySketch s;
  CHECK(s.frequency(h("a")) == 0);
  for (int i = 0; i < 5; ++i) s.increment(h("a"), 1'000'000);
  CHECK(s.frequency(h("a")) == 5);
  CHECK(s.frequency(h("b")) == 0);
  for (int i = 0; i < 40; ++i) s.increment(h("b"), 1'000'000);
  CHECK(s.frequency(h("b")) == FrequencySketch::kMaxCount);
  CHECK(s.frequency(h("a")) == 5);
}

TEST_CASE("the sketch halves every counter after `period` counted accesses", "[tinylfu]") {
  FrequencySketch s;
  for (int i = 0; i < 12; ++i) s.increment(h("hot"), 100);
  CHECK(s.frequency(h("hot")) == 12);
  // Distinct keys up to the 100th counted access, which halves the counters.
  for (int i = 0; i < 87; ++i) s.increment(h("other" + std::to_string(i)), 100);
  CHECK(s.additions() == 99);
  CHECK(s.frequency(h("hot")) == 12);
  s.increment(h("last"), 100);
  CHECK(s.frequency(h("hot")) == 6);
  CHECK(s.additions() == 50);
}

TEST_CASE("the sketch's size is fixed, whatever the number of keys", "[tinylfu]") {
  FrequencySketch s;
  CHECK(s.bytes() == 0);  // nothing until first used
  s.increment(h("k"), 1000);
  CHECK(s.bytes() == FrequencySketch::kBytes);
  CHECK(FrequencySketch::kBytes == 2048);
  for (int i = 0; i < 200'000; ++i) s.increment(h("k" + std::to_string(i)), 1000);
  CHECK(s.bytes() == FrequencySketch::kBytes);
}

TEST_CASE("the admission window is a bounded FIFO of hashes", "[tinylfu]") {
  AdmissionWindow w;
  CHECK_FALSE(w.pop().has_value());
  for (std::uint64_t i = 0; i < AdmissionWindow::kCapacity; ++i) CHECK(w.push(i));
  CHECK_FALSE(w.push(99));
  CHECK(w.size() == AdmissionWindow::kCapacity);
  CHECK(w.pop() == std::optional<std::uint64_t>{0});
  CHECK(w.pop() == std::optional<std::uint64_t>{1});
  CHECK(w.push(7));
  CHECK(w.size() == AdmissionWindow::kCapacity - 1);
}

TEST_CASE("the admission window's peek sees the next keys to leave, oldest first", "[tinylfu]") {
  AdmissionWindow w;
  w.set_shared(false);
  CHECK_FALSE(w.peek(0).has_value());
  for (std::uint64_t i = 0; i < 3; ++i) CHECK(w.push(10 + i));
  CHECK(w.pop() == std::optional<std::uint64_t>{10});
  CHECK(w.peek(0) == std::optional<std::uint64_t>{11});
  CHECK(w.peek(1) == std::optional<std::uint64_t>{12});
  CHECK_FALSE(w.peek(2).has_value());
  // Across the ring's end.
  while (w.pop()) {
  }
  for (std::uint64_t i = 0; i < AdmissionWindow::kCapacity - 1; ++i) CHECK(w.push(i));
  for (std::uint64_t i = 0; i < AdmissionWindow::kCapacity - 2; ++i) CHECK(w.pop() == std::optional<std::uint64_t>{i});
  CHECK(w.push(77));
  CHECK(w.peek(0) == std::optional<std::uint64_t>{AdmissionWindow::kCapacity - 2});
  CHECK(w.peek(1) == std::optional<std::uint64_t>{77});
  CHECK(w.size() == 2);
}

// Hashes with their own ContestLog slot (bits 40-54) and tag (bits 25-39).
std::uint64_t contest_hash(std::uint64_t i) { return i << 40 | i << 25 | 7; }

TEST_CASE("a contest's loser requested first moves the reset period", "[tinylfu]") {
  ContestLog log;
  CHECK(log.period_scaled() == ContestLog::kStartPeriod);
  CHECK(log.period_for(100) == 3000);
  // A rejected newcomer back first: the counts were stale, the period shortens.
  log.record(contest_hash(1), contest_hash(2), true);
  log.settle(contest_hash(1));
  CHECK(log.period_scaled() == ContestLog::kStartPeriod - ContestLog::kStartPeriod / ContestLog::kShortenDivisor);
  // Settled once: its partner's request later changes nothing.
  log.settle(contest_hash(2));
  CHECK(log.period_scaled() == ContestLog::kStartPeriod - ContestLog::kStartPeriod / ContestLog::kShortenDivisor);
  // An evicted victim back first: the counts were too young, it lengthens.
  const std::uint32_t before = log.period_scaled();
  log.record(contest_hash(3), contest_hash(4), false);
  log.settle(contest_hash(3));
  CHECK(log.period_scaled() == before + before / ContestLog::kLengthenDivisor);
}

TEST_CASE("a contest's winner requested first settles it without a move", "[tinylfu]") {
  ContestLog log;
  log.record(contest_hash(1), contest_hash(2), true);
  log.record(contest_hash(3), contest_hash(4), false);
  log.settle(contest_hash(2));
  log.settle(contest_hash(4));
  log.settle(contest_hash(1));
  log.settle(contest_hash(3));
  CHECK(log.period_scaled() == ContestLog::kStartPeriod);
  // A key in no contest, and a key whose tag differs on the same slot.
  log.record(contest_hash(5), contest_hash(6), true);
  log.settle(contest_hash(9));
  log.settle(contest_hash(5) ^ (std::uint64_t{1} << 30));
  CHECK(log.period_scaled() == ContestLog::kStartPeriod);
  // A newer contest on the loser's slot replaces the older one.
  log.record(contest_hash(5), contest_hash(7), false);
  log.settle(contest_hash(6));
  CHECK(log.period_scaled() == ContestLog::kStartPeriod);
  log.settle(contest_hash(5));
  CHECK(log.period_scaled() > ContestLog::kStartPeriod);
}

TEST_CASE("the reset period stays between 3 and 60 accesses per key", "[tinylfu]") {
  ContestLog log;
  for (std::uint64_t i = 0; i < 20000; ++i) {
    log.record(contest_hash(1), contest_hash(2), true);
    log.settle(contest_hash(1));
  }
  CHECK(log.period_scaled() == ContestLog::kMinPeriod);
  for (std::uint64_t i = 0; i < 2000; ++i) {
    log.record(contest_hash(1), contest_hash(2), false);
    log.settle(contest_hash(1));
  }
  CHECK(log.period_scaled() == ContestLog::kMaxPeriod);
}

TEST_CASE("the contest log, sketch and window ring are fixed in size and counted as used memory", "[tinylfu]") {
  const std::size_t before = MemoryUsage::dataset_bytes();
  {
    ContestLog log;
    CHECK(log.bytes() == 0);
    log.settle(contest_hash(1));  // nothing recorded: nothing allocated
    CHECK(log.bytes() == 0);
    for (std::uint64_t i = 0; i < 100000; ++i) log.record(contest_hash(i), contest_hash(i + 1), i % 2 == 0);
    CHECK(log.bytes() == ContestLog::kBytes);
    CHECK(ContestLog::kBytes == 128 * 1024);
    CHECK(MemoryUsage::dataset_bytes() >= before + ContestLog::kBytes);
    FrequencySketch sketch;
    const std::size_t with_log = MemoryUsage::dataset_bytes();
    sketch.increment(1, 1000);
    CHECK(MemoryUsage::dataset_bytes() >= with_log + FrequencySketch::kBytes);
    AdmissionWindow window;
    const std::size_t with_sketch = MemoryUsage::dataset_bytes();
    for (std::uint64_t i = 0; i < 2 * AdmissionWindow::kCapacity; ++i) window.push(i);
    CHECK(MemoryUsage::dataset_bytes() >= with_sketch + AdmissionWindow::kBytes);
    CHECK(MemoryUsage::dataset_bytes() < with_sketch + 2 * AdmissionWindow::kBytes);
  }
  CHECK(MemoryUsage::dataset_bytes() == before);
}

TEST_CASE("TinyLFU: a rejected newcomer read again shortens the reset period", "[tinylfu][eviction]") {
  Keyspace ks(1);
  main_keys(ks, "hot", 50, 4);
  with_db(ks, [](Db& db) {
    for (int i = 0; i < 17; ++i) db.set("new" + std::to_string(i), "v", kNoExpire);
  });
  Evictor ev(ks);
  evict_n(ev, kTinyLfu, 1);  // "new0" leaves the window and loses
  REQUIRE_FALSE(exists(ks, "new0"));
  CHECK(ks.contest_log().period_scaled() == ContestLog::kStartPeriod);
  with_db(ks, [](Db& db) { db.set("new0", "v", kNoExpire); });  // a cache-aside miss fills it again
  CHECK(ks.contest_log().period_scaled() < ContestLog::kStartPeriod);
}

TEST_CASE("TinyLFU: an evicted victim written again lengthens the reset period", "[tinylfu][eviction]") {
  Keyspace ks(1);
  main_keys(ks, "cold", 1, 0);
  star_then_newer_keys(ks);
  Evictor ev(ks);
  evict_n(ev, kTinyLfu, 1);  // "star" wins against the only main key, "cold0"
  REQUIRE(exists(ks, "star"));
  REQUIRE_FALSE(exists(ks, "cold0"));
  with_db(ks, [](Db& db) { db.set("cold0", "v", kNoExpire); });
  CHECK(ks.contest_log().period_scaled() > ContestLog::kStartPeriod);
}

TEST_CASE("TinyLFU: keys read once leave the window without displacing popular keys", "[tinylfu][eviction]") {
  Keyspace ks(1);
  main_keys(ks, "hot", 50, 4);
  // The window at its target (16, its minimum) plus the key just written,
  // then one eviction per new key, as in a full cache.
  with_db(ks, [](Db& db) {
    for (int i = 0; i < 17; ++i) db.set("scan" + std::to_string(i), "v", kNoExpire);
  });
  Evictor ev(ks);
  evict_n(ev, kTinyLfu, 1);
  for (int i = 17; i < 40; ++i) {
    with_db(ks, [i](Db& db) { db.set("scan" + std::to_string(i), "v", kNoExpire); });
    evict_n(ev, kTinyLfu, 1);
  }
  CHECK(count_prefix(ks, "hot", 50) == 50);
  CHECK(count_prefix(ks, "scan", 24) == 0);
  CHECK(count_prefix(ks, "scan", 40) == 16);  // the newest are still in the window
  const ShardStats st = totals(ks);
  CHECK(st.evicted_keys == 24);
  CHECK(st.evicted_window_keys == 24);
  CHECK(st.window_rejected_keys == 24);
  CHECK(st.evicted_main_keys == 0);
  CHECK(st.window_promoted_keys == 0);
}

TEST_CASE("TinyLFU: a key read more often than the main area's victim is admitted", "[tinylfu][eviction]") {
  Keyspace ks(1);
  main_keys(ks, "warm", 50, 2);
  star_then_newer_keys(ks);
  Evictor ev(ks);
  evict_n(ev, kTinyLfu, 1);
  CHECK(exists(ks, "star"));
  CHECK(count_prefix(ks, "warm", 50) == 49);
  const ShardStats st = totals(ks);
  CHECK(st.window_promoted_keys == 1);
  CHECK(st.evicted_main_keys == 1);
  CHECK(st.evicted_window_keys == 0);
  // Once admitted it is a main-area key: the rarest go first, "star" stays.
  evict_n(ev, kTinyLfu, 40);
  CHECK(exists(ks, "star"));
}

TEST_CASE("TinyLFU: a window over its target drains into the main area, a key per eviction", "[tinylfu][eviction]") {
  Keyspace ks(1);
  ks.access_policy().mode = static_cast<int>(AccessMode::kTinyLfu);
  // Written before any eviction: all 100 wait in the window (target 16:
  // 200 / 30, the starting period, is 6% of them, below kMinWindow).
  with_db(ks, [](Db& db) {
    for (int i = 0; i < 100; ++i) db.set("w" + std::to_string(i), "v", kNoExpire);
  });
  Evictor ev(ks);
  evict_n(ev, kTinyLfu, 1);
  // "w0" joins the main area without a contest; "w1" meets it and, no more
  // counted, loses.
  CHECK(exists(ks, "w0"));
  CHECK_FALSE(exists(ks, "w1"));
  ShardStats st = totals(ks);
  CHECK(st.window_promoted_keys == 1);
  CHECK(st.window_rejected_keys == 1);
  CHECK(ks.admission_window().size() == 98);
  // Each eviction takes two keys out of the window down to its target...
  evict_n(ev, kTinyLfu, 41);
  CHECK(ks.admission_window().size() == 16);
  st = totals(ks);
  CHECK(st.window_promoted_keys + st.evicted_window_keys == 84);
  CHECK(st.evicted_main_keys + st.evicted_window_keys == 42);
  // ...where it stays: the next victim comes from the main area.
  evict_n(ev, kTinyLfu, 1);
  CHECK(ks.admission_window().size() == 16);
  CHECK(totals(ks).evicted_keys == 43);
}

TEST_CASE("TinyLFU: the window's share grows as the reset period shortens", "[tinylfu][eviction]") {
  Keyspace ks(1);
  main_keys(ks, "m", 1000, 0);
  with_db(ks, [](Db& db) {
    for (int i = 0; i < 500; ++i) db.set("w" + std::to_string(i), "v", kNoExpire);
  });
  REQUIRE(ks.admission_window().size() == 500);
  Evictor ev(ks);
  SECTION("at the starting period (30) the target is 6% of the 1500 keys: the window drains") {
    evict_n(ev, kTinyLfu, 10);
    CHECK(ks.admission_window().size() == 480);
  }
  SECTION("at the shortest period (3) it is 35%, 525 keys: the window keeps its 500") {
    for (int i = 0; i < 20000; ++i) {
      ks.contest_log().record(contest_hash(1), contest_hash(2), true);
      ks.contest_log().settle(contest_hash(1));
    }
    REQUIRE(ks.contest_log().period_scaled() == ContestLog::kMinPeriod);
    evict_n(ev, kTinyLfu, 10);
    CHECK(ks.admission_window().size() == 500);
    CHECK(totals(ks).evicted_main_keys == 10);
    CHECK(count_prefix(ks, "w", 500) == 500);
  }
}

TEST_CASE("TinyLFU: at its largest target the window keeps flowing, a key per eviction", "[tinylfu][eviction]") {
  Keyspace ks(1);
  main_keys(ks, "m", 30000, 0);
  with_db(ks, [](Db& db) {
    for (std::size_t i = 0; i < AdmissionWindow::kCapacity; ++i) db.set("w" + std::to_string(i), "v", kNoExpire);
  });
  REQUIRE(ks.admission_window().size() == AdmissionWindow::kCapacity);
  for (int i = 0; i < 20000; ++i) {
    ks.contest_log().record(contest_hash(1), contest_hash(2), true);
    ks.contest_log().settle(contest_hash(1));
  }
  REQUIRE(ks.contest_log().period_scaled() == ContestLog::kMinPeriod);
  // 35% of the 38192 keys is over the FIFO's capacity: the target is one key
  // less, so the FIFO has room for a new key, and each eviction moves the
  // window's oldest key to the main area (no contest) and evicts from there.
  Evictor ev(ks);
  for (int i = 0; i < 10; ++i) {
    evict_n(ev, kTinyLfu, 1);
    with_db(ks, [&](Db& db) { db.set("n" + std::to_string(i), "v", kNoExpire); });
  }
  ShardStats st = totals(ks);
  CHECK(st.window_promoted_keys == 10);
  CHECK(st.window_rejected_keys == 0);
  CHECK(st.evicted_main_keys == 10);
  CHECK(ks.admission_window().size() == AdmissionWindow::kCapacity);
  CHECK(count_prefix(ks, "w", 10) == 10);
  CHECK(count_prefix(ks, "n", 10) == 10);
}

TEST_CASE("TinyLFU: a key just written is there to be read back", "[tinylfu][eviction]") {
  Keyspace ks(1);
  main_keys(ks, "k", 50, 0);
  with_db(ks, [](Db& db) { db.set("session", "v", kNoExpire); });
  Evictor ev(ks);
  evict_n(ev, kTinyLfu, 45);
  CHECK(exists(ks, "session"));
  CHECK(count_prefix(ks, "k", 50) == 5);
  CHECK(totals(ks).evicted_main_keys == 45);
}

TEST_CASE("volatile-tinylfu evicts only keys with a TTL", "[tinylfu][eviction]") {
  Keyspace ks(1);
  main_keys(ks, "ttl", 20, 1, kT0 + 3'600'000);
  with_db(ks, [](Db& db) {
    for (int i = 0; i < 20; ++i) db.set("keep" + std::to_string(i), "v", kNoExpire);
  });
  Evictor ev(ks);
  evict_n(ev, {EvictionPolicy::kVolatileTinyLfu, 5, 1}, 10);
  CHECK(count_prefix(ks, "keep", 20) == 20);
  CHECK(count_prefix(ks, "ttl", 20) == 10);
  evict_n(ev, {EvictionPolicy::kVolatileTinyLfu, 5, 1}, 30);
  CHECK(count_prefix(ks, "keep", 20) == 20);
  CHECK(count_prefix(ks, "ttl", 20) == 0);
}

TEST_CASE("tinylfu policy names parse and pick TinyLFU's access stamps", "[tinylfu][eviction]") {
  CHECK(parse_eviction_policy("allkeys-tinylfu") == EvictionPolicy::kAllKeysTinyLfu);
  CHECK(parse_eviction_policy("volatile-tinylfu") == EvictionPolicy::kVolatileTinyLfu);
  CHECK(access_mode_for(EvictionPolicy::kAllKeysTinyLfu) == AccessMode::kTinyLfu);
  CHECK(access_mode_for(EvictionPolicy::kVolatileTinyLfu) == AccessMode::kTinyLfu);
}
