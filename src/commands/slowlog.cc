#include "larder/commands/slowlog.h"

namespace larder::commands {

void Slowlog::record(SlowlogEntry entry, std::size_t max_len) {
  std::lock_guard lock(mutex_);
  entry.id = next_id_++;
  entries_.push_front(std::move(entry));
  while (entries_.size() > max_len) entries_.pop_back();
}

std::vector<SlowlogEntry> Slowlog::latest(std::size_t count) const {
  std::lock_guard lock(mutex_);
  std::size_t n = std::min(count, entries_.size());
  return {entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(n)};
}

std::size_t Slowlog::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

void Slowlog::reset() {
  std::lock_guard lock(mutex_);
  entries_.clear();
}

}  // namespace larder::commands
