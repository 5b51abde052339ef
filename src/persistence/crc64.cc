#include "larder/persistence/crc64.h"

#include <array>
#include <cstring>

namespace larder::persistence {

namespace {

// The reflected Jones polynomial; tables for slicing by 8.
constexpr std::uint64_t kPoly = 0x95ac9329ac4bc9b5ULL;

struct Tables {
  std::array<std::array<std::uint64_t, 256>, 8> t{};
  constexpr Tables() {
    for (std::uint64_t n = 0; n < 256; ++n) {
      std::uint64_t crc = n;
      for (int k = 0; k < 8; ++k) crc = (crc & 1) ? (crc >> 1) ^ kPoly : crc >> 1;
      t[0][n] = crc;
    }
    for (std::size_t n = 0; n < 256; ++n) {
      for (std::size_t k = 1; k < 8; ++k) t[k][n] = (t[k - 1][n] >> 8) ^ t[0][t[k - 1][n] & 0xff];
    }
  }
};
constexpr Tables kTables;

}  // namespace

std::uint64_t crc64(std::uint64_t crc, std::string_view data) {
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  std::size_t n = data.size();
  const auto& t = kTables.t;
  while (n >= 8) {
    std::uint64_t w = 0;
    std::memcpy(&w, p, 8);  // little-endian hosts only (x86-64, AArch64)
    crc ^= w;
    crc = t[7][crc & 0xff] ^ t[6][(crc >> 8) & 0xff] ^ t[5][(crc >> 16) & 0xff] ^ t[4][(crc >> 24) & 0xff] ^
          t[3][(crc >> 32) & 0xff] ^ t[2][(crc >> 40) & 0xff] ^ t[1][(crc >> 48) & 0xff] ^ t[0][crc >> 56];
    p += 8;
    n -= 8;
  }
  while (n-- > 0) crc = t[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
  return crc;
}

}  // namespace larder::persistence
