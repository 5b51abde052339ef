#include "larder/commands/pause_state.h"

#include <algorithm>
#include <utility>

namespace larder::commands {

void PauseState::postpone(std::uint64_t client_id, std::function<void()> released, std::function<void()> resume) {
  std::lock_guard lock(mutex_);
  waiting_.push_back({client_id, std::move(released), std::move(resume)});
  postponed_.store(static_cast<std::int64_t>(waiting_.size()), std::memory_order_relaxed);
}

void PauseState::forget(std::uint64_t client_id) {
  {
    std::lock_guard lock(mutex_);
    auto is_client = [&](const Postponed& p) { return p.client_id == client_id; };
    std::erase_if(waiting_, is_client);
    std::erase_if(releasing_, is_client);
    postponed_.store(static_cast<std::int64_t>(waiting_.size()), std::memory_order_relaxed);
    if (resuming_ != client_id) return;
    resuming_ = 0;
  }
  resume_next();
}

void PauseState::release() {
  std::deque<Postponed> released;
  {
    std::lock_guard lock(mutex_);
    released.swap(waiting_);
    postponed_.store(0, std::memory_order_relaxed);
  }
  for (auto& p : released) p.released();
  {
    std::lock_guard lock(mutex_);
    for (auto& p : released) releasing_.push_back(std::move(p));
  }
  resume_next();
}

void PauseState::resumed(std::uint64_t client_id) {
  {
    std::lock_guard lock(mutex_);
    if (resuming_ != client_id) return;
    resuming_ = 0;
  }
  resume_next();
}

void PauseState::resume_next() {
  std::function<void()> resume;
  {
    std::lock_guard lock(mutex_);
    if (resuming_ != 0 || releasing_.empty()) return;
    resuming_ = releasing_.front().client_id;
    resume = std::move(releasing_.front().resume);
    releasing_.pop_front();
  }
  resume();
}

}  // namespace larder::commands
