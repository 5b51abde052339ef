#pragma once
// CLIENT PAUSE: until a deadline, commands of other clients wait (all of them,
// or only those that may write). Read on every command from any thread.
//
// Clients whose command waits are kept in arrival order, let go together when
// the pause ends and run first come first served, as Redis's postponed
// clients.

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>

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

  // Client `client_id`'s command waits for the pause to end. When the pause
  // ends, `released` is called at once and `resume` in its turn (each once,
  // from whichever thread releases). Any thread.
  void postpone(std::uint64_t client_id, std::function<void()> released, std::function<void()> resume);
  // The client left: it is not resumed (and, if it was being resumed, the
  // next one is).
  void forget(std::uint64_t client_id);
  // The pause is over: every waiting client is released (no longer counted,
  // `released`), then they are resumed one at a time in the order they were
  // postponed, each after the one before has run its command (resumed()),
  // whatever loop each lives on.
  void release();
  // The client resumed last has run its held command (or held it again).
  void resumed(std::uint64_t client_id);
  // Clients whose command waits (INFO blocked_clients).
  std::int64_t postponed() const { return postponed_.load(std::memory_order_relaxed); }

 private:
  struct Postponed {
    std::uint64_t client_id;
    std::function<void()> released;
    std::function<void()> resume;
  };
  // Resumes the first released client unless one is being resumed.
  void resume_next();

  std::atomic<int> mode_{kNone};
  std::atomic<std::int64_t> until_ms_{0};
  std::mutex mutex_;
  std::deque<Postponed> waiting_;    // postponed, arrival order
  std::deque<Postponed> releasing_;  // released, to resume in this order
  std::uint64_t resuming_ = 0;       // the client being resumed; 0: none
  std::atomic<std::int64_t> postponed_{0};  // waiting_.size()
};

}  // namespace larder::commands
