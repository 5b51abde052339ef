#include "larder/util/memory.h"

#include "larder/util/slab_heap.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace larder::util {

namespace {

std::atomic<std::size_t> g_peak_allocated{0};
std::atomic<std::size_t> g_startup_allocated{0};

void note_peak(std::size_t v) {
  std::size_t seen = g_peak_allocated.load(std::memory_order_relaxed);
  while (v > seen &&
         !g_peak_allocated.compare_exchange_weak(seen, v, std::memory_order_relaxed)) {
  }
}

}  // namespace

std::size_t allocated_bytes() {
  std::size_t bytes = 0;
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
  const struct mallinfo2 mi = mallinfo2();
  bytes = mi.uordblks + mi.hblkhd;
#endif
  bytes += slab_heap::used_bytes();
  note_peak(bytes);
  return bytes;
}

std::size_t peak_allocated_bytes() {
  return g_peak_allocated.load(std::memory_order_relaxed);
}

void record_startup_allocated() {
  g_startup_allocated.store(allocated_bytes(), std::memory_order_relaxed);
}

std::size_t startup_allocated_bytes() {
  return g_startup_allocated.load(std::memory_order_relaxed);
}

std::size_t rss_bytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long size = 0, resident = 0;
  const int n = std::fscanf(f, "%lu %lu", &size, &resident);
  std::fclose(f);
  if (n != 2) return 0;
  const long page = sysconf(_SC_PAGESIZE);
  return page > 0 ? static_cast<std::size_t>(resident) * static_cast<std::size_t>(page) : 0;
}

std::size_t peak_rss_bytes() {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (f == nullptr) return 0;
  char line[256];
  std::size_t kib = 0;
  while (std::fgets(line, sizeof line, f) != nullptr) {
    unsigned long v = 0;
    if (std::strncmp(line, "VmHWM:", 6) == 0 && std::sscanf(line + 6, "%lu", &v) == 1) {
      kib = v;
      break;
    }
  }
  std::fclose(f);
  return kib * 1024;
}

std::size_t malloc_cost(std::size_t requested) {
#if defined(__GLIBC__) && defined(__LP64__)
  const std::size_t chunk = (requested + 8 + 15) & ~std::size_t{15};
  return chunk < 32 ? 32 : chunk;
#else
  return (requested + 15) & ~std::size_t{15};
#endif
}

void tune_allocator() {
#if defined(__GLIBC__)
  mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024);
  mallopt(M_MMAP_THRESHOLD, 1024 * 1024);
  // No fastbins: chunks freed in bulk on the background thread (a big
  // collection's blocks) piled up there until one larger free consolidated
  // them all under the arena lock the event loop allocates from: 214 ms
  // without a reply after deleting a 6.4M-member set (tcache still serves
  // the loop's small blocks; bench/cpu_ab saw no CPU cost).
  mallopt(M_MXFAST, 0);
#endif
}

void release_free_memory() {
  slab_heap::release_free();
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

}  // namespace larder::util
