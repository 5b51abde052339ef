#pragma once
// The out-of-line value of an entry whose encoding is Encoding::kObject: the
// entry's value bytes hold one pointer to it and the entry owns it. Objects do
// not report to MemoryUsage themselves: they keep heap_bytes() exact and the
// Db write handle (or Entry, on create/destroy) accounts the difference.

#include <cstddef>
#include <cstdint>
#include <memory>

namespace larder::storage {

class ValueObject {
 public:
  virtual ~ValueObject() = default;
  // Every heap byte the object holds, allocator rounding included
  // (util::malloc_cost or util::slab_heap::cost of each block, the object
  // itself counted).
  virtual std::size_t heap_bytes() const = 0;
  // A deep copy (COPY).
  virtual std::unique_ptr<ValueObject> clone() const = 0;
  // Moves the object's util::slab_heap blocks out of sparse slabs
  // (slab_heap::relocate), about `steps` of them from `cursor` on, adding the
  // number moved to `moved`; returns the cursor to go on from, 0 when done
  // (storage::Defragmenter). Contents and heap_bytes() stay the same; views
  // into the object do not survive it. Objects with no slab blocks: 0.
  virtual std::uint64_t defragment(std::uint64_t cursor, std::size_t steps, std::size_t& moved) {
    (void)cursor, (void)steps, (void)moved;
    return 0;
  }
};

}  // namespace larder::storage
