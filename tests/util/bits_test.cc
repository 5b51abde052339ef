#include "larder/util/bits.h"

#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <vector>

using namespace larder::util;

namespace {

std::uint64_t naive_popcount(const unsigned char* p, std::size_t n) {
  std::uint64_t bits = 0;
  for (std::size_t i = 0; i < n; ++i) {
    for (int b = 0; b < 8; ++b) bits += (p[i] >> b) & 1u;
  }
  return bits;
}

std::int64_t naive_bitpos(const unsigned char* p, std::size_t n, int bit) {
  for (std::size_t i = 0; i < n * 8; ++i) {
    if (((p[i / 8] >> (7 - i % 8)) & 1) == bit) return static_cast<std::int64_t>(i);
  }
  return bit ? -1 : static_cast<std::int64_t>(n * 8);
}

}  // namespace

TEST_CASE("popcount counts every bit at every alignment and length", "[bits]") {
  std::mt19937 rng(1);
  std::vector<unsigned char> buf(300);
  for (auto& b : buf) b = static_cast<unsigned char>(rng());
  for (std::size_t offset = 0; offset < 9; ++offset) {
    for (std::size_t len : {0u, 1u, 7u, 8u, 31u, 32u, 33u, 64u, 100u, 250u}) {
      INFO("offset " << offset << " len " << len);
      CHECK(popcount(buf.data() + offset, len) == naive_popcount(buf.data() + offset, len));
    }
  }
  std::vector<unsigned char> ones(1000, 0xff);
  CHECK(popcount(ones.data(), ones.size()) == 8000);
}

TEST_CASE("bitpos finds the first bit as Redis's redisBitpos", "[bits]") {
  std::mt19937 rng(2);
  for (int round = 0; round < 200; ++round) {
    std::vector<unsigned char> buf(1 + rng() % 40, static_cast<unsigned char>(round % 2 ? 0xff : 0));
    if (rng() % 2) buf[rng() % buf.size()] = static_cast<unsigned char>(rng());
    const std::size_t offset = rng() % buf.size();
    for (int bit : {0, 1}) {
      CHECK(bitpos(buf.data() + offset, buf.size() - offset, bit) ==
            naive_bitpos(buf.data() + offset, buf.size() - offset, bit));
    }
  }
  const unsigned char zeros[3] = {0, 0, 0};
  CHECK(bitpos(zeros, 3, 1) == -1);
  CHECK(bitpos(zeros, 0, 0) == 0);
  const unsigned char full[2] = {0xff, 0xff};
  CHECK(bitpos(full, 2, 0) == 16);  // the zero padding on the right
}

TEST_CASE("bitfields read and write big-endian bit runs", "[bits]") {
  unsigned char buf[16] = {};
  set_unsigned_bitfield(buf, 7, 5, 23);  // Redis's documented example
  CHECK(buf[0] == 0x01);
  CHECK(buf[1] == 0x70);
  CHECK(get_unsigned_bitfield(buf, 7, 5) == 23);
  set_unsigned_bitfield(buf, 20, 64, 0x8000000000000001ull);
  CHECK(get_unsigned_bitfield(buf, 20, 64) == 0x8000000000000001ull);
  CHECK(get_signed_bitfield(buf, 20, 64) == static_cast<std::int64_t>(0x8000000000000001ull));
  set_unsigned_bitfield(buf, 100, 4, 0xf);
  CHECK(get_signed_bitfield(buf, 100, 4) == -1);
  CHECK(get_unsigned_bitfield(buf, 100, 4) == 15);
}

TEST_CASE("bitfield overflow follows WRAP, SAT and FAIL", "[bits]") {
  std::uint64_t u = 0;
  CHECK(check_unsigned_overflow(250, 10, 8, Overflow::kWrap, u) == 1);
  CHECK(u == 4);
  CHECK(check_unsigned_overflow(250, 10, 8, Overflow::kSat, u) == 1);
  CHECK(u == 255);
  CHECK(check_unsigned_overflow(5, -10, 8, Overflow::kSat, u) == -1);
  CHECK(u == 0);
  CHECK(check_unsigned_overflow(5, -10, 8, Overflow::kWrap, u) == -1);
  CHECK(u == 251);
  CHECK(check_unsigned_overflow(5, 10, 8, Overflow::kFail, u) == 0);
  std::int64_t s = 0;
  CHECK(check_signed_overflow(120, 10, 8, Overflow::kWrap, s) == 1);
  CHECK(s == -126);
  CHECK(check_signed_overflow(-120, -10, 8, Overflow::kSat, s) == -1);
  CHECK(s == -128);
  CHECK(check_signed_overflow(INT64_MAX, 1, 64, Overflow::kWrap, s) == 1);
  CHECK(s == INT64_MIN);
  CHECK(check_signed_overflow(INT64_MIN, -1, 64, Overflow::kSat, s) == -1);
  CHECK(s == INT64_MIN);
  CHECK(check_signed_overflow(-1, 1, 1, Overflow::kWrap, s) == 0);  // i1 holds -1 and 0
  CHECK(check_signed_overflow(0, 1, 1, Overflow::kWrap, s) == 1);
  CHECK(s == -1);
}
