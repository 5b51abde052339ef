#pragma once
// A point-in-time RDB snapshot of a keyspace taken while it keeps changing,
// without fork and without copying the dataset (Dragonfly's versioned
// snapshots, kept per entry): begin() flips the keyspace's snapshot mark
// with every shard locked, so every entry then present is "not saved yet".
// step() walks the tables shard by shard, saving such entries and marking
// them; whoever is about to change or delete one first hands it to
// preserve() (Keyspace::before_change), which saves it as it still is.
// Entries created after begin() carry the new mark and are never saved. So
// every key is saved exactly once, with its value and TTL as at begin(), and
// the access figure (idle time or LFU counter) it has when it is saved.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <span>
#include <vector>

#include "larder/persistence/rdb_writer.h"
#include "larder/storage/keyspace.h"

namespace larder::persistence {

class Snapshot final : public storage::SnapshotHook {
 public:
  // `sink` gets the file's bytes in order, on whichever thread saves an
  // entry, under the snapshot's own mutex. `now_ms`: keys expired by then
  // are left out.
  Snapshot(storage::Keyspace& keyspace, Sink sink, WriterOptions options, std::int64_t now_ms);

  // Writes the header and the function libraries' `codes`, and installs the
  // hook. The caller holds every shard's lock (or is the thread of a
  // single-owner keyspace).
  void begin(std::span<const AuxField> aux, std::span<const std::string> codes);
  // Walks tables for about `budget`, taking each shard's lock while it walks
  // it when `lock_shards` (false: the caller holds them all). True once
  // every table has been walked.
  bool step(std::chrono::steady_clock::duration budget, bool lock_shards);
  // Removes the hook; locked as begin(). Call after the last step (or to
  // abandon the snapshot), before end().
  void detach() { keyspace_.end_snapshot(); }
  // Writes EOF and the checksum.
  void end();

  std::uint64_t keys_saved() const { return keys_saved_.load(std::memory_order_relaxed); }
  std::uint64_t keys_total() const { return keys_total_; }

  void preserve(int db, const storage::Entry& e) override;

 private:
  void save(int db, const storage::Entry& e);  // mutex_ held

  storage::Keyspace& keyspace_;
  const std::int64_t now_ms_;
  // The IDLE or FREQ figure written before each key (options.access).
  const AccessSaved access_saved_;
  const int lfu_decay_time_;
  std::mutex mutex_;  // guards writer_ and current_db_
  RdbWriter writer_;
  int current_db_ = -1;
  // Keys and keys with a TTL per database at begin() (RESIZEDB hints).
  std::vector<std::pair<std::size_t, std::size_t>> sizes_;
  std::uint64_t keys_total_ = 0;
  std::atomic<std::uint64_t> keys_saved_{0};
  // The walk: database, then shard, then the table's scan cursor.
  int db_ = 0;
  std::size_t shard_ = 0;
  std::uint64_t cursor_ = 0;
};

}  // namespace larder::persistence
