#pragma once
// PackedDict: the big-collection encoding of hashes and sets (what Redis
// calls "hashtable"). A power-of-two array of buckets; each non-empty bucket
// is one malloc'd block holding its elements packed back to back,
//
//   [u32 used bytes][varint len][key][varint len][value] ...   (kHash)
//   [u32 used bytes][varint len][member] ...                   (kSet)
//
// so an element costs its bytes plus 1-2 length bytes and a share of one
// block header and one bucket pointer: no node, no per-element malloc. The
// table doubles when it averages more than kMaxLoad elements per bucket and
// halves below one per two buckets. Lookups hash the key (Table::hash_of)
// and scan one block.
//
// scan() uses Redis's reverse-binary cursor: an element present for a whole
// iteration is returned at least once however the table resizes between
// calls. Not thread-safe: the shard that owns the entry guards it.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>

#include "larder/storage/value_object.h"
#include "larder/util/varint.h"

namespace larder::storage {

class PackedDict final : public ValueObject {
 public:
  enum class Kind : std::uint8_t { kSet, kHash };
  static constexpr std::size_t kMaxLoad = 6;

  explicit PackedDict(Kind kind);
  ~PackedDict() override;
  PackedDict(const PackedDict&) = delete;
  PackedDict& operator=(const PackedDict&) = delete;

  std::size_t heap_bytes() const override { return heap_bytes_; }
  std::unique_ptr<ValueObject> clone() const override;

  Kind kind() const { return kind_; }
  std::size_t size() const { return size_; }
  bool contains(std::string_view key) const;
  // The value stored under `key` (kHash; empty views for kSet members).
  std::optional<std::string_view> find(std::string_view key) const;
  // Adds `key` (with `value` for kHash; kSet ignores it) or, for kHash,
  // overwrites the value of an existing key. True when `key` is new. `key`
  // and `value` must not view this dict's own bytes. Throws std::bad_alloc
  // and leaves the dict as it was when memory runs out.
  bool insert(std::string_view key, std::string_view value = {});
  // False when `key` was absent.
  bool erase(std::string_view key);
  // Makes room for `n` elements without resizing on the way.
  void reserve(std::size_t n);

  // Calls visit(key, value) for every element; views are valid until the
  // next change.
  template <class Visit>
  void for_each(Visit&& visit) const;
  // Calls visit(key, value) for the elements of the bucket(s) under `cursor`;
  // returns the next cursor, 0 when the iteration is complete.
  template <class Visit>
  std::uint64_t scan(std::uint64_t cursor, Visit&& visit) const;
  // A random element (size() > 0): a random non-empty bucket, then a random
  // element of it, as Redis's dictGetFairRandomKey. `rng()` returns uniform
  // 64-bit values.
  template <class Rng>
  std::pair<std::string_view, std::string_view> random(Rng& rng) const;

 private:
  // A block starts with its length, this header included, as a little-endian
  // u32; it is malloc'd to exactly that many bytes. An empty bucket is null.
  static constexpr std::size_t kBlockHeader = 4;
  // The table never halves below this many buckets; an empty dict has none.
  static constexpr std::size_t kMinBuckets = 4;

  static std::size_t block_bytes(const unsigned char* block) {
    return static_cast<std::size_t>(block[0]) | static_cast<std::size_t>(block[1]) << 8 |
           static_cast<std::size_t>(block[2]) << 16 | static_cast<std::size_t>(block[3]) << 24;
  }
  // Reads the varint length at `p`; returns the byte after it.
  static const unsigned char* read_len(const unsigned char* p, std::size_t& len) {
    return util::get_varint(p, len);
  }
  // The byte after the length-prefixed string at `p`.
  static const unsigned char* skip_string(const unsigned char* p) {
    std::size_t n = 0;
    p = read_len(p, n);
    return p + n;
  }
  // Calls visit(key, value) for each element of `block`.
  template <class Visit>
  void visit_block(const unsigned char* block, Visit&& visit) const;
  // The cursor after `cursor` in a table of `mask` + 1 buckets (0: done).
  static std::uint64_t next_cursor(std::uint64_t cursor, std::uint64_t mask);

  std::size_t bucket_count() const { return buckets_ == nullptr ? 0 : std::size_t{1} << bucket_bits_; }
  std::size_t mask() const { return (std::size_t{1} << bucket_bits_) - 1; }
  // The element of `block` whose key is `key`, or null.
  const unsigned char* locate(const unsigned char* block, std::string_view key) const;
  // Bytes the element at `p` takes (key and, for kHash, value).
  std::size_t element_size(const unsigned char* p) const;
  // Overwrites the value of the element at offset `at` of the block in `slot`.
  void set_value(unsigned char*& slot, std::size_t at, std::string_view value);

  // An empty array of 1 << bits buckets for a dict without one.
  void allocate_buckets(unsigned bits);
  // Doubles the table (allocates kMinBuckets when there is none). Throws
  // std::bad_alloc and leaves the dict as it was.
  void grow();
  // Halves the table; false (and no change) when memory runs out, so that
  // erase() never throws.
  bool shrink();
  // Releases everything when empty, else halves while under half full.
  void maybe_shrink();
  // Frees every block and the bucket array.
  void release();

  // Block (de)allocation, keeping heap_bytes_ exact and the header right.
  // new_block and a growing resize_block throw std::bad_alloc (leaving the
  // block unchanged), also past the u32 length; shrinking never fails.
  unsigned char* new_block(std::size_t bytes);
  unsigned char* resize_block(unsigned char* block, std::size_t bytes);
  void free_block(unsigned char* block);

  unsigned char** buckets_ = nullptr;
  std::size_t size_ = 0;
  std::size_t heap_bytes_;
  std::uint8_t bucket_bits_ = 0;
  Kind kind_;
};

template <class Visit>
void PackedDict::visit_block(const unsigned char* block, Visit&& visit) const {
  const unsigned char* p = block + kBlockHeader;
  const unsigned char* end = block + block_bytes(block);
  while (p < end) {
    std::size_t n = 0;
    p = read_len(p, n);
    const std::string_view key(reinterpret_cast<const char*>(p), n);
    p += n;
    std::string_view value;
    if (kind_ == Kind::kHash) {
      p = read_len(p, n);
      value = std::string_view(reinterpret_cast<const char*>(p), n);
      p += n;
    }
    visit(key, value);
  }
}

template <class Visit>
void PackedDict::for_each(Visit&& visit) const {
  const std::size_t buckets = bucket_count();
  for (std::size_t i = 0; i < buckets; ++i) {
    if (buckets_[i] != nullptr) visit_block(buckets_[i], visit);
  }
}

template <class Visit>
std::uint64_t PackedDict::scan(std::uint64_t cursor, Visit&& visit) const {
  if (buckets_ == nullptr) return 0;
  if (const unsigned char* block = buckets_[cursor & mask()]; block != nullptr) visit_block(block, visit);
  return next_cursor(cursor, mask());
}

template <class Rng>
std::pair<std::string_view, std::string_view> PackedDict::random(Rng& rng) const {
  const std::size_t m = mask();
  const unsigned char* block = nullptr;
  while (block == nullptr) block = buckets_[static_cast<std::uint64_t>(rng()) & m];
  std::size_t n = 0;
  visit_block(block, [&n](std::string_view, std::string_view) { ++n; });
  std::size_t pick = static_cast<std::uint64_t>(rng()) % n;
  std::pair<std::string_view, std::string_view> chosen;
  visit_block(block, [&](std::string_view key, std::string_view value) {
    if (pick-- == 0) chosen = {key, value};
  });
  return chosen;
}

}  // namespace larder::storage
