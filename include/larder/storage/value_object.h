#pragma once
// The out-of-line value of an entry whose encoding is Encoding::kObject: the
// entry's value bytes hold one pointer to it and the entry owns it. Objects do
// not report to MemoryUsage themselves: they keep heap_bytes() exact and the
// Db write handle (or Entry, on create/destroy) accounts the difference.

#include <cstddef>
#include <memory>

namespace larder::storage {

class ValueObject {
 public:
  virtual ~ValueObject() = default;
  // Every heap byte the object holds, allocator rounding included
  // (util::malloc_cost of each block, the object itself counted).
  virtual std::size_t heap_bytes() const = 0;
  // A deep copy (COPY).
  virtual std::unique_ptr<ValueObject> clone() const = 0;
};

}  // namespace larder::storage
