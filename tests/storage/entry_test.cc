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

TEST_CASE("a string's form is kept through moves and copies and leaves it a string", "[entry]") {
  using Form = Entry::StringForm;
  Entry* e = Entry::make("k", "12", kNoExpire);
  e->set_visited(true);
  e->set_in_window(true);
  CHECK(e->string_form() == Form::kByContent);
  e->set_string_form(Form::kRaw);
  CHECK(e->string_form() == Form::kRaw);
  CHECK(e->type() == larder::storage::ValueType::kString);
  CHECK(e->visited());
  CHECK(e->in_window());
  CHECK_FALSE(e->has_expire());

  e = Entry::with_expire_field(e, true);  // a relayout
  e->set_expire_at(9);
  CHECK(e->string_form() == Form::kRaw);
  e = Entry::splice_value(e, 2, 0, "345");
  CHECK(e->string_form() == Form::kRaw);
  CHECK(e->value() == "12345");
  Entry* copy = Entry::clone(*e, "c", kNoExpire);
  CHECK(copy->string_form() == Form::kRaw);
  CHECK(copy->type() == larder::storage::ValueType::kString);
  e = Entry::rekey(e, "renamed");
  CHECK(e->string_form() == Form::kRaw);
  CHECK(e->key() == "renamed");
  CHECK(e->expire_at() == 9);

  e->set_string_form(Form::kNoInt);
  CHECK(e->string_form() == Form::kNoInt);
  CHECK(e->type() == larder::storage::ValueType::kString);
  e = Entry::rekey(e, "again");
  CHECK(e->string_form() == Form::kNoInt);
  e->set_string_form(Form::kByContent);
  CHECK(e->string_form() == Form::kByContent);
  CHECK(e->type() == larder::storage::ValueType::kString);
  CHECK(e->has_expire());
  Entry::destroy(e);
  Entry::destroy(copy);
}

TEST_CASE("splicing an inline value keeps key, expiry and the other bytes", "[entry]") {
  Entry* e = Entry::make("key", "hello world", 77);
  e = Entry::splice_value(e, 5, 6, "");  // shrink in place
  CHECK(e->value() == "hello");
  e = Entry::splice_value(e, 0, 0, "oh, ");
  CHECK(e->value() == "oh, hello");
  // Crossing 127 bytes widens the length varint: a new block.
  e = Entry::splice_value(e, e->value().size(), 0, std::string(200, '!'));
  CHECK(e->value() == "oh, hello" + std::string(200, '!'));
  CHECK(e->key() == "key");
  CHECK(e->expire_at() == 77);
  e = Entry::with_expire_field(e, false);
  CHECK_FALSE(e->has_expire());
  CHECK(e->key() == "key");
  CHECK(e->value().size() == 209);
  Entry::destroy(e);
}

TEST_CASE("strings over the inline limit live in a buffer", "[entry]") {
  const std::string big(Entry::kInlineStringMax + 1, 'x');
  Entry* e = Entry::make("k", big, kNoExpire);
  CHECK(e->encoding() == larder::storage::Encoding::kObject);
  CHECK(e->type() == larder::storage::ValueType::kString);
  CHECK(e->value() == big);
  CHECK(e->heap_bytes() > big.size());
  Entry* r = Entry::rekey(e, "renamed");
  CHECK(r->key() == "renamed");
  CHECK(r->value() == big);
  Entry* c = Entry::clone(*r, "copy", 5);
  CHECK(c->value() == big);
  CHECK(c->object() != r->object());
  Entry::destroy(r);
  Entry::destroy(c);
  Entry* small = Entry::make("s", std::string(Entry::kInlineStringMax, 'y'), kNoExpire);
  CHECK(small->encoding() == larder::storage::Encoding::kInline);
  Entry::destroy(small);
}
