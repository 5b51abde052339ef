#pragma once
// Bit-level primitives over byte strings, as Redis's bitops.c defines them:
// bit 0 is the most significant bit of byte 0. BITCOUNT, BITPOS, BITOP and
// BITFIELD (src/commands/bitmap_commands.cc) are built on these.

#include <cstddef>
#include <cstdint>

namespace larder::util {

// Number of set bits in p[0, count): 8-byte words counted with the POPCNT
// instruction when the CPU has it (four independent sums), bytes by table
// at the unaligned edges.
std::uint64_t popcount(const unsigned char* p, std::size_t count);

// Redis's redisBitpos(): the position of the first bit equal to `bit` in
// p[0, count). Looking for 0 in all ones gives count * 8 (the string is seen
// as zero-padded on the right); looking for 1 in all zeros gives -1.
std::int64_t bitpos(const unsigned char* p, std::size_t count, int bit);

// `bits` (1..64) bits at bit `offset`, big-endian within the bitmap; the
// bytes touched must exist.
std::uint64_t get_unsigned_bitfield(const unsigned char* p, std::uint64_t offset, unsigned bits);
std::int64_t get_signed_bitfield(const unsigned char* p, std::uint64_t offset, unsigned bits);
void set_unsigned_bitfield(unsigned char* p, std::uint64_t offset, unsigned bits, std::uint64_t value);

// BITFIELD's overflow policies.
enum class Overflow { kWrap, kSat, kFail };

// Redis's check{Unsigned,Signed}BitfieldOverflow(): 0 when value + incr fits
// an integer of `bits` bits, 1 on overflow, -1 on underflow; then `limit`
// holds the wrapped (kWrap) or saturated (kSat) result.
int check_unsigned_overflow(std::uint64_t value, std::int64_t incr, unsigned bits, Overflow policy,
                            std::uint64_t& limit);
int check_signed_overflow(std::int64_t value, std::int64_t incr, unsigned bits, Overflow policy,
                          std::int64_t& limit);

}  // namespace larder::util
