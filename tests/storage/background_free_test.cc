#include "larder/storage/background_free.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include "larder/storage/entry.h"
#include "larder/storage/memory_usage.h"

using namespace larder::storage;

namespace {
bool drained(const BackgroundFree& bf) {
  for (int i = 0; i < 500 && bf.pending() != 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  return bf.pending() == 0;
}
}  // namespace

TEST_CASE("Big entry blocks are freed by the background thread, small ones in place", "[background_free]") {
  BackgroundFree bf;
  REQUIRE(BackgroundFree::for_big_blocks() == &bf);  // no other instance is alive in this test

  const std::size_t before = MemoryUsage::dataset_bytes();
  Entry* big = Entry::make("big", std::string(2 * BackgroundFree::kBigBlockBytes, 'x'), kNoExpire);
  Entry* small = Entry::make("small", "v", kNoExpire);
  CHECK(MemoryUsage::dataset_bytes() > before + 2 * BackgroundFree::kBigBlockBytes);

  Entry::destroy(small);
  CHECK(bf.pending() == 0);
  Entry::destroy(big);
  CHECK(MemoryUsage::dataset_bytes() == before);  // accounted as gone at once
  CHECK(drained(bf));

  // Any big malloc'd block (a connection's read buffer, say) goes the same way.
  void* raw = std::malloc(2 * BackgroundFree::kBigBlockBytes);
  REQUIRE(raw != nullptr);
  BackgroundFree::free_block(raw, 2 * BackgroundFree::kBigBlockBytes);
  CHECK(drained(bf));
}

TEST_CASE("Without a BackgroundFree big blocks are freed in place", "[background_free]") {
  {
    BackgroundFree first;
    BackgroundFree second;
    CHECK(BackgroundFree::for_big_blocks() == &first);
  }
  CHECK(BackgroundFree::for_big_blocks() == nullptr);
  const std::size_t before = MemoryUsage::dataset_bytes();
  Entry::destroy(Entry::make("big", std::string(2 * BackgroundFree::kBigBlockBytes, 'x'), kNoExpire));
  CHECK(MemoryUsage::dataset_bytes() == before);
}
