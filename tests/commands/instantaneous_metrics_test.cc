#include "larder/commands/instantaneous_metrics.h"

#include <catch2/catch.hpp>

using larder::commands::InstantaneousMetrics;
using M = InstantaneousMetrics;

TEST_CASE("instantaneous rates are the mean of the last 16 samples", "[instantaneous]") {
  InstantaneousMetrics m(1000);
  CHECK(m.rate(M::kCommands) == 0);
  // 100 commands per 100 ms: 1000/s in each sample, 1 of 16 so far.
  m.sample(1100, {100, 2048, 0});
  CHECK(m.rate(M::kCommands) == 1000 / 16);
  CHECK(m.rate(M::kNetInputBytes) == 20480 / 16);
  for (int i = 2; i <= 16; ++i) m.sample(1000 + 100 * i, {100u * i, 2048u * i, 0});
  CHECK(m.rate(M::kCommands) == 1000);
  CHECK(m.rate(M::kNetInputBytes) == 20480);
  CHECK(m.rate(M::kNetOutputBytes) == 0);
  // Idle: the rate fades sample by sample, to zero after 16.
  m.sample(2700, {1600, 32768, 0});
  CHECK(m.rate(M::kCommands) == 1000 * 15 / 16);
  for (int i = 18; i <= 32; ++i) m.sample(1000 + 100 * i, {1600, 32768, 0});
  CHECK(m.rate(M::kCommands) == 0);
}

TEST_CASE("instantaneous rates over uneven intervals", "[instantaneous]") {
  InstantaneousMetrics m(0);
  m.sample(250, {500, 0, 0});  // 2000/s
  m.sample(250, {900, 0, 0});  // no time passed: skipped
  m.sample(500, {1000, 0, 0});  // 500 in 250 ms since the last counted sample
  CHECK(m.rate(M::kCommands) == (2000 + 2000) / 16);
}

TEST_CASE("instantaneous rates after a reset", "[instantaneous]") {
  InstantaneousMetrics m(0);
  for (int i = 1; i <= 16; ++i) m.sample(100 * i, {100u * i, 0, 0});
  REQUIRE(m.rate(M::kCommands) == 1000);
  m.reset(1600);
  CHECK(m.rate(M::kCommands) == 0);
  // Totals read before the reset, sampled after it: skipped.
  m.sample(1600, {1700, 0, 0});
  CHECK(m.rate(M::kCommands) == 0);
  // The totals restarted from zero.
  m.sample(1700, {16, 0, 0});
  CHECK(m.rate(M::kCommands) == 160 / 16);
  // A total zeroed after the last sample (RESETSTAT between two samples,
  // before reset()) counts from zero.
  m.sample(1800, {5, 0, 0});
  CHECK(m.rate(M::kCommands) == (160 + 50) / 16);
}
