// Db's typed API and its write handle: type checks, creation, empty
// collections deleted, memory accounting that returns to where it started,
// WATCH notification, and values that move without being copied.
#include <catch2/catch.hpp>
#include <cstring>
#include <memory>
#include <string>

#include "larder/storage/db.h"
#include "larder/storage/hash_value.h"
#include "larder/storage/memory_usage.h"
#include "larder/storage/set_value.h"
#include "larder/storage/shard_locks.h"
#include "larder/storage/string_buffer.h"

using larder::storage::Db;
using larder::storage::Encoding;
using larder::storage::Entry;
using larder::storage::Keyspace;
using larder::storage::kNoExpire;
using larder::storage::MemoryUsage;
using larder::storage::ShardLocks;
using larder::storage::ValueType;
using larder::storage::WatchFlag;
namespace hash = larder::storage::hash;
namespace set = larder::storage::set;

namespace {

constexpr hash::Limits kLimits{128, 64};

struct Fixture {
  Keyspace ks{16};
  ShardLocks locks{ks};
  Fixture() {
    locks.add_all();
    locks.acquire();
  }
  Db db() { return Db(ks, 0, 1000); }
};

// Hash "h" holding f=v, and a WATCH flag on it.
std::shared_ptr<WatchFlag> watched_hash(Db& db) {
  {
    Db::Writer w = db.write("h", ValueType::kHash, Db::Create::kYes);
    hash::set(w, "f", "v", kLimits);
  }
  auto flag = std::make_shared<WatchFlag>();
  db.watch("h", flag);
  return flag;
}

}  // namespace

TEST_CASE("typed lookups answer wrong type without touching the value", "[db][types]") {
  Fixture f;
  Db db = f.db();
  db.set("s", "v", kNoExpire);
  CHECK(db.read("s", ValueType::kString).entry != nullptr);
  CHECK(db.read("s", ValueType::kHash).wrong_type);
  CHECK(db.read("s", ValueType::kHash).entry == nullptr);
  CHECK_FALSE(db.read("missing", ValueType::kHash).wrong_type);
  Db::Writer w = db.write("s", ValueType::kSet, Db::Create::kYes);
  CHECK(w.wrong_type());
  CHECK_FALSE(w);
}

TEST_CASE("a writer creates, and deletes a collection it leaves empty", "[db][types]") {
  Fixture f;
  Db db = f.db();
  const std::size_t before = MemoryUsage::dataset_bytes();
  {
    Db::Writer w = db.write("h", ValueType::kHash, Db::Create::kYes);
    REQUIRE(w);
    CHECK(w.created());
  }
  CHECK(db.find_for_read("h") == nullptr);  // created and left empty: gone
  {
    Db::Writer w = db.write("h", ValueType::kHash, Db::Create::kYes);
    CHECK(hash::set(w, "f", "v", kLimits));
  }
  REQUIRE(db.find_for_read("h") != nullptr);
  CHECK(db.find_for_read("h")->type() == ValueType::kHash);
  {
    Db::Writer w = db.write("h", ValueType::kHash);
    CHECK(hash::erase(w, "f"));
  }
  CHECK(db.find_for_read("h") == nullptr);
  CHECK(MemoryUsage::dataset_bytes() == before);
}

TEST_CASE("collections convert at their limits and account every heap byte", "[db][types]") {
  Fixture f;
  Db db = f.db();
  const std::size_t before = MemoryUsage::dataset_bytes();
  {
    Db::Writer w = db.write("h", ValueType::kHash, Db::Create::kYes);
    for (int i = 0; i < 128; ++i) hash::set(w, "f" + std::to_string(i), "v", kLimits);
    CHECK(w.encoding() == Encoding::kInline);
    hash::set(w, "one-more", "v", kLimits);
    CHECK(w.encoding() == Encoding::kObject);
    for (int i = 0; i < 5000; ++i) hash::set(w, "g" + std::to_string(i), std::string(20, 'x'), kLimits);
  }
  const Entry* e = db.find_for_read("h");
  REQUIRE(e != nullptr);
  CHECK(hash::size(*e) == 5129);
  CHECK(MemoryUsage::dataset_bytes() - before >= e->heap_bytes());
  CHECK(hash::get(*e, "f7") == std::string_view("v"));
  {
    Db::Writer w = db.write("s", ValueType::kSet, Db::Create::kYes);
    CHECK(set::add(w, "12", 512));
    CHECK_FALSE(set::add(w, "12", 512));
    CHECK(w.encoding() == Encoding::kInline);
    CHECK(set::add(w, "x", 512));
    CHECK(w.encoding() == Encoding::kObject);
  }
  CHECK(set::contains(*db.find_for_read("s"), "12"));
  db.erase("h");
  db.erase("s");
  CHECK(MemoryUsage::dataset_bytes() == before);
}

TEST_CASE("a change through the writer fires WATCH, a miss does not", "[db][types]") {
  Fixture f;
  Db db = f.db();
  const auto flag = watched_hash(db);
  {
    Db::Writer w = db.write("h", ValueType::kHash);
    CHECK_FALSE(hash::erase(w, "absent"));
  }
  CHECK_FALSE(flag->dirty.load());
  {
    Db::Writer w = db.write("h", ValueType::kHash);
    hash::set(w, "f", "v2", kLimits);
  }
  CHECK(flag->dirty.load());
}

TEST_CASE("a write's signal: kDirty counts the change without WATCH, kNone neither", "[db][types]") {
  Fixture f;
  Db db = f.db();
  const auto flag = watched_hash(db);
  const std::uint64_t before = f.ks.changes(false);
  {
    Db::Writer w = db.write("h", ValueType::kHash);
    w.set_signal(Db::Writer::Signal::kNone);
    hash::set(w, "f", "v2", kLimits);
  }
  CHECK_FALSE(flag->dirty.load());
  CHECK(f.ks.changes(false) == before);
  {
    Db::Writer w = db.write("h", ValueType::kHash);
    w.set_signal(Db::Writer::Signal::kDirty);
    hash::set(w, "f", "v3", kLimits);
  }
  CHECK_FALSE(flag->dirty.load());
  CHECK(f.ks.changes(false) == before + 1);
  CHECK(hash::get(*db.find_for_read("h"), "f") == "v3");
  {
    Db::Writer w = db.write("h", ValueType::kHash);
    hash::set(w, "f", "v4", kLimits);
  }
  CHECK(flag->dirty.load());
  CHECK(f.ks.changes(false) == before + 2);
}

TEST_CASE("RENAME, MOVE and a new TTL keep the value object in place", "[db][types]") {
  Fixture f;
  Db db = f.db();
  const std::string big(100000, 'b');
  db.set("k", big, kNoExpire);
  const Entry* e = db.find_for_read("k");
  REQUIRE(e->encoding() == Encoding::kObject);
  const void* object = e->object();
  REQUIRE(db.set_expire("k", 99999));
  CHECK(db.find_for_read("k")->object() == object);
  REQUIRE(db.rename("k", "k2", false) == Db::RenameResult::kRenamed);
  CHECK(db.find_for_read("k2")->object() == object);
  CHECK(db.find_for_read("k2")->expire_at() == 99999);
  REQUIRE(db.move("k2", 3) == Db::MoveResult::kMoved);
  CHECK(Db(f.ks, 3, 1000).find_for_read("k2")->object() == object);
  CHECK(Db(f.ks, 3, 1000).find_for_read("k2")->value() == big);
}

TEST_CASE("APPEND-style growth moves a string out of line and keeps it whole", "[db][types]") {
  Fixture f;
  Db db = f.db();
  db.set("s", "ab", 5000);
  std::string expect = "ab";
  for (int i = 0; i < 3000; ++i) {
    Db::Writer w = db.write("s", ValueType::kString);
    const std::size_t size = w.entry().value().size();
    char* data = w.resize_string(size + 3);
    std::memcpy(data + size, "xyz", 3);
    expect += "xyz";
  }
  const Entry* e = db.find_for_read("s");
  CHECK(e->encoding() == Encoding::kObject);
  CHECK(e->value() == expect);
  CHECK(e->expire_at() == 5000);
}

TEST_CASE("COPY is deep", "[db][types]") {
  Fixture f;
  Db db = f.db();
  {
    Db::Writer w = db.write("a", ValueType::kSet, Db::Create::kYes);
    for (int i = 0; i < 1000; ++i) set::add(w, "m" + std::to_string(i), 512);
  }
  REQUIRE(db.copy("a", "b", 0, false) == Db::CopyResult::kCopied);
  {
    Db::Writer w = db.write("a", ValueType::kSet);
    set::remove(w, "m1");
  }
  CHECK(set::size(*db.find_for_read("a")) == 999);
  CHECK(set::size(*db.find_for_read("b")) == 1000);
  CHECK(set::contains(*db.find_for_read("b"), "m1"));
}
