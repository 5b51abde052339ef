#pragma once
// PackedDict: the big-collection encoding of hashes and sets (what Redis
// calls "hashtable"). A power-of-two array of buckets; each non-empty bucket
// is one block (util::slab_heap) holding its elements packed back to back,
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
// A resize is incremental, as Redis's rehash: it allocates the new bucket
// array, and then each insert() of a new key and erase() of a present one
// moves the next kStepBuckets buckets of the smaller array's index space
// into it (a split when growing,
// a merge when shrinking), so no call does more than a few buckets' work
// however big the dict (a 6M-member set once stalled 0.8 s doubling at
// once). Until the last bucket moves, a key's bucket is in the new array if
// its index in the smaller space is below the move point, else in the old.
//
// scan() uses Redis's reverse-binary cursor: an element present for a whole
// iteration is returned at least once however the table resizes between
// calls (mid-resize it walks the smaller index space, visiting both halves
// of a bucket pair). Not thread-safe: the shard that owns the entry guards it.

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
  // Relocates the blocks of `steps` buckets from bucket `cursor` on (both
  // arrays' buckets mid-resize).
  std::uint64_t defragment(std::uint64_t cursor, std::size_t steps, std::size_t& moved) override;

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
  // Makes room for `n` elements without resizing on the way (finishing a
  // resize under way at once). Throws std::bad_alloc.
  void reserve(std::size_t n);
  // Whether a resize is under way (for tests).
  bool resizing() const { return next_ != nullptr; }

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
  // A block starts with its length, this header included, in the low 31
  // bits of a little-endian u32; it is allocated from util::slab_heap for
  // that many bytes (so a deleted big dict's pages go back slab by slab, not
  // in one malloc_trim under the lock the event loop allocates with). An
  // empty bucket is null.
  static constexpr std::size_t kBlockHeader = 4;
  // The header's top bit: the block is malloc'd though the slab heap would
  // take its size (a shrink that could not move it; see resize_block).
  static constexpr std::uint32_t kMallocBit = 0x80000000u;
  // The table never halves below this many buckets; an empty dict has none.
  static constexpr std::size_t kMinBuckets = 4;

  static std::uint32_t block_word(const unsigned char* block) {
    return static_cast<std::uint32_t>(block[0]) | static_cast<std::uint32_t>(block[1]) << 8 |
           static_cast<std::uint32_t>(block[2]) << 16 | static_cast<std::uint32_t>(block[3]) << 24;
  }
  static std::size_t block_bytes(const unsigned char* block) { return block_word(block) & ~kMallocBit; }
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

  // Buckets each adding insert() and removing erase() move while a resize is
  // under way: a
  // grow finishes within a quarter as many inserts as the old array has
  // buckets, so the load stays under 1.25 * kMaxLoad.
  static constexpr std::size_t kStepBuckets = 4;

  // The bucket count when no resize is under way.
  std::size_t bucket_count() const { return buckets_ == nullptr ? 0 : std::size_t{1} << bucket_bits_; }
  static std::size_t mask_of(unsigned bits) { return (std::size_t{1} << bits) - 1; }
  // Bits of the smaller of the two arrays while resizing, else of the table.
  unsigned small_bits() const { return next_ != nullptr && next_bits_ < bucket_bits_ ? next_bits_ : bucket_bits_; }
  bool growing() const { return next_bits_ > bucket_bits_; }
  // The slot that holds (or would hold) the key hashed to `hash`.
  unsigned char*& slot_of(std::uint64_t hash) const {
    if (next_ != nullptr && (hash & mask_of(small_bits())) < moved_) return next_[hash & mask_of(next_bits_)];
    return buckets_[hash & mask_of(bucket_bits_)];
  }
  // The element of `block` whose key is `key`, or null.
  const unsigned char* locate(const unsigned char* block, std::string_view key) const;
  // Bytes the element at `p` takes (key and, for kHash, value).
  std::size_t element_size(const unsigned char* p) const;
  // Overwrites the value of the element at offset `at` of the block in `slot`.
  void set_value(unsigned char*& slot, std::size_t at, std::string_view value);

  // An empty array of 1 << bits buckets, counted in heap_bytes_. Throws
  // std::bad_alloc.
  unsigned char** allocate_array(unsigned bits);
  void free_array(unsigned char** array, unsigned bits);
  // Starts a resize to 1 << bits buckets (allocates kMinBuckets at once
  // when there are none). Throws std::bad_alloc and leaves the dict as it was.
  void start_resize(unsigned bits);
  // Moves the next bucket of the resize under way; false (and no change)
  // when memory runs out. The last move ends the resize.
  bool move_bucket() noexcept;
  // Splits old bucket i into new buckets i and i + half. Throws std::bad_alloc
  // and leaves it unsplit.
  void split_bucket(std::size_t i);
  // Merges old buckets i and i + half into new bucket i; false (and no
  // change) when memory runs out.
  bool merge_bucket(std::size_t i);
  // Up to kStepBuckets moves of the resize under way, if any.
  void step() noexcept;
  // Moves every bucket left. Throws std::bad_alloc.
  void finish_resize();
  // Releases everything when empty, else starts halving when under half full.
  void maybe_shrink();
  // Frees every block and the bucket arrays.
  void release();

  // Block (de)allocation, keeping heap_bytes_ and the header right.
  // new_block and a growing resize_block throw std::bad_alloc (leaving the
  // block unchanged), also past the 31-bit length; shrinking never fails.
  unsigned char* new_block(std::size_t bytes);
  unsigned char* resize_block(unsigned char* block, std::size_t bytes);
  void free_block(unsigned char* block);

  // The table; while resizing, the old array, whose moved buckets are null.
  unsigned char** buckets_ = nullptr;
  // While resizing, the new array (else null), and how many buckets of the
  // smaller index space have moved into it.
  unsigned char** next_ = nullptr;
  std::size_t moved_ = 0;
  std::size_t size_ = 0;
  std::size_t heap_bytes_;
  std::uint8_t bucket_bits_ = 0;
  std::uint8_t next_bits_ = 0;
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
  if (buckets_ == nullptr) return;
  for (std::size_t i = 0; i <= mask_of(bucket_bits_); ++i) {
    if (buckets_[i] != nullptr) visit_block(buckets_[i], visit);
  }
  if (next_ == nullptr) return;
  for (std::size_t i = 0; i <= mask_of(next_bits_); ++i) {
    if (next_[i] != nullptr) visit_block(next_[i], visit);
  }
}

template <class Visit>
std::uint64_t PackedDict::scan(std::uint64_t cursor, Visit&& visit) const {
  if (buckets_ == nullptr) return 0;
  const std::size_t small = mask_of(small_bits());
  const std::size_t i = cursor & small;
  // The buckets of small-space index i: one in the smaller array, two (i and
  // i + half) in the larger.
  unsigned char* const* array = buckets_;
  bool pair = next_ != nullptr && !growing();
  if (next_ != nullptr && i < moved_) {
    array = next_;
    pair = growing();
  }
  if (array[i] != nullptr) visit_block(array[i], visit);
  if (pair && array[i + small + 1] != nullptr) visit_block(array[i + small + 1], visit);
  return next_cursor(cursor, small);
}

template <class Rng>
std::pair<std::string_view, std::string_view> PackedDict::random(Rng& rng) const {
  const unsigned char* block = nullptr;
  if (next_ == nullptr) {
    while (block == nullptr) block = buckets_[static_cast<std::uint64_t>(rng()) & mask_of(bucket_bits_)];
  } else {
    // Every bucket of both arrays that may hold elements, equally likely:
    // u < half is small-space index u, the rest the pairs' upper halves
    // (moved ones when growing, unmoved ones when shrinking).
    const std::size_t half = mask_of(small_bits()) + 1;
    const std::size_t uppers = growing() ? moved_ : half - moved_;
    while (block == nullptr) {
      const std::size_t u = static_cast<std::uint64_t>(rng()) % (half + uppers);
      if (u < half) {
        block = u < moved_ ? next_[u] : buckets_[u];
      } else {
        block = growing() ? next_[u] : buckets_[moved_ + u];
      }
    }
  }
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
