#pragma once
// HyperLogLog values in Redis 7.0's exact serialization (hyperloglog.c), so a
// value copied between Redis and Larder with GET/SET keeps working and counts
// agree: a 16-byte header ("HYLL", encoding byte, 3 unused bytes, the cached
// cardinality little-endian with bit 63 meaning "stale"), then either 16384
// 6-bit registers packed LSB first (dense, 12288 bytes) or Redis's run-length
// opcodes ZERO (00xxxxxx), XZERO (01xxxxxx yyyyyyyy) and VAL (1vvvvvxx)
// (sparse). Elements hash with MurmurHash64A, seed 0xadc83b19.
//
// The functions work on a value's bytes; hyperloglog_commands.cc reads and
// writes them through the Db.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace larder::storage::hll {

inline constexpr int kRegisters = 16384;
inline constexpr std::size_t kHeaderSize = 16;
inline constexpr std::size_t kDenseSize = kHeaderSize + (kRegisters * 6 + 7) / 8;
inline constexpr std::uint8_t kDense = 0;
inline constexpr std::uint8_t kSparse = 1;

// One register value per byte (PFCOUNT of several keys, PFMERGE).
using RawRegisters = std::array<std::uint8_t, kRegisters>;

// Redis's MurmurHash64A (endian-neutral variant).
std::uint64_t murmur_hash64a(std::string_view data, std::uint64_t seed);

// An empty HLL: sparse, XZERO:16384, cached cardinality 0.
std::string make_empty();

// Redis's isHLLObjectOrReply() test: a header with the magic, a known
// encoding and, when dense, exactly kDenseSize bytes. Sparse opcodes are only
// checked when read.
bool looks_valid(std::string_view value);

std::uint8_t encoding(std::string_view value);

// The register an element hashes to and the value it offers there (the run
// length of its hash's "000..1" pattern).
struct Pattern {
  int index;
  std::uint8_t count;
};
Pattern pattern_of(std::string_view element);

// Raises register `index` of a dense value's bytes (kDenseSize of them) in
// place to `count`: 1 when it was lower, else 0.
int dense_set(char* value, int index, std::uint8_t count);

// Adds an element: 1 when a register changed, 0 when not, -1 for an invalid
// sparse body. A sparse value grows by opcode splits and turns dense when a
// register exceeds 32 or it would exceed `sparse_max_bytes`. A change to a
// sparse value marks its cached cardinality stale (as Redis's hllSparseSet);
// a dense one's is the caller's to invalidate.
int add(std::string& value, std::string_view element, std::size_t sparse_max_bytes);

// Sets register `index` to `count` when that raises it (hllSparseSet /
// hllDenseSet): same results as add().
int set_register(std::string& value, int index, std::uint8_t count, std::size_t sparse_max_bytes);

// Converts a sparse value to dense in place; false for an invalid body.
bool to_dense(std::string& value);

// max[i] = MAX(max[i], register i of `value`); false for an invalid body.
bool merge_into(RawRegisters& max, std::string_view value);

// The estimated cardinality (Ertl's estimator, as Redis 5+); `invalid` is
// set for an invalid sparse body.
std::uint64_t count(std::string_view value, bool& invalid);
std::uint64_t count_raw(const RawRegisters& registers);

// The cached cardinality, when valid.
bool cached_cardinality(std::string_view value, std::uint64_t& card);
void set_cached_cardinality(char* value, std::uint64_t card);
void invalidate_cache(char* value);

// Register `index` of a dense value, read and written (value 0..63).
std::uint8_t dense_register(std::string_view value, int index);
void put_dense_register(char* value, int index, std::uint8_t v);

// PFDEBUG DECODE's text of a sparse body ("Z:16384", "z:3 v:2,1 ...").
std::string decode_sparse(std::string_view value);

}  // namespace larder::storage::hll
