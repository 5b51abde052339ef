#include "larder/util/memory.h"

#include "larder/util/slab_heap.h"

#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace larder::util {

namespace {

std::atomic<std::size_t> g_peak_allocated{0};
std::atomic<std::size_t> g_startup_allocated{0};
std::atomic<bool> g_release_on_free{false};
std::atomic<std::size_t> g_released_on_free{0};
std::atomic<std::size_t> g_freed_releasing{0};
// glibc mmaps a block this big (tune_allocator) unless its free chunks can
// serve it; free() unmaps a mmapped one, and free_releasing() leaves such
// blocks alone either way.
constexpr std::size_t kMmapThreshold = 1024 * 1024;

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
  mallopt(M_MMAP_THRESHOLD, kMmapThreshold);
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

void set_release_on_free(bool on) { g_release_on_free.store(on, std::memory_order_relaxed); }

bool release_on_free() { return g_release_on_free.load(std::memory_order_relaxed); }

void free_releasing(void* block, std::size_t bytes) {
  if (block == nullptr) return;
  if (!release_on_free()) {
    std::free(block);
    return;
  }
  g_freed_releasing.fetch_add(bytes, std::memory_order_relaxed);
  if (bytes < kMmapThreshold) {
    // Only pages wholly inside the block: its neighbours' bytes, and the
    // allocator's own chunk header, stay untouched.
    static const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
    const auto at = reinterpret_cast<std::uintptr_t>(block);
    const std::uintptr_t first = (at + page - 1) & ~(page - 1);
    const std::uintptr_t end = (at + bytes) & ~(page - 1);
    if (end > first && madvise(reinterpret_cast<void*>(first), end - first, MADV_DONTNEED) == 0) {
      g_released_on_free.fetch_add(end - first, std::memory_order_relaxed);
    }
  }
  std::free(block);
}

std::size_t released_on_free_bytes() { return g_released_on_free.load(std::memory_order_relaxed); }

std::size_t freed_releasing_bytes() { return g_freed_releasing.load(std::memory_order_relaxed); }

std::size_t free_chunk_count() {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
  return mallinfo2().ordblks;
#else
  return 0;
#endif
}

}  // namespace larder::util
