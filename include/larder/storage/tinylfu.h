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
//    at most kCapacity of them (64 KiB), shared by all shards. A new key
//    enters it and stays until eviction takes it out of the window's far
//    end; only then does the sketch decide whether it is worth more than a
//    sampled key of the main area.
//
// Index bits come from the key's keyed SipHash (Table::hash_of), so nobody
// outside can aim keys at the same counters.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>

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
  // Accesses counted since the last halving (halved with the counters).
  std::size_t additions() const { return additions_; }
  // Bytes held: 0 until the first increment, then kBytes.
  std::size_t bytes() const { return words_ ? kBytes : 0; }

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

  // Appends a new key's hash; false when the window is full (the key then
  // goes straight to the main area). Thread-safe, like every member.
  bool push(std::uint64_t hash);
  // The oldest hash, removed from the window.
  std::optional<std::uint64_t> pop();
  std::size_t size();

 private:
  std::mutex mutex_;  // a leaf lock: taken under shard locks, never the reverse
  std::unique_ptr<std::uint64_t[]> ring_;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

}  // namespace larder::storage
