#pragma once
// A shard owns one Table per database for the keys whose hash routes to it,
// its statistics, and the WATCH registrations of those keys. Its mutex guards
// all of it: whoever touches a shard's tables, stats or watches holds `mutex`
// (see ShardLocks for the lock order).

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "larder/storage/table.h"

namespace larder::storage {

struct ShardStats {
  std::uint64_t keyspace_hits = 0;
  std::uint64_t keyspace_misses = 0;
  std::uint64_t expired_keys = 0;
};

// Set when a key a client WATCHes is modified; the client checks it at EXEC.
// Shared by the client and every shard it watches keys in, on any thread.
struct WatchFlag {
  std::atomic<bool> dirty{false};
};

class Shard {
 public:
  explicit Shard(int databases) : tables_(databases) {}

  std::mutex& mutex() { return mutex_; }
  Table& table(int db) { return tables_[db]; }
  ShardStats& stats() { return stats_; }

  // WATCH registry. touch() marks every watcher of the key dirty; it is called
  // for every modification of a key, and costs nothing while nobody watches.
  void watch(int db, std::string_view key, const std::shared_ptr<WatchFlag>& flag);
  void unwatch(int db, std::string_view key, const WatchFlag* flag);
  void touch(int db, std::string_view key) {
    if (!watches_.empty()) touch_slow(db, key);
  }
  // Marks watchers of every key of `db` that currently has an entry.
  void touch_all(int db);
  // SWAPDB: exchanges the tables of two databases (watchers of both notified).
  void swap_tables(int a, int b) {
    touch_all(a);
    touch_all(b);
    std::swap(tables_[a], tables_[b]);
    touch_all(a);
    touch_all(b);
  }

 private:
  static std::string watch_key(int db, std::string_view key);
  void touch_slow(int db, std::string_view key);

  std::mutex mutex_;
  std::vector<Table> tables_;
  ShardStats stats_;
  std::unordered_map<std::string, std::vector<std::shared_ptr<WatchFlag>>> watches_;
};

}  // namespace larder::storage
