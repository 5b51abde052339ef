#pragma once
// The value of a big string entry (Encoding::kObject): its bytes in their own
// malloc'd buffer with room to grow, so APPEND and SETRANGE cost amortised
// O(1) per byte and RENAME or a new TTL move only the entry's pointer to it.

#include <cstddef>
#include <memory>
#include <string_view>

#include "larder/storage/value_object.h"

namespace larder::storage {

class StringBuffer final : public ValueObject {
 public:
  explicit StringBuffer(std::string_view bytes);
  ~StringBuffer() override;
  StringBuffer(const StringBuffer&) = delete;
  StringBuffer& operator=(const StringBuffer&) = delete;

  std::size_t heap_bytes() const override;
  std::unique_ptr<ValueObject> clone() const override;

  std::string_view view() const { return {data_, size_}; }
  char* data() { return data_; }
  // New bytes (from a resize that grows) are zero. Growth at least doubles
  // the capacity; throws std::bad_alloc leaving the buffer as it was.
  void resize(std::size_t size);

 private:
  char* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

}  // namespace larder::storage
