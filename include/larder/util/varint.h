#pragma once
// Length prefixes of the storage encodings (entry headers, packed lists,
// PackedDict blocks): 7 bits a byte, low bits first, the high bit set on
// every byte but the last.

#include <cstddef>

namespace larder::util {

constexpr std::size_t varint_size(std::size_t v) {
  std::size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

// Writes `v` at `p` (varint_size(v) bytes); returns the byte after it.
template <class Byte>
Byte* put_varint(Byte* p, std::size_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<Byte>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<Byte>(v);
  return p;
}

// Reads the varint at `p` into `v`; returns the byte after it.
template <class Byte>
const Byte* get_varint(const Byte* p, std::size_t& v) {
  v = 0;
  unsigned shift = 0;
  while (static_cast<unsigned char>(*p) & 0x80) {
    v |= static_cast<std::size_t>(static_cast<unsigned char>(*p++) & 0x7f) << shift;
    shift += 7;
  }
  v |= static_cast<std::size_t>(static_cast<unsigned char>(*p++)) << shift;
  return p;
}

}  // namespace larder::util
