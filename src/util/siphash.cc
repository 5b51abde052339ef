#include "larder/util/siphash.h"

#include <cstring>
#include <random>

namespace larder::util {

namespace {

inline std::uint64_t rotl(std::uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

inline std::uint64_t load_le64(const char* p) {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  v = __builtin_bswap64(v);
#endif
  return v;
}

struct State {
  std::uint64_t v0, v1, v2, v3;
  void round() {
    v0 += v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32);
    v2 += v3; v3 = rotl(v3, 16); v3 ^= v2;
    v0 += v3; v3 = rotl(v3, 21); v3 ^= v0;
    v2 += v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32);
  }
};

SipKey random_key() {
  std::random_device device;
  auto draw = [&device] {
    return (static_cast<std::uint64_t>(device()) << 32) | static_cast<std::uint64_t>(device());
  };
  SipKey key;
  key.k0 = draw();
  key.k1 = draw();
  return key;
}

}  // namespace

template <int C, int D>
std::uint64_t siphash(const SipKey& key, std::string_view data) {
  State s{key.k0 ^ 0x736f6d6570736575ULL, key.k1 ^ 0x646f72616e646f6dULL,
          key.k0 ^ 0x6c7967656e657261ULL, key.k1 ^ 0x7465646279746573ULL};
  const char* p = data.data();
  const std::size_t words = data.size() / 8;
  for (std::size_t i = 0; i < words; ++i, p += 8) {
    const std::uint64_t m = load_le64(p);
    s.v3 ^= m;
    for (int r = 0; r < C; ++r) s.round();
    s.v0 ^= m;
  }
  std::uint64_t last = static_cast<std::uint64_t>(data.size()) << 56;
  const std::size_t tail = data.size() & 7;
  for (std::size_t i = 0; i < tail; ++i) {
    last |= static_cast<std::uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  }
  s.v3 ^= last;
  for (int r = 0; r < C; ++r) s.round();
  s.v0 ^= last;
  s.v2 ^= 0xff;
  for (int r = 0; r < D; ++r) s.round();
  return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

template std::uint64_t siphash<1, 3>(const SipKey&, std::string_view);
template std::uint64_t siphash<2, 4>(const SipKey&, std::string_view);

const SipKey& process_hash_key() {
  static const SipKey key = random_key();
  return key;
}

std::uint64_t keyed_hash(std::string_view data) { return siphash<1, 3>(process_hash_key(), data); }

}  // namespace larder::util
