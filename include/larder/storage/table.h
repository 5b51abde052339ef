#pragma once
// A chained hash table of Entry blocks for one database of one shard.
// Not thread-safe: the owning shard's mutex guards it. Owns its entries.
//
// A bucket slot holds its chain's head in the low 48 bits (user-space
// pointers fit, as in Entry's next field) and in the high 16 a filter of the
// chain's keys: each entry sets two bits picked by bits 48-55 of its hash. A
// lookup whose two bits are not both set learns the key is absent from the
// slot alone, without reading an entry (a miss, or a new key's insert, then
// costs one cache miss instead of one per chained entry). An entry leaving a
// chain leaves its bits (the filter is then a superset) unless the chain is
// empty; a lookup that walked a chain in vain recomputes its filter.
//
// Buckets are a power of two; the table doubles when it holds twice as many
// entries as buckets and halves below 1/8 full (unless shrinking is paused;
// at most 8 times smaller per resize). A resize is incremental, as Redis's
// rehash: it allocates the new array, and then each insert() and each
// removal moves the next buckets of the smaller array's index space into it,
// kStepSlots slots of the old array's worth (a split when growing, a merge
// when shrinking), so no call rehashes more than a few chains however big
// the table (the shards' tables fill evenly, so their one-shot
// doublings came due together: one 1000-key MSET once took 162 ms at 16.8M
// keys). Until the last one moves, a key's chain is in
// the new array if its index in the smaller space is below the move point,
// else in the old one. Entries never move in memory.
//
// scan() uses Redis's reverse-binary cursor over the smaller index space
// (mid-resize, a bucket there stands for its chains in both arrays), and
// resizes start or move on only at its end, never while it walks a bucket:
// an entry present for a whole iteration is visited at least once however
// the table resizes between calls, and exactly once if it only grew.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "larder/storage/entry.h"
#include "larder/util/prefetch.h"

namespace larder::storage {

class Table {
 public:
  Table() = default;
  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;
  Table(Table&& other) noexcept;
  Table& operator=(Table&& other) noexcept;
  ~Table();

  std::size_t size() const { return size_; }
  std::size_t volatile_count() const { return volatile_; }
  // Buckets once the resize under way, if any, is done (0 when none are
  // allocated).
  std::size_t bucket_count() const {
    if (next_ != nullptr) return std::size_t{next_mask_} + 1;
    return buckets_ != nullptr ? std::size_t{mask_} + 1 : 0;
  }
  // Bucket slots allocated now: both arrays while a resize is under way.
  std::size_t allocated_buckets() const {
    return (buckets_ != nullptr ? std::size_t{mask_} + 1 : 0) + (next_ != nullptr ? std::size_t{next_mask_} + 1 : 0);
  }
  bool resizing() const { return next_ != nullptr; }

  // A lookup that walked a chain in vain rewrites that slot's filter, so
  // find() needs the same guard as the writers (the shard's mutex).
  Entry* find(std::string_view key, std::uint64_t hash) const;
  // The first entry of `hash`'s bucket for which match(const Entry&) holds;
  // match may hold only for keys whose hash is `hash`.
  template <class Match>
  Entry* find_in_bucket(std::uint64_t hash, Match&& match) const {
    if (buckets_ == nullptr) return nullptr;
    const std::uint64_t slot = slot_of(hash);
    if (!may_hold(slot, hash)) return nullptr;
    for (Entry* e = head_of(slot); e != nullptr; e = e->next()) {
      if (match(static_cast<const Entry&>(*e))) return e;
    }
    return nullptr;
  }
  // Takes ownership; the key must not be present.
  void insert(Entry* e, std::uint64_t hash);
  // Grows the buckets now, at once, so that `keys` entries fit without a
  // resize (loading a file that announces its size).
  void reserve(std::size_t keys);
  // Puts `replacement` (same key) where `current` is and destroys `current`.
  void replace(Entry* current, Entry* replacement, std::uint64_t hash);
  // Unlinks `e` without destroying it: the caller relinks or frees it.
  void unlink(Entry* e, std::uint64_t hash);
  // Unlinks and destroys the entry for `key`; false when absent.
  bool remove(std::string_view key, std::uint64_t hash);
  // Destroys every entry.
  void clear();
  // Moves a resize under way on by about `slots` slots of the old array (at
  // least one bucket; for a table that stopped changing:
  // storage::ActiveRehasher); returns how many it moved, 0 when none is
  // under way.
  std::size_t advance_resize(std::size_t slots);

  // Visits the entries of the bucket(s) under `cursor`, calling visit(const Entry&)
  // -> bool; entries for which it returns true are removed and destroyed.
  // Returns the next cursor, 0 when the iteration is complete.
  template <class Visit>
  std::uint64_t scan(std::uint64_t cursor, Visit&& visit);

  // Visits the entries of up to `buckets` consecutive buckets from `start`
  // (wrapping, no bucket twice), calling visit(const Entry&) -> bool until it
  // returns false. Neighbouring slots share cache lines, so a sample costs
  // about one slot miss plus its entries (as Redis's dictGetSomeKeys).
  // Mid-resize the buckets are those of the smaller index space.
  template <class Visit>
  void visit_from(std::uint64_t start, std::size_t buckets, Visit&& visit) const;
  // visit_from() fetches chains kVisitGroup at a time.
  static constexpr std::size_t kVisitGroup = 8;
  // Cache hints for a visit_from(start, ...) coming soon, in two steps, each
  // issued once the previous one had time to arrive: the first group's bucket
  // slots, then the entries heading them. They change nothing (mid-resize
  // they hint the current array only).
  void prefetch_slots(std::uint64_t start) const {
    if (buckets_ == nullptr) return;
    util::prefetch_read(&buckets_[start & mask_]);
    util::prefetch_read(&buckets_[(start + kVisitGroup - 1) & mask_]);
  }
  void prefetch_heads(std::uint64_t start) const {
    if (buckets_ == nullptr) return;
    for (std::size_t j = 0; j < kVisitGroup; ++j) {
      if (const Entry* head = head_of(buckets_[(start + j) & mask_]); head != nullptr) prefetch_entry(head);
    }
  }

  // Offers the entries of up to `buckets` consecutive buckets from `start`
  // (no wrapping) to move(Entry*) -> Entry*, which returns the entry or the
  // copy it moved the entry's block to (Entry::defragment); copies are
  // relinked in place. Returns the bucket after the last one, 0 at the end.
  // Mid-resize the buckets are those of the smaller index space.
  template <class Move>
  std::uint64_t move_entries(std::uint64_t start, std::size_t buckets, Move&& move);

  // While any pause is held the table never starts shrinking, so an
  // iteration that keeps its scan() cursor across calls visits no entry
  // twice (a shrink already under way goes on: its walk is in the smaller
  // space throughout). The count belongs to this object, not to its
  // contents: moves leave it in place.
  void pause_shrinking() { ++shrink_pauses_; }
  // Drops one pause; dropping the last starts a shrink if one is due.
  void resume_shrinking();

  // Called by the owner after entries changed their expiry flag.
  void adjust_volatile(long delta) { volatile_ += delta; }

  static std::uint64_t hash_of(std::string_view key);

  // Cache hints for a lookup of `hash` coming soon, one step of the chain
  // each: the bucket slot, the entry heading it, the entry after that (a
  // bucket holds two entries on average; none when the slot's filter rules
  // the key out). They change nothing.
  void prefetch_bucket(std::uint64_t hash) const {
    if (buckets_ != nullptr) util::prefetch_read(&slot_of(hash));
  }
  void prefetch_head(std::uint64_t hash) const {
    if (buckets_ == nullptr) return;
    const std::uint64_t slot = slot_of(hash);
    if (!may_hold(slot, hash)) return;
    if (const Entry* head = head_of(slot); head != nullptr) prefetch_entry(head);
  }
  void prefetch_second(std::uint64_t hash) const {
    if (buckets_ == nullptr) return;
    const std::uint64_t slot = slot_of(hash);
    if (!may_hold(slot, hash)) return;
    const Entry* head = head_of(slot);
    if (const Entry* next = head != nullptr ? head->next() : nullptr; next != nullptr) prefetch_entry(next);
  }

 private:
  // An entry's first 64 bytes (header, key and a small value) span at most
  // two cache lines.
  static constexpr std::uint64_t kScanLookahead = 8;
  // Old-array slots moved per insert or removal while a resize is under way
  // (chains average two entries, each rehashed when growing: a split's step
  // hashes about eight keys; a halving's merges two buckets).
  static constexpr std::size_t kStepSlots = 4;
  // A shrink goes at most this many times smaller in one resize.
  static constexpr std::size_t kMaxShrinkRatio = 8;
  static constexpr unsigned kFilterShift = 48;
  static constexpr std::uint64_t kHeadMask = (std::uint64_t{1} << kFilterShift) - 1;
  // The two filter bits of a key whose hash is `hash`.
  static std::uint64_t filter_bits(std::uint64_t hash) {
    return std::uint64_t{1} << (kFilterShift + (hash >> 48 & 15)) |
           std::uint64_t{1} << (kFilterShift + (hash >> 52 & 15));
  }
  static Entry* head_of(std::uint64_t slot) { return reinterpret_cast<Entry*>(slot & kHeadMask); }
  // `slot` headed by `e`, its filter kept.
  static std::uint64_t with_head(std::uint64_t slot, const Entry* e) {
    return (slot & ~kHeadMask) | reinterpret_cast<std::uint64_t>(e);
  }
  // Puts `e`, whose key hashes to `hash`, at the front of `slot`'s chain.
  static void push_front(std::uint64_t& slot, Entry* e, std::uint64_t hash) {
    e->set_next(head_of(slot));
    slot = with_head(slot, e) | filter_bits(hash);
  }
  // False when no key of the slot's chain can have hash `hash`.
  static bool may_hold(std::uint64_t slot, std::uint64_t hash) {
    return (slot & filter_bits(hash)) == filter_bits(hash);
  }
  static void prefetch_entry(const Entry* e) {
    util::prefetch_read(e);
    util::prefetch_read(reinterpret_cast<const char*>(e) + 63);
  }
  // The mask of the smaller index space (the only one when not resizing).
  std::uint64_t index_mask() const { return next_ != nullptr && next_mask_ < mask_ ? next_mask_ : mask_; }
  // The slot of the chain `hash` belongs to (buckets_ must be allocated).
  std::uint64_t& slot_of(std::uint64_t hash) const {
    if (next_ == nullptr) [[likely]] return buckets_[hash & mask_];
    return (hash & index_mask()) < moved_ ? next_[hash & next_mask_] : buckets_[hash & mask_];
  }
  // Calls f(std::uint64_t& slot) for each slot holding chains of bucket `b`
  // of the smaller index space: one, or when `b` is in the bigger array, one
  // per bucket of it that maps to `b`.
  template <class F>
  void for_each_slot(std::uint64_t b, F&& f) const {
    std::uint64_t* array = buckets_;
    std::uint64_t mask = mask_;
    if (next_ != nullptr && b < moved_) {
      array = next_;
      mask = next_mask_;
    }
    const std::uint64_t stride = index_mask() + 1;
    for (std::uint64_t j = b; j <= mask; j += stride) f(array[j]);
  }
  std::uint64_t* allocate_array(std::size_t buckets);
  void free_array(std::uint64_t* array, std::size_t buckets);
  // Puts every entry of the chain `slot` heads into the slot of `array`
  // (mask `mask`) its hash picks; `slot` itself is left as it was.
  static void rehash_chain(std::uint64_t slot, std::uint64_t* array, std::uint64_t mask);
  // Rebuilds at `buckets` buckets at once (finishing a resize first).
  void rebuild(std::size_t buckets);
  void begin_resize(std::size_t buckets);
  // Moves buckets of the smaller index space, at least one and as many as
  // fit in `slots` old-array slots; the last one makes the new array the
  // table's (and a due shrink then begins). Returns the slots moved.
  std::size_t step(std::size_t slots);
  void release_buckets();
  // After an entry left: moves a resize on, or starts a shrink if due.
  void after_removal();
  // Makes `e` follow `prev`, or head `slot` when prev is null.
  static void link_after(Entry* prev, std::uint64_t& slot, Entry* e) {
    if (prev == nullptr) {
      slot = with_head(slot, e);
    } else {
      prev->set_next(e);
    }
  }
  // Recomputes `slot`'s filter from the keys of its chain.
  static void refilter(std::uint64_t& slot);
  static void drop_filter_if_empty(std::uint64_t& slot) {
    if (head_of(slot) == nullptr) slot = 0;
  }
  void maybe_shrink();
  void account(const Entry* e, long delta) {
    size_ += delta;
    if (e->has_expire()) volatile_ += delta;
  }

  std::uint64_t* buckets_ = nullptr;  // slots: filter bits | head
  std::uint64_t* next_ = nullptr;     // the array a resize fills, or nullptr
  // 32 bits each: a table is one shard's share of one database, fewer than
  // 2^32 keys, so it has at most kMaxBuckets buckets.
  static constexpr std::size_t kMaxBuckets = std::size_t{1} << 31;
  std::uint32_t mask_ = 0;
  std::uint32_t next_mask_ = 0;
  std::uint32_t moved_ = 0;  // buckets of the smaller index space moved to next_
  std::uint32_t size_ = 0;
  std::uint32_t volatile_ = 0;
  std::uint32_t shrink_pauses_ = 0;
};

inline std::uint64_t reverse_bits(std::uint64_t v) {
  v = ((v >> 1) & 0x5555555555555555ull) | ((v & 0x5555555555555555ull) << 1);
  v = ((v >> 2) & 0x3333333333333333ull) | ((v & 0x3333333333333333ull) << 2);
  v = ((v >> 4) & 0x0f0f0f0f0f0f0f0full) | ((v & 0x0f0f0f0f0f0f0f0full) << 4);
  return __builtin_bswap64(v);
}

template <class Visit>
void Table::visit_from(std::uint64_t start, std::size_t buckets, Visit&& visit) const {
  if (buckets_ == nullptr) return;
  const std::uint64_t index = index_mask();
  const std::size_t n = buckets < index + 1 ? buckets : index + 1;
  if (next_ != nullptr) {
    for (std::size_t i = 0; i < n; ++i) {
      bool more = true;
      for_each_slot((start + i) & index, [&](std::uint64_t& slot) {
        for (const Entry* e = head_of(slot); more && e != nullptr; e = e->next()) more = visit(*e);
      });
      if (!more) return;
    }
    return;
  }
  // Eight chains at a time: their heads are fetched together, then their
  // second entries, so the cache misses overlap instead of queueing (eight
  // buckets hold about the five entries an eviction samples).
  constexpr std::size_t kGroup = kVisitGroup;
  for (std::size_t i = 0; i < n; i += kGroup) {
    const Entry* heads[kGroup];
    const std::size_t m = n - i < kGroup ? n - i : kGroup;
    for (std::size_t j = 0; j < m; ++j) {
      heads[j] = head_of(buckets_[(start + i + j) & mask_]);
      if (heads[j] != nullptr) prefetch_entry(heads[j]);
    }
    for (std::size_t j = 0; j < m; ++j) {
      if (heads[j] == nullptr) continue;
      if (const Entry* second = heads[j]->next(); second != nullptr) prefetch_entry(second);
    }
    for (std::size_t j = 0; j < m; ++j) {
      for (const Entry* e = heads[j]; e != nullptr; e = e->next()) {
        if (!visit(*e)) return;
      }
    }
  }
}

template <class Move>
std::uint64_t Table::move_entries(std::uint64_t start, std::size_t buckets, Move&& move) {
  if (buckets_ == nullptr) return 0;
  const std::uint64_t count = index_mask() + 1;
  std::uint64_t b = start;
  for (; b < count && b - start < buckets; ++b) {
    for_each_slot(b, [&](std::uint64_t& slot) {
      Entry* prev = nullptr;
      for (Entry* e = head_of(slot); e != nullptr; e = e->next()) {
        Entry* moved = move(e);
        if (moved != e) {
          link_after(prev, slot, moved);
          e = moved;
        }
        prev = e;
      }
    });
  }
  return b < count ? b : 0;
}

template <class Visit>
std::uint64_t Table::scan(std::uint64_t cursor, Visit&& visit) {
  if (buckets_ == nullptr) return 0;
  const std::uint64_t mask = index_mask();
  bool removed = false;
  for_each_slot(cursor & mask, [&](std::uint64_t& slot) {
    Entry* prev = nullptr;
    Entry* e = head_of(slot);
    bool emptied = false;
    while (e != nullptr) {
      Entry* next = e->next();
      if (visit(static_cast<const Entry&>(*e))) {
        link_after(prev, slot, next);
        account(e, -1);
        Entry::destroy(e);
        emptied = true;
      } else {
        prev = e;
      }
      e = next;
    }
    if (emptied) drop_filter_if_empty(slot);
    removed |= emptied;
  });
  // Entries are spread over the heap: start fetching the head of the bucket
  // a walk reaches kScanLookahead calls from now. `order` is the bucket's
  // place in the walk (the reversed index).
  const int shift = 64 - __builtin_ctzll(mask + 1);
  if (shift < 64 && next_ == nullptr) {
    const std::uint64_t order = reverse_bits(cursor) >> shift;
    if (Entry* ahead = head_of(buckets_[reverse_bits((order + kScanLookahead) << shift) & mask]); ahead != nullptr) {
      prefetch_entry(ahead);
    }
  }
  // Increment the reversed cursor: the high bits of the index move first.
  cursor |= ~mask;
  cursor = reverse_bits(reverse_bits(cursor) + 1);
  if (removed) {
    after_removal();
  } else {
    maybe_shrink();
  }
  return cursor;
}

}  // namespace larder::storage
