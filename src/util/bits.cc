#include "larder/util/bits.h"

#include <climits>
#include <cstring>

namespace larder::util {

namespace {

constexpr unsigned char kBitsInByte[256] = {
#define B2(n) n, n + 1, n + 1, n + 2
#define B4(n) B2(n), B2(n + 1), B2(n + 1), B2(n + 2)
#define B6(n) B4(n), B4(n + 1), B4(n + 1), B4(n + 2)
    B6(0), B6(1), B6(1), B6(2)
#undef B6
#undef B4
#undef B2
};

std::uint64_t popcount_bytes(const unsigned char* p, std::size_t count) {
  std::uint64_t bits = 0;
  for (std::size_t i = 0; i < count; ++i) bits += kBitsInByte[p[i]];
  return bits;
}

// Whole 32-byte blocks of `p` (8-byte aligned), four words at a time; inlined
// into the POPCNT-targeted copy below.
inline __attribute__((always_inline)) std::uint64_t popcount_blocks(const unsigned char* p, std::size_t blocks) {
  std::uint64_t c0 = 0, c1 = 0, c2 = 0, c3 = 0;
  for (std::size_t b = 0; b < blocks; ++b, p += 32) {
    std::uint64_t w[4];
    std::memcpy(w, p, sizeof w);
    c0 += static_cast<std::uint64_t>(__builtin_popcountll(w[0]));
    c1 += static_cast<std::uint64_t>(__builtin_popcountll(w[1]));
    c2 += static_cast<std::uint64_t>(__builtin_popcountll(w[2]));
    c3 += static_cast<std::uint64_t>(__builtin_popcountll(w[3]));
  }
  return c0 + c1 + c2 + c3;
}

__attribute__((target("popcnt"))) std::uint64_t popcount_blocks_popcnt(const unsigned char* p,
                                                                       std::size_t blocks) {
  return popcount_blocks(p, blocks);
}

// Read once at startup; __builtin_cpu_init() because this may run before
// libgcc's own constructor.
const bool kHasPopcnt = [] {
  __builtin_cpu_init();
  return __builtin_cpu_supports("popcnt") != 0;
}();

}  // namespace

std::uint64_t popcount(const unsigned char* p, std::size_t count) {
  std::uint64_t bits = 0;
  while ((reinterpret_cast<std::uintptr_t>(p) & 7) != 0 && count > 0) {
    bits += kBitsInByte[*p++];
    --count;
  }
  const std::size_t blocks = count / 32;
  bits += kHasPopcnt ? popcount_blocks_popcnt(p, blocks) : popcount_blocks(p, blocks);
  p += blocks * 32;
  count -= blocks * 32;
  return bits + popcount_bytes(p, count);
}

std::int64_t bitpos(const unsigned char* p, std::size_t count, int bit) {
  std::int64_t pos = 0;
  // Skip whole bytes, then whole words, that cannot hold the bit.
  const unsigned char skip_byte = bit ? 0 : 0xff;
  while (count > 0 && (reinterpret_cast<std::uintptr_t>(p) & 7) != 0 && *p == skip_byte) {
    ++p;
    --count;
    pos += 8;
  }
  if (count == 0 || (reinterpret_cast<std::uintptr_t>(p) & 7) == 0) {
    const std::uint64_t skip_word = bit ? 0 : UINT64_MAX;
    while (count >= 8) {
      std::uint64_t w;
      std::memcpy(&w, p, 8);
      if (w != skip_word) break;
      p += 8;
      count -= 8;
      pos += 64;
    }
  }
  // The next up to 8 bytes as a big-endian word, zero-padded on the right.
  std::uint64_t word = 0;
  for (int j = 0; j < 8; ++j) {
    word <<= 8;
    if (count > 0) {
      word |= *p++;
      --count;
    }
  }
  if (bit == 1 && word == 0) return -1;
  for (std::uint64_t one = 1ull << 63; one != 0; one >>= 1, ++pos) {
    if (((word & one) != 0) == (bit != 0)) return pos;
  }
  return pos;  // not reached: a 0 bit always exists in the zero padding
}

std::uint64_t get_unsigned_bitfield(const unsigned char* p, std::uint64_t offset, unsigned bits) {
  std::uint64_t value = 0;
  for (unsigned j = 0; j < bits; ++j, ++offset) {
    const unsigned bitval = (p[offset >> 3] >> (7 - (offset & 7))) & 1u;
    value = (value << 1) | bitval;
  }
  return value;
}

std::int64_t get_signed_bitfield(const unsigned char* p, std::uint64_t offset, unsigned bits) {
  std::uint64_t value = get_unsigned_bitfield(p, offset, bits);
  // Sign-extend from the field's top bit.
  if (bits < 64 && (value & (1ull << (bits - 1)))) value |= UINT64_MAX << bits;
  return static_cast<std::int64_t>(value);
}

void set_unsigned_bitfield(unsigned char* p, std::uint64_t offset, unsigned bits, std::uint64_t value) {
  for (unsigned j = 0; j < bits; ++j, ++offset) {
    const unsigned bitval = (value >> (bits - 1 - j)) & 1u;
    const unsigned shift = 7 - (offset & 7);
    unsigned char& byte = p[offset >> 3];
    byte = static_cast<unsigned char>((byte & ~(1u << shift)) | (bitval << shift));
  }
}

int check_unsigned_overflow(std::uint64_t value, std::int64_t incr, unsigned bits, Overflow policy,
                            std::uint64_t& limit) {
  const std::uint64_t max = bits == 64 ? UINT64_MAX : (1ull << bits) - 1;
  const auto maxincr = static_cast<std::int64_t>(max - value);
  const auto minincr = static_cast<std::int64_t>(0 - value);
  auto wrap = [&] { limit = (value + static_cast<std::uint64_t>(incr)) & ~(UINT64_MAX << bits); };
  if (value > max || (incr > 0 && incr > maxincr)) {
    if (policy == Overflow::kWrap) wrap();
    if (policy == Overflow::kSat) limit = max;
    return 1;
  }
  if (incr < 0 && incr < minincr) {
    if (policy == Overflow::kWrap) wrap();
    if (policy == Overflow::kSat) limit = 0;
    return -1;
  }
  return 0;
}

int check_signed_overflow(std::int64_t value, std::int64_t incr, unsigned bits, Overflow policy,
                          std::int64_t& limit) {
  const std::int64_t max = bits == 64 ? INT64_MAX : (std::int64_t{1} << (bits - 1)) - 1;
  const std::int64_t min = -max - 1;
  // As Redis: these may wrap, and are only used once `value` is in range.
  const auto maxincr = static_cast<std::int64_t>(static_cast<std::uint64_t>(max) - static_cast<std::uint64_t>(value));
  const auto minincr = static_cast<std::int64_t>(static_cast<std::uint64_t>(min) - static_cast<std::uint64_t>(value));
  auto wrap = [&] {
    std::uint64_t c = static_cast<std::uint64_t>(value) + static_cast<std::uint64_t>(incr);
    if (bits < 64) {
      const std::uint64_t mask = UINT64_MAX << bits;
      c = (c & (1ull << (bits - 1))) ? (c | mask) : (c & ~mask);
    }
    limit = static_cast<std::int64_t>(c);
  };
  if (value > max || (bits != 64 && incr > maxincr) || (value >= 0 && incr > 0 && incr > maxincr)) {
    if (policy == Overflow::kWrap) wrap();
    if (policy == Overflow::kSat) limit = max;
    return 1;
  }
  if (value < min || (bits != 64 && incr < minincr) || (value < 0 && incr < 0 && incr < minincr)) {
    if (policy == Overflow::kWrap) wrap();
    if (policy == Overflow::kSat) limit = min;
    return -1;
  }
  return 0;
}

}  // namespace larder::util
