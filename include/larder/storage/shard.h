#pragma once
// A shard owns one Table per database for the keys whose hash routes to it,
// its statistics, and the WATCH registrations of those keys. Its mutex guards
// all of it: whoever touches a shard's tables, stats or watches holds `mutex`
// (see ShardLocks for the lock order). Database 0's table lives in the shard;
// the other databases' tables are allocated together the first time one of
// them is asked for, so a server that uses only database 0 never pays for
// them (256 shards x 15 tables).

#include <atomic>
#include <cstdint>
#include <memory>
#include <cstring>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "larder/storage/table.h"
#include "larder/storage/tinylfu.h"
#include "larder/util/prefetch.h"
#include "larder/util/siphash.h"

namespace larder::storage {

struct ShardStats {
  std::uint64_t keyspace_hits = 0;
  std::uint64_t keyspace_misses = 0;
  std::uint64_t expired_keys = 0;
  std::uint64_t evicted_keys = 0;
  // TinyLFU (Larder's INFO fields): evicted_keys split by area, and what
  // became of the keys leaving the admission window.
  std::uint64_t evicted_window_keys = 0;
  std::uint64_t evicted_main_keys = 0;
  std::uint64_t window_promoted_keys = 0;
  std::uint64_t window_rejected_keys = 0;

  void add(const ShardStats& o) {
    keyspace_hits += o.keyspace_hits;
    keyspace_misses += o.keyspace_misses;
    expired_keys += o.expired_keys;
    evicted_keys += o.evicted_keys;
    evicted_window_keys += o.evicted_window_keys;
    evicted_main_keys += o.evicted_main_keys;
    window_promoted_keys += o.window_promoted_keys;
    window_rejected_keys += o.window_rejected_keys;
  }
};

// Read hits and misses by key prefix (the text before the first ':'), for
// the INFO section no other server has. Bounded: past kMaxPrefixes distinct
// prefixes per shard, new ones are counted under kOtherPrefix.
class PrefixStats {
 public:
  static constexpr std::size_t kMaxPrefixes = 64;
  static constexpr std::string_view kOtherPrefix = "(other)";
  struct Counts {
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;
  };

  void record(std::string_view key, bool hit) {
    Counts* counts = last_counts_;
    const std::size_t n = last_prefix_.size();
    // Fast path: the key starts with the last prefix seen and a ':' (the
    // stored prefix has no ':', so that one is the key's first).
    if (counts == nullptr || n == 0 || key.size() <= n || key[n] != ':' ||
        std::memcmp(key.data(), last_prefix_.data(), n) != 0) {
      counts = &lookup(key);
    }
    ++(hit ? counts->hits : counts->misses);
  }
  void prefetch_counts() const {
    if (last_counts_ != nullptr) util::prefetch_write(last_counts_);
  }
  template <class Visit>
  void for_each(Visit&& visit) const {
    for (const auto& [prefix, c] : counts_) visit(prefix, c);
  }
  void clear() {
    counts_.clear();
    last_counts_ = nullptr;
    last_prefix_.clear();
  }

 private:
  Counts& lookup(std::string_view key) {
    std::string_view prefix = key.substr(0, key.find(':'));
    if (prefix.size() == key.size()) prefix = {};  // no ':' at all
    auto it = counts_.find(prefix);
    if (it == counts_.end()) {
      if (counts_.size() >= kMaxPrefixes) prefix = kOtherPrefix;
      it = counts_.try_emplace(std::string(prefix)).first;
    }
    // Only a real prefix is remembered: "(other)" and "" must be looked up.
    if (it->first == prefix && !prefix.empty() && prefix != kOtherPrefix) {
      last_prefix_.assign(prefix);
      last_counts_ = &it->second;
    }
    return it->second;
  }

  std::unordered_map<std::string, Counts, util::KeyedHash, std::equal_to<>> counts_;
  // The last prefix looked up, and its counts (map nodes do not move).
  std::string last_prefix_;
  Counts* last_counts_ = nullptr;
};

// Set when a key a client WATCHes is modified; the client checks it at EXEC.
// Shared by the client and every shard it watches keys in, on any thread.
struct WatchFlag {
  std::atomic<bool> dirty{false};
};

// Told of every modified key through WATCH's touch() once armed (for good, by
// the first CLIENT TRACKING ON). key_modified() runs on the modifying thread
// with the key's shard locked; until armed, touch() pays one relaxed load.
// (Client-side caching; see commands/tracking.h.)
class KeyObserver {
 public:
  virtual ~KeyObserver() = default;
  bool armed() const { return armed_.load(std::memory_order_relaxed); }
  virtual void key_modified(std::size_t shard, std::string_view key) = 0;

 protected:
  std::atomic<bool> armed_{false};
};

class Shard {
 public:
  Shard(int databases, std::size_t index) : databases_(databases), index_(index) {}
  ~Shard();
  Shard(const Shard&) = delete;
  Shard& operator=(const Shard&) = delete;

  std::size_t index() const { return index_; }
  // Set once, before serving (Keyspace::set_key_observer).
  void set_observer(KeyObserver* observer) { observer_ = observer; }

  // Recursive: a script past busy-reply-threshold holds every shard and
  // serves its loop's other clients from inside (BUSY replies, SCRIPT KILL,
  // disconnects), whose handlers lock shards again on the same thread.
  using Mutex = std::recursive_mutex;
  Mutex& mutex() { return mutex_; }
  // SIEVE insertion order: 24 bits, wrapping.
  std::uint32_t next_sequence() { return sequence_++ & 0xffffff; }
  std::uint32_t sequence() const { return sequence_ & 0xffffff; }
  // SIEVE's hand: the insertion sequence eviction resumes from.
  std::uint32_t sieve_hand() const { return sieve_hand_; }
  void set_sieve_hand(std::uint32_t seq) { sieve_hand_ = seq & 0xffffff; }
  // One slot per database, never moved: the reference (and the shrink pauses
  // held on it) stays valid for the shard's life while FLUSHDB and SWAPDB
  // move contents in and out. Asking for a database other than 0 allocates
  // the other databases' tables if they do not exist yet (counted in
  // used_memory): for code that uses that database.
  Table& table(int db) { return db == 0 ? table0_ : other_tables()[db - 1]; }
  // The table of `db`, or nullptr when the other databases' tables were never
  // allocated (then `db` holds no key): for walks over every database, reads
  // and hints, which must not allocate.
  Table* find_table(int db) {
    if (db == 0) return &table0_;
    Table* others = others_.load(std::memory_order_acquire);
    return others == nullptr ? nullptr : &others[db - 1];
  }
  const Table* find_table(int db) const { return const_cast<Shard*>(this)->find_table(db); }
  // Databases whose tables exist: every one once any database but 0 was
  // used, else 1. A walk over databases 0 .. table_count() - 1 finds every
  // key and allocates nothing.
  int table_count() const { return others_.load(std::memory_order_acquire) != nullptr ? databases_ : 1; }
  ShardStats& stats() { return stats_; }
  // Keys modified so far (touch() and count_change() calls): Redis's dirty
  // counter, never reset.
  std::uint64_t changes() const { return changes_; }
  // TinyLFU's access counts for this shard's keys.
  FrequencySketch& sketch() { return sketch_; }
  PrefixStats& prefix_stats() { return prefix_stats_; }
  // Cache hints for serving a key here: every field through the WATCH
  // registry (what a lookup and its counting read), then, once they
  // arrived, the database's table and the last prefix's counts.
  void prefetch_fields() const {
    const char* end = reinterpret_cast<const char*>(&watches_ + 1);
    for (const char* p = reinterpret_cast<const char*>(this); p < end; p += 64) util::prefetch_write(p);
  }
  void prefetch_table(int db) const {
    if (const Table* t = find_table(db); t != nullptr) util::prefetch_read(t);
    prefix_stats_.prefetch_counts();
  }

  // WATCH registry. touch() marks every watcher of the key dirty; it is called
  // for every modification of a key, and costs nothing while nobody watches.
  void watch(int db, std::string_view key, const std::shared_ptr<WatchFlag>& flag);
  void unwatch(int db, std::string_view key, const WatchFlag* flag);
  void touch(int db, std::string_view key) {
    ++changes_;
    if (!watches_.empty()) touch_slow(db, key);
    if (observer_ != nullptr && observer_->armed()) observer_->key_modified(index_, key);
  }
  // Changes nobody is told of: counted for save points only.
  void count_change(std::uint64_t n = 1) { changes_ += n; }
  // Marks watchers of every key of `db` that currently has an entry.
  void touch_all(int db);
  // SWAPDB: exchanges the tables of two databases (watchers of both notified).
  void swap_tables(int a, int b) {
    touch_all(a);
    touch_all(b);
    std::swap(table(a), table(b));
    touch_all(a);
    touch_all(b);
  }

 private:
  static std::string watch_key(int db, std::string_view key);
  void touch_slow(int db, std::string_view key);

  Table* other_tables() {
    Table* others = others_.load(std::memory_order_acquire);
    return others != nullptr ? others : allocate_other_tables();
  }
  Table* allocate_other_tables();

  Table table0_;                         // database 0, in the shard's first cache line
  std::atomic<Table*> others_{nullptr};  // databases 1.., or nullptr
  int databases_;
  Mutex mutex_;
  std::size_t index_;
  KeyObserver* observer_ = nullptr;
  ShardStats stats_;
  std::uint64_t changes_ = 0;
  FrequencySketch sketch_;
  PrefixStats prefix_stats_;
  std::uint32_t sequence_ = 0;
  std::uint32_t sieve_hand_ = 0;
  std::unordered_map<std::string, std::vector<std::shared_ptr<WatchFlag>>, util::KeyedHash, std::equal_to<>>
      watches_;
};

}  // namespace larder::storage
