#include "larder/storage/packed_dict.h"

#include "larder/storage/table.h"
#include "larder/util/memory.h"
#include "larder/util/slab_heap.h"
#include "larder/util/varint.h"

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <cstring>
#include <new>

namespace larder::storage {

namespace {

using util::put_varint;
using util::varint_size;

// A block's length is stored in 31 bits.
constexpr std::size_t kMaxBlockBytes = 0x7fffffff;

unsigned char* put_string(unsigned char* p, std::string_view s) {
  p = put_varint(p, s.size());
  if (!s.empty()) std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

void set_block_word(unsigned char* block, std::uint32_t word) {
  for (int i = 0; i < 4; ++i) block[i] = static_cast<unsigned char>(word >> (8 * i));
}

std::size_t array_bytes(std::size_t buckets) { return buckets * sizeof(unsigned char*); }

// Whether the `n` bytes at `a` and `b` are equal. Keys of one collection
// often share a prefix and have the same length ("user:1001", "user:1002"),
// so the last bytes are compared first, inline.
bool same_bytes(const unsigned char* a, const char* b, std::size_t n) {
  if (n >= 8) {
    std::uint64_t x = 0;
    std::uint64_t y = 0;
    std::memcpy(&x, a + n - 8, 8);
    std::memcpy(&y, b + n - 8, 8);
    if (x != y) return false;
    if (n > 16) return std::memcmp(a, b, n - 8) == 0;
    std::memcpy(&x, a, 8);
    std::memcpy(&y, b, 8);
    return x == y;
  }
  if (n >= 4) {
    std::uint32_t x = 0;
    std::uint32_t y = 0;
    std::memcpy(&x, a + n - 4, 4);
    std::memcpy(&y, b + n - 4, 4);
    if (x != y) return false;
    std::memcpy(&x, a, 4);
    std::memcpy(&y, b, 4);
    return x == y;
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (a[i] != static_cast<unsigned char>(b[i])) return false;
  }
  return true;
}

}  // namespace

PackedDict::PackedDict(Kind kind) : heap_bytes_(util::malloc_cost(sizeof(PackedDict))), kind_(kind) {}

PackedDict::~PackedDict() { release(); }

// A copy in the same state, mid-resize included (so its heap bytes match).
std::unique_ptr<ValueObject> PackedDict::clone() const {
  auto copy = std::make_unique<PackedDict>(kind_);
  if (buckets_ == nullptr) return copy;
  // Each array is the copy's before blocks go in, so a failed allocation
  // leaves a partial copy its destructor frees.
  auto copy_array = [&copy](unsigned char* const* from, unsigned char** to, unsigned bits) {
    for (std::size_t i = 0; i <= mask_of(bits); ++i) {
      if (from[i] == nullptr) continue;
      const std::size_t bytes = block_bytes(from[i]);
      to[i] = copy->new_block(bytes);  // its own header: a slab block, whatever from[i] is
      std::memcpy(to[i] + kBlockHeader, from[i] + kBlockHeader, bytes - kBlockHeader);
    }
  };
  copy->buckets_ = copy->allocate_array(bucket_bits_);
  copy->bucket_bits_ = bucket_bits_;
  if (next_ != nullptr) {
    copy->next_ = copy->allocate_array(next_bits_);
    copy->next_bits_ = next_bits_;
    copy->moved_ = moved_;
  }
  copy_array(buckets_, copy->buckets_, bucket_bits_);
  if (next_ != nullptr) copy_array(next_, copy->next_, next_bits_);
  copy->size_ = size_;
  return copy;
}

std::uint64_t PackedDict::next_cursor(std::uint64_t cursor, std::uint64_t mask) {
  // Increment the reversed cursor: the high bits of the bucket index move
  // first, so the buckets a cursor covers split or merge with the table.
  cursor |= ~mask;
  return reverse_bits(reverse_bits(cursor) + 1);
}

const unsigned char* PackedDict::locate(const unsigned char* block, std::string_view key) const {
  const unsigned char* p = block + kBlockHeader;
  const unsigned char* end = block + block_bytes(block);
  while (p < end) {
    const unsigned char* element = p;
    std::size_t n = 0;
    p = read_len(p, n);
    if (n == key.size() && same_bytes(p, key.data(), n)) return element;
    p += n;
    if (kind_ == Kind::kHash) {
      p = read_len(p, n);
      p += n;
    }
  }
  return nullptr;
}

std::size_t PackedDict::element_size(const unsigned char* p) const {
  const unsigned char* q = skip_string(p);
  if (kind_ == Kind::kHash) q = skip_string(q);
  return static_cast<std::size_t>(q - p);
}

bool PackedDict::contains(std::string_view key) const {
  if (buckets_ == nullptr) return false;
  const unsigned char* block = slot_of(Table::hash_of(key));
  return block != nullptr && locate(block, key) != nullptr;
}

std::optional<std::string_view> PackedDict::find(std::string_view key) const {
  if (buckets_ == nullptr) return std::nullopt;
  const unsigned char* block = slot_of(Table::hash_of(key));
  if (block == nullptr) return std::nullopt;
  const unsigned char* p = locate(block, key);
  if (p == nullptr) return std::nullopt;
  if (kind_ == Kind::kSet) return std::string_view{};
  std::size_t n = 0;
  p = read_len(skip_string(p), n);
  return std::string_view(reinterpret_cast<const char*>(p), n);
}

bool PackedDict::insert(std::string_view key, std::string_view value) {
  if (kind_ == Kind::kSet) value = {};
  const std::uint64_t hash = Table::hash_of(key);
  if (buckets_ != nullptr) {
    unsigned char*& slot = slot_of(hash);
    if (slot != nullptr) {
      if (const unsigned char* at = locate(slot, key); at != nullptr) {
        if (kind_ == Kind::kHash) set_value(slot, static_cast<std::size_t>(at - slot), value);
        return false;
      }
    }
    // A resize moves on only with a new key: a lookup that changes nothing
    // keeps the views it was given valid.
    step();
  }
  if (buckets_ == nullptr) {
    start_resize(std::countr_zero(kMinBuckets));
  } else if (next_ == nullptr && size_ + 1 > kMaxLoad * bucket_count()) {
    start_resize(bucket_bits_ + 1);
  }
  std::size_t element = varint_size(key.size()) + key.size();
  if (kind_ == Kind::kHash) element += varint_size(value.size()) + value.size();
  unsigned char*& slot = slot_of(hash);
  const std::size_t used = slot == nullptr ? kBlockHeader : block_bytes(slot);
  unsigned char* block = nullptr;
  try {
    block = slot == nullptr ? new_block(used + element) : resize_block(slot, used + element);
  } catch (const std::bad_alloc&) {
    // The table grew for nothing: an empty dict holds no buckets.
    if (size_ == 0) release();
    throw;
  }
  unsigned char* p = put_string(block + used, key);
  if (kind_ == Kind::kHash) put_string(p, value);
  slot = block;
  ++size_;
  return true;
}

void PackedDict::set_value(unsigned char*& slot, std::size_t at, std::string_view value) {
  const std::size_t value_at = static_cast<std::size_t>(skip_string(slot + at) - slot);
  const std::size_t old_size = static_cast<std::size_t>(skip_string(slot + value_at) - (slot + value_at));
  const std::size_t new_size = varint_size(value.size()) + value.size();
  const std::size_t bytes = block_bytes(slot);
  const std::size_t tail = value_at + old_size;
  if (new_size > old_size) {
    slot = resize_block(slot, bytes + (new_size - old_size));
    std::memmove(slot + value_at + new_size, slot + tail, bytes - tail);
  } else if (new_size < old_size) {
    std::memmove(slot + value_at + new_size, slot + tail, bytes - tail);
    slot = resize_block(slot, bytes - (old_size - new_size));
  }
  put_string(slot + value_at, value);
}

bool PackedDict::erase(std::string_view key) {
  if (buckets_ == nullptr) return false;
  const std::uint64_t hash = Table::hash_of(key);
  if (slot_of(hash) == nullptr || locate(slot_of(hash), key) == nullptr) return false;
  // Only an erase that removes something moves the resize on (and then
  // before the key is found again: the step may move its block).
  step();
  unsigned char*& slot = slot_of(hash);
  const unsigned char* at = locate(slot, key);
  const std::size_t offset = static_cast<std::size_t>(at - slot);
  const std::size_t size = element_size(at);
  const std::size_t bytes = block_bytes(slot);
  if (bytes == kBlockHeader + size) {
    free_block(slot);
    slot = nullptr;
  } else {
    std::memmove(slot + offset, slot + offset + size, bytes - offset - size);
    slot = resize_block(slot, bytes - size);
  }
  --size_;
  maybe_shrink();
  return true;
}

void PackedDict::reserve(std::size_t n) {
  if (buckets_ == nullptr) {
    const std::size_t buckets = n / kMaxLoad + (n % kMaxLoad != 0);
    unsigned bits = std::countr_zero(kMinBuckets);
    while ((std::size_t{1} << bits) < buckets) ++bits;
    start_resize(bits);
    return;
  }
  finish_resize();
  while (kMaxLoad * bucket_count() < n) {
    start_resize(bucket_bits_ + 1);
    finish_resize();
  }
}

unsigned char** PackedDict::allocate_array(unsigned bits) {
  const std::size_t buckets = std::size_t{1} << bits;
  void* array = std::calloc(buckets, sizeof(unsigned char*));
  if (array == nullptr) throw std::bad_alloc();
  heap_bytes_ += util::malloc_cost(array_bytes(buckets));
  return static_cast<unsigned char**>(array);
}

void PackedDict::free_array(unsigned char** array, unsigned bits) {
  std::free(array);
  heap_bytes_ -= util::malloc_cost(array_bytes(std::size_t{1} << bits));
}

void PackedDict::start_resize(unsigned bits) {
  if (buckets_ == nullptr) {
    buckets_ = allocate_array(bits);
    bucket_bits_ = static_cast<std::uint8_t>(bits);
    return;
  }
  next_ = allocate_array(bits);
  next_bits_ = static_cast<std::uint8_t>(bits);
  moved_ = 0;
}

bool PackedDict::move_bucket() noexcept {
  if (growing()) {
    try {
      split_bucket(moved_);
    } catch (const std::bad_alloc&) {
      return false;
    }
  } else if (!merge_bucket(moved_)) {
    return false;
  }
  if (++moved_ > mask_of(small_bits())) {
    free_array(buckets_, bucket_bits_);
    buckets_ = next_;
    bucket_bits_ = next_bits_;
    next_ = nullptr;
    moved_ = 0;
  }
  return true;
}

void PackedDict::step() noexcept {
  for (std::size_t n = 0; n < kStepBuckets && next_ != nullptr; ++n) {
    if (!move_bucket()) return;
  }
}

void PackedDict::finish_resize() {
  while (next_ != nullptr) {
    if (!move_bucket()) throw std::bad_alloc();
  }
}

// The elements whose hash has bit `half` set go to a new block; the rest are
// packed to the front of the old one, which then shrinks in place. Each key
// is hashed once.
void PackedDict::split_bucket(std::size_t i) {
  unsigned char* block = buckets_[i];
  if (block == nullptr) return;
  const std::size_t half = std::size_t{1} << bucket_bits_;
  const std::size_t bytes = block_bytes(block);
  unsigned char* upper = new_block(bytes);
  unsigned char* low_end = block + kBlockHeader;
  unsigned char* high_end = upper + kBlockHeader;
  for (unsigned char* p = block + kBlockHeader; p < block + bytes;) {
    const std::size_t size = element_size(p);
    std::size_t n = 0;
    const unsigned char* key = read_len(p, n);
    if (Table::hash_of(std::string_view(reinterpret_cast<const char*>(key), n)) & half) {
      std::memcpy(high_end, p, size);
      high_end += size;
    } else {
      std::memmove(low_end, p, size);
      low_end += size;
    }
    p += size;
  }
  if (high_end == upper + kBlockHeader) {
    free_block(upper);
    next_[i] = block;
  } else if (low_end == block + kBlockHeader) {
    free_block(upper);
    next_[i + half] = block;
  } else {
    next_[i] = resize_block(block, static_cast<std::size_t>(low_end - block));
    next_[i + half] = resize_block(upper, static_cast<std::size_t>(high_end - upper));
  }
  buckets_[i] = nullptr;
}

// The upper block is appended to the lower one.
bool PackedDict::merge_bucket(std::size_t i) {
  const std::size_t half = std::size_t{1} << next_bits_;
  unsigned char* lower = buckets_[i];
  unsigned char* upper = buckets_[i + half];
  if (lower == nullptr || upper == nullptr) {
    next_[i] = lower != nullptr ? lower : upper;
  } else {
    const std::size_t bytes = block_bytes(lower);
    const std::size_t moved = block_bytes(upper) - kBlockHeader;
    try {
      next_[i] = resize_block(lower, bytes + moved);
    } catch (const std::bad_alloc&) {
      return false;
    }
    std::memcpy(next_[i] + bytes, upper + kBlockHeader, moved);
    free_block(upper);
  }
  buckets_[i] = nullptr;
  buckets_[i + half] = nullptr;
  return true;
}

// A failed start leaves the table as it is (erase() never throws).
void PackedDict::maybe_shrink() {
  if (size_ == 0) {
    release();
    return;
  }
  if (next_ != nullptr || bucket_count() <= kMinBuckets || size_ >= bucket_count() / 2) return;
  try {
    start_resize(bucket_bits_ - 1);
  } catch (const std::bad_alloc&) {
  }
}

void PackedDict::release() {
  if (buckets_ == nullptr) return;
  auto release_array = [this](unsigned char** array, unsigned bits) {
    for (std::size_t i = 0; i <= mask_of(bits); ++i) {
      if (array[i] != nullptr) free_block(array[i]);
    }
    free_array(array, bits);
  };
  release_array(buckets_, bucket_bits_);
  if (next_ != nullptr) release_array(next_, next_bits_);
  buckets_ = nullptr;
  next_ = nullptr;
  bucket_bits_ = 0;
  next_bits_ = 0;
  moved_ = 0;
  size_ = 0;
}

// The cursor runs over the buckets of the array, then (mid-resize) over
// those of the new one.
std::uint64_t PackedDict::defragment(std::uint64_t cursor, std::size_t steps, std::size_t& moved) {
  if (buckets_ == nullptr) return 0;
  const std::uint64_t old_count = bucket_count();
  const std::uint64_t count = old_count + (next_ == nullptr ? 0 : std::uint64_t{1} << next_bits_);
  std::uint64_t i = cursor;
  for (; i < count && i - cursor < steps; ++i) {
    unsigned char*& slot = i < old_count ? buckets_[i] : next_[i - old_count];
    if (slot == nullptr || (block_word(slot) & kMallocBit) != 0) continue;
    const std::size_t bytes = block_bytes(slot);
    if (bytes > util::slab_heap::kMaxSlabBlock) continue;
    if (void* to = util::slab_heap::relocate(slot, bytes)) {
      slot = static_cast<unsigned char*>(to);
      ++moved;
    }
  }
  return i < count ? i : 0;
}

unsigned char* PackedDict::new_block(std::size_t bytes) {
  if (bytes > kMaxBlockBytes) throw std::bad_alloc();
  auto* block = static_cast<unsigned char*>(util::slab_heap::allocate(bytes));
  heap_bytes_ += util::slab_heap::cost(bytes);
  set_block_word(block, static_cast<std::uint32_t>(bytes));
  return block;
}

// A block moves when its size leaves its slab slot class. A shrink that
// cannot get the smaller slot keeps the block where it is: a slab block
// keeps its bigger slot (heap_bytes_ counts the smaller one until a resize
// takes it to another class; relocation keeps the slot's class), a
// malloc'd one is shrunk by realloc and marked kMallocBit.
unsigned char* PackedDict::resize_block(unsigned char* block, std::size_t bytes) {
  if (bytes > kMaxBlockBytes) throw std::bad_alloc();
  constexpr std::size_t kMaxSlab = util::slab_heap::kMaxSlabBlock;
  const std::size_t old = block_bytes(block);
  const bool in_malloc = (block_word(block) & kMallocBit) != 0 || old > kMaxSlab;
  // glibc shrinks in place and never fails; an allocator that refuses
  // leaves the longer block, which still holds the bytes.
  auto realloc_block = [&] {
    void* moved = std::realloc(block, bytes);
    if (moved != nullptr) return static_cast<unsigned char*>(moved);
    if (bytes > old) throw std::bad_alloc();
    return block;
  };
  unsigned char* resized = block;
  std::uint32_t mark = 0;
  if (in_malloc && bytes > kMaxSlab) {
    resized = realloc_block();
  } else if (!in_malloc && util::slab_heap::resizable(old, bytes)) {
    resized = static_cast<unsigned char*>(util::slab_heap::reallocate(block, old, bytes));
  } else {
    try {
      resized = static_cast<unsigned char*>(util::slab_heap::allocate(bytes));
    } catch (const std::bad_alloc&) {
      if (bytes > old) throw;
      if (in_malloc) {
        resized = realloc_block();
        mark = kMallocBit;
      }
    }
    if (resized != block && mark == 0) {
      std::memcpy(resized, block, std::min(old, bytes));
      if (in_malloc) {
        std::free(block);
      } else {
        util::slab_heap::deallocate(block, old);
      }
    }
  }
  heap_bytes_ -= in_malloc ? util::malloc_cost(old) : util::slab_heap::cost(old);
  heap_bytes_ += mark != 0 ? util::malloc_cost(bytes) : util::slab_heap::cost(bytes);
  set_block_word(resized, static_cast<std::uint32_t>(bytes) | mark);
  return resized;
}

void PackedDict::free_block(unsigned char* block) {
  const std::size_t bytes = block_bytes(block);
  if ((block_word(block) & kMallocBit) != 0) {
    heap_bytes_ -= util::malloc_cost(bytes);
    std::free(block);
    return;
  }
  heap_bytes_ -= util::slab_heap::cost(bytes);
  util::slab_heap::deallocate(block, bytes);
}

}  // namespace larder::storage
