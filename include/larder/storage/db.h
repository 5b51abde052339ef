#pragma once
// One database as a command sees it: lookups with lazy expiry and hit/miss
// statistics in one place, writes, expiry changes and whole-database walks.
//
// Contract: the caller holds the lock of every shard it reaches through this
// view (the dispatcher takes them from the command table's key spec), and `now`
// is the command's single time reading (unix ms).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "larder/storage/entry.h"
#include "larder/storage/keyspace.h"

namespace larder::storage {

class Db {
 public:
  Db(Keyspace& keyspace, int index, std::int64_t now_ms)
      : keyspace_(keyspace), index_(index), now_(now_ms) {}

  int index() const { return index_; }
  std::int64_t now() const { return now_; }
  // Reads leave the access stamp alone (CLIENT NO-TOUCH).
  void set_no_touch(bool no_touch) { touch_access_ = !no_touch; }

  // The LRU clock stored in entries: unix seconds modulo 2^24, as Redis's.
  static std::uint32_t access_clock(std::int64_t now_ms) {
    return static_cast<std::uint32_t>(now_ms / 1000) & kAccessClockMax;
  }
  static constexpr std::uint32_t kAccessClockMax = (1u << 24) - 1;
  // Seconds since the entry was last accessed, as OBJECT IDLETIME reports.
  static std::int64_t idle_seconds(const Entry& e, std::int64_t now_ms);

  // Live entry or nullptr; an expired entry is deleted on the way.
  // find_for_read counts a keyspace hit or miss; find_for_write does not.
  const Entry* find_for_read(std::string_view key);
  const Entry* find_for_write(std::string_view key);

  // Stores `value` under `key`; expire_at_ms is absolute or kNoExpire.
  // With keep_ttl the existing expiry (if any) is kept instead.
  void set(std::string_view key, std::string_view value, std::int64_t expire_at_ms,
           bool keep_ttl = false);
  // Deletes a live key; false when it did not exist (or had expired).
  bool erase(std::string_view key);
  // Sets or clears (kNoExpire) the expiry of an existing key; false if absent.
  bool set_expire(std::string_view key, std::int64_t expire_at_ms);

  // RENAME / RENAMENX within this database. Moves the live entry `from` to
  // `to` with its value and expiry (fresh access stamp, as Redis's lookup
  // touches it), replacing a live `to` unless `nx`. from == to changes nothing:
  // kRenamed, or kTargetExists with nx. Touches both keys when it renames.
  enum class RenameResult { kNoSuchKey, kTargetExists, kRenamed };
  RenameResult rename(std::string_view from, std::string_view to, bool nx);

  // COPY: stores a copy of the live `from` (value and expiry, fresh access
  // stamp) as `to` in database `to_db`, replacing a live `to` only when
  // `replace`. `from` is looked up like a read (hit/miss counted, access
  // stamp updated unless no-touch). The caller rejects from == to within one
  // database; to_db must be a valid index. Touches `to` when it copies.
  enum class CopyResult { kNoSuchKey, kTargetExists, kCopied };
  CopyResult copy(std::string_view from, std::string_view to, int to_db, bool replace);

  // MOVE: moves the live `key` (value and expiry) to database `to_db` unless
  // `key` is live there already (kTargetExists, nothing changes; also when
  // to_db is this database). Touches the key in both databases when it moves.
  enum class MoveResult { kNoSuchKey, kTargetExists, kMoved };
  MoveResult move(std::string_view key, int to_db);

  // WATCH: `flag` is set when `key` is next modified (expiry included).
  void watch(std::string_view key, const std::shared_ptr<WatchFlag>& flag);
  void unwatch(std::string_view key, const WatchFlag* flag);

  // Whole-database operations; the caller holds every shard's lock.
  std::size_t size();
  void flush();
  // RANDOMKEY: a random live key, or nullopt when the database holds none.
  // Expired entries met on the way are deleted (counted as expired keys).
  std::optional<std::string> random_key();

  // One SCAN step. Appends the live keys of the buckets it visits to `out`
  // and returns the next cursor; 0 ends a full iteration (start with 0).
  // The cursor is (table_cursor << kShardBits) | shard: shards are walked in
  // order, each table with its reverse-binary cursor (Table::scan), so a key
  // live for the whole iteration is returned at least once however tables
  // grow or shrink between calls (keys never change shard). A key may be
  // returned more than once. Stops once `out` grew by `count` keys or after
  // count*10 non-empty buckets; empty tables are skipped for free. Expired
  // entries visited are deleted (counted as expired keys), never returned.
  // Any 64-bit value is accepted as a cursor.
  // The keys are views into their entries: valid until the database changes.
  // `bucket_budget`, when given, replaces the count*10 bound and is spent
  // across calls (a walk made of several scans).
  std::uint64_t scan(std::uint64_t cursor, std::uint64_t count, std::vector<std::string_view>& out,
                     std::uint64_t* bucket_budget = nullptr);

 private:
  Entry* find_live(std::string_view key, std::uint64_t hash, Shard& shard);
  // Records a read of `e` for the eviction policy in force.
  void note_access(Entry& e);
  // Access stamp of a block that is new or rewritten in place; `replaced` is
  // the block it replaces (the same block when rewritten), or nullptr.
  void stamp_new(Entry& fresh, Shard& shard, const Entry* replaced);
  // True (after counting it and notifying watchers) when `e` has expired;
  // the caller then deletes it.
  bool expiring(Shard& shard, const Entry& e);

  Keyspace& keyspace_;
  int index_;
  std::int64_t now_;
  bool touch_access_ = true;
};

}  // namespace larder::storage
