#include "larder/util/pqsort.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <span>
#include <utility>
#include <vector>

using larder::util::pqsort;

namespace {

// (key, original position): compared by key only, so ties are visible.
using Item = std::pair<int, int>;

int by_key(const Item& a, const Item& b) { return a.first > b.first ? 1 : a.first == b.first ? 0 : -1; }

std::vector<Item> items(std::vector<int> keys) {
  std::vector<Item> v;
  for (int i = 0; i < static_cast<int>(keys.size()); ++i) v.emplace_back(keys[static_cast<std::size_t>(i)], i);
  return v;
}

std::vector<int> positions(const std::vector<Item>& v) {
  std::vector<int> out;
  for (const Item& it : v) out.push_back(it.second);
  return out;
}

}  // namespace

TEST_CASE("pqsort: the wanted positions hold what a full sort puts there", "[pqsort]") {
  std::mt19937 rng(7);
  for (int round = 0; round < 2000; ++round) {
    const std::size_t n = 1 + rng() % 120;
    std::vector<int> keys(n);
    const int spread = 1 + static_cast<int>(rng() % 30);  // small spreads make many ties
    for (int& k : keys) k = static_cast<int>(rng() % static_cast<unsigned>(spread));
    std::vector<Item> v = items(keys);
    const std::size_t first = rng() % n;
    const std::size_t last = first + rng() % (n - first);
    pqsort(std::span<Item>(v), first, last, by_key);

    std::vector<int> sorted = keys;
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t i = first; i <= last; ++i) REQUIRE(v[i].first == sorted[i]);
    std::vector<int> seen = positions(v);  // a permutation of the input
    std::sort(seen.begin(), seen.end());
    for (int i = 0; i < static_cast<int>(n); ++i) REQUIRE(seen[static_cast<std::size_t>(i)] == i);
  }
}

TEST_CASE("pqsort: a whole range sorts everything", "[pqsort]") {
  std::vector<Item> v = items({5, 3, 9, 1, 7, 3, 8, 2, 6, 0, 4, 9});
  pqsort(std::span<Item>(v), 0, v.size() - 1, by_key);
  CHECK(std::is_sorted(v.begin(), v.end(), [](const Item& a, const Item& b) { return a.first < b.first; }));
}

// Orders checked against redis-server 7.0.15: points at one place, added in
// order as m0..m(n-1), then GEOSEARCH ... FROMLONLAT <there> BYRADIUS 1 km ASC
// COUNT 1 (Redis sorts them with pqsort, whose result is the order below).
TEST_CASE("pqsort: equal elements land where Redis's pqsort leaves them", "[pqsort]") {
  SECTION("fewer than seven: insertion sort keeps their order") {
    std::vector<Item> v = items({0, 0, 0, 0, 0, 0});
    pqsort(std::span<Item>(v), 0, 0, by_key);
    CHECK(positions(v) == std::vector<int>{0, 1, 2, 3, 4, 5});
  }
  SECTION("seven: the middle one is the pivot and goes first") {
    std::vector<Item> v = items({0, 0, 0, 0, 0, 0, 0});
    pqsort(std::span<Item>(v), 0, 0, by_key);
    CHECK(positions(v) == std::vector<int>{3, 1, 2, 0, 4, 5, 6});
  }
}
