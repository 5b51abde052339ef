#include "larder/util/glob.h"

#include <catch2/catch.hpp>

#include <string>
#include <string_view>

using larder::util::glob_match;
using namespace std::string_view_literals;

namespace {

struct GlobCase {
  std::string_view pattern;
  std::string_view str;
  bool nocase;
  bool expected;
};

// Expected values were taken from redis-server 7.0.15: KEYS for the
// case-sensitive rows, CONFIG GET (which matches with nocase) for the others.
constexpr GlobCase kCases[] = {
    {""sv, ""sv, false, true},
    {""sv, "a"sv, false, false},
    {"a"sv, ""sv, false, false},
    {"**"sv, ""sv, false, false},
    {"?"sv, ""sv, false, false},
    {"["sv, ""sv, false, false},
    {"abc"sv, "abc"sv, false, true},
    {"abc"sv, "abd"sv, false, false},
    {"abc"sv, "ab"sv, false, false},
    {"ab"sv, "abc"sv, false, false},
    {"**"sv, "anything"sv, false, true},
    {"a*"sv, "a"sv, false, true},
    {"a*"sv, "abc"sv, false, true},
    {"a*"sv, "ba"sv, false, false},
    {"*c"sv, "abc"sv, false, true},
    {"*c"sv, "abd"sv, false, false},
    {"a*c"sv, "ac"sv, false, true},
    {"a*c"sv, "abbbc"sv, false, true},
    {"a**c"sv, "abc"sv, false, true},
    {"***"sv, "x"sv, false, true},
    {"*a*"sv, "bab"sv, false, true},
    {"*a*"sv, "bbb"sv, false, false},
    {"a*b*c"sv, "aXbYc"sv, false, true},
    {"a*b*c"sv, "aXcYb"sv, false, false},
    {"*?"sv, "a"sv, false, true},
    {"?*"sv, "a"sv, false, true},
    {"*?*?"sv, "ab"sv, false, true},
    {"*?*?*?"sv, "ab"sv, false, false},
    {"a*b?"sv, "ab"sv, false, false},
    {"a*b?"sv, "abb"sv, false, true},
    {"*ab"sv, "aab"sv, false, true},
    {"*aab"sv, "aaab"sv, false, true},
    {"a*ab"sv, "aaaab"sv, false, true},
    {"*a*a*b"sv, "aaaaac"sv, false, false},
    {"?"sv, "a"sv, false, true},
    {"?"sv, "ab"sv, false, false},
    {"a?c"sv, "abc"sv, false, true},
    {"a?c"sv, "ac"sv, false, false},
    {"[abc]"sv, "b"sv, false, true},
    {"[abc]"sv, "d"sv, false, false},
    {"[abc]"sv, "bb"sv, false, false},
    {"[^abc]"sv, "d"sv, false, true},
    {"[^abc]"sv, "a"sv, false, false},
    {"[a-c]x"sv, "bx"sv, false, true},
    {"[a-c]"sv, "d"sv, false, false},
    {"[z-a]"sv, "m"sv, false, true},
    {"[z-a]"sv, "A"sv, false, false},
    {"[c-a]"sv, "b"sv, false, true},
    {"[^a-c]"sv, "d"sv, false, true},
    {"[^a-c]"sv, "b"sv, false, false},
    {"[]"sv, "a"sv, false, false},
    {"[]"sv, "]"sv, false, false},
    {"[]]"sv, "]"sv, false, false},
    {"[]a]"sv, "a"sv, false, false},
    {"[^]"sv, "x"sv, false, true},
    {"[^]"sv, "]"sv, false, true},
    {"[^]"sv, "xy"sv, false, false},
    {"[\134]]"sv, "]"sv, false, true},
    {"[a\134]]"sv, "]"sv, false, true},
    {"[\134^a]"sv, "^"sv, false, true},
    {"[^\134]]"sv, "]"sv, false, false},
    {"[\134a-c]"sv, "b"sv, false, false},
    {"[\134a-c]"sv, "-"sv, false, true},
    {"[a-]"sv, "_"sv, false, true},
    {"[a-]"sv, "]"sv, false, true},
    {"[a-]"sv, "-"sv, false, false},
    {"[-a]"sv, "-"sv, false, true},
    {"[a-c-e]"sv, "d"sv, false, false},
    {"[a-c-e]"sv, "-"sv, false, true},
    {"[a-c-e]"sv, "e"sv, false, true},
    {"[abc"sv, "b"sv, false, true},
    {"[abc"sv, "["sv, false, false},
    {"["sv, "["sv, false, false},
    {"[^"sv, "x"sv, false, true},
    {"ab["sv, "ab["sv, false, false},
    {"ab["sv, "abx"sv, false, false},
    {"x[ab"sv, "xb"sv, false, true},
    {"[a-"sv, "a"sv, false, true},
    {"[a-"sv, "-"sv, false, true},
    {"[a-"sv, "b"sv, false, false},
    {"[\134"sv, "\134"sv, false, true},
    {"[a\134"sv, "\134"sv, false, true},
    {"[a\134]"sv, "]"sv, false, true},
    {"[^a"sv, "b"sv, false, true},
    {"\134*"sv, "*"sv, false, true},
    {"\134*"sv, "a"sv, false, false},
    {"\134?"sv, "?"sv, false, true},
    {"\134?"sv, "x"sv, false, false},
    {"\134[a]"sv, "[a]"sv, false, true},
    {"\134[a]"sv, "a"sv, false, false},
    {"a\134"sv, "a\134"sv, false, true},
    {"a\134"sv, "a"sv, false, false},
    {"\134\134"sv, "\134"sv, false, true},
    {"\134a"sv, "a"sv, false, true},
    {"*\134"sv, "x\134"sv, false, true},
    {"\134"sv, "\134"sv, false, true},
    {"A"sv, "a"sv, false, false},
    {"[A-Z]"sv, "q"sv, false, false},
    {"a\000*"sv, "a\000bc"sv, false, true},
    {"a\000*"sv, "a"sv, false, false},
    {"?"sv, "\000"sv, false, true},
    {"[\000]"sv, "\000"sv, false, true},
    {"a*"sv, "a\000"sv, false, true},
    {"\000"sv, "\000"sv, false, true},
    {"*\000"sv, "x\000"sv, false, true},
    {"[a-\377]"sv, "\377"sv, false, true},
    {"[a-\377]"sv, "b"sv, false, false},
    {"[a-\377]"sv, "0"sv, false, true},
    {"[\001-\177]"sv, "\200"sv, false, false},
    {"[\200-\377]"sv, "\220"sv, false, true},
    {"[\177-\200]"sv, "a"sv, false, true},
    {"[\177-\200]"sv, "\303"sv, false, true},
    {"\351*"sv, "\351t\351"sv, false, true},
    {"[\340-\357]"sv, "\351"sv, false, true},
    {"a*a*a*a*a*a*a*a*a*b"sv, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"sv, false, false},
    {"*a*a*a*a*a*a*a*a*a*a*"sv, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"sv, false, true},
    {"*[ab]*[ab]*c"sv, "abababababababababababababababababababababababababababababab"sv, false, false},
    {"h?llo"sv, "hello"sv, false, true},
    {"h*llo"sv, "heeeello"sv, false, true},
    {"h[ae]llo"sv, "hallo"sv, false, true},
    {"h[^e]llo"sv, "hello"sv, false, false},
    {"h[a-b]llo"sv, "hbllo"sv, false, true},
    {"MAX*"sv, "maxmemory"sv, true, true},
    {"[L-N]axmemory"sv, "maxmemory"sv, true, true},
    {"[l-n]AXMEMORY"sv, "maxmemory"sv, true, true},
    {"[\134M]axmemor?"sv, "maxmemory"sv, true, false},
    {"[\134m]AXMEMOR?"sv, "maxmemory"sv, true, true},
    {"\134Maxmemor?"sv, "maxmemory"sv, true, true},
    {"[^M]axmemory*"sv, "maxmemory"sv, true, false},
    {"[A-L]axmemory"sv, "maxmemory"sv, true, false},
    {"maxmemory?"sv, "maxmemory"sv, true, false},
    {"Maxmemory-?olicy"sv, "maxmemory-policy"sv, true, true},
};

std::string repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

}  // namespace

TEST_CASE("glob_match agrees with Redis 7.0 on the reference table", "[glob]") {
  for (const auto& c : kCases) {
    INFO("pattern=" << std::string(c.pattern) << " str=" << std::string(c.str)
                    << " nocase=" << c.nocase);
    CHECK(glob_match(c.pattern, c.str, c.nocase) == c.expected);
  }
}

TEST_CASE("glob_match: a lone star does not match the empty string", "[glob]") {
  CHECK_FALSE(glob_match("*", ""));
  CHECK(glob_match("", ""));
  CHECK(glob_match("*", "x"));
}

TEST_CASE("glob_match nocase folds ASCII letters only", "[glob]") {
  CHECK(glob_match("HeLLo", "hello", true));
  CHECK_FALSE(glob_match("HeLLo", "hello"));
  CHECK(glob_match("[A-C]", "b", true));
  CHECK(glob_match("[a-c]", "B", true));
  CHECK(glob_match("\\H*", "hat", true));
  CHECK_FALSE(glob_match("[\\H]*", "hat", true));
  CHECK_FALSE(glob_match("\xc9", "\xe9", true));
  // Range bounds are folded after ordering, so [Z-a] becomes the empty z..a.
  CHECK_FALSE(glob_match("[Z-a]", "z", true));
  CHECK(glob_match("[Z-a]", "_"));
}

TEST_CASE("glob_match is fast on patterns that are exponential naively",
          "[glob]") {
  const std::string a_run(3000, 'a');
  CHECK_FALSE(glob_match(repeat("a*", 30) + "b", a_run));
  CHECK_FALSE(glob_match(repeat("*a", 30) + "*b", a_run));
  CHECK(glob_match(repeat("*a", 30) + "*", a_run));
  CHECK_FALSE(glob_match(repeat("*?", 30) + "b", a_run));
  CHECK(glob_match("*" + a_run, a_run + a_run));
  CHECK_FALSE(glob_match("*" + a_run + "b", a_run + a_run));
}

TEST_CASE("glob_match keeps Redis's limit of 1000 star groups", "[glob]") {
  const std::string s5000(5000, 'a');
  CHECK(glob_match(repeat("?*", 1000) + "?", s5000));
  CHECK_FALSE(glob_match(repeat("?*", 1001) + "?", s5000));
  CHECK(glob_match(repeat("a*", 1000) + "a", s5000));
  CHECK_FALSE(glob_match(repeat("a*", 1001) + "a", s5000));
  // A trailing run of stars is not counted, and a run counts once.
  CHECK(glob_match(repeat("a*", 1001), s5000));
  CHECK(glob_match(repeat("*?", 1000) + "*", std::string(1000, 'a')));
  CHECK_FALSE(glob_match(repeat("*?", 1001) + "*", s5000));
  CHECK(glob_match(repeat("**", 3000) + "a", s5000));
  // Escaped stars and stars inside sets are literals, not star groups.
  const std::string stars(3000, '*');
  CHECK(glob_match(repeat("\\*", 1500) + "*", stars));
  CHECK(glob_match(repeat("[*]*", 1001), stars));
  CHECK_FALSE(glob_match(repeat("[*]*", 1002), stars));
}
