#pragma once
// maxmemory eviction. Chooses victims by sampling, like Redis: a few random
// entries per database are scored by the policy and the best candidates kept
// in a small pool across calls; the best is deleted, then the next, until the
// keyspace is under its limit or the step's time is up.
//
// allkeys-tinylfu / volatile-tinylfu run W-TinyLFU over sampled keys (see
// tinylfu.h): a new key waits in the admission window; when the window holds
// more than its share of the keys (window_target()), its oldest key leaves
// it and meets a victim sampled from the main area (the lowest sketch
// count, then the longest idle): the one with the higher count stays, and
// the contest goes to the ContestLog that tunes the sketch's reset period.
// A key in the window is never sampled, so a key just written is there to
// be read back. A window over its target by more than the key just written
// (it grew while the cache was not full) hands one key per eviction to the
// main area without a contest.
//
// Thread-safe: any event loop may call evict(); calls are serialised, and
// each locks one shard at a time, so the caller must hold no shard lock.
// With a single-owner keyspace only the owner's thread may call it.

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "larder/storage/keyspace.h"

namespace larder::storage {

enum class EvictionPolicy {
  kNoEviction,
  kAllKeysLru,
  kAllKeysLfu,
  kAllKeysRandom,
  kAllKeysSieve,
  kAllKeysTinyLfu,
  kVolatileLru,
  kVolatileLfu,
  kVolatileRandom,
  kVolatileTtl,
  kVolatileTinyLfu,
};

std::optional<EvictionPolicy> parse_eviction_policy(std::string_view name);
// The access stamps a policy needs (LRU clock, LFU counter, SIEVE order,
// TinyLFU's clock, sketch and window).
AccessMode access_mode_for(EvictionPolicy policy);

struct EvictionSettings {
  EvictionPolicy policy = EvictionPolicy::kNoEviction;
  int samples = 5;          // maxmemory-samples
  int lfu_decay_time = 1;   // minutes
};

struct EvictionResult {
  std::size_t evicted = 0;
  bool under_limit = false;  // memory is at or below the target now
  bool exhausted = false;    // it stopped over the target: nothing left the policy may evict
  // Another thread was evicting, and memory was within defer_slack() of
  // the target: this call left the evicting to it.
  bool deferred = false;
};

// Time spent over maxmemory with eviction behind (Redis's total_ and
// current_eviction_exceeded_time): a period opens when a call that should
// make room leaves memory over the limit (nothing the policy may evict, its
// budget ran out, or noeviction) and closes at the first call that finds
// memory within it. Times are util::steady_us() readings. Any thread.
class ExceededTime {
 public:
  // A period is open: callers read the clock for within() only then.
  bool open() const { return since_.load(std::memory_order_relaxed) != 0; }
  void over(std::int64_t now_us) {
    std::int64_t none = 0;
    since_.compare_exchange_strong(none, now_us, std::memory_order_relaxed);
  }
  void within(std::int64_t now_us) {
    if (const std::int64_t since = since_.exchange(0, std::memory_order_relaxed); since != 0) {
      closed_.fetch_add(std::max<std::int64_t>(now_us - since, 0), std::memory_order_relaxed);
    }
  }
  // The open period's length so far, 0 when none is open.
  std::int64_t current_us(std::int64_t now_us) const {
    const std::int64_t since = since_.load(std::memory_order_relaxed);
    return since == 0 ? 0 : std::max<std::int64_t>(now_us - since, 0);
  }
  // Every period's length, the open one's so far included.
  std::int64_t total_us(std::int64_t now_us) const {
    return closed_.load(std::memory_order_relaxed) + current_us(now_us);
  }
  // CONFIG RESETSTAT: as Redis, an open period is dropped, not closed.
  void reset() {
    since_.store(0, std::memory_order_relaxed);
    closed_.store(0, std::memory_order_relaxed);
  }

 private:
  std::atomic<std::int64_t> since_{0};  // 0: no period open
  std::atomic<std::int64_t> closed_{0};
};

class Evictor {
 public:
  explicit Evictor(Keyspace& keyspace);

  // Deletes keys until `used()` <= target_bytes or the budget runs out.
  // `used` reads the memory figure that is compared with the target. Calls
  // are serialised by mutex_, or by the keyspace's single owner. A call that
  // finds another thread evicting returns at once (deferred) while memory
  // is within defer_slack() of the target: that thread evicts until memory is
  // back under it, for every thread's writes. Waiting would put the event
  // loops in turn to sleep on mutex_ (with two loops evicting on nearly
  // every write, futex waits and wakes took a fifth of their CPU). Past the
  // slack it waits, so writes racing with an eviction stay bounded.
  template <class Used>
  EvictionResult evict(std::int64_t now_ms, std::size_t target_bytes, const EvictionSettings& settings,
                       std::chrono::steady_clock::duration budget, Used&& used);

  // How far past the target a deferred call lets memory be: 1/256 of the
  // target, at least 64 KiB, but at most 1/8 of it. A deferred command runs
  // while the other thread is still evicting; with a slack as large as the
  // data (a limit of a few KiB) it would see keys that Redis evicts before
  // running it.
  static std::size_t defer_slack(std::size_t target_bytes) {
    return std::min(std::max<std::size_t>(target_bytes / 256, kMinDeferSlack), target_bytes / 8);
  }

 private:
  struct Candidate {
    std::uint64_t score;  // higher = better victim
    int db;
    std::string key;
    // The block it was sampled from: a repeat sample is recognised without
    // comparing keys (a reused address only costs one skipped sample).
    const Entry* entry = nullptr;
  };
  static constexpr std::size_t kPoolSize = 16;
  static constexpr std::size_t kMinDeferSlack = 64 * 1024;
  // TinyLFU's window: kWindowScale / (the sketch's reset period) percent of
  // the keys, at most kMaxWindowPercent; at least kMinWindow and at most
  // AdmissionWindow::kCapacity keys. The contest log
  // shortens the period when popularity moves, so the window grows then
  // (recency helps) and shrinks while counts hold (period 60: 3%, 30 at
  // first: 7%, 6: 33%). bench/hitratio.py against a fixed 20%: steady
  // +0.3/+0.4, scans +0.2/+0.4, shifting +0.1/+0.2 points (1M/3M); a scale
  // of 100 or 300, or a cap of 10-15%, lost 0.5-0.9 on shifting.
  static constexpr std::size_t kWindowScale = 200;
  static constexpr std::size_t kMaxWindowPercent = 35;
  static constexpr std::size_t kMinWindow = 16;
  // The largest target leaves the window's FIFO room for the key just
  // written, so keys keep flowing through it (at the FIFO's capacity they
  // would stay in the window for good, and new keys would skip it).
  static constexpr std::size_t kMaxWindow = AdmissionWindow::kCapacity - 1;
  enum class Area { kAny, kWindow, kMain };

  // Deletes one victim; false when there is nothing the policy may evict.
  bool evict_one(std::int64_t now_ms, const EvictionSettings& settings);
  bool evict_random(std::int64_t now_ms, bool volatile_only);
  bool evict_sieve(std::int64_t now_ms, const EvictionSettings& settings);
  bool evict_tinylfu(std::int64_t now_ms, const EvictionSettings& settings);
  struct MainVictim {
    std::uint64_t score;  // bits 24-27: 15 - its sketch count; 0-23: idle time
    int db;
    std::uint64_t hash;  // Table::hash_of(key)
    std::string key;
  };
  // Sets victim_ to the best main-area victim of a sample: fewest sketch
  // counts, then longest idle; false when none was found.
  bool main_victim(std::int64_t now_ms, const EvictionSettings& settings);
  std::size_t window_target();
  void fill_pool(std::int64_t now_ms, const EvictionSettings& settings);
  // `hash` is Table::hash_of(key).
  bool delete_key(int db, const std::string& key, std::uint64_t hash, bool volatile_only, std::int64_t now_ms,
                  Area area = Area::kAny);
  std::size_t random_shard();
  // Where a sampled policy's next sample starts (fill_pool, main_victim):
  // a shard, and a bucket of its database 0. With a single owner the starts
  // are drawn kLookahead evictions ahead and their data fetched one step per
  // eviction (the shard, whose first line holds database 0's table; the
  // bucket slots; the chains' heads), so
  // that a sample does not wait on those misses one after another.
  struct SampleStart {
    std::size_t shard;
    std::uint64_t bucket;
  };
  SampleStart next_sample_start();

  Keyspace& keyspace_;
  std::mutex mutex_;
  std::vector<Candidate> pool_;  // best last
  MainVictim victim_{};          // main_victim()'s; its key's buffer is reused
  struct Sampled {
    const Entry* entry;
    std::uint64_t hash;
  };
  std::vector<Sampled> sampled_;  // main_victim()'s sample of one table, reused
  static constexpr std::size_t kLookahead = 3;
  std::array<SampleStart, kLookahead> ahead_{};  // ahead_[i]: i + 1 evictions from now
  bool ahead_drawn_ = false;
  std::mt19937_64 rng_;
  std::size_t total_keys_ = 0;    // recounted every kRecountEvery TinyLFU evictions
  std::size_t until_recount_ = 0;
  static constexpr std::size_t kRecountEvery = 1024;
};

template <class Used>
EvictionResult Evictor::evict(std::int64_t now_ms, std::size_t target_bytes,
                              const EvictionSettings& settings,
                              std::chrono::steady_clock::duration budget, Used&& used) {
  EvictionResult result;
  if (settings.policy == EvictionPolicy::kNoEviction) {
    result.under_limit = used() <= target_bytes;
    return result;
  }
  std::unique_lock<std::mutex> lock;
  if (!keyspace_.single_owner()) {
    lock = std::unique_lock(mutex_, std::try_to_lock);
    if (!lock.owns_lock()) {
      if (used() <= target_bytes + defer_slack(target_bytes)) {
        result.deferred = true;
        return result;
      }
      lock.lock();
    }
  }
  // The clock is read every 16 evictions, so the budget runs from the 16th:
  // the usual call (one eviction per write) never reads it.
  std::optional<std::chrono::steady_clock::time_point> deadline;
  while (used() > target_bytes) {
    if (!evict_one(now_ms, settings)) {
      result.exhausted = true;
      return result;
    }
    ++result.evicted;
    if ((result.evicted & 15) != 0) continue;
    const auto now = std::chrono::steady_clock::now();
    if (!deadline) {
      deadline = now + budget;
    } else if (now >= *deadline) {
      return result;
    }
  }
  result.under_limit = true;
  return result;
}

}  // namespace larder::storage
