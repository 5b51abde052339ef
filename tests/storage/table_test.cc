#include "larder/storage/table.h"

#include "larder/storage/memory_usage.h"

#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <set>
#include <string>

using larder::storage::Entry;
using larder::storage::kNoExpire;
using larder::storage::Table;

namespace {
void put(Table& t, const std::string& k, std::int64_t expire = kNoExpire) {
  t.insert(Entry::make(k, "v" + k, expire), Table::hash_of(k));
}

std::set<std::string> full_scan(Table& t) {
  std::set<std::string> seen;
  std::uint64_t cursor = 0;
  do {
    cursor = t.scan(cursor, [&](const Entry& e) {
      seen.emplace(e.key());
      return false;
    });
  } while (cursor != 0);
  return seen;
}
}  // namespace

TEST_CASE("insert, find, replace, remove", "[table]") {
  Table t;
  for (int i = 0; i < 1000; ++i) put(t, "key:" + std::to_string(i), i % 3 == 0 ? 99 : kNoExpire);
  CHECK(t.size() == 1000);
  CHECK(t.volatile_count() == 334);
  CHECK(t.bucket_count() >= 1000 / 2);  // at most two entries per bucket
  for (int i = 0; i < 1000; ++i) {
    std::string k = "key:" + std::to_string(i);
    Entry* e = t.find(k, Table::hash_of(k));
    REQUIRE(e != nullptr);
    CHECK(e->value() == "v" + k);
  }
  std::string k = "key:3";
  t.replace(t.find(k, Table::hash_of(k)), Entry::make(k, "new", kNoExpire), Table::hash_of(k));
  CHECK(t.find(k, Table::hash_of(k))->value() == "new");
  CHECK(t.volatile_count() == 333);
  CHECK(t.remove(k, Table::hash_of(k)));
  CHECK_FALSE(t.remove(k, Table::hash_of(k)));
  CHECK(t.find(k, Table::hash_of(k)) == nullptr);
  CHECK(t.size() == 999);
}

TEST_CASE("a table takes 40 bytes (every shard has one per database in use)", "[table]") {
  STATIC_REQUIRE(sizeof(Table) == 40);
}

TEST_CASE("the table shrinks as keys leave and frees its buckets when empty", "[table]") {
  Table t;
  for (int i = 0; i < 4096; ++i) put(t, std::to_string(i));
  std::size_t grown = t.bucket_count();
  for (int i = 0; i < 4000; ++i) {
    std::string k = std::to_string(i);
    t.remove(k, Table::hash_of(k));
  }
  CHECK(t.bucket_count() < grown);
  for (int i = 4000; i < 4096; ++i) {
    std::string k = std::to_string(i);
    t.remove(k, Table::hash_of(k));
  }
  CHECK(t.size() == 0);
  CHECK(t.bucket_count() == 0);
}

TEST_CASE("scan visits every key exactly once on a stable table", "[table][scan]") {
  Table t;
  for (int i = 0; i < 500; ++i) put(t, std::to_string(i));
  std::size_t visits = 0;
  std::uint64_t cursor = 0;
  do {
    cursor = t.scan(cursor, [&](const Entry&) {
      ++visits;
      return false;
    });
  } while (cursor != 0);
  CHECK(visits == 500);
  CHECK(full_scan(t).size() == 500);
}

TEST_CASE("scan returns keys present throughout even while the table resizes", "[table][scan]") {
  Table t;
  for (int i = 0; i < 300; ++i) put(t, "stable:" + std::to_string(i));
  std::set<std::string> seen;
  std::uint64_t cursor = 0;
  int step = 0;
  do {
    cursor = t.scan(cursor, [&](const Entry& e) {
      seen.emplace(e.key());
      return false;
    });
    // Grow hard during the first half, then shrink by removing the extras.
    if (step < 40) {
      for (int j = 0; j < 100; ++j) put(t, "extra:" + std::to_string(step * 100 + j));
    } else if (step < 80) {
      for (int j = 0; j < 100; ++j) {
        std::string k = "extra:" + std::to_string((step - 40) * 100 + j);
        t.remove(k, Table::hash_of(k));
      }
    }
    ++step;
  } while (cursor != 0);
  for (int i = 0; i < 300; ++i) CHECK(seen.count("stable:" + std::to_string(i)) == 1);
}

TEST_CASE("scan removes the entries its visitor picks", "[table][scan]") {
  Table t;
  for (int i = 0; i < 200; ++i) put(t, std::to_string(i), i % 2 ? 10 : kNoExpire);
  std::uint64_t cursor = 0;
  do {
    cursor = t.scan(cursor, [](const Entry& e) { return e.has_expire(); });
  } while (cursor != 0);
  CHECK(t.size() == 100);
  CHECK(t.volatile_count() == 0);
}

TEST_CASE("paused shrinking keeps the buckets until the last pause is dropped", "[table]") {
  Table t;
  for (int i = 0; i < 4096; ++i) put(t, std::to_string(i));
  const std::size_t grown = t.bucket_count();
  t.pause_shrinking();
  t.pause_shrinking();
  for (int i = 0; i < 4000; ++i) {
    std::string k = std::to_string(i);
    t.remove(k, Table::hash_of(k));
  }
  CHECK(t.bucket_count() == grown);
  t.resume_shrinking();
  CHECK(t.bucket_count() == grown);
  t.resume_shrinking();  // straight to the size 96 entries need
  CHECK(t.bucket_count() == 512);
  CHECK(full_scan(t).size() == 96);
}

TEST_CASE("a pause stays with the table object, not with the contents moved out", "[table]") {
  Table slot;
  for (int i = 0; i < 1000; ++i) put(slot, std::to_string(i));
  slot.pause_shrinking();
  Table moved(std::move(slot));  // as FLUSHDB detaches a shard's table
  for (int i = 0; i < 1000; ++i) {
    std::string k = std::to_string(i);
    moved.remove(k, Table::hash_of(k));
  }
  CHECK(moved.bucket_count() == 0);  // not paused: shrank away as it emptied
  for (int i = 0; i < 1000; ++i) put(slot, std::to_string(i));
  const std::size_t grown = slot.bucket_count();
  for (int i = 0; i < 999; ++i) {
    std::string k = std::to_string(i);
    slot.remove(k, Table::hash_of(k));
  }
  CHECK(slot.bucket_count() == grown);  // still paused
  slot.resume_shrinking();
  CHECK(slot.bucket_count() == grown / 8);  // at most 8 times smaller per resize
  while (slot.advance_resize(64) > 0) {
  }
  CHECK(slot.bucket_count() == 8);  // one entry per 8 buckets at least
}

TEST_CASE("visit_from walks consecutive buckets, wrapping, each entry once, until told to stop", "[table]") {
  Table t;
  std::set<std::string> all;
  for (int i = 0; i < 300; ++i) {
    put(t, "k" + std::to_string(i));
    all.insert("k" + std::to_string(i));
  }
  const std::size_t buckets = t.bucket_count();
  // Every bucket from the middle on, wrapping: every entry exactly once.
  std::multiset<std::string> seen;
  t.visit_from(buckets / 2 + 1, buckets * 3, [&](const Entry& e) {
    seen.emplace(e.key());
    return true;
  });
  CHECK(seen.size() == all.size());
  CHECK(std::set<std::string>(seen.begin(), seen.end()) == all);
  // Only the entries of the buckets asked for, and none after a false.
  std::size_t in_two = 0;
  t.visit_from(buckets - 1, 2, [&](const Entry& e) {
    const std::size_t b = Table::hash_of(e.key()) & (buckets - 1);
    CHECK((b == buckets - 1 || b == 0));
    ++in_two;
    return true;
  });
  std::size_t expected_in_two = 0;
  for (const std::string& k : all) {
    const std::size_t b = Table::hash_of(k) & (buckets - 1);
    expected_in_two += b == buckets - 1 || b == 0;
  }
  CHECK(in_two == expected_in_two);
  std::size_t visits = 0;
  t.visit_from(0, buckets, [&](const Entry&) { return ++visits < 5; });
  CHECK(visits == 5);
  Table empty;
  empty.visit_from(7, 100, [&](const Entry&) { return true; });
}

// Bucket slots carry a filter of their chains' hashes that removals leave
// stale and failed lookups tighten: neither may hide a key or show a gone one.
TEST_CASE("lookups agree with a model through inserts, removals, relinks, scans and resizes", "[table]") {
  Table t;
  std::set<std::string> model;
  std::mt19937 rng(15);
  std::uint64_t cursor = 0;
  auto check_all = [&] {
    for (int i = 0; i < 3000; ++i) {
      const std::string k = "k" + std::to_string(i);
      REQUIRE((t.find(k, Table::hash_of(k)) != nullptr) == (model.count(k) == 1));
    }
  };
  for (int step = 0; step < 200000; ++step) {
    // Phases of mostly inserts and mostly removals make the table grow and shrink.
    const bool filling = (step / 20000) % 2 == 0;
    const std::string k = "k" + std::to_string(rng() % 3000);
    const std::uint64_t hash = Table::hash_of(k);
    switch (rng() % 8) {
      case 0:
      case 1:
      case 2:
        if (filling && model.insert(k).second) put(t, k);
        break;
      case 3:
      case 4:
        REQUIRE(t.remove(k, hash) == (model.erase(k) == 1));
        break;
      case 5:
        if (Entry* e = t.find(k, hash); e != nullptr) {
          t.unlink(e, hash);
          t.insert(e, hash);
        }
        break;
      case 6:
        cursor = t.scan(cursor, [&](const Entry& e) {
          if (rng() % 2 == 0) return false;
          model.erase(std::string(e.key()));
          return true;
        });
        break;
      default:
        if (Entry* e = t.find(k, hash); e != nullptr) t.replace(e, Entry::make(k, "again", kNoExpire), hash);
        break;
    }
    REQUIRE((t.find(k, hash) != nullptr) == (model.count(k) == 1));
    if (step % 10000 == 0) check_all();
  }
  check_all();
  CHECK(t.size() == model.size());
}

TEST_CASE("move_entries relinks the copies move() returns, wherever they sit in a chain", "[table]") {
  Table t;
  for (int i = 0; i < 3000; ++i) put(t, "key:" + std::to_string(i));
  std::set<const Entry*> old_blocks;
  std::size_t offered = 0;
  std::uint64_t bucket = 0;
  do {
    bucket = t.move_entries(bucket, 7, [&](Entry* e) {
      ++offered;
      if (offered % 3 == 0) return e;  // stays
      old_blocks.insert(e);
      // A copy in a new block, the old one freed (as Entry::defragment does).
      Entry* copy = Entry::make(e->key(), e->value(), kNoExpire);
      copy->set_next(e->next());
      Entry::destroy(e);
      return copy;
    });
  } while (bucket != 0);
  CHECK(offered == 3000);
  CHECK(t.size() == 3000);
  for (int i = 0; i < 3000; ++i) {
    const std::string k = "key:" + std::to_string(i);
    Entry* e = t.find(k, Table::hash_of(k));
    REQUIRE(e != nullptr);
    CHECK(e->value() == "v" + k);
  }
  CHECK(full_scan(t).size() == 3000);
}

namespace {
bool has(Table& t, const std::string& k) { return t.find(k, Table::hash_of(k)) != nullptr; }

// Inserts "k0", "k1", ... until a doubling to `buckets` has just begun;
// returns how many keys were put.
int grow_until_resizing_to(Table& t, std::size_t buckets) {
  int n = 0;
  while (!t.resizing() || t.bucket_count() < buckets) put(t, "k" + std::to_string(n++));
  return n;
}
}  // namespace

TEST_CASE("a doubling moves four buckets per insert, every key findable throughout", "[table][resize]") {
  Table t;
  int n = grow_until_resizing_to(t, 1024);
  CHECK(n == 1025);  // the insert after 2 keys per bucket of 512 began it
  CHECK(t.bucket_count() == 1024);
  CHECK(t.allocated_buckets() == 512 + 1024);
  int inserts = 0;
  while (t.resizing()) {
    put(t, "k" + std::to_string(n++));
    ++inserts;
    if (inserts % 16 == 0) {
      for (int i = 0; i < n; ++i) REQUIRE(has(t, "k" + std::to_string(i)));
      CHECK(full_scan(t).size() == static_cast<std::size_t>(n));
      std::multiset<std::string> seen;
      t.visit_from(77, SIZE_MAX, [&](const Entry& e) {
        seen.emplace(e.key());
        return true;
      });
      CHECK(seen.size() == static_cast<std::size_t>(n));
      CHECK(std::set<std::string>(seen.begin(), seen.end()).size() == seen.size());
    }
  }
  CHECK(inserts == 512 / 4 - 1);  // the first step came with the insert that began it
  CHECK(t.allocated_buckets() == 1024);
  for (int i = 0; i < n; ++i) REQUIRE(has(t, "k" + std::to_string(i)));
}

TEST_CASE("a halving merges four buckets per change, every key findable throughout", "[table][resize]") {
  Table t;
  for (int i = 0; i < 4096; ++i) put(t, "k" + std::to_string(i));
  while (t.advance_resize(64) > 0) {
  }
  REQUIRE_FALSE(t.resizing());
  REQUIRE(t.bucket_count() == 2048);
  int removed = 0;
  while (!t.resizing()) {
    REQUIRE(t.remove("k" + std::to_string(removed), Table::hash_of("k" + std::to_string(removed))));
    ++removed;
  }
  CHECK(t.size() == 255);  // below 1/8 of 2048
  CHECK(t.bucket_count() == 1024);
  // Keep the size level, one removal and one insert at a time.
  int changes = 0;
  int next = 4096;
  while (t.resizing()) {
    if (changes % 2 == 0) {
      REQUIRE(t.remove("k" + std::to_string(removed), Table::hash_of("k" + std::to_string(removed))));
      ++removed;
    } else {
      put(t, "k" + std::to_string(next++));
    }
    ++changes;
    for (int i = removed; i < next; ++i) REQUIRE(has(t, "k" + std::to_string(i)));
    for (int i = 0; i < removed; ++i) REQUIRE_FALSE(has(t, "k" + std::to_string(i)));
    if (changes == 100) CHECK(full_scan(t).size() == t.size());
  }
  CHECK(changes == (1024 - 2) / 2);  // four old slots, two merged pairs, a change
  CHECK(t.allocated_buckets() == 1024);
  CHECK(full_scan(t).size() == t.size());
}

TEST_CASE("a scan that keeps its cursor through incremental doublings sees each key once", "[table][resize][scan]") {
  Table t;
  for (int i = 0; i < 300; ++i) put(t, "stable:" + std::to_string(i));
  std::map<std::string, int> seen;
  std::uint64_t cursor = 0;
  int extra = 0;
  bool saw_resizing = false;
  do {
    cursor = t.scan(cursor, [&](const Entry& e) {
      ++seen[std::string(e.key())];
      return false;
    });
    for (int j = 0; j < 7; ++j) put(t, "extra:" + std::to_string(extra++));
    saw_resizing |= t.resizing();
  } while (cursor != 0);
  CHECK(saw_resizing);
  for (int i = 0; i < 300; ++i) CHECK(seen["stable:" + std::to_string(i)] == 1);
}

TEST_CASE("removals, moves and clear in the middle of a resize", "[table][resize]") {
  const std::size_t before = larder::storage::MemoryUsage::dataset_bytes();
  Table t;
  int n = grow_until_resizing_to(t, 2048);
  for (int i = 0; i < 100; ++i) put(t, "k" + std::to_string(n++));
  REQUIRE(t.resizing());
  SECTION("move_entries offers every entry once and relinks the copies") {
    std::size_t offered = 0;
    std::uint64_t bucket = 0;
    do {
      bucket = t.move_entries(bucket, 5, [&](Entry* e) {
        ++offered;
        Entry* copy = Entry::make(e->key(), e->value(), kNoExpire);
        copy->set_next(e->next());
        Entry::destroy(e);
        return copy;
      });
    } while (bucket != 0);
    CHECK(offered == static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) REQUIRE(has(t, "k" + std::to_string(i)));
  }
  SECTION("emptying it frees both arrays") {
    for (int i = 0; i < n; ++i) REQUIRE(t.remove("k" + std::to_string(i), Table::hash_of("k" + std::to_string(i))));
    CHECK(t.allocated_buckets() == 0);
    CHECK_FALSE(t.resizing());
    put(t, "again");
    CHECK(has(t, "again"));
  }
  SECTION("clear destroys the entries of both arrays") {
    t.clear();
    CHECK(t.size() == 0);
    CHECK(t.allocated_buckets() == 0);
    CHECK(larder::storage::MemoryUsage::dataset_bytes() == before);
    CHECK_FALSE(has(t, "k1"));
  }
  SECTION("a table moved into it replaces both arrays") {
    Table other;
    put(other, "other");
    t = std::move(other);
    CHECK(t.size() == 1);
    CHECK(has(t, "other"));
    CHECK_FALSE(has(t, "k1"));
    t.clear();
    CHECK(larder::storage::MemoryUsage::dataset_bytes() == before);
  }
  SECTION("reserve finishes it first") {
    t.reserve(10000);
    CHECK_FALSE(t.resizing());
    CHECK(t.bucket_count() == 8192);
    for (int i = 0; i < n; ++i) REQUIRE(has(t, "k" + std::to_string(i)));
  }
  SECTION("a moved-from table takes its resize along") {
    Table moved(std::move(t));
    CHECK(moved.resizing());
    CHECK(t.allocated_buckets() == 0);
    for (int i = 0; i < n; ++i) REQUIRE(has(moved, "k" + std::to_string(i)));
    std::size_t steps = 0;
    while (moved.advance_resize(100) > 0) ++steps;
    CHECK(steps == 7);  // 1024 - 4 - 100 * 4 buckets were left, 100 a call
    CHECK_FALSE(moved.resizing());
    CHECK(moved.allocated_buckets() == 2048);
  }
}

TEST_CASE("a resize that ends begins the shrink that came due meanwhile", "[table][resize]") {
  Table t;
  for (int i = 0; i < 2048; ++i) put(t, "k" + std::to_string(i));
  while (t.advance_resize(64) > 0) {
  }
  REQUIRE(t.bucket_count() == 1024);
  int removed = 0;
  while (!t.resizing()) {
    REQUIRE(t.remove("k" + std::to_string(removed), Table::hash_of("k" + std::to_string(removed))));
    ++removed;
  }
  REQUIRE(t.bucket_count() == 512);
  // Down to one key while that halving is still under way.
  while (removed < 2047) {
    REQUIRE(t.remove("k" + std::to_string(removed), Table::hash_of("k" + std::to_string(removed))));
    ++removed;
  }
  REQUIRE(t.resizing());
  while (t.advance_resize(32) > 0) {
  }
  CHECK(t.bucket_count() == 8);  // 512, then 64, then 8: as a one-shot shrink ends
  CHECK(t.allocated_buckets() == 8);
  CHECK(has(t, "k2047"));
}

TEST_CASE("a scan with shrinking paused sees each key once while a shrink already under way goes on",
          "[table][resize][scan]") {
  Table t;
  for (int i = 0; i < 2048; ++i) put(t, "gone:" + std::to_string(i));
  for (int i = 0; i < 100; ++i) put(t, "stable:" + std::to_string(i));
  int removed = 0;
  while (!t.resizing()) {
    const std::string k = "gone:" + std::to_string(removed++);
    REQUIRE(t.remove(k, Table::hash_of(k)));
  }
  t.pause_shrinking();
  std::map<std::string, int> seen;
  std::uint64_t cursor = 0;
  do {
    cursor = t.scan(cursor, [&](const Entry& e) {
      ++seen[std::string(e.key())];
      return false;
    });
    for (int j = 0; j < 3 && removed < 2048; ++j) {
      const std::string k = "gone:" + std::to_string(removed++);
      REQUIRE(t.remove(k, Table::hash_of(k)));
    }
  } while (cursor != 0);
  t.resume_shrinking();
  for (int i = 0; i < 100; ++i) CHECK(seen["stable:" + std::to_string(i)] == 1);
}
