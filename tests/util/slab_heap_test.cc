#include "larder/util/slab_heap.h"

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>
#include <map>
#include <random>
#include <thread>
#include <vector>

#include "larder/util/memory.h"

using namespace larder::util;

namespace {

std::uintptr_t address(const void* p) { return reinterpret_cast<std::uintptr_t>(p); }

}  // namespace

TEST_CASE("slab_heap costs a block its 8-byte slot, malloc's chunk above the limit", "[slab_heap]") {
  CHECK(slab_heap::cost(1) == 8);
  CHECK(slab_heap::cost(8) == 8);
  CHECK(slab_heap::cost(9) == 16);
  CHECK(slab_heap::cost(223) == 224);
  CHECK(slab_heap::cost(224) == 224);
  CHECK(slab_heap::cost(slab_heap::kMaxSlabBlock) == slab_heap::kMaxSlabBlock);
  CHECK(slab_heap::cost(slab_heap::kMaxSlabBlock + 1) == malloc_cost(slab_heap::kMaxSlabBlock + 1));
}

TEST_CASE("slab_heap hands out disjoint blocks and counts the slots in use", "[slab_heap]") {
  const std::size_t used_before = slab_heap::used_bytes();
  std::mt19937 rng(7);
  std::uniform_int_distribution<std::size_t> size_of(1, slab_heap::kMaxSlabBlock + 64);
  struct Block {
    unsigned char* p;
    std::size_t size;
    unsigned char fill;
  };
  std::vector<Block> blocks;
  std::size_t slab_bytes = 0;
  auto check_and_free = [&](std::size_t i) {
    const Block b = blocks[i];
    for (std::size_t k = 0; k < b.size; ++k) REQUIRE(b.p[k] == b.fill);
    if (b.size <= slab_heap::kMaxSlabBlock) slab_bytes -= slab_heap::cost(b.size);
    slab_heap::deallocate(b.p, b.size);
    blocks[i] = blocks.back();
    blocks.pop_back();
  };
  for (int round = 0; round < 20000; ++round) {
    if (blocks.size() > 0 && rng() % 3 == 0) {
      check_and_free(rng() % blocks.size());
      continue;
    }
    const std::size_t size = size_of(rng);
    auto* p = static_cast<unsigned char*>(slab_heap::allocate(size));
    const auto fill = static_cast<unsigned char>(rng());
    std::memset(p, fill, size);
    if (size <= slab_heap::kMaxSlabBlock) {
      slab_bytes += slab_heap::cost(size);
      // A slot never straddles its 64 KiB slab, whose first bytes are the header.
      CHECK(address(p) / slab_heap::kSlabBytes == (address(p) + size - 1) / slab_heap::kSlabBytes);
      CHECK(address(p) % slab_heap::kSlabBytes >= 64);
      CHECK(address(p) % 8 == 0);
    }
    blocks.push_back({p, size, fill});
  }
  CHECK(slab_heap::used_bytes() == used_before + slab_bytes);
  while (!blocks.empty()) check_and_free(blocks.size() - 1);
  CHECK(slab_heap::used_bytes() == used_before);
}

TEST_CASE("slab_heap packs one class's slots edge to edge and reuses freed ones", "[slab_heap]") {
  // 224-byte slots, the hit-ratio bench's entry: 292 to a slab.
  std::vector<void*> blocks;
  for (int i = 0; i < 2000; ++i) blocks.push_back(slab_heap::allocate(223));
  std::map<std::uintptr_t, std::size_t> per_slab;
  for (void* p : blocks) ++per_slab[address(p) / slab_heap::kSlabBytes];
  std::size_t full = 0;
  for (const auto& [slab, n] : per_slab) {
    CHECK(n <= (slab_heap::kSlabBytes - 64) / 224);
    full += n == (slab_heap::kSlabBytes - 64) / 224 ? 1 : 0;
  }
  CHECK(full + 2 >= per_slab.size());
  void* freed = blocks[1000];
  slab_heap::deallocate(freed, 223);
  void* again = slab_heap::allocate(220);  // the same class
  CHECK(again == freed);
  blocks[1000] = again;
  for (void* p : blocks) slab_heap::deallocate(p, 223);
}

TEST_CASE("slab_heap resizes within a class in place and over the limit with realloc", "[slab_heap]") {
  CHECK(slab_heap::resizable(193, 200));
  CHECK_FALSE(slab_heap::resizable(200, 201));
  CHECK(slab_heap::resizable(201, 208));
  CHECK_FALSE(slab_heap::resizable(208, 209));
  CHECK_FALSE(slab_heap::resizable(slab_heap::kMaxSlabBlock, slab_heap::kMaxSlabBlock + 1));
  CHECK(slab_heap::resizable(slab_heap::kMaxSlabBlock + 1, 4000));
  auto* p = static_cast<char*>(slab_heap::allocate(201));
  std::memset(p, 'a', 201);
  CHECK(slab_heap::reallocate(p, 201, 207) == p);
  p[206] = 'b';
  CHECK(slab_heap::reallocate(p, 207, 201) == p);
  CHECK(p[200] == 'a');
  slab_heap::deallocate(p, 201);

  constexpr std::size_t kBig = slab_heap::kMaxSlabBlock + 1;
  auto* big = static_cast<char*>(slab_heap::allocate(kBig));
  std::memset(big, 'c', kBig);
  big = static_cast<char*>(slab_heap::reallocate(big, kBig, 3 * kBig));
  CHECK(big[kBig - 1] == 'c');
  slab_heap::deallocate(big, 3 * kBig);
}

TEST_CASE("slab_heap returns emptied slabs' pages and counts them in allocated_bytes", "[slab_heap]") {
  // 8 MiB of 504-byte slots, then all freed: beyond the kept slabs the pages
  // go back, and release_free() returns the rest.
  std::vector<void*> blocks;
  blocks.reserve(16 * 1024);
  const std::size_t resident_before = slab_heap::resident_slab_bytes();
  const std::size_t allocated_before = allocated_bytes();
  for (int i = 0; i < 16 * 1024; ++i) {
    void* p = slab_heap::allocate(500);
    std::memset(p, 1, 500);
    blocks.push_back(p);
  }
  CHECK(slab_heap::resident_slab_bytes() >= 16 * 1024 * 504);
  CHECK(allocated_bytes() + 64 * 1024 >= allocated_before + 16 * 1024 * 504);
  for (void* p : blocks) slab_heap::deallocate(p, 500);
  CHECK(allocated_bytes() < allocated_before + 64 * 1024);
  CHECK(slab_heap::resident_slab_bytes() <= resident_before + slab_heap::kKeptEmptySlabs * slab_heap::kSlabBytes);
  slab_heap::release_free();
  CHECK(slab_heap::resident_slab_bytes() <= resident_before);
}

TEST_CASE("slab_heap takes frees from another thread", "[slab_heap]") {
  const std::size_t used_before = slab_heap::used_bytes();
  std::vector<void*> mine(5000), theirs(5000);
  std::thread other([&] {
    for (void*& p : theirs) p = slab_heap::allocate(40);
  });
  for (void*& p : mine) p = slab_heap::allocate(40);
  other.join();
  std::thread freer([&] {
    for (void* p : mine) slab_heap::deallocate(p, 40);
  });
  for (void* p : theirs) slab_heap::deallocate(p, 40);
  freer.join();
  CHECK(slab_heap::used_bytes() == used_before);
}

TEST_CASE("slab_heap: a yielding thread frees in bulk while another allocates, and emptied slabs go back", "[slab_heap]") {
  // Enough 200-byte blocks for 64 slabs: past kKeptEmptySlabs, the frees
  // return slabs' pages outside the lock while the other thread allocates.
  constexpr std::size_t kBlocks = 64 * (slab_heap::kSlabBytes / 200);
  const std::size_t used_before = slab_heap::used_bytes();
  const std::size_t resident_before = slab_heap::resident_slab_bytes();
  std::vector<void*> bulk(kBlocks), mine(kBlocks);
  for (void*& p : bulk) p = slab_heap::allocate(200);
  std::thread freer([&] {
    slab_heap::yield_to_other_threads();
    for (void* p : bulk) slab_heap::deallocate(p, 200);
  });
  for (void*& p : mine) {
    p = slab_heap::allocate(56);
    std::memset(p, 0x5a, 56);
  }
  freer.join();
  CHECK(slab_heap::used_bytes() == used_before + kBlocks * 56);
  for (void* p : mine) {
    CHECK(static_cast<unsigned char*>(p)[55] == 0x5a);
    slab_heap::deallocate(p, 56);
  }
  CHECK(slab_heap::used_bytes() == used_before);
  CHECK(slab_heap::resident_slab_bytes() <= resident_before + slab_heap::kKeptEmptySlabs * slab_heap::kSlabBytes);
}

TEST_CASE("slab_heap relocates blocks of sparse slabs into the fuller one and frees the emptied slabs", "[slab_heap]") {
  // Four slabs of 120-byte slots (545 each), then all but every eighth freed.
  constexpr std::size_t kPerSlab = (slab_heap::kSlabBytes - 64) / 120;
  std::vector<void*> blocks;
  for (std::size_t i = 0; i < 4 * kPerSlab; ++i) {
    void* p = slab_heap::allocate(117);
    std::memset(p, static_cast<int>(i % 251), 117);
    blocks.push_back(p);
  }
  std::vector<std::pair<void*, int>> kept;
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    if (i % 8 == 0) {
      kept.emplace_back(blocks[i], static_cast<int>(i % 251));
    } else {
      slab_heap::deallocate(blocks[i], 117);
    }
  }
  const std::size_t free_before = slab_heap::free_slot_bytes();
  std::map<std::uintptr_t, std::size_t> slabs_before;
  for (auto& [p, fill] : kept) ++slabs_before[address(p) / slab_heap::kSlabBytes];
  CHECK(slabs_before.size() == 4);
  std::size_t moved = 0;
  for (int pass = 0; pass < 2; ++pass) {
    for (auto& [p, fill] : kept) {
      if (void* q = slab_heap::relocate(p, 117); q != nullptr) {
        p = q;
        ++moved;
      }
    }
  }
  CHECK(moved > 0);
  std::map<std::uintptr_t, std::size_t> slabs_after;
  for (auto& [p, fill] : kept) {
    ++slabs_after[address(p) / slab_heap::kSlabBytes];
    const auto* bytes = static_cast<const unsigned char*>(p);
    for (std::size_t k = 0; k < 117; ++k) REQUIRE(bytes[k] == fill);
  }
  CHECK(slabs_after.size() == 1);
  CHECK(slab_heap::free_slot_bytes() + 3 * kPerSlab * 120 / 2 < free_before);
  for (auto& [p, fill] : kept) slab_heap::deallocate(p, 117);
}
