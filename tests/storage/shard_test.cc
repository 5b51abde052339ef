#include "larder/storage/shard.h"

#include "larder/storage/memory_usage.h"
#include "larder/util/memory.h"

#include <catch2/catch.hpp>
#include <map>
#include <string>

using larder::storage::PrefixStats;

namespace {
std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> snapshot(const PrefixStats& stats) {
  std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> out;
  stats.for_each([&](const std::string& p, const PrefixStats::Counts& c) { out[p] = {c.hits, c.misses}; });
  return out;
}
}  // namespace

TEST_CASE("PrefixStats counts by the text before the first colon", "[shard][prefix]") {
  PrefixStats stats;
  stats.record("user:1", true);
  stats.record("user:2", false);
  stats.record("user:3:x", true);  // still "user"
  stats.record("users:1", true);   // starts like "user" but is another prefix
  stats.record("user", false);     // no colon: no prefix
  stats.record("user:4", true);
  stats.record(":lead", true);     // empty text before the colon
  stats.record("plain", true);

  auto s = snapshot(stats);
  CHECK(s["user"] == std::make_pair<std::uint64_t, std::uint64_t>(3, 1));
  CHECK(s["users"] == std::make_pair<std::uint64_t, std::uint64_t>(1, 0));
  CHECK(s[""] == std::make_pair<std::uint64_t, std::uint64_t>(2, 1));
  CHECK(s.size() == 3);
}

TEST_CASE("PrefixStats folds prefixes past the limit into (other)", "[shard][prefix]") {
  PrefixStats stats;
  for (std::size_t i = 0; i < PrefixStats::kMaxPrefixes; ++i) stats.record("p" + std::to_string(i) + ":k", true);
  stats.record("late:1", true);
  stats.record("late:2", false);
  stats.record("p0:again", true);

  auto s = snapshot(stats);
  CHECK(s.count("late") == 0);
  CHECK(s[std::string(PrefixStats::kOtherPrefix)] == std::make_pair<std::uint64_t, std::uint64_t>(1, 1));
  CHECK(s["p0"] == std::make_pair<std::uint64_t, std::uint64_t>(2, 0));
}

TEST_CASE("PrefixStats starts over after clear", "[shard][prefix]") {
  PrefixStats stats;
  stats.record("a:1", true);
  stats.clear();
  stats.record("a:2", false);
  auto s = snapshot(stats);
  CHECK(s["a"] == std::make_pair<std::uint64_t, std::uint64_t>(0, 1));
}

namespace {
// Records what a KeyObserver is told.
struct RecordingObserver : larder::storage::KeyObserver {
  std::vector<std::pair<std::size_t, std::string>> seen;
  void arm(bool on) { armed_.store(on); }
  void key_modified(std::size_t shard, std::string_view key) override { seen.emplace_back(shard, key); }
};
}  // namespace

TEST_CASE("Shard::touch tells an armed KeyObserver of each modified key", "[shard][tracking]") {
  larder::storage::Shard shard(2, 7);
  RecordingObserver observer;
  shard.set_observer(&observer);
  shard.touch(0, "quiet");  // not armed: not even called
  CHECK(observer.seen.empty());
  observer.arm(true);
  shard.touch(1, "k");
  REQUIRE(observer.seen.size() == 1);
  CHECK(observer.seen[0] == std::pair<std::size_t, std::string>{7, "k"});
}

TEST_CASE("Shard allocates the tables of databases 1.. at the first use of one", "[shard][table]") {
  using larder::storage::MemoryUsage;
  using larder::storage::Table;
  const std::size_t before = MemoryUsage::dataset_bytes();
  {
    larder::storage::Shard shard(16, 0);
    // Database 0 lives in the shard; walks and reads allocate nothing.
    CHECK(shard.table_count() == 1);
    CHECK(shard.find_table(0) == &shard.table(0));
    CHECK(shard.find_table(1) == nullptr);
    CHECK(shard.find_table(15) == nullptr);
    CHECK(MemoryUsage::dataset_bytes() == before);

    Table& five = shard.table(5);
    CHECK(shard.table_count() == 16);
    CHECK(MemoryUsage::dataset_bytes() == before + larder::util::malloc_cost(15 * sizeof(Table)));
    for (int db = 1; db < 16; ++db) {
      REQUIRE(shard.find_table(db) != nullptr);
      CHECK(shard.find_table(db)->size() == 0);
    }
    // The slots stay where they are: references taken before stay valid.
    CHECK(shard.find_table(5) == &five);
    CHECK(&shard.table(1) == shard.find_table(1));

    // SWAPDB exchanges contents, not slots.
    five.reserve(8);
    const std::size_t buckets = five.bucket_count();
    shard.swap_tables(0, 5);
    CHECK(shard.table(0).bucket_count() == buckets);
    CHECK(&shard.table(5) == &five);
    CHECK(five.bucket_count() == 0);
  }
  // The shard gave back what it counted.
  CHECK(MemoryUsage::dataset_bytes() == before);
}
