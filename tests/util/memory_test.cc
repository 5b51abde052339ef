#include "larder/util/memory.h"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <cstring>
#include <vector>

using namespace larder::util;

TEST_CASE("allocated_bytes follows allocations", "[diagnostics][memory][glibc-malloc]") {
  const std::size_t before = allocated_bytes();
  CHECK(before > 0);
  constexpr std::size_t kBlock = 64 * 1024;  // below glibc's mmap threshold
  std::vector<void*> blocks;
  for (int i = 0; i < 64; ++i) {
    void* p = std::malloc(kBlock);
    std::memset(p, 1, kBlock);
    blocks.push_back(p);
  }
  const std::size_t during = allocated_bytes();
  CHECK(during >= before + 64 * kBlock - 64 * 1024);
  CHECK(peak_allocated_bytes() >= during);
  for (void* p : blocks) std::free(p);
  CHECK(allocated_bytes() < during);
  CHECK(peak_allocated_bytes() >= during);

  // A block above the mmap threshold counts too (hblkhd).
  void* big = std::malloc(8u << 20);
  std::memset(big, 1, 8u << 20);
  CHECK(allocated_bytes() >= (8u << 20));
  std::free(big);
  release_free_memory();
}

TEST_CASE("rss_bytes and peak_rss_bytes read /proc", "[diagnostics][memory]") {
  const std::size_t rss = rss_bytes();
  CHECK(rss > 1024 * 1024);
  CHECK(rss % 4096 == 0);
  CHECK(peak_rss_bytes() >= rss - 4096 * 64);  // read a moment apart
  CHECK(peak_rss_bytes() > 0);
}

TEST_CASE("malloc_cost is glibc's chunk size", "[diagnostics][memory]") {
  CHECK(malloc_cost(0) == 32);
  CHECK(malloc_cost(24) == 32);
  CHECK(malloc_cost(25) == 48);
  CHECK(malloc_cost(40) == 48);
  CHECK(malloc_cost(41) == 64);
  CHECK(malloc_cost(56) == 64);
  CHECK(malloc_cost(1000) == 1008);
}

TEST_CASE("startup baseline", "[diagnostics][memory][glibc-malloc]") {
  record_startup_allocated();
  CHECK(startup_allocated_bytes() > 0);
  CHECK(startup_allocated_bytes() <= peak_allocated_bytes());
}
