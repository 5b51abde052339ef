#pragma once
// INFO's instantaneous_ops_per_sec, instantaneous_input_kbps and
// instantaneous_output_kbps, computed as Redis computes them: the server's
// 100 ms cron samples each running total (sample()), every sample is the
// rate since the one before, and INFO reports the mean of the last kSamples
// rates (so a burst fades within 1.6 s). Thread-safe: sample() and reset()
// lock, rate() reads the rates without the lock from any loop.

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>

namespace larder::commands {

class InstantaneousMetrics {
 public:
  static constexpr std::size_t kSamples = 16;
  enum Metric : std::size_t { kCommands, kNetInputBytes, kNetOutputBytes, kMetricCount };
  using Totals = std::array<std::uint64_t, kMetricCount>;

  // Sampling starts at `now_ms` from totals of zero.
  explicit InstantaneousMetrics(std::int64_t now_ms);

  // Records each metric's running total, read after `now_ms` (a steady
  // clock's milliseconds, as for the constructor and reset()).
  void sample(std::int64_t now_ms, const Totals& totals);
  // The mean per-second rate of `m` over the last kSamples samples.
  std::uint64_t rate(Metric m) const;
  // CONFIG RESETSTAT: every rate is zero, and the totals restart from zero
  // at `now_ms`.
  void reset(std::int64_t now_ms);

 private:
  struct Track {
    std::array<std::atomic<std::uint64_t>, kSamples> rates{};
    std::size_t next = 0;
    std::int64_t last_ms = 0;
    std::uint64_t last_total = 0;
  };
  std::mutex mutex_;  // over the tracks' next, last_ms and last_total
  std::array<Track, kMetricCount> tracks_;
};

}  // namespace larder::commands
