#include "larder/util/numbers.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <string_view>

using namespace larder::util;
using namespace std::string_view_literals;

// Accept/reject expectations were checked against redis-server 7.0.15:
// parse_int64 with INCRBY, parse_double and format_double with ZADD/ZSCORE,
// parse_memory_size with CONFIG SET maxmemory.

namespace {

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr uint64_t kUMax = std::numeric_limits<uint64_t>::max();

bool int64_rejects(std::string_view s) {
  int64_t v = 42;
  return !parse_int64(s, v) && v == 42;
}

bool double_rejects(std::string_view s) {
  double v = 42;
  return !parse_double(s, v) && v == 42;
}

bool memory_rejects(std::string_view s) {
  uint64_t v = 42;
  return !parse_memory_size(s, v) && v == 42;
}

std::string fmt(int64_t v) {
  char buf[kInt64BufSize];
  const std::size_t n = format_int64(v, buf);
  REQUIRE(buf[n] == '\0');
  return std::string(buf, n);
}

}  // namespace

TEST_CASE("parse_int64 accepts canonical integers", "[numbers]") {
  const std::pair<std::string_view, int64_t> cases[] = {
      {"0", 0},
      {"1", 1},
      {"-1", -1},
      {"10", 10},
      {"1234567890", 1234567890},
      {"-1234567890", -1234567890},
      {"9223372036854775807", kMax},
      {"-9223372036854775808", kMin},
      {"9223372036854775806", kMax - 1},
      {"-9223372036854775807", kMin + 1},
  };
  for (const auto& [text, expected] : cases) {
    INFO(std::string(text));
    int64_t v = 0;
    CHECK(parse_int64(text, v));
    CHECK(v == expected);
  }
}

TEST_CASE("parse_int64 rejects what string2ll rejects", "[numbers]") {
  for (std::string_view s :
       {""sv, "-"sv, "-0"sv, "+1"sv, "01"sv, "00"sv, "-01"sv, " 1"sv, "1 "sv,
        "0x10"sv, "1.0"sv, "1e3"sv, "abc"sv, "1a"sv, "--1"sv, "1\0"sv,
        "9223372036854775808"sv, "-9223372036854775809"sv,
        "18446744073709551615"sv, "18446744073709551616"sv,
        "99999999999999999999"sv, "000000000000000000001"sv,
        "-00000000000000000001"sv, "123456789012345678901"sv}) {
    INFO(std::string(s));
    CHECK(int64_rejects(s));
  }
}

TEST_CASE("parse_uint64 covers the full unsigned range", "[numbers]") {
  uint64_t v = 0;
  CHECK(parse_uint64("0", v));
  CHECK(v == 0);
  CHECK(parse_uint64("9223372036854775808", v));
  CHECK(v == 9223372036854775808ULL);
  CHECK(parse_uint64("18446744073709551615", v));
  CHECK(v == kUMax);
  for (std::string_view s :
       {""sv, "-0"sv, "-1"sv, "+1"sv, "01"sv, " 1"sv, "1 "sv, "1.5"sv,
        "18446744073709551616"sv, "99999999999999999999"sv,
        "100000000000000000000"sv}) {
    INFO(std::string(s));
    v = 42;
    CHECK_FALSE(parse_uint64(s, v));
    CHECK(v == 42);
  }
}

TEST_CASE("parse_double accepts what strtod fully consumes", "[numbers]") {
  const std::pair<std::string_view, double> cases[] = {
      {"1.5", 1.5},       {"+1.5", 1.5},   {"-2.25", -2.25}, {".5", 0.5},
      {"5.", 5.0},        {"3", 3.0},      {"1e3", 1000.0},  {"1E-2", 0.01},
      {"0x10", 16.0},     {"0x1p-2", 0.25}, {"0.1", 0.1},
      {"1.7976931348623157e308", std::numeric_limits<double>::max()},
      {"4.9e-324", std::numeric_limits<double>::denorm_min()},
  };
  for (const auto& [text, expected] : cases) {
    INFO(std::string(text));
    double v = 0;
    CHECK(parse_double(text, v));
    CHECK(v == expected);
  }
  double v = 0;
  CHECK(parse_double("1e-310", v));
  CHECK(v > 0);
  CHECK(v < std::numeric_limits<double>::min());
  CHECK(parse_double("-0", v));
  CHECK(v == 0);
  CHECK(std::signbit(v));
}

TEST_CASE("parse_double accepts infinities in strtod's spellings", "[numbers]") {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  const std::pair<std::string_view, double> cases[] = {
      {"inf", kInf},       {"+inf", kInf},      {"-inf", -kInf},
      {"INF", kInf},       {"Infinity", kInf},  {"-infinity", -kInf},
  };
  for (const auto& [text, expected] : cases) {
    INFO(std::string(text));
    double v = 0;
    CHECK(parse_double(text, v));
    CHECK(v == expected);
  }
}

TEST_CASE("parse_double rejects spaces, NaN, overflow and underflow",
          "[numbers]") {
  for (std::string_view s :
       {""sv, " 1"sv, "\t1"sv, "1 "sv, "nan"sv, "NaN"sv, "-nan"sv, "1e400"sv,
        "-1e400"sv, "1e-400"sv, "2e-324"sv, "1e"sv, "1e+"sv, "1,5"sv, "abc"sv,
        "1\0"sv, "1\0002"sv, "-"sv, "."sv, "0x"sv}) {
    INFO(std::string(s));
    CHECK(double_rejects(s));
  }
}

TEST_CASE("format_int64 writes decimal text and a NUL", "[numbers]") {
  CHECK(fmt(0) == "0");
  CHECK(fmt(7) == "7");
  CHECK(fmt(-7) == "-7");
  CHECK(fmt(10) == "10");
  CHECK(fmt(99) == "99");
  CHECK(fmt(100) == "100");
  CHECK(fmt(-100) == "-100");
  CHECK(fmt(1234567890) == "1234567890");
  CHECK(fmt(kMax) == "9223372036854775807");
  CHECK(fmt(kMin) == "-9223372036854775808");
  CHECK(fmt(kMin + 1) == "-9223372036854775807");
  for (int64_t p = 1;; p *= 10) {  // every power of ten up to 10^18
    for (int64_t v : {p - 1, p, p + 1, -p, -(p - 1)}) {
      char expected[32];
      std::snprintf(expected, sizeof(expected), "%lld",
                    static_cast<long long>(v));
      CHECK(fmt(v) == expected);
    }
    if (p > kMax / 10) break;
  }
}

TEST_CASE("format_int64 and parse_int64 round-trip", "[numbers]") {
  for (int64_t v : {kMin, kMin + 1, int64_t{-1}, int64_t{0}, int64_t{1},
                    int64_t{42}, kMax - 1, kMax}) {
    int64_t back = 0;
    CHECK(parse_int64(fmt(v), back));
    CHECK(back == v);
  }
}

TEST_CASE("format_double matches Redis 7.0 RESP2 double replies", "[numbers]") {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  CHECK(format_double(1.5) == "1.5");
  CHECK(format_double(3) == "3");
  CHECK(format_double(0) == "0");
  CHECK(format_double(-0.0) == "-0");
  CHECK(format_double(0.1) == "0.10000000000000001");
  CHECK(format_double(1.1) == "1.1000000000000001");
  CHECK(format_double(-0.5) == "-0.5");
  CHECK(format_double(1e16) == "10000000000000000");
  CHECK(format_double(1e17) == "1e+17");
  CHECK(format_double(123456789012345678.0) == "1.2345678901234568e+17");
  CHECK(format_double(1e300) == "1.0000000000000001e+300");
  CHECK(format_double(0.0001) == "0.0001");
  CHECK(format_double(0.00001) == "1.0000000000000001e-05");
  CHECK(format_double(1e-310) == "9.9999999999999694e-311");
  CHECK(format_double(std::numeric_limits<double>::denorm_min()) ==
        "4.9406564584124654e-324");
  CHECK(format_double(std::numeric_limits<double>::max()) ==
        "1.7976931348623157e+308");
  CHECK(format_double(kInf) == "inf");
  CHECK(format_double(-kInf) == "-inf");
}

TEST_CASE("parse_memory_size accepts bytes and units", "[numbers]") {
  const std::pair<std::string_view, uint64_t> cases[] = {
      {"0", 0},
      {"123", 123},
      {"007", 7},
      {"1b", 1},
      {"1B", 1},
      {"1k", 1000},
      {"1K", 1000},
      {"1kb", 1024},
      {"1KB", 1024},
      {"1Kb", 1024},
      {"1kB", 1024},
      {"2m", 2000000},
      {"2mb", 2097152},
      {"2MB", 2097152},
      {"3g", 3000000000ULL},
      {"3gb", 3221225472ULL},
      {"3GB", 3221225472ULL},
      {"0gb", 0},
      {"9223372036854775808", 9223372036854775808ULL},
      {"18446744073709551615", kUMax},
      {"18446744073709551615b", kUMax},
      {"17179869183gb", 17179869183ULL << 30},
      {"18446744073709551k", 18446744073709551000ULL},
  };
  for (const auto& [text, expected] : cases) {
    INFO(std::string(text));
    uint64_t v = 0;
    CHECK(parse_memory_size(text, v));
    CHECK(v == expected);
  }
  uint64_t v = 0;
  CHECK(parse_memory_size(std::string(127, '0') + "1", v) == false);
  CHECK(parse_memory_size(std::string(126, '0') + "1", v));
  CHECK(v == 1);
}

TEST_CASE("parse_memory_size rejects signs, garbage and overflow", "[numbers]") {
  for (std::string_view s :
       {""sv, "b"sv, "kb"sv, "gb"sv, "-1"sv, "+1"sv, "-1gb"sv, " 1"sv, "1 "sv,
        "1 kb"sv, "1kbb"sv, "1.5mb"sv, "1t"sv, "1tb"sv, "1kib"sv, "1bb"sv,
        "0x10"sv, "1\0"sv, "1\0kb"sv, "abc"sv, "18446744073709551616"sv,
        "99999999999999999999999"sv, "18446744073709552k"sv,
        "17179869184gb"sv, "18446744073709551615kb"sv}) {
    INFO(std::string(s));
    CHECK(memory_rejects(s));
  }
}
