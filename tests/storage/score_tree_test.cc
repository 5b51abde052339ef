#include "larder/storage/score_tree.h"

#include "larder/util/memory.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

using larder::storage::ScoreTree;
using larder::storage::zset_compare;

namespace {

using Model = std::set<std::pair<double, std::string>>;

std::vector<std::pair<double, std::string>> forward(const ScoreTree& t, std::size_t from = 0) {
  std::vector<std::pair<double, std::string>> out;
  t.visit(from, false, [&](double s, std::string_view m) {
    out.emplace_back(s, std::string(m));
    return true;
  });
  return out;
}

// Checks every query of the tree against the model.
void check_against(const ScoreTree& t, const Model& model, const std::map<std::string, double>& scores) {
  REQUIRE(t.size() == model.size());
  const std::vector<std::pair<double, std::string>> all(model.begin(), model.end());
  REQUIRE(forward(t) == all);
  std::vector<std::pair<double, std::string>> back;
  if (!all.empty()) {
    t.visit(all.size() - 1, true, [&](double s, std::string_view m) {
      back.emplace_back(s, std::string(m));
      return true;
    });
  }
  REQUIRE(std::vector<std::pair<double, std::string>>(all.rbegin(), all.rend()) == back);
  for (std::size_t i = 0; i < all.size(); i += 1 + all.size() / 50) {
    // Plain copies, not structured bindings: lambdas capture them (clang 14).
    const double s = all[i].first;
    const std::string& m = all[i].second;
    REQUIRE(t.score(m) == s);
    REQUIRE(t.rank(s, m) == i);
    REQUIRE(t.count_before([&](double x, std::string_view) { return x < s; }) ==
            static_cast<std::size_t>(std::lower_bound(all.begin(), all.end(), std::make_pair(s, std::string())) -
                                     all.begin()));
    // visit_from starts where count_before stops.
    std::vector<std::pair<double, std::string>> from;
    t.visit_from([&](double x, std::string_view y) { return zset_compare(x, y, s, m) < 0; },
                 [&](double x, std::string_view y) {
                   from.emplace_back(x, std::string(y));
                   return from.size() < 3;
                 });
    const auto expect = std::vector<std::pair<double, std::string>>(
        all.begin() + static_cast<std::ptrdiff_t>(i),
        all.begin() + static_cast<std::ptrdiff_t>(std::min(all.size(), i + 3)));
    REQUIRE(from == expect);
  }
  for (const auto& [m, s] : scores) REQUIRE(t.score(m) == s);
  REQUIRE_FALSE(t.score("absent-member"));
}

}  // namespace

TEST_CASE("ScoreTree matches a std::set model under random operations", "[score_tree]") {
  std::mt19937_64 rng(GENERATE(1, 2, 3));
  ScoreTree t;
  Model model;
  std::map<std::string, double> scores;
  const std::size_t empty_heap = t.heap_bytes();
  for (int round = 0; round < 20000; ++round) {
    const std::string member = "m" + std::to_string(rng() % 3000) + std::string(rng() % 4 == 0 ? 40 : 0, 'x');
    const double score = static_cast<double>(rng() % 50);  // many ties: order by member
    const auto it = scores.find(member);
    switch (rng() % 3) {
      case 0:
      case 1:
        if (it == scores.end()) {
          t.insert(score, member);
          model.emplace(score, member);
          scores.emplace(member, score);
        } else {
          t.update(member, it->second, score);
          model.erase({it->second, member});
          model.emplace(score, member);
          it->second = score;
        }
        break;
      default:
        REQUIRE(t.erase(member) == (it != scores.end()));
        if (it != scores.end()) {
          model.erase({it->second, member});
          scores.erase(it);
        }
    }
    if (round % 2500 == 0) check_against(t, model, scores);
  }
  check_against(t, model, scores);
  const auto copy = t.clone();
  check_against(static_cast<const ScoreTree&>(*copy), model, scores);
  REQUIRE(copy->heap_bytes() > empty_heap);
  // Emptying releases every block.
  for (const auto& [m, s] : scores) REQUIRE(t.erase(m));
  REQUIRE(t.size() == 0);
  REQUIRE(t.heap_bytes() == empty_heap);
}

TEST_CASE("ScoreTree splits and merges through many levels", "[score_tree]") {
  ScoreTree t;
  Model model;
  std::map<std::string, double> scores;
  for (int i = 0; i < 200000; ++i) {  // ascending loads fill leaves
    const std::string m = "member" + std::to_string(i);
    t.insert(i, m);
    model.emplace(i, m);
    scores.emplace(m, i);
  }
  check_against(t, model, scores);
  // Remove most from the middle and the ends: inner nodes merge.
  for (int i = 0; i < 200000; ++i) {
    if (i % 10 == 3) continue;
    const std::string m = "member" + std::to_string(i);
    REQUIRE(t.erase(m));
    model.erase({i, m});
    scores.erase(m);
  }
  check_against(t, model, scores);
  // Sparse leaves merge back: under 120 bytes a 10-byte member, index included.
  REQUIRE(t.heap_bytes() < model.size() * 120);
}

TEST_CASE("ScoreTree holds members longer than a leaf", "[score_tree]") {
  ScoreTree t;
  Model model;
  std::map<std::string, double> scores;
  for (int i = 0; i < 50; ++i) {
    const std::string m(i % 3 == 0 ? 3000 + i : 5, static_cast<char>('a' + i % 26));
    const std::string member = m + std::to_string(i);
    t.insert(i % 7, member);
    model.emplace(i % 7, member);
    scores.emplace(member, i % 7);
  }
  check_against(t, model, scores);
  REQUIRE(forward(t, 49).size() == 1);
  REQUIRE(forward(t, 50).empty());
}

TEST_CASE("ScoreTree takes long members in front of short ones", "[score_tree]") {
  // A split whose left part holds the new long element is larger than the
  // leaf it came from (a heap overflow once).
  for (const std::size_t len : {600, 1005, 1100, 2500}) {
    ScoreTree t;
    Model model;
    std::map<std::string, double> scores;
    auto add = [&](double score, std::string member) {
      t.insert(score, member);
      model.emplace(score, member);
      scores.emplace(std::move(member), score);
    };
    add(1, "b");
    add(0, std::string(len, 'x'));
    for (int i = 0; i < 20; ++i) add(-i - 1, std::string(len / 2 + static_cast<std::size_t>(i) * 37, 'y'));
    add(0.5, std::string(len, 'z'));  // between two leaves
    check_against(t, model, scores);
  }
}

TEST_CASE("ScoreTree::scan_order keeps score order and is never 0", "[score_tree]") {
  constexpr double inf = std::numeric_limits<double>::infinity();
  constexpr double big = std::numeric_limits<double>::max();
  constexpr double tiny = std::numeric_limits<double>::denorm_min();
  const std::vector<double> ascending = {-inf, -big, -1e300, -2.5, -1, -tiny, 0, tiny, 1e-300, 1, 2.5, 1e300, big, inf};
  for (std::size_t i = 0; i < ascending.size(); ++i) {
    REQUIRE(ScoreTree::scan_order(ascending[i]) != 0);
    if (i > 0) REQUIRE(ScoreTree::scan_order(ascending[i - 1]) < ScoreTree::scan_order(ascending[i]));
  }
  REQUIRE(ScoreTree::scan_order(-0.0) == ScoreTree::scan_order(0.0));
  REQUIRE(ScoreTree::scan_order(inf) < UINT64_MAX);
}

namespace {

// One full ZSCAN iteration with `count`, removing every returned element
// (ZSCAN then ZREM) and, when `churn`, a random other one and a new member
// per reply. Checks that every element present for the whole iteration was
// returned and that none of them is left behind a returned cursor.
void scan_and_remove(ScoreTree& t, std::mt19937_64& rng, std::size_t count, bool churn) {
  std::map<std::string, double> stable;  // present for the whole iteration
  t.visit(0, false, [&](double s, std::string_view m) {
    stable.emplace(std::string(m), s);
    return true;
  });
  std::set<std::string> returned;
  std::uint64_t cursor = 0;
  int fresh = 0;
  do {
    std::vector<std::string> got;
    const std::size_t ahead =
        t.size() - t.count_before([&](double s, std::string_view) { return ScoreTree::scan_order(s) < cursor; });
    cursor = t.scan(cursor, count, [&](double, std::string_view m) { got.emplace_back(m); });
    REQUIRE(got.size() >= std::min(count, ahead));
    for (const std::string& m : got) {
      returned.insert(m);
      REQUIRE(t.erase(m));
    }
    if (churn && t.size() > 0) {
      std::string victim;
      t.visit(rng() % t.size(), false, [&](double, std::string_view m) {
        victim = m;
        return false;
      });
      REQUIRE(t.erase(victim));
      stable.erase(victim);
      t.insert(static_cast<double>(rng() % 2000) - 1000, "fresh" + std::to_string(fresh++));
    }
    if (cursor != 0) {
      for (const auto& [m, s] : stable) {
        if (returned.count(m) == 0) REQUIRE(ScoreTree::scan_order(s) >= cursor);
      }
    }
  } while (cursor != 0);
  for (const auto& [m, s] : stable) REQUIRE(returned.count(m) == 1);
}

}  // namespace

TEST_CASE("ScoreTree::scan returns every stable element while returned ones are removed", "[score_tree]") {
  std::mt19937_64 rng(GENERATE(7, 8));
  const std::size_t count = GENERATE(1, 10, 97);
  const bool churn = GENERATE(false, true);
  ScoreTree t;
  std::uniform_real_distribution<double> dist(-1e6, 1e6);
  for (int i = 0; i < 5000; ++i) t.insert(dist(rng), "d" + std::to_string(i));
  // Ties: runs of equal scores, -0 among +0, and the infinities.
  for (int i = 0; i < 300; ++i) t.insert(static_cast<double>(i % 3), "tie" + std::to_string(i));
  t.insert(-0.0, "negzero");
  t.insert(std::numeric_limits<double>::infinity(), "inf");
  t.insert(-std::numeric_limits<double>::infinity(), "-inf");
  scan_and_remove(t, rng, count, churn);
}

TEST_CASE("ScoreTree::scan finishes a run of equal scores and takes any cursor", "[score_tree]") {
  ScoreTree t;
  REQUIRE(t.scan(0, 10, [](double, std::string_view) { FAIL("empty tree"); }) == 0);
  for (int i = 0; i < 500; ++i) t.insert(i < 400 ? 1.0 : 2.0, "m" + std::to_string(i));
  std::size_t n = 0;
  const std::uint64_t next = t.scan(0, 5, [&](double s, std::string_view) {
    REQUIRE(s == 1.0);
    ++n;
  });
  REQUIRE(n == 400);
  REQUIRE(next == ScoreTree::scan_order(1.0) + 1);
  n = 0;
  REQUIRE(t.scan(next, 1000, [&](double s, std::string_view) {
    REQUIRE(s == 2.0);
    ++n;
  }) == 0);
  REQUIRE(n == 100);
  // A cursor between scores resumes at the next one; past +inf ends.
  n = 0;
  t.scan(ScoreTree::scan_order(1.5), 1, [&](double s, std::string_view) {
    REQUIRE(s == 2.0);
    ++n;
  });
  REQUIRE(n == 100);
  for (const std::uint64_t c : {std::uint64_t{1}, std::uint64_t{0x8000000000000000}}) {
    n = 0;
    t.scan(c, 1, [&](double, std::string_view) { ++n; });
    REQUIRE(n == 400);
  }
  for (const std::uint64_t c : {ScoreTree::scan_order(std::numeric_limits<double>::infinity()) + 1, UINT64_MAX}) {
    REQUIRE(t.scan(c, 10, [](double, std::string_view) { FAIL("past the end"); }) == 0);
  }
}
