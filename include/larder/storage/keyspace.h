#pragma once
// Every key of every database, split over a fixed number of shards by key hash.
// The keyspace itself is immutable after construction; shards carry their own
// locks. The top bits of a key's hash pick its shard, the low bits its bucket.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "larder/storage/access_policy.h"
#include "larder/storage/background_free.h"
#include "larder/storage/key_events.h"
#include "larder/storage/ready_keys.h"
#include "larder/storage/shard.h"

namespace larder::storage {

inline constexpr unsigned kShardBits = 8;
inline constexpr std::size_t kShardCount = std::size_t{1} << kShardBits;

// Receives entries a point-in-time snapshot has not saved yet, just before
// they change or go (see Keyspace::before_change). Called under the entry's
// shard lock, from any thread.
class SnapshotHook {
 public:
  virtual ~SnapshotHook() = default;
  virtual void preserve(int db, const Entry& e) = 0;
};

class Keyspace {
 public:
  explicit Keyspace(int databases);

  int databases() const { return databases_; }
  Shard& shard(std::size_t index) { return *shards_[index]; }
  static std::size_t shard_index(std::uint64_t hash) { return hash >> (64 - kShardBits); }
  static std::size_t shard_index(std::string_view key) { return shard_index(Table::hash_of(key)); }

  // Sums of every shard's statistics; takes each shard's lock in turn.
  ShardStats stats();
  // Keys modified since start (every shard's Shard::changes), locked likewise
  // unless `lock` is false (the caller holds every shard's lock).
  std::uint64_t changes(bool lock = true);

  // Running estimate of the TTL left on keys that have one (INFO keyspace
  // avg_ttl), fed by the expiry sweeper's samples; any thread may read it.
  std::int64_t avg_ttl(int db) const { return avg_ttl_[db].load(std::memory_order_relaxed); }
  void sample_ttl(int db, std::int64_t sample_avg_ms);
  // A flushed database starts its estimate again; SWAPDB swaps them (Redis's
  // emptyDbStructure and dbSwapDatabases).
  void reset_avg_ttl(int db) { avg_ttl_[db].store(0, std::memory_order_relaxed); }
  void swap_avg_ttl(int a, int b) {
    const std::int64_t t = avg_ttl_[a].load(std::memory_order_relaxed);
    avg_ttl_[a].store(avg_ttl_[b].load(std::memory_order_relaxed), std::memory_order_relaxed);
    avg_ttl_[b].store(t, std::memory_order_relaxed);
  }

  // How reads and writes stamp entries for the eviction policy.
  AccessPolicy& access_policy() { return access_policy_; }
  const AccessPolicy& access_policy() const { return access_policy_; }

  // True when one thread (the only event loop) owns every shard: commands
  // then skip the shard mutexes, and pipelined keys may be prefetched. Set
  // before the loops start; never changes while they run.
  bool single_owner() const { return single_owner_; }
  void set_single_owner(bool single) {
    single_owner_ = single;
    admission_window_.set_shared(!single);
  }
  // The shard's mutex, locked, for work beside the dispatcher (eviction, the
  // expiry sweeper, CLIENT TRACKING's table limit); an empty lock when the
  // keyspace has a single owner, whose thread is then the caller.
  std::unique_lock<Shard::Mutex> lock_shard(Shard& shard) const {
    if (single_owner_) return {};
    return std::unique_lock(shard.mutex());
  }

  // Cache hints for an upcoming lookup of `key` in `db`; single owner only
  // (they read tables without their locks). prefetch_shard() fetches the
  // fields of the key's shard that serving it reads and returns its hash;
  // stage 0 its table and prefix counts, stage 1 the bucket, stages 2 and 3
  // the first two entries of its chain. Issue each stage for a whole batch
  // of keys before the next.
  std::uint64_t prefetch_shard(std::string_view key) {
    const std::uint64_t hash = Table::hash_of(key);
    shard(shard_index(hash)).prefetch_fields();
    return hash;
  }
  // Under kTinyLfu stage 2 also fetches the key's sketch counters and its
  // contest log slot, which the access counts.
  void prefetch_chain(int db, std::uint64_t hash, int stage) {
    Shard& owner = shard(shard_index(hash));
    if (stage == 0) {
      owner.prefetch_table(db);
      return;
    }
    const Table* table = owner.find_table(db);
    if (table == nullptr) return;
    if (stage == 1) {
      table->prefetch_bucket(hash);
    } else if (stage == 2) {
      table->prefetch_head(hash);
      if (access_policy().current() == AccessMode::kTinyLfu) {
        owner.sketch().prefetch(hash);
        contest_log_.prefetch(hash);
      }
    } else {
      table->prefetch_second(hash);
    }
  }

  // Point-in-time snapshots (persistence/snapshot.h). New and rewritten
  // entries get the current mark (Db stamps them); a snapshot starts by
  // flipping it with every shard locked, which makes every existing entry
  // "not saved yet", and installs its hook. Until it removes the hook (again
  // with every shard locked), whoever is about to change or delete a live
  // entry calls before_change() first, under the entry's shard lock.
  bool snapshot_mark() const { return snapshot_mark_.load(std::memory_order_relaxed); }
  void begin_snapshot(SnapshotHook* hook) {
    snapshot_mark_.store(!snapshot_mark(), std::memory_order_relaxed);
    snapshot_hook_.store(hook, std::memory_order_release);
  }
  void end_snapshot() { snapshot_hook_.store(nullptr, std::memory_order_release); }
  void before_change(int db, Entry& e) {
    SnapshotHook* hook = snapshot_hook_.load(std::memory_order_acquire);
    if (hook != nullptr && e.snapshot_mark() != snapshot_mark()) {
      hook->preserve(db, e);
      e.set_snapshot_mark(snapshot_mark());
    }
  }
  // Saves every entry of `db` not saved yet (before FLUSHDB or SWAPDB move
  // whole tables); the caller holds every shard's lock.
  void preserve_db(int db);

  // Taken by scripts before their shards (see ShardLocks); --threads N only.
  std::mutex& script_mutex() { return script_mutex_; }


  // Tells `observer` of every key modification (see KeyObserver); set
  // before serving.
  void set_key_observer(KeyObserver* observer) {
    for (auto& s : shards_) s->set_observer(observer);
  }
  // TinyLFU's window of recently written keys (tinylfu.h).
  AdmissionWindow& admission_window() { return admission_window_; }
  ContestLog& contest_log() { return contest_log_; }

  // Keys whose blocked clients may now be served.
  ReadyKeys& ready_keys() { return ready_keys_; }

  // Keys created, expired, evicted or missed, for keyspace notifications.
  KeyEvents& key_events() { return key_events_; }
  const KeyEvents& key_events() const { return key_events_; }

  // Where flushed tables go to be freed off the event loops.
  BackgroundFree& background_free() { return background_free_; }

 private:
  int databases_;
  bool single_owner_ = false;
  std::mutex script_mutex_;
  std::atomic<bool> snapshot_mark_{false};
  std::atomic<SnapshotHook*> snapshot_hook_{nullptr};
  std::unique_ptr<std::atomic<std::int64_t>[]> avg_ttl_;
  AccessPolicy access_policy_;
  AdmissionWindow admission_window_;
  ContestLog contest_log_;
  ReadyKeys ready_keys_;
  KeyEvents key_events_;
  std::vector<std::unique_ptr<Shard>> shards_;
  BackgroundFree background_free_;  // declared last: destroyed first
};

}  // namespace larder::storage
