#pragma once
// Cache hints the compiler keeps. GCC counts __builtin_prefetch as free of
// side effects, so a function that does nothing but prefetch, once found
// pure by its interprocedural analysis, has its calls deleted when it is
// not inlined first (GCC 12 deleted Table::prefetch_head's hints from the
// eviction loop this way). An empty volatile asm is a side effect that
// costs no instruction.

namespace larder::util {

inline void prefetch_read(const void* p) {
  __builtin_prefetch(p, 0);
  asm volatile("");
}

inline void prefetch_write(const void* p) {
  __builtin_prefetch(p, 1);
  asm volatile("");
}

}  // namespace larder::util
