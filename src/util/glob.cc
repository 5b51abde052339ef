#include "larder/util/glob.h"

#include <cstddef>
#include <utility>

namespace larder::util {

namespace {

// Redis 7.0.15 gives up (no match) once matching reaches the 1001st star group
// that is not the last token of the pattern (its recursion-depth guard).
constexpr int kMaxStarGroups = 1000;

int fold(int c, bool nocase) {
  return nocase && c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

bool same(char a, char b, bool nocase) {
  return fold(a, nocase) == fold(b, nocase);
}

// Matches the single non-star token starting at pat[p] against byte `c`.
// Always stores the index just past the token in `next`, whatever the result.
bool match_token(std::string_view pat, std::size_t p, char c, bool nocase,
                 std::size_t& next) {
  const std::size_t m = pat.size();
  switch (pat[p]) {
    case '?':
      next = p + 1;
      return true;
    case '[': {
      ++p;
      const bool negate = p < m && pat[p] == '^';
      if (negate) ++p;
      bool match = false;
      while (p < m && pat[p] != ']') {
        if (pat[p] == '\\' && m - p >= 2) {
          ++p;
          if (pat[p] == c) match = true;
        } else if (m - p >= 3 && pat[p + 1] == '-') {
          int lo = static_cast<signed char>(pat[p]);
          int hi = static_cast<signed char>(pat[p + 2]);
          if (lo > hi) std::swap(lo, hi);
          lo = fold(lo, nocase);
          hi = fold(hi, nocase);
          const int x = fold(static_cast<signed char>(c), nocase);
          if (x >= lo && x <= hi) match = true;
          p += 2;
        } else if (same(pat[p], c, nocase)) {
          match = true;
        }
        ++p;
      }
      next = p < m ? p + 1 : m;  // past ']' or at end of an unterminated set
      return match != negate;
    }
    case '\\':
      if (m - p >= 2) ++p;
      [[fallthrough]];
    default:
      next = p + 1;
      return same(pat[p], c, nocase);
  }
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view str, bool nocase) {
  if (str.empty()) return pattern.empty();

  const std::size_t m = pattern.size();
  const std::size_t n = str.size();
  std::size_t p = 0;
  std::size_t s = 0;
  // Pattern index just after the most recent star and the string index where
  // the rest of the pattern is currently being tried; only the latest star
  // ever needs to be retried, since every other token has width one.
  std::size_t star_p = std::string_view::npos;
  std::size_t star_s = 0;
  int star_groups = 0;

  while (s < n) {
    if (p < m && pattern[p] == '*') {
      while (p < m && pattern[p] == '*') ++p;
      if (p == m) return true;
      if (++star_groups > kMaxStarGroups) return false;
      star_p = p;
      star_s = s;
      continue;
    }
    std::size_t next = 0;
    if (p < m && match_token(pattern, p, str[s], nocase, next)) {
      p = next;
      ++s;
      continue;
    }
    if (star_p == std::string_view::npos) return false;
    p = star_p;
    s = ++star_s;
  }
  while (p < m && pattern[p] == '*') ++p;
  return p == m;
}

}  // namespace larder::util
