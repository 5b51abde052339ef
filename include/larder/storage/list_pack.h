#pragma once
// The element codec of lists (Redis's listpack entries): a run of elements
// that can be walked both ways,
//
//   element = [varint len][bytes][len again as a reversed varint]
//
// A small list is stored inline in its entry as [u32 count, little-endian]
// followed by such a run (kHeader bytes, then the "region"); a big list is a
// QuickList whose nodes each hold a region and keep their count aside.
// A 16-byte element costs 18 bytes, as in a Redis listpack.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "larder/util/varint.h"

namespace larder::storage::list_pack {

inline constexpr std::size_t kHeader = 4;
// The inline encoding of an empty list.
inline constexpr std::string_view kEmpty{"\0\0\0\0", kHeader};

inline std::uint32_t count(std::string_view run) {
  std::uint32_t n = 0;
  std::memcpy(&n, run.data(), sizeof n);  // little-endian hosts only (x86-64, AArch64)
  return n;
}
inline void set_count(char* run, std::uint32_t n) { std::memcpy(run, &n, sizeof n); }
// The elements of an inline run.
inline std::string_view region(std::string_view run) { return run.substr(kHeader); }

// Bytes an element of `len` bytes takes.
constexpr std::size_t encoded_size(std::size_t len) { return 2 * util::varint_size(len) + len; }

// Writes the element `item` at `p`; returns the byte after it.
inline char* encode(char* p, std::string_view item) {
  p = util::put_varint(p, item.size());
  if (!item.empty()) std::memcpy(p, item.data(), item.size());
  p += item.size();
  char back[10];
  char* end = util::put_varint(back, item.size());
  while (end != back) *p++ = *--end;
  return p;
}

// The element at byte `pos` of `region`; advances `pos` past it.
inline std::string_view read(std::string_view region, std::size_t& pos) {
  std::size_t len = 0;
  const char* p = util::get_varint(region.data() + pos, len);
  const std::string_view item(p, len);
  pos = static_cast<std::size_t>(p - region.data()) + len + util::varint_size(len);
  return item;
}

// The element ending at byte `end` of `region` (end > 0); moves `end` to its start.
inline std::string_view read_back(std::string_view region, std::size_t& end) {
  const auto* p = reinterpret_cast<const unsigned char*>(region.data()) + end;
  std::size_t len = 0;
  unsigned shift = 0;
  std::size_t back = 0;
  unsigned char b = 0;
  do {
    b = *--p;
    len |= static_cast<std::size_t>(b & 0x7f) << shift;
    shift += 7;
    ++back;
  } while (b & 0x80);
  const std::size_t vs = util::varint_size(len);
  end = end - back - len - vs;
  return region.substr(end + vs, len);
}

// Byte offset of element `index` of a region holding `n` elements (index <= n),
// walking from the nearer end.
inline std::size_t offset_of(std::string_view region, std::size_t n, std::size_t index) {
  std::size_t pos = 0;
  if (index <= n / 2) {
    for (; index > 0; --index) read(region, pos);
    return pos;
  }
  pos = region.size();
  for (std::size_t k = n - index; k > 0; --k) read_back(region, pos);
  return pos;
}

}  // namespace larder::storage::list_pack
