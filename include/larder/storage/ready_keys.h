#pragma once
// Keys that clients blocked on them may now be served from (Redis's
// ready_keys). The keyspace signals a key when a value of a type that
// clients block on (list, sorted set, stream) is created under it (and a
// stream when it changes or goes, see Db::removed); the dispatcher
// that ran the command then serves the key's blocked clients once it has
// released its shard locks (BlockingRegistry::serve_ready).
//
// Thread-safe. While no client is blocked, signal() costs one relaxed load.

#include <atomic>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace larder::storage {

struct ReadyKey {
  int db;
  std::string key;
};

class ReadyKeys {
 public:
  // Clients blocked on keys, kept by the blocking registry.
  void add_waiter() { waiters_.fetch_add(1, std::memory_order_relaxed); }
  void remove_waiter() { waiters_.fetch_sub(1, std::memory_order_relaxed); }
  std::size_t waiters() const { return waiters_.load(std::memory_order_relaxed); }

  // Called under the key's shard lock when a blockable value is created.
  void signal(int db, std::string_view key) {
    if (waiters() == 0) return;
    std::lock_guard lock(mutex_);
    keys_.push_back({db, std::string(key)});
    pending_.store(true, std::memory_order_release);
  }
  bool pending() const { return pending_.load(std::memory_order_acquire); }
  // Every key signalled since the last take, in order (duplicates kept).
  std::vector<ReadyKey> take() {
    std::lock_guard lock(mutex_);
    pending_.store(false, std::memory_order_relaxed);
    return std::exchange(keys_, {});
  }

 private:
  std::atomic<std::size_t> waiters_{0};
  std::atomic<bool> pending_{false};
  std::mutex mutex_;
  std::vector<ReadyKey> keys_;
};

}  // namespace larder::storage
