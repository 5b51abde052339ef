#include "larder/commands/instantaneous_metrics.h"

namespace larder::commands {

InstantaneousMetrics::InstantaneousMetrics(std::int64_t now_ms) { reset(now_ms); }

void InstantaneousMetrics::sample(std::int64_t now_ms, const Totals& totals) {
  const std::lock_guard lock(mutex_);
  for (std::size_t m = 0; m < kMetricCount; ++m) {
    Track& t = tracks_[m];
    // Totals read before a reset() that got the lock first: skipped.
    if (now_ms <= t.last_ms) continue;
    // A total below the last one was zeroed by RESETSTAT since: it counts
    // from zero.
    const std::uint64_t delta = totals[m] >= t.last_total ? totals[m] - t.last_total : totals[m];
    t.rates[t.next].store(delta * 1000 / static_cast<std::uint64_t>(now_ms - t.last_ms), std::memory_order_relaxed);
    t.next = (t.next + 1) % kSamples;
    t.last_ms = now_ms;
    t.last_total = totals[m];
  }
}

std::uint64_t InstantaneousMetrics::rate(Metric m) const {
  std::uint64_t sum = 0;
  for (const auto& r : tracks_[m].rates) sum += r.load(std::memory_order_relaxed);
  return sum / kSamples;
}

void InstantaneousMetrics::reset(std::int64_t now_ms) {
  const std::lock_guard lock(mutex_);
  for (Track& t : tracks_) {
    for (auto& r : t.rates) r.store(0, std::memory_order_relaxed);
    t.next = 0;
    t.last_ms = now_ms;
    t.last_total = 0;
  }
}

}  // namespace larder::commands
