#include "larder/persistence/lzf.h"

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>

namespace larder::persistence::lzf {

namespace {

// liblzf's parameters as Redis builds it (HLOG 16, VERY_FAST).
constexpr unsigned kHashLog = 16;
constexpr std::size_t kHashSize = std::size_t{1} << kHashLog;
constexpr std::size_t kMaxLiteral = 1 << 5;
constexpr std::size_t kMaxOffset = 1 << 13;
constexpr std::size_t kMaxRef = (1 << 8) + (1 << 3);

unsigned hash_index(std::uint32_t h) { return ((h >> (3 * 8 - kHashLog)) - h * 5) & (kHashSize - 1); }

}  // namespace

std::size_t compress(std::string_view in, char* out_data, std::size_t out_cap) {
  // Offsets of the last position seen per hash. Stale entries from an earlier
  // call are harmless: every candidate is bounds-checked and compared.
  // Allocated at a thread's first use, so threads that never compress carry
  // no 256 KiB of TLS.
  thread_local std::unique_ptr<std::array<std::uint32_t, kHashSize>> owned;
  if (!owned) owned = std::make_unique<std::array<std::uint32_t, kHashSize>>();
  auto& table = *owned;
  const auto* ip = reinterpret_cast<const unsigned char*>(in.data());
  const unsigned char* const base = ip;
  const unsigned char* const in_end = ip + in.size();
  auto* op = reinterpret_cast<unsigned char*>(out_data);
  unsigned char* const out_end = op + out_cap;
  if (in.empty()) return 0;
  if (in.size() >= UINT32_MAX) return 0;

  std::size_t lit = 0;
  ++op;  // start a literal run
  std::uint32_t hval = in.size() >= 2 ? (std::uint32_t{ip[0]} << 8) | ip[1] : 0;
  while (in_end - ip > 2) {
    hval = (hval << 8) | ip[2];
    std::uint32_t& slot = table[hash_index(hval)];
    const unsigned char* ref = base + slot;
    slot = static_cast<std::uint32_t>(ip - base);
    const std::size_t off = static_cast<std::size_t>(ip - ref - 1);  // wraps when ref >= ip
    if (ref < ip && off < kMaxOffset && ref > base && ref[2] == ip[2] && ref[1] == ip[1] && ref[0] == ip[0]) {
      std::size_t len = 2;
      std::size_t maxlen = static_cast<std::size_t>(in_end - ip) - len;
      if (maxlen > kMaxRef) maxlen = kMaxRef;
      if (op + 3 + 1 >= out_end && op - (lit == 0 ? 1 : 0) + 3 + 1 >= out_end) return 0;
      op[-static_cast<std::ptrdiff_t>(lit) - 1] = static_cast<unsigned char>(lit - 1);  // stop the run
      if (lit == 0) --op;  // undo an empty run
      // liblzf's loop, its 16-step unrolled start included (which may run
      // past maxlen by up to 2, still within the input), for identical output.
      bool mismatch = false;
      if (maxlen > 16) {
        for (int k = 0; k < 16 && !mismatch; ++k) {
          ++len;
          mismatch = ref[len] != ip[len];
        }
      }
      if (!mismatch) {
        do {
          ++len;
        } while (len < maxlen && ref[len] == ip[len]);
      }
      len -= 2;  // as encoded: the match length - 2
      ++ip;
      if (len < 7) {
        *op++ = static_cast<unsigned char>((off >> 8) + (len << 5));
      } else {
        *op++ = static_cast<unsigned char>((off >> 8) + (7 << 5));
        *op++ = static_cast<unsigned char>(len - 7);
      }
      *op++ = static_cast<unsigned char>(off);
      lit = 0;
      ++op;  // start a run
      ip += len + 1;
      if (ip >= in_end - 2) break;
      ip -= 2;  // VERY_FAST: hash the last two positions of the match
      hval = (std::uint32_t{ip[0]} << 8) | ip[1];
      hval = (hval << 8) | ip[2];
      table[hash_index(hval)] = static_cast<std::uint32_t>(ip - base);
      ++ip;
      hval = (hval << 8) | ip[2];
      table[hash_index(hval)] = static_cast<std::uint32_t>(ip - base);
      ++ip;
    } else {
      if (op >= out_end) return 0;
      ++lit;
      *op++ = *ip++;
      if (lit == kMaxLiteral) {
        op[-static_cast<std::ptrdiff_t>(lit) - 1] = static_cast<unsigned char>(lit - 1);
        lit = 0;
        ++op;
      }
    }
  }
  if (op + 3 > out_end) return 0;  // at most 3 bytes can be missing here
  while (ip < in_end) {
    ++lit;
    *op++ = *ip++;
    if (lit == kMaxLiteral) {
      op[-static_cast<std::ptrdiff_t>(lit) - 1] = static_cast<unsigned char>(lit - 1);
      lit = 0;
      ++op;
    }
  }
  op[-static_cast<std::ptrdiff_t>(lit) - 1] = static_cast<unsigned char>(lit - 1);  // end the run
  if (lit == 0) --op;
  return static_cast<std::size_t>(op - reinterpret_cast<unsigned char*>(out_data));
}

std::size_t decompress(std::string_view in, char* out_data, std::size_t out_len) {
  const auto* ip = reinterpret_cast<const unsigned char*>(in.data());
  const unsigned char* const in_end = ip + in.size();
  auto* op = reinterpret_cast<unsigned char*>(out_data);
  unsigned char* const out_begin = op;
  unsigned char* const out_end = op + out_len;
  while (ip < in_end) {
    std::size_t ctrl = *ip++;
    if (ctrl < (1 << 5)) {  // literal run of ctrl + 1 bytes
      ++ctrl;
      if (static_cast<std::size_t>(out_end - op) < ctrl || static_cast<std::size_t>(in_end - ip) < ctrl) return 0;
      std::memcpy(op, ip, ctrl);
      op += ctrl;
      ip += ctrl;
      continue;
    }
    std::size_t len = ctrl >> 5;
    std::size_t back = (ctrl & 0x1f) << 8;
    if (ip >= in_end) return 0;
    if (len == 7) {
      len += *ip++;
      if (ip >= in_end) return 0;
    }
    back += *ip++;
    len += 2;
    if (static_cast<std::size_t>(out_end - op) < len) return 0;
    if (static_cast<std::size_t>(op - out_begin) < back + 1) return 0;
    const unsigned char* ref = op - back - 1;
    for (std::size_t i = 0; i < len; ++i) *op++ = *ref++;  // may overlap
  }
  return static_cast<std::size_t>(op - out_begin);
}

}  // namespace larder::persistence::lzf
