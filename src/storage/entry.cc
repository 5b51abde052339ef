#include "larder/storage/entry.h"

#include "larder/storage/background_free.h"
#include "larder/storage/memory_usage.h"
#include "larder/storage/string_buffer.h"
#include "larder/util/slab_heap.h"
#include "larder/util/varint.h"

#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

namespace larder::storage {

namespace {

using util::get_varint;
using util::put_varint;
using util::varint_size;

}  // namespace

std::size_t Entry::block_size(std::size_t key_len, std::size_t value_len, bool has_expire) {
  std::size_t n = kFixedHeader + varint_size(key_len) + varint_size(value_len) +
                  (has_expire ? sizeof(std::int64_t) : 0) + key_len + value_len;
  return n;
}

Entry* Entry::allocate(std::string_view key, std::size_t value_len, std::int64_t expire_at_ms,
                       ValueType type, Encoding encoding) {
  const bool has_expire = expire_at_ms != kNoExpire;
  const std::size_t size = block_size(key.size(), value_len, has_expire);
  void* mem = util::slab_heap::allocate(size);
  // `next` is stored in 48 bits; user-space heap addresses always fit.
  if (reinterpret_cast<std::uintptr_t>(mem) >> 48 != 0) std::abort();
  Entry* e = new (mem) Entry();
  std::memset(e->header_, 0, kFixedHeader);
  e->header_[kFlagsAt] = static_cast<unsigned char>(
      (has_expire ? kHasExpire : 0) | (static_cast<unsigned>(type) << kTypeShift) |
      (encoding == Encoding::kObject ? kObjectEncoding : 0));
  unsigned char* p = e->bytes() + kFixedHeader;
  p = put_varint(p, key.size());
  p = put_varint(p, value_len);
  if (has_expire) {
    std::memcpy(p, &expire_at_ms, sizeof expire_at_ms);
    p += sizeof expire_at_ms;
  }
  if (!key.empty()) std::memcpy(p, key.data(), key.size());
  MemoryUsage::add(util::slab_heap::cost(size));
  return e;
}

Entry* Entry::make(std::string_view key, std::string_view value, std::int64_t expire_at_ms) {
  if (value.size() > kInlineStringMax) {
    return make_object(key, ValueType::kString, std::make_unique<StringBuffer>(value), expire_at_ms);
  }
  return make_inline(key, ValueType::kString, value, expire_at_ms);
}

Entry* Entry::make_inline(std::string_view key, ValueType type, std::string_view bytes,
                          std::int64_t expire_at_ms) {
  Entry* e = allocate(key, bytes.size(), expire_at_ms, type, Encoding::kInline);
  if (!bytes.empty()) std::memcpy(e->raw_value_data(), bytes.data(), bytes.size());
  return e;
}

Entry* Entry::make_object(std::string_view key, ValueType type, std::unique_ptr<ValueObject> object,
                          std::int64_t expire_at_ms) {
  Entry* e = allocate(key, sizeof(ValueObject*), expire_at_ms, type, Encoding::kObject);
  ValueObject* raw = object.release();
  std::memcpy(e->raw_value_data(), &raw, sizeof raw);
  MemoryUsage::add(raw->heap_bytes());
  return e;
}

Entry* Entry::rekey(Entry* from, std::string_view key) {
  Entry* e = allocate(key, from->raw_value().size(), from->expire_at(), from->type(), from->encoding());
  if (from->type() == ValueType::kString) e->set_string_form(from->string_form());
  const std::string_view bytes = from->raw_value();
  if (!bytes.empty()) std::memcpy(e->raw_value_data(), bytes.data(), bytes.size());
  // The object (if any) now belongs to `e`: free only the old block.
  free_block(from);
  return e;
}

Entry* Entry::clone(const Entry& from, std::string_view key, std::int64_t expire_at_ms) {
  Entry* e = from.encoding() == Encoding::kObject
                 ? make_object(key, from.type(), from.object()->clone(), expire_at_ms)
                 : make_inline(key, from.type(), from.raw_value(), expire_at_ms);
  if (from.type() == ValueType::kString) e->set_string_form(from.string_form());
  return e;
}

std::size_t Entry::size() const {
  const Layout l = layout();
  return block_size(l.key_len, l.value_len, has_expire());
}

std::size_t Entry::block_heap_bytes() const { return util::slab_heap::cost(size()); }

void Entry::free_block(Entry* e) noexcept {
  const std::size_t size = e->size();
  const std::size_t bytes = util::slab_heap::cost(size);
  MemoryUsage::sub(bytes);
  e->~Entry();
  if (size > util::slab_heap::kMaxSlabBlock) {
    BackgroundFree::free_block(e, bytes);  // a malloc block, maybe a big one
  } else {
    util::slab_heap::deallocate(e, size);
  }
}

std::size_t Entry::heap_bytes() const {
  return block_heap_bytes() + (encoding() == Encoding::kObject ? object()->heap_bytes() : 0);
}

Entry* Entry::defragment(Entry* e) {
  void* moved = util::slab_heap::relocate(e, e->size());
  return moved != nullptr ? static_cast<Entry*>(moved) : e;
}

void Entry::destroy(Entry* e) noexcept {
  if (e == nullptr) return;
  if (e->encoding() == Encoding::kObject) {
    ValueObject* obj = e->object();
    const std::size_t obj_bytes = obj->heap_bytes();
    MemoryUsage::sub(obj_bytes);
    BackgroundFree::free_object(obj, obj_bytes);
  }
  free_block(e);
}

Entry* Entry::relayout(Entry* e, std::size_t value_len, bool has_expire, std::size_t keep) {
  const std::string_view key = e->key();
  const std::int64_t when = e->has_expire() ? e->expire_at() : kNoExpire;
  const std::size_t size = block_size(key.size(), value_len, has_expire);
  void* mem = util::slab_heap::allocate(size);
  if (reinterpret_cast<std::uintptr_t>(mem) >> 48 != 0) std::abort();
  Entry* fresh = new (mem) Entry();
  std::memcpy(fresh->header_, e->header_, kFixedHeader);
  fresh->header_[kFlagsAt] = static_cast<unsigned char>((e->header_[kFlagsAt] & ~kHasExpire) |
                                                        (has_expire ? kHasExpire : 0));
  unsigned char* p = fresh->bytes() + kFixedHeader;
  p = put_varint(p, key.size());
  p = put_varint(p, value_len);
  if (has_expire) {
    std::memcpy(p, &when, sizeof when);  // kNoExpire until the caller sets it
    p += sizeof when;
  }
  if (!key.empty()) std::memcpy(p, key.data(), key.size());
  if (keep > 0) std::memcpy(p + key.size(), e->raw_value().data(), keep);
  MemoryUsage::add(util::slab_heap::cost(size));
  free_block(e);
  return fresh;
}

Entry* Entry::with_expire_field(Entry* e, bool has_expire) {
  if (e->has_expire() == has_expire) return e;
  const std::size_t len = e->raw_value().size();
  return relayout(e, len, has_expire, len);
}

Entry* Entry::splice_value(Entry* e, std::size_t pos, std::size_t remove, std::string_view insert) {
  const std::string_view old = e->raw_value();
  const std::size_t old_len = old.size();
  const std::size_t len = old_len - remove + insert.size();
  const std::size_t tail = old_len - pos - remove;
  if (len == old_len) {
    if (!insert.empty()) std::memcpy(e->raw_value_data() + pos, insert.data(), insert.size());
    return e;
  }
  const Layout l = e->layout();
  const std::size_t old_size = block_size(l.key_len, old_len, e->has_expire());
  const std::size_t size = block_size(l.key_len, len, e->has_expire());
  if (varint_size(len) == varint_size(old_len) && util::slab_heap::resizable(old_size, size)) {
    // Same layout up to the value: resize the block and move the tail.
    const std::size_t value_at = old_size - old_len;
    if (len < old_len) {
      std::memmove(e->bytes() + value_at + pos + insert.size(), e->bytes() + value_at + pos + remove, tail);
    }
    void* mem = util::slab_heap::reallocate(e, old_size, size);
    if (reinterpret_cast<std::uintptr_t>(mem) >> 48 != 0) std::abort();
    Entry* fresh = static_cast<Entry*>(mem);
    MemoryUsage::add(util::slab_heap::cost(size));
    MemoryUsage::sub(util::slab_heap::cost(old_size));
    unsigned char* value = fresh->bytes() + value_at;
    if (len > old_len) std::memmove(value + pos + insert.size(), value + pos + remove, tail);
    if (!insert.empty()) std::memcpy(value + pos, insert.data(), insert.size());
    // Rewrite value_len in place (same width).
    unsigned char* p = fresh->bytes() + kFixedHeader + varint_size(l.key_len);
    put_varint(p, len);
    return fresh;
  }
  // A new block (the length's varint changes width, or the size leaves its slot class).
  std::string saved_tail(old.substr(pos + remove));
  Entry* fresh = relayout(e, len, e->has_expire(), pos);
  char* value = fresh->raw_value_data();
  if (!insert.empty()) std::memcpy(value + pos, insert.data(), insert.size());
  if (!saved_tail.empty()) std::memcpy(value + pos + insert.size(), saved_tail.data(), saved_tail.size());
  return fresh;
}

Entry* Entry::set_object(Entry* e, std::unique_ptr<ValueObject> object) {
  if (e->encoding() == Encoding::kObject) {
    ValueObject* old = e->object();
    const std::size_t old_bytes = old->heap_bytes();
    MemoryUsage::sub(old_bytes);
    BackgroundFree::free_object(old, old_bytes);
  } else {
    e = relayout(e, sizeof(ValueObject*), e->has_expire(), 0);
    e->header_[kFlagsAt] |= kObjectEncoding;
  }
  ValueObject* raw = object.release();
  std::memcpy(e->raw_value_data(), &raw, sizeof raw);
  MemoryUsage::add(raw->heap_bytes());
  return e;
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

std::string_view Entry::raw_value() const {
  Layout l = layout();
  std::size_t at = l.fields_at + (has_expire() ? sizeof(std::int64_t) : 0) + l.key_len;
  return {reinterpret_cast<const char*>(bytes() + at), l.value_len};
}

char* Entry::raw_value_data() { return const_cast<char*>(raw_value().data()); }

ValueObject* Entry::object() const {
  ValueObject* obj = nullptr;
  std::memcpy(&obj, raw_value().data(), sizeof obj);
  return obj;
}

std::string_view Entry::value() const {
  if (encoding() == Encoding::kObject) return static_cast<const StringBuffer*>(object())->view();
  return raw_value();
}

char* Entry::string_data() {
  if (encoding() == Encoding::kObject) return static_cast<StringBuffer*>(object())->data();
  return raw_value_data();
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
