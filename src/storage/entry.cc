#include "larder/storage/entry.h"

#include "larder/storage/background_free.h"
#include "larder/storage/memory_usage.h"
#include "larder/util/memory.h"

#include <cstdlib>
#include <cstring>
#include <new>

namespace larder::storage {

namespace {

std::size_t varint_size(std::size_t v) {
  std::size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

unsigned char* put_varint(unsigned char* p, std::size_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<unsigned char>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<unsigned char>(v);
  return p;
}

const unsigned char* get_varint(const unsigned char* p, std::size_t& v) {
  v = 0;
  unsigned shift = 0;
  while (*p & 0x80) {
    v |= static_cast<std::size_t>(*p++ & 0x7f) << shift;
    shift += 7;
  }
  v |= static_cast<std::size_t>(*p++) << shift;
  return p;
}

}  // namespace

std::size_t Entry::block_size(std::size_t key_len, std::size_t value_len, bool has_expire) {
  std::size_t n = kFixedHeader + varint_size(key_len) + varint_size(value_len) +
                  (has_expire ? sizeof(std::int64_t) : 0) + key_len + value_len;
  return n;
}

Entry* Entry::make(std::string_view key, std::string_view value, std::int64_t expire_at_ms) {
  bool has_expire = expire_at_ms != kNoExpire;
  const std::size_t size = block_size(key.size(), value.size(), has_expire);
  void* mem = std::malloc(size);
  if (mem == nullptr) throw std::bad_alloc();
  // `next` is stored in 48 bits; user-space heap addresses always fit.
  if (reinterpret_cast<std::uintptr_t>(mem) >> 48 != 0) std::abort();
  Entry* e = new (mem) Entry();
  std::memset(e->header_, 0, kFixedHeader);
  e->header_[kFlagsAt] = has_expire ? kHasExpire : 0;
  unsigned char* p = e->bytes() + kFixedHeader;
  p = put_varint(p, key.size());
  p = put_varint(p, value.size());
  if (has_expire) {
    std::memcpy(p, &expire_at_ms, sizeof expire_at_ms);
    p += sizeof expire_at_ms;
  }
  if (!key.empty()) std::memcpy(p, key.data(), key.size());
  if (!value.empty()) std::memcpy(p + key.size(), value.data(), value.size());
  MemoryUsage::add(util::malloc_cost(size));
  return e;
}

std::size_t Entry::heap_bytes() const {
  Layout l = layout();
  return util::malloc_cost(block_size(l.key_len, l.value_len, has_expire()));
}

void Entry::destroy(Entry* e) noexcept {
  if (e == nullptr) return;
  const std::size_t bytes = e->heap_bytes();
  MemoryUsage::sub(bytes);
  e->~Entry();
  BackgroundFree::free_block(e, bytes);
}

Entry::Layout Entry::layout() const {
  Layout l;
  const unsigned char* p = bytes() + kFixedHeader;
  p = get_varint(p, l.key_len);
  p = get_varint(p, l.value_len);
  l.fields_at = static_cast<std::size_t>(p - bytes());
  return l;
}

std::string_view Entry::key() const {
  Layout l = layout();
  std::size_t at = l.fields_at + (has_expire() ? sizeof(std::int64_t) : 0);
  return {reinterpret_cast<const char*>(bytes() + at), l.key_len};
}

std::string_view Entry::value() const {
  Layout l = layout();
  std::size_t at = l.fields_at + (has_expire() ? sizeof(std::int64_t) : 0) + l.key_len;
  return {reinterpret_cast<const char*>(bytes() + at), l.value_len};
}

void Entry::assign_value(std::string_view value) {
  // memmove: `value` may be a view of this very value.
  if (!value.empty()) std::memmove(const_cast<char*>(this->value().data()), value.data(), value.size());
}

std::int64_t Entry::expire_at() const {
  if (!has_expire()) return kNoExpire;
  std::int64_t when;
  std::memcpy(&when, bytes() + layout().fields_at, sizeof when);
  return when;
}

void Entry::set_expire_at(std::int64_t when) {
  std::memcpy(bytes() + layout().fields_at, &when, sizeof when);
}

}  // namespace larder::storage
