#include "larder/storage/tinylfu.h"

#include <algorithm>

#include "larder/storage/memory_usage.h"
#include "larder/util/memory.h"

namespace larder::storage {

void FrequencySketch::increment(std::uint64_t hash, std::size_t period) {
  if (!words_) {
    words_ = std::make_unique<std::uint64_t[]>(kWords);
    MemoryUsage::add(util::malloc_cost(kBytes));
  }
  std::size_t counters[kRows];
  std::uint32_t low = kMaxCount;
  for (std::size_t r = 0; r < kRows; ++r) {
    counters[r] = counter_index(hash, r);
    low = std::min(low, get(counters[r]));
  }
  if (low == kMaxCount) return;
  for (std::size_t c : counters) {
    if (get(c) == low) words_[c >> 4] += std::uint64_t{1} << ((c & 15) * 4);
  }
  if (++additions_ >= period) halve();
}

FrequencySketch::~FrequencySketch() {
  if (words_) MemoryUsage::sub(util::malloc_cost(kBytes));
}

std::uint32_t FrequencySketch::frequency(std::uint64_t hash) const {
  if (!words_) return 0;
  std::uint32_t low = kMaxCount;
  for (std::size_t r = 0; r < kRows; ++r) low = std::min(low, get(counter_index(hash, r)));
  return low;
}

void FrequencySketch::halve() {
  for (std::size_t i = 0; i < kWords; ++i) words_[i] = (words_[i] >> 1) & 0x7777777777777777ull;
  additions_ /= 2;
}

AdmissionWindow::~AdmissionWindow() {
  if (ring_) MemoryUsage::sub(util::malloc_cost(kBytes));
}

bool AdmissionWindow::push(std::uint64_t hash) {
  const auto held = lock();
  const std::size_t size = size_.load(std::memory_order_relaxed);
  if (size == kCapacity) return false;
  if (!ring_) {
    ring_ = std::make_unique<std::uint64_t[]>(kCapacity);
    MemoryUsage::add(util::malloc_cost(kBytes));
  }
  ring_[(head_ + size) % kCapacity] = hash;
  size_.store(size + 1, std::memory_order_relaxed);
  return true;
}

std::optional<std::uint64_t> AdmissionWindow::pop() {
  const auto held = lock();
  const std::size_t size = size_.load(std::memory_order_relaxed);
  if (size == 0) return std::nullopt;
  const std::uint64_t hash = ring_[head_];
  head_ = (head_ + 1) % kCapacity;
  size_.store(size - 1, std::memory_order_relaxed);
  return hash;
}

void ContestLog::record(std::uint64_t loser, std::uint64_t winner, bool loser_was_newcomer) {
  std::atomic<std::uint32_t>* slots = slots_.load(std::memory_order_relaxed);
  if (slots == nullptr) {
    owned_ = std::make_unique<std::atomic<std::uint32_t>[]>(kSlots);
    MemoryUsage::add(util::malloc_cost(kBytes));
    slots = owned_.get();
    slots_.store(slots, std::memory_order_release);
  }
  const std::uint32_t a = slot_of(loser);
  const std::uint32_t b = slot_of(winner);
  slots[a].store(pack(tag_of(loser), loser_was_newcomer ? kRejectedNewcomer : kEvictedVictim, b),
                 std::memory_order_relaxed);
  slots[b].store(pack(tag_of(winner), kWinner, a), std::memory_order_relaxed);
}

ContestLog::~ContestLog() {
  if (owned_) MemoryUsage::sub(util::malloc_cost(kBytes));
}

void ContestLog::settle(std::uint64_t hash) {
  std::atomic<std::uint32_t>* slots = slots_.load(std::memory_order_acquire);
  if (slots == nullptr) return;
  const std::uint32_t i = slot_of(hash);
  const std::uint32_t v = slots[i].load(std::memory_order_relaxed);
  const Part part = part_of(v);
  if (part == kEmpty || v >> 17 != tag_of(hash)) return;
  slots[i].store(0, std::memory_order_relaxed);
  // The other key's slot, unless a newer contest took it.
  const std::uint32_t partner = partner_of(v);
  std::uint32_t w = slots[partner].load(std::memory_order_relaxed);
  if (part_of(w) != kEmpty && partner_of(w) == i) {
    slots[partner].compare_exchange_strong(w, 0, std::memory_order_relaxed);
  }
  std::uint32_t p = period_.load(std::memory_order_relaxed);
  if (part == kRejectedNewcomer) {
    p = std::max(kMinPeriod, p - p / kShortenDivisor);
  } else if (part == kEvictedVictim) {
    p = std::min(kMaxPeriod, p + p / kLengthenDivisor);
  } else {
    return;
  }
  period_.store(p, std::memory_order_relaxed);
}

}  // namespace larder::storage
