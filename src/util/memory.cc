#include "larder/util/memory.h"

#include <unistd.h>

#include <atomic>
#include <bit>
#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#if defined(LARDER_JEMALLOC)
#include <jemalloc/jemalloc.h>
#elif defined(__GLIBC__)
#include <malloc.h>
#endif

#if defined(LARDER_JEMALLOC)
// jemalloc's options, read when it starts. One arena: a thread that calls
// jemalloc for the first time (the background free thread, a BGSAVE) binds
// to the arena made at startup. With more, it may make its own, and
// jemalloc 5.3 dereferences null when that fails for want of address space
// (tests/integration/test_out_of_memory.py). The threads' caches keep
// allocations off the arena's lock.
extern "C" {
const char* malloc_conf = "narenas:1";
}
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
#if defined(LARDER_JEMALLOC)
  // Statistics are snapshots taken at each "epoch" write.
  std::uint64_t epoch = 1;
  std::size_t len = sizeof epoch;
  mallctl("epoch", &epoch, &len, &epoch, len);
  // Blocks parked in the threads' caches count as allocated in jemalloc's
  // statistics; they are free memory to the application.
  std::size_t cached = 0;
  std::size_t stashed = 0;
  len = sizeof bytes;
  if (mallctl("stats.allocated", &bytes, &len, nullptr, 0) != 0) bytes = 0;
  mallctl("stats.arenas.4096.tcache_bytes", &cached, &len, nullptr, 0);
  mallctl("stats.arenas.4096.tcache_stashed_bytes", &stashed, &len, nullptr, 0);
  bytes = bytes > cached + stashed ? bytes - cached - stashed : 0;
#elif defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
  const struct mallinfo2 mi = mallinfo2();
  bytes = mi.uordblks + mi.hblkhd;
#endif
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
#if defined(LARDER_JEMALLOC)
  // jemalloc's size classes (a 16-byte quantum, four classes per doubling
  // above 128), computed here: nallocx() is a library call, and on a thread
  // new to jemalloc it sets up the thread's arena, which crashes once the
  // address space is exhausted. tests/util/memory_test.cc checks the two agree.
  if (requested <= 8) return 8;
  if (requested <= 128) return (requested + 15) & ~std::size_t{15};
  const int lg = std::bit_width(requested - 1) - 1;  // 2^lg < requested <= 2^(lg+1)
  const std::size_t step = std::size_t{1} << (lg - 2);
  return (requested + step - 1) & ~(step - 1);
#elif defined(__GLIBC__) && defined(__LP64__)
  const std::size_t chunk = (requested + 8 + 15) & ~std::size_t{15};
  return chunk < 32 ? 32 : chunk;
#else
  return (requested + 15) & ~std::size_t{15};
#endif
}

const char* allocator_name() {
#if defined(LARDER_JEMALLOC)
#define LARDER_STR2(x) #x
#define LARDER_STR(x) LARDER_STR2(x)
  return "jemalloc-" LARDER_STR(JEMALLOC_VERSION_MAJOR) "." LARDER_STR(JEMALLOC_VERSION_MINOR) "." LARDER_STR(
      JEMALLOC_VERSION_BUGFIX);
#undef LARDER_STR
#undef LARDER_STR2
#else
  return "libc";
#endif
}

std::string allocator_stats() {
  std::string text;
#if defined(LARDER_JEMALLOC)
  malloc_stats_print(
      [](void* out, const char* s) { static_cast<std::string*>(out)->append(s); }, &text, nullptr);
#elif defined(__GLIBC__)
  char* buf = nullptr;
  std::size_t len = 0;
  if (std::FILE* f = open_memstream(&buf, &len)) {
    malloc_info(0, f);
    std::fclose(f);
    text.assign(buf, len);
  }
  std::free(buf);
#else
  text = "Stats not supported for the current allocator";
#endif
  return text;
}

void tune_allocator() {
#if !defined(LARDER_JEMALLOC) && defined(__GLIBC__)
  mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024);
  mallopt(M_MMAP_THRESHOLD, 1024 * 1024);
#endif
}

void release_free_memory() {
#if defined(LARDER_JEMALLOC)
  mallctl("arena.4096.purge", nullptr, nullptr, nullptr, 0);
#elif defined(__GLIBC__)
  malloc_trim(0);
#endif
}

}  // namespace larder::util
