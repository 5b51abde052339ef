#pragma once
// CLIENT PAUSE: until a deadline, commands of other clients wait (all of them,
// or only those that may write). Read on every command from any thread.

#include <atomic>
#include <cstdint>

namespace larder::commands {

class PauseState {
 public:
  enum Mode : int { kNone = 0, kWrite = 1, kAll = 2 };

  void pause(std::int64_t until_ms, Mode mode) {
    until_ms_.store(until_ms, std::memory_order_relaxed);
    mode_.store(mode, std::memory_order_release);
  }
  void unpause() { mode_.store(kNone, std::memory_order_release); }

  // The mode in force at `now_ms` (kNone once the deadline has passed).
  Mode mode(std::int64_t now_ms) const {
    Mode m = static_cast<Mode>(mode_.load(std::memory_order_acquire));
    if (m != kNone && now_ms >= until_ms_.load(std::memory_order_relaxed)) return kNone;
    return m;
  }
  std::int64_t until_ms() const { return until_ms_.load(std::memory_order_relaxed); }

  // Clients whose command waits for the pause to end (INFO blocked_clients).
  void postponed_changed(int delta) { postponed_.fetch_add(delta, std::memory_order_relaxed); }
  std::int64_t postponed() const { return postponed_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int> mode_{kNone};
  std::atomic<std::int64_t> until_ms_{0};
  std::atomic<std::int64_t> postponed_{0};
};

}  // namespace larder::commands
