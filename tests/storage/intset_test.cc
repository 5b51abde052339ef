#include "larder/storage/intset.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace intset = larder::storage::intset;
using larder::storage::StringSpliceBuffer;

namespace {
std::vector<std::int64_t> members(std::string_view set) {
  std::vector<std::int64_t> out;
  for (std::size_t i = 0; i < intset::count(set); ++i) out.push_back(intset::at(set, i));
  return out;
}

std::size_t width(std::string_view set) { return static_cast<unsigned char>(set[0]); }

using Ints = std::vector<std::int64_t>;
}  // namespace

TEST_CASE("the empty intset", "[intset]") {
  const std::string_view set = intset::kEmpty;
  CHECK(set.size() == intset::kHeader);
  CHECK(width(set) == 2);
  CHECK(intset::count(set) == 0);
  CHECK_FALSE(intset::contains(set, 0));
  CHECK_FALSE(intset::contains(set, INT64_MIN));
  std::string bytes(intset::kEmpty);
  StringSpliceBuffer buf(bytes);
  CHECK_FALSE(intset::remove(buf, 0));
  CHECK(bytes == intset::kEmpty);
}

TEST_CASE("members are stored ascending, little-endian, at the set's width", "[intset]") {
  std::string bytes(intset::kEmpty);
  StringSpliceBuffer buf(bytes);
  CHECK(intset::add(buf, 1));
  CHECK(intset::add(buf, -2));
  CHECK(bytes == std::string("\x02\x02\0\0\0\xfe\xff\x01\x00", 9));
  CHECK_FALSE(intset::add(buf, 1));
  CHECK(intset::add(buf, 0));
  CHECK(intset::add(buf, 5));
  CHECK(intset::add(buf, 3));
  CHECK(members(bytes) == Ints{-2, 0, 1, 3, 5});
  CHECK(bytes.size() == intset::kHeader + 5 * 2);
}

TEST_CASE("remove at the start, middle and end", "[intset]") {
  std::string bytes(intset::kEmpty);
  StringSpliceBuffer buf(bytes);
  for (std::int64_t v : {10, 20, 30, 40, 50}) intset::add(buf, v);
  CHECK(intset::remove(buf, 10));
  CHECK(intset::remove(buf, 30));
  CHECK(intset::remove(buf, 50));
  CHECK_FALSE(intset::remove(buf, 30));
  CHECK_FALSE(intset::remove(buf, 45));
  CHECK_FALSE(intset::remove(buf, INT64_MAX));
  CHECK(members(bytes) == Ints{20, 40});
  CHECK(intset::count(bytes) == 2);
  CHECK(intset::remove(buf, 20));
  CHECK(intset::remove(buf, 40));
  CHECK(bytes == intset::kEmpty);
}

TEST_CASE("a wider value rewrites the set: int16, int32, int64", "[intset]") {
  std::string bytes(intset::kEmpty);
  StringSpliceBuffer buf(bytes);
  for (std::int64_t v : Ints{INT16_MAX, INT16_MIN, 7}) CHECK(intset::add(buf, v));
  CHECK(width(bytes) == 2);

  CHECK(intset::add(buf, INT16_MAX + 1));
  CHECK(width(bytes) == 4);
  CHECK(bytes.size() == intset::kHeader + 4 * 4);
  CHECK(members(bytes) == Ints{INT16_MIN, 7, INT16_MAX, INT16_MAX + 1});
  CHECK(intset::add(buf, INT16_MIN - 1));  // fits the current width: no rewrite
  CHECK(intset::add(buf, INT32_MIN));
  CHECK(intset::add(buf, INT32_MAX));
  CHECK(width(bytes) == 4);
  CHECK_FALSE(intset::contains(bytes, std::int64_t{INT32_MAX} + 1));

  CHECK(intset::add(buf, std::int64_t{INT32_MIN} - 1));  // below every member
  CHECK(width(bytes) == 8);
  CHECK(intset::add(buf, INT64_MIN));
  CHECK(intset::add(buf, INT64_MAX));
  CHECK_FALSE(intset::add(buf, INT64_MAX));
  const Ints expected{INT64_MIN,     std::int64_t{INT32_MIN} - 1, INT32_MIN, INT16_MIN - 1, INT16_MIN, 7,
                      INT16_MAX,     INT16_MAX + 1,               INT32_MAX, INT64_MAX};
  CHECK(members(bytes) == expected);
  CHECK(bytes.size() == intset::kHeader + expected.size() * 8);
  for (std::int64_t v : expected) CHECK(intset::contains(bytes, v));
  CHECK_FALSE(intset::contains(bytes, INT64_MIN + 1));

  // Removing the wide members keeps the width, as Redis does.
  CHECK(intset::remove(buf, INT64_MIN));
  CHECK(intset::remove(buf, INT64_MAX));
  CHECK(intset::remove(buf, std::int64_t{INT32_MIN} - 1));
  CHECK(width(bytes) == 8);
  CHECK(members(bytes) == Ints(expected.begin() + 2, expected.end() - 1));
}

TEST_CASE("upgrading straight from int16 to int64, above and below", "[intset]") {
  for (std::int64_t wide : {INT64_MIN, INT64_MAX}) {
    std::string bytes(intset::kEmpty);
    StringSpliceBuffer buf(bytes);
    intset::add(buf, -1);
    intset::add(buf, 1);
    CHECK(intset::add(buf, wide));
    CHECK(width(bytes) == 8);
    CHECK(members(bytes) == (wide < 0 ? Ints{wide, -1, 1} : Ints{-1, 1, wide}));
  }
}

TEST_CASE("random adds and removes agree with std::set", "[intset]") {
  std::mt19937_64 rng(7);
  std::string bytes(intset::kEmpty);
  StringSpliceBuffer buf(bytes);
  std::set<std::int64_t> model;
  auto draw = [&] {
    switch (rng() % 4) {
      case 0: return static_cast<std::int64_t>(rng() % 100) - 50;
      case 1: return static_cast<std::int64_t>(static_cast<std::int16_t>(rng()));
      case 2: return static_cast<std::int64_t>(static_cast<std::int32_t>(rng()));
      default: return static_cast<std::int64_t>(rng());
    }
  };
  for (int i = 0; i < 5000; ++i) {
    const std::int64_t v = draw();
    if (rng() % 3 == 0) {
      CHECK(intset::remove(buf, v) == (model.erase(v) == 1));
    } else {
      CHECK(intset::add(buf, v) == model.insert(v).second);
    }
  }
  CHECK(members(bytes) == Ints(model.begin(), model.end()));
  for (std::int64_t v : model) CHECK(intset::contains(bytes, v));
}
