#include "larder/storage/hyperloglog.h"

#include <catch2/catch.hpp>

#include <string>

namespace hll = larder::storage::hll;
using namespace std::string_literals;

TEST_CASE("a new HLL is Redis's empty sparse value", "[hyperloglog]") {
  const std::string v = hll::make_empty();
  CHECK(v == "HYLL\x01"s + std::string(11, '\0') + "\x7f\xff"s);
  CHECK(hll::looks_valid(v));
  bool invalid = false;
  CHECK(hll::count(v, invalid) == 0);
  CHECK_FALSE(invalid);
  CHECK(hll::decode_sparse(v) == "Z:16384");
}

TEST_CASE("PFADD a b c gives Redis's exact bytes", "[hyperloglog]") {
  // Taken from redis-server 7.0.15: PFADD h a b c; GET h.
  std::string v = hll::make_empty();
  for (const char* e : {"a", "b", "c"}) CHECK(hll::add(v, e, 3000) == 1);
  CHECK(hll::add(v, "a", 3000) == 0);
  hll::invalidate_cache(v.data());
  CHECK(v == "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80`\xf3\x80P\xb1\x84K\xfb\x80" "BZ"s);
  CHECK(hll::decode_sparse(v) == "Z:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603");
  bool invalid = false;
  CHECK(hll::count(v, invalid) == 3);
  std::uint64_t card = 0;
  CHECK_FALSE(hll::cached_cardinality(v, card));
  hll::set_cached_cardinality(v.data(), 3);
  CHECK(hll::cached_cardinality(v, card));
  CHECK(card == 3);
}

TEST_CASE("sparse values turn dense past hll-sparse-max-bytes and keep their registers", "[hyperloglog]") {
  std::string sparse = hll::make_empty();
  std::string dense = hll::make_empty();
  REQUIRE(hll::to_dense(dense));
  CHECK(dense.size() == hll::kDenseSize);
  for (int i = 0; i < 2000; ++i) {
    const std::string e = "el:" + std::to_string(i);
    const int a = hll::add(sparse, e, 3000);
    const int b = hll::add(dense, e, 3000);
    CHECK(a == b);
  }
  CHECK(hll::encoding(sparse) == hll::kDense);  // 2000 elements need more than 3000 bytes
  CHECK(sparse.substr(hll::kHeaderSize) == dense.substr(hll::kHeaderSize));
  bool invalid = false;
  const auto n = hll::count(dense, invalid);
  CHECK(n > 1950);
  CHECK(n < 2050);

  std::string small = hll::make_empty();
  for (int i = 0; i < 100; ++i) hll::add(small, "x" + std::to_string(i), 3000);
  CHECK(hll::encoding(small) == hll::kSparse);
  std::string copy = small;
  REQUIRE(hll::to_dense(copy));
  hll::RawRegisters a{}, b{};
  REQUIRE(hll::merge_into(a, small));
  REQUIRE(hll::merge_into(b, copy));
  CHECK(a == b);
  CHECK(hll::count_raw(a) == hll::count(small, invalid));
}

TEST_CASE("invalid values are found", "[hyperloglog]") {
  CHECK_FALSE(hll::looks_valid("HYLL"));
  CHECK_FALSE(hll::looks_valid("HYLX\x01" + std::string(11, '\0')));
  CHECK_FALSE(hll::looks_valid("HYLL\x02" + std::string(11, '\0')));
  CHECK_FALSE(hll::looks_valid("HYLL\x00" + std::string(11, '\0') + "abc"));
  // A sparse body covering 16383 registers: counted as invalid, but PFADD
  // still sets a register it covers (as Redis's hllSparseSet).
  std::string v = "HYLL\x01"s + std::string(11, '\0') + "\x7f\xfe"s;
  bool invalid = false;
  hll::count(v, invalid);
  CHECK(invalid);
  hll::RawRegisters max{};
  CHECK_FALSE(hll::merge_into(max, v));
  CHECK_FALSE(hll::to_dense(v));
  // An XZERO cut short.
  std::string cut = "HYLL\x01"s + std::string(11, '\0') + "\x40"s;
  CHECK(hll::add(cut, "a", 3000) == -1);
  // Runs adding up to 2^32 + 16384 registers (an int that wraps back to a
  // valid total, as CVE-2025-32023's values).
  std::string wraps = "HYLL\x01"s + std::string(11, '\0');
  for (int i = 0; i < 262145; ++i) wraps += "\x7f\xff"s;  // XZERO of 16384
  invalid = false;
  hll::count(wraps, invalid);
  CHECK(invalid);
}
