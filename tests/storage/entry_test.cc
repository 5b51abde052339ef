#include "larder/storage/entry.h"

#include <catch2/catch.hpp>
#include <string>

using larder::storage::Entry;
using larder::storage::kNoExpire;

TEST_CASE("an entry keeps key, value and optional expiry in one block", "[entry]") {
  Entry* e = Entry::make("user:1", std::string_view("v\0x", 3), kNoExpire);
  CHECK(e->key() == "user:1");
  CHECK(e->value() == std::string_view("v\0x", 3));
  CHECK_FALSE(e->has_expire());
  CHECK(e->expire_at() == kNoExpire);
  CHECK_FALSE(e->expired(INT64_MAX));
  Entry::destroy(e);

  Entry* t = Entry::make("k", "value", 1000);
  CHECK(t->has_expire());
  CHECK(t->expire_at() == 1000);
  CHECK_FALSE(t->expired(1000));  // Redis: expired only when now > deadline
  CHECK(t->expired(1001));
  t->set_expire_at(5000);
  CHECK(t->expire_at() == 5000);
  CHECK(t->key() == "k");
  CHECK(t->value() == "value");
  Entry::destroy(t);
}

TEST_CASE("long keys and values use multi-byte lengths", "[entry]") {
  std::string key(300, 'k');
  std::string value(70000, 'v');
  Entry* e = Entry::make(key, value, 42);
  CHECK(e->key() == key);
  CHECK(e->value() == value);
  CHECK(e->expire_at() == 42);
  Entry::destroy(e);
}

TEST_CASE("a small key costs a small header", "[entry]") {
  // 12-byte key, 32-byte value: 6 (chain) + 1 (flags) + 3 (access) + 2 (lengths) + 44.
  CHECK(Entry::block_size(12, 32, false) == 56);
  CHECK(Entry::block_size(12, 32, true) == 64);
}

TEST_CASE("the chain pointer and access stamp do not disturb the payload", "[entry]") {
  Entry* a = Entry::make("a", "1", 77);
  Entry* b = Entry::make("b", "2", kNoExpire);
  a->set_next(b);
  a->set_access(0xABCDEF);
  CHECK(a->next() == b);
  CHECK(a->access() == 0xABCDEF);
  CHECK(a->expire_at() == 77);
  CHECK(a->key() == "a");
  CHECK(a->value() == "1");
  a->set_next(nullptr);
  CHECK(a->next() == nullptr);
  Entry::destroy(a);
  Entry::destroy(b);
}
