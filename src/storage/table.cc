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
      mask_(std::exchange(other.mask_, 0)),
      size_(std::exchange(other.size_, 0)),
      volatile_(std::exchange(other.volatile_, 0)) {}

Table& Table::operator=(Table&& other) noexcept {
  if (this != &other) {
    clear();
    buckets_ = std::exchange(other.buckets_, nullptr);
    mask_ = std::exchange(other.mask_, 0);
    size_ = std::exchange(other.size_, 0);
    volatile_ = std::exchange(other.volatile_, 0);
  }
  return *this;
}

Table::~Table() { clear(); }

void Table::clear() {
  if (buckets_ == nullptr) return;
  for (std::size_t i = 0; i <= mask_; ++i) {
    Entry* e = head_of(buckets_[i]);
    while (e != nullptr) {
      Entry* next = e->next();
      Entry::destroy(e);
      e = next;
    }
  }
  release_buckets();
  size_ = 0;
  volatile_ = 0;
}

void Table::release_buckets() {
  MemoryUsage::sub(util::malloc_cost((mask_ + 1) * sizeof(*buckets_)));
  std::free(buckets_);
  buckets_ = nullptr;
  mask_ = 0;
}

Entry* Table::find(std::string_view key, std::uint64_t hash) const {
  if (buckets_ == nullptr) return nullptr;
  const std::uint64_t slot = buckets_[hash & mask_];
  if (!may_hold(slot, hash)) return nullptr;
  for (Entry* e = head_of(slot); e != nullptr; e = e->next()) {
    if (e->key() == key) return e;
  }
  refilter(hash & mask_);
  return nullptr;
}

void Table::insert(Entry* e, std::uint64_t hash) {
  if (buckets_ == nullptr) {
    resize(kMinBuckets);
  } else if (size_ >= kMaxLoad * (mask_ + 1) && mask_ + 1 < kMaxBuckets) {
    resize((std::size_t{mask_} + 1) * 2);
  }
  push_front(buckets_[hash & mask_], e, hash);
  account(e, +1);
}

void Table::reserve(std::size_t keys) {
  if (keys == 0) return;
  std::size_t buckets = kMinBuckets;
  while (kMaxLoad * buckets <= keys && buckets < kMaxBuckets) buckets *= 2;
  if (buckets > mask_ + 1 || buckets_ == nullptr) resize(buckets);
}

void Table::link_after(Entry* prev, std::size_t bucket, Entry* e) {
  if (prev == nullptr) {
    buckets_[bucket] = with_head(buckets_[bucket], e);
  } else {
    prev->set_next(e);
  }
}

void Table::refilter(std::size_t bucket) const {
  std::uint64_t filter = 0;
  for (const Entry* e = head_of(buckets_[bucket]); e != nullptr; e = e->next()) {
    filter |= filter_bits(hash_of(e->key()));
  }
  buckets_[bucket] = (buckets_[bucket] & kHeadMask) | filter;
}

void Table::replace(Entry* current, Entry* replacement, std::uint64_t hash) {
  const std::size_t bucket = hash & mask_;
  Entry* prev = nullptr;
  for (Entry* e = head_of(buckets_[bucket]); e != current; e = e->next()) prev = e;
  replacement->set_next(current->next());
  link_after(prev, bucket, replacement);
  account(current, -1);
  account(replacement, +1);
  Entry::destroy(current);
}

void Table::unlink(Entry* target, std::uint64_t hash) {
  const std::size_t bucket = hash & mask_;
  Entry* prev = nullptr;
  for (Entry* e = head_of(buckets_[bucket]); e != target; e = e->next()) prev = e;
  link_after(prev, bucket, target->next());
  drop_filter_if_empty(bucket);
  account(target, -1);
  maybe_shrink();
}

bool Table::remove(std::string_view key, std::uint64_t hash) {
  if (buckets_ == nullptr) return false;
  const std::size_t bucket = hash & mask_;
  Entry* prev = nullptr;
  if (!may_hold(buckets_[bucket], hash)) return false;
  for (Entry* e = head_of(buckets_[bucket]); e != nullptr; prev = e, e = e->next()) {
    if (e->key() == key) {
      link_after(prev, bucket, e->next());
      drop_filter_if_empty(bucket);
      account(e, -1);
      Entry::destroy(e);
      maybe_shrink();
      return true;
    }
  }
  return false;
}

void Table::resume_shrinking() {
  --shrink_pauses_;
  maybe_shrink();
}

// Straight to the size the entries call for: after a pause that can be
// several halvings away.
void Table::maybe_shrink() {
  if (buckets_ == nullptr || shrink_pauses_ > 0) return;
  if (size_ == 0) {
    release_buckets();
    return;
  }
  std::size_t buckets = mask_ + 1;
  while (buckets > kMinBuckets && size_ < buckets / 8) buckets /= 2;
  if (buckets != mask_ + 1) resize(buckets);
}

void Table::resize(std::size_t buckets) {
  auto* fresh = static_cast<std::uint64_t*>(std::calloc(buckets, sizeof(*buckets_)));
  if (fresh == nullptr) throw std::bad_alloc();
  MemoryUsage::add(util::malloc_cost(buckets * sizeof(*buckets_)));
  const std::size_t mask = buckets - 1;
  if (buckets_ != nullptr) {
    for (std::size_t i = 0; i <= mask_; ++i) {
      Entry* e = head_of(buckets_[i]);
      while (e != nullptr) {
        Entry* next = e->next();
        const std::uint64_t hash = hash_of(e->key());
        push_front(fresh[hash & mask], e, hash);
        e = next;
      }
    }
    release_buckets();
  }
  buckets_ = fresh;
  mask_ = static_cast<std::uint32_t>(mask);
}

}  // namespace larder::storage
