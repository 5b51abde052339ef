#include "larder/util/memory.h"

#include <catch2/catch.hpp>

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <utility>
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

namespace {
// Whether any page of [from, to) is resident; unmapped counts as not.
bool any_resident(std::uintptr_t from, std::uintptr_t to) {
  const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> vec((to - from) / page);
  if (mincore(reinterpret_cast<void*>(from), to - from, vec.data()) != 0) return false;
  for (unsigned char v : vec) {
    if (v & 1) return true;
  }
  return false;
}
}  // namespace

TEST_CASE("free_releasing returns a big block's whole pages only in release-on-free mode", "[memory]") {
  struct Off {  // the mode is process-wide: off again however the case ends
    ~Off() { set_release_on_free(false); }
  } off;
  const std::uintptr_t page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  constexpr std::size_t kBlock = 64 * 1024 + 100;  // below the mmap threshold
  const auto interior = [&](void* p) {
    const auto at = reinterpret_cast<std::uintptr_t>(p);
    return std::pair{(at + page - 1) & ~(page - 1), (at + kBlock) & ~(page - 1)};
  };

  set_release_on_free(false);
  CHECK_FALSE(release_on_free());
  void* kept = std::malloc(kBlock);
  std::memset(kept, 1, kBlock);
  const std::size_t before = released_on_free_bytes();
  const std::size_t freed_before = freed_releasing_bytes();
  free_releasing(kept, kBlock);
  CHECK(released_on_free_bytes() == before);
  CHECK(freed_releasing_bytes() == freed_before);

  set_release_on_free(true);
  CHECK(release_on_free());
  void* block = std::malloc(kBlock);
  REQUIRE(block != nullptr);
  std::memset(block, 1, kBlock);
  const auto [first, end] = interior(block);
  REQUIRE(end - first >= 15 * page);
  CHECK(any_resident(first, end));
  free_releasing(block, kBlock);
  CHECK(released_on_free_bytes() == before + (end - first));
  CHECK(freed_releasing_bytes() == freed_before + kBlock);
  // free() writes the allocator's bookkeeping at the block's start (and
  // maybe the next chunk's header at its end), never in the middle.
  CHECK_FALSE(any_resident(first + page, end - page));

  // A block of 1 MiB or more is left to free(): glibc mmaps it (with the
  // server's tune_allocator), and then unmaps it.
  void* big = std::malloc(2u << 20);
  std::memset(big, 1, 2u << 20);
  const std::size_t after = released_on_free_bytes();
  free_releasing(big, 2u << 20);
  CHECK(released_on_free_bytes() == after);
  CHECK(freed_releasing_bytes() == freed_before + kBlock + (2u << 20));
  free_releasing(nullptr, kBlock);
}

TEST_CASE("free_chunk_count counts the allocator's free chunks", "[memory][glibc-malloc]") {
  // Each freed block is followed by one that stays, so it can merge only
  // with a free chunk the earlier cases left just before it.
  constexpr std::size_t kBlock = 96 * 1024;
  std::vector<void*> freed, kept;
  for (int i = 0; i < 100; ++i) {
    freed.push_back(std::malloc(kBlock));
    kept.push_back(std::malloc(kBlock));
  }
  const std::size_t before = free_chunk_count();
  for (void* p : freed) std::free(p);
  CHECK(free_chunk_count() >= before + 50);
  for (void* p : kept) std::free(p);
}
