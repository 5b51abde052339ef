#include "larder/storage/table.h"

#include "larder/storage/memory_usage.h"
#include "larder/util/memory.h"
#include "larder/util/siphash.h"

#include <cstdlib>
#include <new>
#include <utility>

namespace larder::storage {

namespace {
constexpr std::size_t kMinBuckets = 4;
// Entries per bucket before the table doubles. Chains of ~2 cost 4-8 bytes of
// bucket array per key instead of 8-16, for one more short hop on lookups.
constexpr std::size_t kMaxLoad = 2;
}

std::uint64_t Table::hash_of(std::string_view key) { return util::keyed_hash(key); }

Table::Table(Table&& other) noexcept
    : buckets_(std::exchange(other.buckets_, nullptr)),
      next_(std::exchange(other.next_, nullptr)),
      mask_(std::exchange(other.mask_, 0)),
      next_mask_(std::exchange(other.next_mask_, 0)),
      moved_(std::exchange(other.moved_, 0)),
      size_(std::exchange(other.size_, 0)),
      volatile_(std::exchange(other.volatile_, 0)) {}

Table& Table::operator=(Table&& other) noexcept {
  if (this != &other) {
    clear();
    buckets_ = std::exchange(other.buckets_, nullptr);
    next_ = std::exchange(other.next_, nullptr);
    mask_ = std::exchange(other.mask_, 0);
    next_mask_ = std::exchange(other.next_mask_, 0);
    moved_ = std::exchange(other.moved_, 0);
    size_ = std::exchange(other.size_, 0);
    volatile_ = std::exchange(other.volatile_, 0);
  }
  return *this;
}

Table::~Table() { clear(); }

void Table::clear() {
  if (buckets_ == nullptr) return;
  for (std::uint64_t* array : {buckets_, next_}) {
    if (array == nullptr) continue;
    const std::size_t mask = array == buckets_ ? mask_ : next_mask_;
    for (std::size_t i = 0; i <= mask; ++i) {
      Entry* e = head_of(array[i]);
      while (e != nullptr) {
        Entry* next = e->next();
        Entry::destroy(e);
        e = next;
      }
    }
  }
  release_buckets();
  size_ = 0;
  volatile_ = 0;
}

std::uint64_t* Table::allocate_array(std::size_t buckets) {
  auto* array = static_cast<std::uint64_t*>(std::calloc(buckets, sizeof(std::uint64_t)));
  if (array == nullptr) throw std::bad_alloc();
  MemoryUsage::add(util::malloc_cost(buckets * sizeof(std::uint64_t)));
  return array;
}

void Table::free_array(std::uint64_t* array, std::size_t buckets) {
  MemoryUsage::sub(util::malloc_cost(buckets * sizeof(std::uint64_t)));
  std::free(array);
}

void Table::release_buckets() {
  if (next_ != nullptr) free_array(next_, std::size_t{next_mask_} + 1);
  if (buckets_ != nullptr) free_array(buckets_, std::size_t{mask_} + 1);
  buckets_ = next_ = nullptr;
  mask_ = next_mask_ = moved_ = 0;
}

Entry* Table::find(std::string_view key, std::uint64_t hash) const {
  if (buckets_ == nullptr) return nullptr;
  std::uint64_t& slot = slot_of(hash);
  if (!may_hold(slot, hash)) return nullptr;
  for (Entry* e = head_of(slot); e != nullptr; e = e->next()) {
    if (e->key() == key) return e;
  }
  refilter(slot);
  return nullptr;
}

void Table::insert(Entry* e, std::uint64_t hash) {
  if (buckets_ == nullptr) {
    rebuild(kMinBuckets);
  } else if (next_ != nullptr) {
    step(kStepSlots);
  } else if (size_ >= kMaxLoad * (std::size_t{mask_} + 1) && std::size_t{mask_} + 1 < kMaxBuckets) {
    begin_resize((std::size_t{mask_} + 1) * 2);
  }
  push_front(slot_of(hash), e, hash);
  account(e, +1);
}

void Table::reserve(std::size_t keys) {
  if (keys == 0) return;
  std::size_t buckets = kMinBuckets;
  while (kMaxLoad * buckets <= keys && buckets < kMaxBuckets) buckets *= 2;
  if (buckets_ == nullptr || buckets > bucket_count()) rebuild(buckets);
}

std::size_t Table::advance_resize(std::size_t slots) { return next_ != nullptr ? step(slots) : 0; }

void Table::refilter(std::uint64_t& slot) {
  std::uint64_t filter = 0;
  for (const Entry* e = head_of(slot); e != nullptr; e = e->next()) filter |= filter_bits(hash_of(e->key()));
  slot = (slot & kHeadMask) | filter;
}

void Table::replace(Entry* current, Entry* replacement, std::uint64_t hash) {
  std::uint64_t& slot = slot_of(hash);
  Entry* prev = nullptr;
  for (Entry* e = head_of(slot); e != current; e = e->next()) prev = e;
  replacement->set_next(current->next());
  link_after(prev, slot, replacement);
  account(current, -1);
  account(replacement, +1);
  Entry::destroy(current);
}

void Table::unlink(Entry* target, std::uint64_t hash) {
  std::uint64_t& slot = slot_of(hash);
  Entry* prev = nullptr;
  for (Entry* e = head_of(slot); e != target; e = e->next()) prev = e;
  link_after(prev, slot, target->next());
  drop_filter_if_empty(slot);
  account(target, -1);
  after_removal();
}

bool Table::remove(std::string_view key, std::uint64_t hash) {
  if (buckets_ == nullptr) return false;
  std::uint64_t& slot = slot_of(hash);
  if (!may_hold(slot, hash)) return false;
  Entry* prev = nullptr;
  for (Entry* e = head_of(slot); e != nullptr; prev = e, e = e->next()) {
    if (e->key() == key) {
      link_after(prev, slot, e->next());
      drop_filter_if_empty(slot);
      account(e, -1);
      Entry::destroy(e);
      after_removal();
      return true;
    }
  }
  return false;
}

void Table::after_removal() {
  if (next_ != nullptr && size_ > 0) {
    step(kStepSlots);
  } else {
    maybe_shrink();
  }
}

void Table::resume_shrinking() {
  --shrink_pauses_;
  maybe_shrink();
}

// Toward the size the entries call for, at most kMaxShrinkRatio times
// smaller per resize (after a pause that can be many halvings away; the
// next resize follows when this one ends), so that a bucket of the smaller
// space merges few slots. An empty table frees its buckets at once, a
// resize under way or not.
void Table::maybe_shrink() {
  if (buckets_ == nullptr || shrink_pauses_ > 0) return;
  if (size_ == 0) {
    release_buckets();
    return;
  }
  if (next_ != nullptr) return;
  const std::size_t current = std::size_t{mask_} + 1;
  std::size_t buckets = current;
  while (buckets > kMinBuckets && size_ < buckets / 8 && current / buckets < kMaxShrinkRatio) buckets /= 2;
  if (buckets != std::size_t{mask_} + 1) begin_resize(buckets);
}

void Table::rebuild(std::size_t buckets) {
  while (next_ != nullptr) step(SIZE_MAX);
  std::uint64_t* fresh = allocate_array(buckets);
  const std::size_t mask = buckets - 1;
  if (buckets_ != nullptr) {
    for (std::size_t i = 0; i <= mask_; ++i) rehash_chain(buckets_[i], fresh, mask);
    free_array(buckets_, std::size_t{mask_} + 1);
  }
  buckets_ = fresh;
  mask_ = static_cast<std::uint32_t>(mask);
}

void Table::rehash_chain(std::uint64_t slot, std::uint64_t* array, std::uint64_t mask) {
  Entry* e = head_of(slot);
  while (e != nullptr) {
    Entry* next = e->next();
    const std::uint64_t hash = hash_of(e->key());
    push_front(array[hash & mask], e, hash);
    e = next;
  }
}

void Table::begin_resize(std::size_t buckets) {
  next_ = allocate_array(buckets);
  next_mask_ = static_cast<std::uint32_t>(buckets - 1);
  moved_ = 0;
  step(kStepSlots);
}

std::size_t Table::step(std::size_t slots) {
  const std::uint64_t count = index_mask() + 1;
  const bool growing = next_mask_ > mask_;
  // Old-array slots a bucket of the smaller index space stands for.
  const std::size_t per_bucket = growing ? 1 : (std::size_t{mask_} + 1) / count;
  std::size_t done = 0;
  for (; moved_ < count && (done == 0 || done + per_bucket <= slots); ++moved_, done += per_bucket) {
    const std::uint64_t b = moved_;
    if (growing) {
      // A split: each key goes to whichever of b's buckets its hash picks.
      rehash_chain(buckets_[b], next_, next_mask_);
      buckets_[b] = 0;
      continue;
    }
    // A merge: the chains of every bucket that maps to b, concatenated, and
    // their filters joined.
    for (std::uint64_t j = b; j <= mask_; j += count) {
      Entry* head = head_of(buckets_[j]);
      if (head == nullptr) continue;
      Entry* tail = head;
      while (tail->next() != nullptr) tail = tail->next();
      tail->set_next(head_of(next_[b]));
      next_[b] = with_head(next_[b] | (buckets_[j] & ~kHeadMask), head);
      buckets_[j] = 0;
    }
  }
  if (moved_ < count) return done;
  free_array(buckets_, std::size_t{mask_} + 1);
  buckets_ = std::exchange(next_, nullptr);
  mask_ = next_mask_;
  next_mask_ = moved_ = 0;
  // Keys may have left faster than it moved (or a pause ended meanwhile).
  maybe_shrink();
  return done;
}

}  // namespace larder::storage
