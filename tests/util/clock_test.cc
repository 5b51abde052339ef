#include "larder/util/clock.h"

#include <catch2/catch.hpp>
#include <thread>

using larder::util::cycles;
using larder::util::cycles_to_us;

TEST_CASE("cycles_to_us converts tick differences to elapsed microseconds", "[clock]") {
  const auto t0 = std::chrono::steady_clock::now();
  const std::uint64_t c0 = cycles();
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  const std::uint64_t c1 = cycles();
  const auto elapsed_us =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count();
  REQUIRE(c1 > c0);
  const auto measured = static_cast<double>(cycles_to_us(c1 - c0));
  CHECK(measured >= 0.8 * static_cast<double>(elapsed_us));
  CHECK(measured <= 1.2 * static_cast<double>(elapsed_us));
  CHECK(cycles_to_us(0) == 0);
}
