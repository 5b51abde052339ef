#include "larder/storage/packed_dict.h"

#include "larder/storage/table.h"
#include "larder/util/memory.h"
#include "larder/util/varint.h"

#include <cstdlib>
#include <cstring>
#include <new>

namespace larder::storage {

namespace {

using util::put_varint;
using util::varint_size;

// A block's length is stored in 32 bits.
constexpr std::size_t kMaxBlockBytes = UINT32_MAX;

unsigned char* put_string(unsigned char* p, std::string_view s) {
  p = put_varint(p, s.size());
  if (!s.empty()) std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

void set_block_bytes(unsigned char* block, std::size_t bytes) {
  for (int i = 0; i < 4; ++i) block[i] = static_cast<unsigned char>(bytes >> (8 * i));
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

std::unique_ptr<ValueObject> PackedDict::clone() const {
  auto copy = std::make_unique<PackedDict>(kind_);
  if (buckets_ == nullptr) return copy;
  copy->allocate_buckets(bucket_bits_);
  const std::size_t buckets = bucket_count();
  for (std::size_t i = 0; i < buckets; ++i) {
    if (buckets_[i] == nullptr) continue;
    const std::size_t bytes = block_bytes(buckets_[i]);
    copy->buckets_[i] = copy->new_block(bytes);
    std::memcpy(copy->buckets_[i], buckets_[i], bytes);
  }
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
  const unsigned char* block = buckets_[Table::hash_of(key) & mask()];
  return block != nullptr && locate(block, key) != nullptr;
}

std::optional<std::string_view> PackedDict::find(std::string_view key) const {
  if (buckets_ == nullptr) return std::nullopt;
  const unsigned char* block = buckets_[Table::hash_of(key) & mask()];
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
    unsigned char*& slot = buckets_[hash & mask()];
    if (slot != nullptr) {
      if (const unsigned char* at = locate(slot, key); at != nullptr) {
        if (kind_ == Kind::kHash) set_value(slot, static_cast<std::size_t>(at - slot), value);
        return false;
      }
    }
  }
  if (size_ + 1 > kMaxLoad * bucket_count()) grow();
  std::size_t element = varint_size(key.size()) + key.size();
  if (kind_ == Kind::kHash) element += varint_size(value.size()) + value.size();
  unsigned char*& slot = buckets_[hash & mask()];
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
  unsigned char*& slot = buckets_[Table::hash_of(key) & mask()];
  if (slot == nullptr) return false;
  const unsigned char* at = locate(slot, key);
  if (at == nullptr) return false;
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
    unsigned bits = 0;
    while ((std::size_t{1} << bits) < kMinBuckets || (std::size_t{1} << bits) < buckets) ++bits;
    allocate_buckets(bits);
    return;
  }
  while (kMaxLoad * bucket_count() < n) grow();
}

void PackedDict::allocate_buckets(unsigned bits) {
  const std::size_t buckets = std::size_t{1} << bits;
  void* array = std::calloc(buckets, sizeof(unsigned char*));
  if (array == nullptr) throw std::bad_alloc();
  heap_bytes_ += util::malloc_cost(array_bytes(buckets));
  buckets_ = static_cast<unsigned char**>(array);
  bucket_bits_ = static_cast<std::uint8_t>(bits);
}

// Bucket i splits into i (hash bit `half` clear) and i + half (set). Each
// block's upper elements are copied to a new block and its lower ones packed
// to its front, in place; only when every bucket has split do the lower
// blocks shrink to size. Until then each split can be undone without memory:
// the upper elements go back behind the lower ones. Peak memory is the dict
// plus its upper halves, and every key is hashed once.
void PackedDict::grow() {
  if (buckets_ == nullptr) {
    unsigned bits = 0;
    while ((std::size_t{1} << bits) < kMinBuckets) ++bits;
    allocate_buckets(bits);
    return;
  }
  const std::size_t half = bucket_count();
  void* array = std::calloc(2 * half, sizeof(unsigned char*));
  if (array == nullptr) throw std::bad_alloc();
  auto** fresh = static_cast<unsigned char**>(array);
  // After the split of bucket i: both fresh[i] and fresh[i + half] set means
  // fresh[i] is the old block with the lower elements at its front and its
  // old length in its header; one set means the old block moved whole.
  std::size_t i = 0;
  try {
    for (; i < half; ++i) {
      unsigned char* block = buckets_[i];
      if (block == nullptr) continue;
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
        fresh[i] = block;
      } else if (low_end == block + kBlockHeader) {
        free_block(upper);
        fresh[i + half] = block;
      } else {
        fresh[i] = block;
        fresh[i + half] = resize_block(upper, static_cast<std::size_t>(high_end - upper));
      }
    }
  } catch (const std::bad_alloc&) {
    for (std::size_t j = 0; j < i; ++j) {
      if (fresh[j] == nullptr || fresh[j + half] == nullptr) continue;
      const std::size_t moved = block_bytes(fresh[j + half]) - kBlockHeader;
      std::memcpy(fresh[j] + block_bytes(fresh[j]) - moved, fresh[j + half] + kBlockHeader, moved);
      free_block(fresh[j + half]);
    }
    std::free(fresh);
    throw;
  }
  for (std::size_t j = 0; j < half; ++j) {
    if (fresh[j] == nullptr || fresh[j + half] == nullptr) continue;
    const std::size_t moved = block_bytes(fresh[j + half]) - kBlockHeader;
    fresh[j] = resize_block(fresh[j], block_bytes(fresh[j]) - moved);
  }
  std::free(buckets_);
  heap_bytes_ -= util::malloc_cost(array_bytes(half));
  heap_bytes_ += util::malloc_cost(array_bytes(2 * half));
  buckets_ = fresh;
  ++bucket_bits_;
}

// Buckets i and i + half merge into i: the upper block is appended to the
// lower one, and freed only when every pair has merged, so a failure can
// still cut each lower block back to its old length.
bool PackedDict::shrink() {
  const std::size_t half = bucket_count() / 2;
  void* array = std::calloc(half, sizeof(unsigned char*));
  if (array == nullptr) return false;
  auto** fresh = static_cast<unsigned char**>(array);
  std::size_t i = 0;
  try {
    for (; i < half; ++i) {
      unsigned char* lower = buckets_[i];
      unsigned char* upper = buckets_[i + half];
      if (lower == nullptr || upper == nullptr) {
        fresh[i] = lower != nullptr ? lower : upper;
        continue;
      }
      const std::size_t bytes = block_bytes(lower);
      const std::size_t moved = block_bytes(upper) - kBlockHeader;
      fresh[i] = resize_block(lower, bytes + moved);
      std::memcpy(fresh[i] + bytes, upper + kBlockHeader, moved);
    }
  } catch (const std::bad_alloc&) {
    for (std::size_t j = 0; j < i; ++j) {
      if (buckets_[j] == nullptr || buckets_[j + half] == nullptr) continue;
      const std::size_t moved = block_bytes(buckets_[j + half]) - kBlockHeader;
      buckets_[j] = resize_block(fresh[j], block_bytes(fresh[j]) - moved);
    }
    std::free(fresh);
    return false;
  }
  for (std::size_t j = 0; j < half; ++j) {
    if (buckets_[j] != nullptr && buckets_[j + half] != nullptr) free_block(buckets_[j + half]);
  }
  std::free(buckets_);
  heap_bytes_ -= util::malloc_cost(array_bytes(2 * half));
  heap_bytes_ += util::malloc_cost(array_bytes(half));
  buckets_ = fresh;
  --bucket_bits_;
  return true;
}

void PackedDict::maybe_shrink() {
  if (size_ == 0) {
    release();
    return;
  }
  while (bucket_count() > kMinBuckets && size_ < bucket_count() / 2 && shrink()) {
  }
}

void PackedDict::release() {
  if (buckets_ == nullptr) return;
  const std::size_t buckets = bucket_count();
  for (std::size_t i = 0; i < buckets; ++i) {
    if (buckets_[i] != nullptr) free_block(buckets_[i]);
  }
  std::free(buckets_);
  heap_bytes_ -= util::malloc_cost(array_bytes(buckets));
  buckets_ = nullptr;
  bucket_bits_ = 0;
  size_ = 0;
}

unsigned char* PackedDict::new_block(std::size_t bytes) {
  if (bytes > kMaxBlockBytes) throw std::bad_alloc();
  auto* block = static_cast<unsigned char*>(std::malloc(bytes));
  if (block == nullptr) throw std::bad_alloc();
  heap_bytes_ += util::malloc_cost(bytes);
  set_block_bytes(block, bytes);
  return block;
}

unsigned char* PackedDict::resize_block(unsigned char* block, std::size_t bytes) {
  const std::size_t old = block_bytes(block);
  if (bytes > kMaxBlockBytes) throw std::bad_alloc();
  auto* resized = static_cast<unsigned char*>(std::realloc(block, bytes));
  if (resized == nullptr) {
    if (bytes > old) throw std::bad_alloc();
    // glibc shrinks in place and never fails; an allocator that refuses
    // leaves the longer block, which still holds the bytes.
    resized = block;
  }
  heap_bytes_ -= util::malloc_cost(old);
  heap_bytes_ += util::malloc_cost(bytes);
  set_block_bytes(resized, bytes);
  return resized;
}

void PackedDict::free_block(unsigned char* block) {
  heap_bytes_ -= util::malloc_cost(block_bytes(block));
  std::free(block);
}

}  // namespace larder::storage
