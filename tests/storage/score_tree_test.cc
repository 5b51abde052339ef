#include "larder/storage/score_tree.h"

#include "larder/util/memory.h"

#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

using larder::storage::ScoreTree;

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
    const auto& [s, m] = all[i];
    REQUIRE(t.score(m) == s);
    REQUIRE(t.rank(s, m) == i);
    REQUIRE(t.count_before([&](double x, std::string_view) { return x < s; }) ==
            static_cast<std::size_t>(std::lower_bound(all.begin(), all.end(), std::make_pair(s, std::string())) -
                                     all.begin()));
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
