#pragma once
// Heap bytes the keyspace holds (entry blocks and bucket arrays, as the
// allocator rounds them up), kept as a running counter so that checking it
// on every write costs one atomic load. maxmemory is enforced against
// `dataset_bytes() + baseline` (see Evictor).

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace larder::storage {

class MemoryUsage {
 public:
  static void add(std::size_t bytes) { counter().fetch_add(static_cast<std::int64_t>(bytes), std::memory_order_relaxed); }
  static void sub(std::size_t bytes) { counter().fetch_sub(static_cast<std::int64_t>(bytes), std::memory_order_relaxed); }
  static std::size_t dataset_bytes() {
    std::int64_t v = counter().load(std::memory_order_relaxed);
    return v > 0 ? static_cast<std::size_t>(v) : 0;
  }

 private:
  static std::atomic<std::int64_t>& counter() {
    static std::atomic<std::int64_t> bytes{0};
    return bytes;
  }
};

}  // namespace larder::storage
