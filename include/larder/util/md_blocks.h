#pragma once
// The framing SHA-1 and SHA-256 share (Merkle-Damgard, FIPS 180-4): 64-byte
// blocks, then the tail padded with 0x80, zeros and the message's bit length
// (big-endian); and the digest as the big-endian hex of the state words.

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace larder::util {

// Calls compress(block) for each 64-byte block of the padded message.
template <class Compress>
void for_each_padded_block(std::string_view data, Compress&& compress) {
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  std::size_t n = data.size();
  while (n >= 64) {
    compress(p);
    p += 64;
    n -= 64;
  }
  unsigned char tail[128] = {};
  std::memcpy(tail, p, n);
  tail[n] = 0x80;
  const std::size_t tail_len = n < 56 ? 64 : 128;
  const std::uint64_t bits = static_cast<std::uint64_t>(data.size()) * 8;
  for (int i = 0; i < 8; ++i) tail[tail_len - 1 - i] = static_cast<unsigned char>(bits >> (8 * i));
  compress(tail);
  if (tail_len == 128) compress(tail + 64);
}

// Lower-case hex of the words, most significant digit first.
template <std::size_t N>
std::string words_hex(const std::array<std::uint32_t, N>& words) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(8 * N, '0');
  for (std::size_t i = 0; i < N; ++i) {
    for (std::size_t j = 0; j < 8; ++j) out[8 * i + j] = kHex[(words[i] >> (28 - 4 * j)) & 0xF];
  }
  return out;
}

}  // namespace larder::util
