#pragma once
// One key-value pair in a single heap block (from util::slab_heap, which
// rounds it to 8 bytes and adds no header), laid out for memory:
//
//   [48-bit next][u8 flags][24-bit access][varint key_len][varint value_len]
//   [i64 expire_at_ms, only when kHasExpire][key bytes][value bytes]
//
// `next` chains entries of one hash bucket (owned by storage::Table); user-space
// pointers fit in 48 bits on x86-64 and AArch64. `access` belongs to the
// eviction policy (an LRU clock in seconds, like Redis's 24-bit lru field).
// `flags` holds the expiry bit, SIEVE's visited bit, the value's type, its
// encoding (value_type.h), the snapshot mark and TinyLFU's window bit. A
// small key with a small value costs 12 bytes of header; no std::string, no
// separate node, no separate expiry map.
//
// Value bytes are the payload (Encoding::kInline: a string up to
// kInlineStringMax bytes, a small collection's compact encoding) or one
// pointer to an owned ValueObject (Encoding::kObject: a bigger string's
// StringBuffer, a big collection). Functions that resize a block return the
// entry at its new address: the caller relinks it (Table::unlink/insert).

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

#include "larder/storage/value_object.h"
#include "larder/storage/value_type.h"

namespace larder::storage {

inline constexpr std::int64_t kNoExpire = -1;

class Entry {
 public:
  // Strings longer than this live in a StringBuffer: growing them, renaming
  // them or changing their TTL then never copies the bytes.
  static constexpr std::size_t kInlineStringMax = 4096;

  // A string entry; expire_at_ms is absolute unix time in ms or kNoExpire.
  static Entry* make(std::string_view key, std::string_view value, std::int64_t expire_at_ms);
  // An inline value of `type` whose bytes are `bytes` (a compact encoding).
  static Entry* make_inline(std::string_view key, ValueType type, std::string_view bytes,
                            std::int64_t expire_at_ms);
  // An entry owning `object`.
  static Entry* make_object(std::string_view key, ValueType type, std::unique_ptr<ValueObject> object,
                            std::int64_t expire_at_ms);
  // The same value (and expiry) under a new key, as one new block: an
  // object moves over, inline bytes are copied. `from` is freed.
  static Entry* rekey(Entry* from, std::string_view key);
  // A deep copy under `key` with `expire_at_ms` (COPY).
  static Entry* clone(const Entry& from, std::string_view key, std::int64_t expire_at_ms);
  // Frees the block and the value it owns (a big object on the background
  // thread, see BackgroundFree::free_object).
  static void destroy(Entry* e) noexcept;

  // The entry moved to a fuller slab when util::slab_heap::relocate() says
  // its block should move (the caller relinks it), else `e`.
  static Entry* defragment(Entry* e);

  // Adds or drops the expiry field; set_expire_at() then sets it.
  static Entry* with_expire_field(Entry* e, bool has_expire);
  // Replaces inline value bytes [pos, pos + remove) with `insert`.
  static Entry* splice_value(Entry* e, std::size_t pos, std::size_t remove, std::string_view insert);
  // Makes the value `object` (any previous value is released).
  static Entry* set_object(Entry* e, std::unique_ptr<ValueObject> object);

  // Bytes the block occupies as requested from the allocator.
  static std::size_t block_size(std::size_t key_len, std::size_t value_len, bool has_expire);
  // What the block costs on the heap (util::slab_heap::cost: its slot).
  std::size_t block_heap_bytes() const;
  // The block and the object it owns, if any.
  std::size_t heap_bytes() const;

  Entry(const Entry&) = delete;
  Entry& operator=(const Entry&) = delete;

  Entry* next() const {
    // One 8-byte load (the header is longer), masked: copying 6 bytes makes
    // GCC store two pieces and reload them whole, which stalls.
    std::uint64_t p = 0;
    std::memcpy(&p, bytes(), sizeof p);
    return reinterpret_cast<Entry*>(p & ((std::uint64_t{1} << (8 * kPointerBytes)) - 1));
  }
  void set_next(Entry* n) {
    auto p = reinterpret_cast<std::uint64_t>(n);
    std::memcpy(bytes(), &p, kPointerBytes);
  }

  ValueType type() const {
    const unsigned code = type_code();
    return static_cast<ValueType>(code >= static_cast<unsigned>(StringForm::kRaw) ? 0 : code);
  }
  // How Redis would hold a string where its bytes do not tell (OBJECT
  // ENCODING, OBJECT REFCOUNT): kByContent after SET (int, embstr or raw by
  // its bytes); kRaw once edited in place (APPEND, SETRANGE, the bit and
  // HyperLogLog writes) or built byte by byte (BITOP's result); kNoInt for
  // INCRBYFLOAT's result (embstr or raw by length, never int). Type codes of
  // their own, so no flag bit is spent; rekey(), clone() and relayouts keep
  // the form.
  enum class StringForm : unsigned { kByContent = 0, kRaw = 6, kNoInt = 7 };
  StringForm string_form() const {
    const unsigned code = type_code();
    return code >= static_cast<unsigned>(StringForm::kRaw) ? static_cast<StringForm>(code) : StringForm::kByContent;
  }
  void set_string_form(StringForm form) {  // requires type() == ValueType::kString
    bytes()[kFlagsAt] = static_cast<unsigned char>((bytes()[kFlagsAt] & ~(7u << kTypeShift)) |
                                                   (static_cast<unsigned>(form) << kTypeShift));
  }
  Encoding encoding() const {
    return (bytes()[kFlagsAt] & kObjectEncoding) != 0 ? Encoding::kObject : Encoding::kInline;
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

  // Which snapshot generation last saw this entry (Keyspace::snapshot_mark):
  // a snapshot saves entries whose mark differs from the current one.
  bool snapshot_mark() const { return (bytes()[kFlagsAt] & kSnapshotMark) != 0; }
  void set_snapshot_mark(bool m) {
    if (m) {
      bytes()[kFlagsAt] |= kSnapshotMark;
    } else {
      bytes()[kFlagsAt] &= static_cast<unsigned char>(~kSnapshotMark);
    }
  }

  // TinyLFU: set while the key's hash waits in the AdmissionWindow (tinylfu.h).
  bool in_window() const { return (bytes()[kFlagsAt] & kWindow) != 0; }
  void set_in_window(bool w) {
    if (w) {
      bytes()[kFlagsAt] |= kWindow;
    } else {
      bytes()[kFlagsAt] &= static_cast<unsigned char>(~kWindow);
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
  // A string entry's value, inline or not; an inline collection's encoding.
  std::string_view value() const;
  // The owned object (encoding() == kObject).
  ValueObject* object() const;
  // A string entry's bytes for in-place writes (value().size() of them).
  char* string_data();
  bool has_expire() const { return (bytes()[kFlagsAt] & kHasExpire) != 0; }
  std::int64_t expire_at() const;        // kNoExpire when none
  void set_expire_at(std::int64_t when);  // requires has_expire()

  // Expired when the current time is past the deadline (Redis: now > when).
  bool expired(std::int64_t now_ms) const { return has_expire() && now_ms > expire_at(); }

 private:
  Entry() = default;
  static constexpr std::uint8_t kHasExpire = 1;
  static constexpr std::uint8_t kVisited = 2;
  static constexpr unsigned kTypeShift = 2;  // bits 2-4: a ValueType or a StringForm
  static constexpr std::uint8_t kObjectEncoding = 1u << 5;
  static constexpr std::uint8_t kSnapshotMark = 1u << 6;
  static constexpr std::uint8_t kWindow = 1u << 7;
  static constexpr std::size_t kPointerBytes = 6;
  static constexpr std::size_t kFlagsAt = 6;
  static constexpr std::size_t kFixedHeader = 10;

  // A block for `key` with value_len bytes of value left for the caller.
  static Entry* allocate(std::string_view key, std::size_t value_len, std::int64_t expire_at_ms,
                         ValueType type, Encoding encoding);
  // This block's block_size().
  std::size_t size() const;
  // Gives e's block back (to util::slab_heap, or to malloc through
  // BackgroundFree when it is a big one); the value object is the caller's.
  static void free_block(Entry* e) noexcept;
  // Moves `e` to a block laid out for value_len / has_expire, keeping the
  // key, the first `keep` value bytes, the header bytes and the expiry.
  static Entry* relayout(Entry* e, std::size_t value_len, bool has_expire, std::size_t keep);
  unsigned type_code() const { return (bytes()[kFlagsAt] >> kTypeShift) & 7; }
  std::string_view raw_value() const;
  char* raw_value_data();

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
