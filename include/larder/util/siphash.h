#pragma once
// SipHash (Aumasson and Bernstein): a keyed 64-bit hash. With a secret random
// key, clients that choose keys cannot predict which keys collide, so they
// cannot flood one bucket (Redis uses SipHash for the same reason).

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace larder::util {

struct SipKey {
  std::uint64_t k0 = 0;
  std::uint64_t k1 = 0;
};

// SipHash-c-d: c compression rounds per 8-byte word, d finalization rounds.
template <int C, int D>
std::uint64_t siphash(const SipKey& key, std::string_view data);

// The process's key: random, drawn once at start-up from std::random_device.
// Every table that places client-chosen strings (shards, key buckets, hash
// fields, set members, score-tree tags) hashes with it.
const SipKey& process_hash_key();

// SipHash-1-3 with the process key.
std::uint64_t keyed_hash(std::string_view data);

// For standard containers keyed by client-chosen strings.
struct KeyedHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return keyed_hash(s); }
};

}  // namespace larder::util
