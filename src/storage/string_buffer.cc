#include "larder/storage/string_buffer.h"

#include <cstdlib>
#include <cstring>
#include <new>

#include "larder/util/memory.h"

namespace larder::storage {

StringBuffer::StringBuffer(std::string_view bytes) {
  resize(bytes.size());
  if (!bytes.empty()) std::memcpy(data_, bytes.data(), bytes.size());
}

StringBuffer::~StringBuffer() { util::free_releasing(data_, capacity_); }

std::size_t StringBuffer::heap_bytes() const {
  return util::malloc_cost(sizeof(StringBuffer)) + (capacity_ > 0 ? util::malloc_cost(capacity_) : 0);
}

std::unique_ptr<ValueObject> StringBuffer::clone() const { return std::make_unique<StringBuffer>(view()); }

void StringBuffer::resize(std::size_t size) {
  if (size > capacity_) {
    // Exact for the first allocation (SET of a big value), doubling after.
    std::size_t capacity = capacity_ == 0 ? size : capacity_ * 2;
    if (capacity < size) capacity = size;
    void* fresh = std::realloc(data_, capacity);
    if (fresh == nullptr) throw std::bad_alloc();
    data_ = static_cast<char*>(fresh);
    capacity_ = capacity;
  }
  if (size > size_) std::memset(data_ + size_, 0, size - size_);
  size_ = size;
}

}  // namespace larder::storage
