#include "larder/storage/tinylfu.h"

#include <algorithm>

namespace larder::storage {

void FrequencySketch::increment(std::uint64_t hash, std::size_t period) {
  if (!words_) words_ = std::make_unique<std::uint64_t[]>(kWords);
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

bool AdmissionWindow::push(std::uint64_t hash) {
  std::lock_guard lock(mutex_);
  if (size_ == kCapacity) return false;
  if (!ring_) ring_ = std::make_unique<std::uint64_t[]>(kCapacity);
  ring_[(head_ + size_) % kCapacity] = hash;
  ++size_;
  return true;
}

std::optional<std::uint64_t> AdmissionWindow::pop() {
  std::lock_guard lock(mutex_);
  if (size_ == 0) return std::nullopt;
  const std::uint64_t hash = ring_[head_];
  head_ = (head_ + 1) % kCapacity;
  --size_;
  return hash;
}

std::size_t AdmissionWindow::size() {
  std::lock_guard lock(mutex_);
  return size_;
}

}  // namespace larder::storage
