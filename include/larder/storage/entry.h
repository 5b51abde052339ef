#pragma once
// One key-value pair in a single heap block, laid out for memory:
//
//   [Entry* next][u8 flags][u8 access][varint key_len][varint value_len]
//   [i64 expire_at_ms, only when kHasExpire][key bytes][value bytes]
//
// `next` chains entries of one hash bucket (owned by storage::Table). `access`
// is reserved for the eviction policy. A small key with a small value costs
// 12 bytes of header; no std::string, no separate node, no separate expiry map.

#include <cstddef>
#include <cstdint>
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

  Entry(const Entry&) = delete;
  Entry& operator=(const Entry&) = delete;

  Entry* next() const { return next_; }
  void set_next(Entry* n) { next_ = n; }
  Entry** next_link() { return &next_; }

  std::string_view key() const;
  std::string_view value() const;
  bool has_expire() const { return (flags_ & kHasExpire) != 0; }
  std::int64_t expire_at() const;        // kNoExpire when none
  void set_expire_at(std::int64_t when);  // requires has_expire()

  // Expired when the current time is past the deadline (Redis: now > when).
  bool expired(std::int64_t now_ms) const { return has_expire() && now_ms > expire_at(); }

 private:
  Entry() = default;
  static constexpr std::uint8_t kHasExpire = 1;
  static constexpr std::size_t kFixedHeader = sizeof(Entry*) + 2;

  const unsigned char* bytes() const { return reinterpret_cast<const unsigned char*>(this); }
  unsigned char* bytes() { return reinterpret_cast<unsigned char*>(this); }
  // Offset of the expiry field (or of the key when there is none) and lengths.
  struct Layout {
    std::size_t key_len, value_len, fields_at;
  };
  Layout layout() const;

  Entry* next_;
  std::uint8_t flags_;
  std::uint8_t access_;
  // Variable part follows at offset kFixedHeader.
};

}  // namespace larder::storage
