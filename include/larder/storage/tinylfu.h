#pragma once
// W-TinyLFU's two structures for the allkeys-tinylfu / volatile-tinylfu
// policies (eviction.h), sized independently of the number of keys:
//
//  - FrequencySketch: a count-min sketch of recent accesses, one per shard
//    (guarded by the shard's mutex), 4 rows of 1024 four-bit counters:
//    2 KiB per shard, 512 KiB for the 256 shards, allocated on first use.
//    Counters saturate at 15; after `period` counted accesses every counter
//    is halved, so old popularity fades (TinyLFU's reset).
//  - AdmissionWindow: the FIFO of keys written recently (their keyed hashes),
//    at most kCapacity of them (64 KiB, allocated on first use and counted in
//    MemoryUsage), shared by all shards. A new key
//    enters it and stays until eviction takes it out of the window's far
//    end; only then does the sketch decide whether it is worth more than a
//    sampled key of the main area.
//  - ContestLog: the admission contests decided lately (128 KiB, shared by
//    all shards, allocated on the first contest), and the reset period they
//    tune: whichever of a contest's two keys is requested first tells
//    whether the sketch decided right.
//
// Index bits come from the key's keyed SipHash (Table::hash_of), so nobody
// outside can aim keys at the same counters.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>

#include "larder/util/prefetch.h"

namespace larder::storage {

class FrequencySketch {
 public:
  static constexpr std::size_t kRows = 4;
  static constexpr std::size_t kCountersPerRow = 1024;
  static constexpr std::size_t kBytes = kRows * kCountersPerRow / 2;
  static constexpr std::uint32_t kMaxCount = 15;

  // Counts one access of the key hashed to `hash` (conservative update: only
  // the counters at the key's current minimum grow). After `period` counted
  // accesses all counters are halved.
  void increment(std::uint64_t hash, std::size_t period);
  // The key's estimated count, 0..15 (never below its true recent count
  // since the last halving, halved as often as the counters were).
  std::uint32_t frequency(std::uint64_t hash) const;
  // Cache hint for an increment() or frequency() of `hash` coming soon.
  void prefetch(std::uint64_t hash) const {
    if (!words_) return;
    for (std::size_t r = 0; r < kRows; ++r) util::prefetch_write(&words_[counter_index(hash, r) >> 4]);
  }
  // Accesses counted since the last halving (halved with the counters).
  std::size_t additions() const { return additions_; }
  // Bytes held: 0 until the first increment, then kBytes (counted in
  // MemoryUsage, so maxmemory covers them).
  std::size_t bytes() const { return words_ ? kBytes : 0; }

  FrequencySketch() = default;
  FrequencySketch(const FrequencySketch&) = delete;
  FrequencySketch& operator=(const FrequencySketch&) = delete;
  ~FrequencySketch();

 private:
  static constexpr std::size_t kWords = kBytes / sizeof(std::uint64_t);
  static std::size_t counter_index(std::uint64_t hash, std::size_t row) {
    return row * kCountersPerRow + ((hash >> (10 * row)) & (kCountersPerRow - 1));
  }
  std::uint32_t get(std::size_t counter) const {
    return static_cast<std::uint32_t>(words_[counter >> 4] >> ((counter & 15) * 4)) & 15;
  }
  void halve();

  std::unique_ptr<std::uint64_t[]> words_;
  std::size_t additions_ = 0;
};

class AdmissionWindow {
 public:
  static constexpr std::size_t kCapacity = 8192;
  static constexpr std::size_t kBytes = kCapacity * sizeof(std::uint64_t);

  AdmissionWindow() = default;
  AdmissionWindow(const AdmissionWindow&) = delete;
  AdmissionWindow& operator=(const AdmissionWindow&) = delete;
  ~AdmissionWindow();

  // Appends a new key's hash; false when the window is full (the key then
  // goes straight to the main area). Thread-safe, like every member, unless
  // set_shared(false) said one thread alone calls them.
  bool push(std::uint64_t hash);
  // The oldest hash, removed from the window.
  std::optional<std::uint64_t> pop();
  // Without the lock: a push or pop racing with it may not be counted yet.
  std::size_t size() const { return size_.load(std::memory_order_relaxed); }
  // The hash `i` places behind the oldest (0: the oldest), if the window
  // holds that many; for cache hints, by a single owner (no lock).
  std::optional<std::uint64_t> peek(std::size_t i) const {
    if (i >= size() || !ring_) return std::nullopt;
    return ring_[(head_ + i) % kCapacity];
  }
  // Whether push() and pop() may run on several threads (they then lock).
  void set_shared(bool shared) { shared_ = shared; }

 private:
  std::unique_lock<std::mutex> lock() {
    return shared_ ? std::unique_lock(mutex_) : std::unique_lock<std::mutex>();
  }
  bool shared_ = true;
  std::mutex mutex_;  // a leaf lock: taken under shard locks, never the reverse
  std::unique_ptr<std::uint64_t[]> ring_;
  std::size_t head_ = 0;
  std::atomic<std::size_t> size_ = 0;  // written under mutex_
};

// The sketch's reset period, tuned on the admission contests it decides
// wrong (as ARC tunes its split on ghost hits). Of a contest's two keys, the
// one requested first settles it: the winner means the sketch was right;
// the loser means it was wrong. A rejected newcomer back first says the
// counts outlive the popularity they measured (popularity moved): the period
// shortens by 1/kShortenDivisor. An evicted victim back first says the
// counts were too young: it lengthens by 1/kLengthenDivisor. So the period
// holds where about six wrong rejections meet one wrong admission:
// bench/hitratio.py's choice (with the first steps, 1/2000 and 1/333,
// ratios of 2 to 4 lost 1.2-4.3 points on scans at 3M requests, 8 gained
// 1.3 less on shifting). Steps 8x those follow a shift before the next one
// (a shift every 7 accesses per key held in the bench): shifting +0.9 / +0.7
// points (1M / 3M), scans at 3M -0.25 on average and more variable; 4x
// gained less on shifting and lost more on scans. It is kept per key held,
// between 3 and 60 accesses, 30 at first.
//
// Contests live in kSlots 32-bit slots, one per key of a contest, indexed by
// hash bits (a 15-bit tag of other bits, the key's part, its partner's
// slot); a newer contest overwrites what it lands on, so old ones fade.
// Thread-safe: record() calls must be serialised (the Evictor's), settle()
// may run on any loop at once (relaxed atomics: a lost race skips a step).
class ContestLog {
 public:
  static constexpr std::size_t kSlots = 32768;
  static constexpr std::size_t kBytes = kSlots * sizeof(std::uint32_t);
  static constexpr std::uint32_t kPeriodScale = 1000;  // period_scaled() units per access
  static constexpr std::uint32_t kMinPeriod = 3 * kPeriodScale;
  static constexpr std::uint32_t kMaxPeriod = 60 * kPeriodScale;
  static constexpr std::uint32_t kStartPeriod = 30 * kPeriodScale;
  static constexpr std::uint32_t kShortenDivisor = 250;
  static constexpr std::uint32_t kLengthenDivisor = 42;

  // Remembers a contest: `loser` was evicted, `winner` stays;
  // `loser_was_newcomer` when the window's key lost.
  void record(std::uint64_t loser, std::uint64_t winner, bool loser_was_newcomer);
  // Called for every counted access: settles the contest the key is in, if
  // any, and moves the period when the loser came back first.
  void settle(std::uint64_t hash);
  // Cache hint for a settle() of `hash` coming soon.
  void prefetch(std::uint64_t hash) const {
    if (std::atomic<std::uint32_t>* slots = slots_.load(std::memory_order_relaxed)) {
      util::prefetch_write(&slots[slot_of(hash)]);
    }
  }
  // Accesses per key held between halvings, times kPeriodScale.
  std::uint32_t period_scaled() const { return period_.load(std::memory_order_relaxed); }
  // The reset period of a sketch counting for `keys` keys.
  std::size_t period_for(std::size_t keys) const { return keys * period_scaled() / kPeriodScale; }
  // Bytes held: 0 until the first contest, then kBytes (counted in
  // MemoryUsage, so maxmemory covers them).
  std::size_t bytes() const { return slots_.load(std::memory_order_acquire) != nullptr ? kBytes : 0; }

  ContestLog() = default;
  ContestLog(const ContestLog&) = delete;
  ContestLog& operator=(const ContestLog&) = delete;
  ~ContestLog();

 private:
  enum Part : std::uint32_t { kEmpty = 0, kWinner = 1, kRejectedNewcomer = 2, kEvictedVictim = 3 };
  // A slot: tag (bits 17-31), part (15-16), partner's slot (0-14).
  static std::uint32_t slot_of(std::uint64_t hash) { return static_cast<std::uint32_t>(hash >> 40) & (kSlots - 1); }
  static std::uint32_t tag_of(std::uint64_t hash) { return static_cast<std::uint32_t>(hash >> 25) & 0x7fff; }
  static Part part_of(std::uint32_t slot) { return static_cast<Part>(slot >> 15 & 3); }
  static std::uint32_t partner_of(std::uint32_t slot) { return slot & (kSlots - 1); }
  static std::uint32_t pack(std::uint32_t tag, Part part, std::uint32_t partner) {
    return tag << 17 | static_cast<std::uint32_t>(part) << 15 | partner;
  }

  std::unique_ptr<std::atomic<std::uint32_t>[]> owned_;
  std::atomic<std::atomic<std::uint32_t>*> slots_{nullptr};
  std::atomic<std::uint32_t> period_{kStartPeriod};
};

}  // namespace larder::storage
