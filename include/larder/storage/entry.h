#pragma once
// One key-value pair in a single heap block, laid out for memory:
//
//   [48-bit next][u8 flags][24-bit access][varint key_len][varint value_len]
//   [i64 expire_at_ms, only when kHasExpire][key bytes][value bytes]
//
// `next` chains entries of one hash bucket (owned by storage::Table); user-space
// pointers fit in 48 bits on x86-64 and AArch64. `access` belongs to the
// eviction policy (an LRU clock in seconds, like Redis's 24-bit lru field).
// A small key with a small value costs 12 bytes of header; no std::string, no
// separate node, no separate expiry map.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace larder::storage {

inline constexpr std::int64_t kNoExpire = -1;

class Entry {
 public:
  // Allocates an entry; expire_at_ms is absolute unix time in ms or kNoExpire.
  static Entry* make(std::string_view key, std::string_view value, std::int64_t expire_at_ms);
  static void destroy(Entry* e) noexcept;
  // Bytes the block occupies as requested from the allocator.
  static std::size_t block_size(std::size_t key_len, std::size_t value_len, bool has_expire);
  // What the block costs on the heap, allocator rounding included.
  std::size_t heap_bytes() const;

  Entry(const Entry&) = delete;
  Entry& operator=(const Entry&) = delete;

  Entry* next() const {
    std::uint64_t p = 0;
    std::memcpy(&p, bytes(), kPointerBytes);
    return reinterpret_cast<Entry*>(p);
  }
  void set_next(Entry* n) {
    auto p = reinterpret_cast<std::uint64_t>(n);
    std::memcpy(bytes(), &p, kPointerBytes);
  }

  // SIEVE's visited bit (see access_policy.h).
  bool visited() const { return (bytes()[kFlagsAt] & kVisited) != 0; }
  void set_visited(bool v) {
    if (v) {
      bytes()[kFlagsAt] |= kVisited;
    } else {
      bytes()[kFlagsAt] &= static_cast<unsigned char>(~kVisited);
    }
  }

  // 24-bit access stamp kept for the eviction policy.
  std::uint32_t access() const {
    return bytes()[7] | (bytes()[8] << 8) | (static_cast<std::uint32_t>(bytes()[9]) << 16);
  }
  void set_access(std::uint32_t v) {
    bytes()[7] = static_cast<unsigned char>(v);
    bytes()[8] = static_cast<unsigned char>(v >> 8);
    bytes()[9] = static_cast<unsigned char>(v >> 16);
  }

  std::string_view key() const;
  std::string_view value() const;
  // Overwrites the value in place; requires value.size() == value().size().
  void assign_value(std::string_view value);
  bool has_expire() const { return (bytes()[kFlagsAt] & kHasExpire) != 0; }
  std::int64_t expire_at() const;        // kNoExpire when none
  void set_expire_at(std::int64_t when);  // requires has_expire()

  // Expired when the current time is past the deadline (Redis: now > when).
  bool expired(std::int64_t now_ms) const { return has_expire() && now_ms > expire_at(); }

 private:
  Entry() = default;
  static constexpr std::uint8_t kHasExpire = 1;
  static constexpr std::uint8_t kVisited = 2;
  static constexpr std::size_t kPointerBytes = 6;
  static constexpr std::size_t kFlagsAt = 6;
  static constexpr std::size_t kFixedHeader = 10;

  const unsigned char* bytes() const { return reinterpret_cast<const unsigned char*>(this); }
  unsigned char* bytes() { return reinterpret_cast<unsigned char*>(this); }
  // Offset of the expiry field (or of the key when there is none) and lengths.
  struct Layout {
    std::size_t key_len, value_len, fields_at;
  };
  Layout layout() const;

  // The block is raw bytes [0, block_size); no member is declared so that
  // nothing is padded. Offsets: next 0-5, flags 6, access 7-9, varints 10-.
  unsigned char header_[kFixedHeader];
};

}  // namespace larder::storage
