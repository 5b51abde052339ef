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
#include "larder/storage/splice_buffer.h"
#include "larder/storage/value_type.h"

namespace larder::storage {

class Db {
 public:
  Db(Keyspace& keyspace, int index, std::int64_t now_ms)
      : keyspace_(keyspace), index_(index), now_(now_ms) {}

  int index() const { return index_; }
  std::int64_t now() const { return now_; }
  // Lookups leave the access stamp alone (CLIENT NO-TOUCH).
  void set_no_touch(bool no_touch) { touch_access_ = !no_touch; }
  // find_for_read's misses raise no keymiss event (Redis's LOOKUP_NONOTIFY).
  void set_no_miss_event() { miss_event_ = false; }

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
  // find_for_write that stamps the access unless no-touch, as Redis's
  // lookupKeyWrite: for a command's own lookup when its write may not follow
  // (EXPIRE refused by NX, SET NX on an existing key, RESTORE's BUSYKEY).
  const Entry* lookup_write(std::string_view key);

  // Typed reads, as Redis's lookupKeyRead + checkType: counts a hit or a
  // miss and stamps the access like find_for_read; `entry` is null when the
  // key is missing or holds another type (then `wrong_type`).
  struct Read {
    const Entry* entry = nullptr;
    bool wrong_type = false;
  };
  Read read(std::string_view key, ValueType type);
  // The same without statistics or access stamp (the source keys of a
  // write, as Redis's lookupKeyWrite).
  Read read_for_write(std::string_view key, ValueType type);

  class Writer;
  enum class Create { kNo, kYes };
  // Opens `key` for changes to its value of `type`: a Writer that is false
  // when the key is missing (and not created) or holds another type
  // (wrong_type()). With Create::kYes a missing key is created holding an
  // empty value of `type` (see Writer).
  Writer write(std::string_view key, ValueType type, Create create = Create::kNo);

  // Stores `value` under `key`; expire_at_ms is absolute or kNoExpire.
  // With keep_ttl the existing expiry (if any) is kept instead.
  void set(std::string_view key, std::string_view value, std::int64_t expire_at_ms,
           bool keep_ttl = false);
  // Sets the form of the live string at `key` (Entry::StringForm): kRaw as
  // Redis's dbUnshareStringValue or a string built byte by byte leaves it.
  // Not a change: nothing is signalled. A missing key or another type is
  // left alone.
  void set_string_form(std::string_view key, Entry::StringForm form);
  // Deletes a live key; false when it did not exist (or had expired).
  bool erase(std::string_view key);
  // Sets or clears (kNoExpire) the expiry of an existing key; false if absent.
  bool set_expire(std::string_view key, std::int64_t expire_at_ms);

  // RENAME / RENAMENX within this database. Moves the live entry `from` to
  // `to` with its value, expiry and LFU counter, replacing a live `to` unless
  // `nx`. Both lookups are accesses, as Redis's lookupKeyWrite. from == to
  // changes nothing: kRenamed, or kTargetExists with nx. Touches both keys
  // when it renames.
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
  // `key` is live there already (kTargetExists, nothing changes but the
  // access of both, as Redis's lookups; also when to_db is this database).
  // Touches the key in both databases when it moves.
  enum class MoveResult { kNoSuchKey, kTargetExists, kMoved };
  MoveResult move(std::string_view key, int to_db);

  // Stores a value of `type` under `key` without TTL, replacing whatever was
  // there (the STORE commands, as Redis's setKey): inline `bytes` in their
  // compact encoding, or an object.
  void store(std::string_view key, ValueType type, std::string_view bytes);
  void store(std::string_view key, ValueType type, std::unique_ptr<ValueObject> object);

  // RESTORE and loading: stores `fresh` (an entry made for `key`, value and
  // expiry set) in place of any live `key`, then ages it as Redis's
  // objectSetLRUOrLFU: `freq` sets the counter under an LFU policy,
  // `idle_seconds` backdates the LRU clock under the others (not SIEVE's
  // sequence).
  void restore(std::string_view key, Entry* fresh, std::optional<std::uint64_t> idle_seconds,
               std::optional<std::uint8_t> freq);
  // The same for a key whose Table::hash_of is known (`fresh`'s key); true
  // when it replaced a live key.
  bool restore(Entry* fresh, std::uint64_t hash, std::optional<std::uint64_t> idle_seconds,
               std::optional<std::uint8_t> freq);

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
  // `types`, when given, receives the type of each key appended to `out`.
  std::uint64_t scan(std::uint64_t cursor, std::uint64_t count, std::vector<std::string_view>& out,
                     std::uint64_t* bucket_budget = nullptr, std::vector<ValueType>* types = nullptr);

 private:
  friend class Writer;
  // Puts `fresh` (made for `key`, not yet stamped) where the live `key` is,
  // or inserts it.
  void put(std::string_view key, Entry* fresh);
  // Stamps `fresh` and puts it where the live `current` (or nullptr) is.
  void replace_or_insert(Entry* fresh, Entry* current, std::uint64_t hash, Shard& shard);
  Entry* find_live(std::string_view key, std::uint64_t hash, Shard& shard);
  // Signals ready keys for the new key `e` (Redis's dbAdd signalKeyAsReady).
  void created(const Entry& e);
  // Signals ready keys for a stream `e` about to be deleted or replaced, so
  // that XREADGROUP waiters learn it (Redis 7.0's signalDeletedKeyAsReady).
  void removed(const Entry& e);
  // Records a read of `e` (whose key hashes to `hash`) for the eviction
  // policy in force.
  void note_access(Entry& e, Shard& shard, std::uint64_t hash);
  // Access stamp of a block that is new or rewritten in place; `replaced` is
  // the block it replaces (the same block when rewritten), or nullptr.
  void stamp_new(Entry& fresh, Shard& shard, const Entry* replaced, std::uint64_t hash);
  // TinyLFU: counts an access of the key hashed to `hash` in the shard's sketch.
  void count_access(Shard& shard, std::uint64_t hash);
  // A read lookup's statistics (Redis's lookupKeyRead): a hit or a miss, and
  // on a miss the keymiss event unless set_no_miss_event().
  void count_read(Shard& shard, std::string_view key, bool hit);
  // True (after counting it and notifying watchers) when `e` has expired;
  // the caller then deletes it.
  bool expiring(Shard& shard, const Entry& e);

  Keyspace& keyspace_;
  int index_;
  std::int64_t now_;
  bool touch_access_ = true;
  bool miss_event_ = true;
};

// A write in progress on one key's value (Dragonfly's FindMutable handle).
// Opening an existing key stamps its access for eviction, whether or not
// the write changes it (Redis's lookupKeyWrite). Edits go through it; when
// it ends it accounts the value's new heap bytes, notifies WATCH, and deletes a
// collection left empty (Redis never keeps one; a key it created and left
// empty is removed without a trace). Edits that relocate the entry relink it,
// so `entry()` is only valid until the next edit. Lives within one command,
// under its shard's lock.
class Db::Writer {
 public:
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  explicit operator bool() const { return entry_ != nullptr; }
  bool wrong_type() const { return wrong_type_; }
  // True when write() created the key.
  bool created() const { return created_; }
  const Entry& entry() const { return *entry_; }
  Encoding encoding() const { return entry_->encoding(); }

  // The inline value's bytes (encoding() == kInline), and the buffer that
  // edits them in place; every splice marks the value changed.
  std::string_view bytes() const { return entry_->value(); }
  SpliceBuffer& buffer() { return buffer_; }
  // The value object (encoding() == kObject), marked changed.
  ValueObject& object();
  // Replaces the value with `object` (e.g. a compact encoding outgrowing its
  // limits), marked changed.
  void set_object(std::unique_ptr<ValueObject> object);
  // Strings: resizes the value to `size` bytes (new bytes zero), inline or
  // in a StringBuffer as Entry::kInlineStringMax says, and returns its bytes
  // for writing; marked changed.
  char* resize_string(std::size_t size);
  // Strings: marks the value raw (Entry::StringForm::kRaw), not a change;
  // resize_string() does it too.
  void mark_string_raw() { entry_->set_string_form(Entry::StringForm::kRaw); }
  // Marks the value changed for a change made through a pointer kept from
  // object() before.
  void mark_changed() { changed_ = true; }
  // What the end of the write tells the server, as Redis's signalModifiedKey
  // and server.dirty: kModified (the default) signals the key to WATCH and
  // client tracking and counts a change for save points; kDirty only counts
  // it (changes Redis does not signal: a stream's consumer groups, acks,
  // claims, its last ID); kNone neither (an edit that found nothing to do).
  enum class Signal : std::uint8_t { kModified, kDirty, kNone };
  void set_signal(Signal s) { signal_ = s; }
  // Counts the open as a read lookup, for a command Redis looks its key up
  // for with lookupKeyRead before changing it (XACK, XCLAIM...): a hit or a
  // miss, and keymiss. The access stamp stays the open's own.
  void count_read() { db_.count_read(shard_, key_, (entry_ != nullptr && !created_) || wrong_type_); }

 private:
  friend class Db;
  class Buffer final : public SpliceBuffer {
   public:
    explicit Buffer(Writer& w) : w_(w) {}
    std::string_view view() const override { return w_.entry_->value(); }
    char* data() override { return w_.entry_->string_data(); }
    void splice(std::size_t pos, std::size_t remove, std::string_view insert) override;

   private:
    Writer& w_;
  };

  Writer(Db& db, std::string_view key, ValueType type, Create create);
  // Moves the entry to the address `relocate` gives it, relinked in its table.
  template <class Relocate>
  void relocate(Relocate&& relocate);
  // Adds the tracked object's growth since it was handed out to MemoryUsage.
  void settle_object_bytes();

  Db& db_;
  std::string_view key_;
  std::uint64_t hash_;
  Shard& shard_;
  Entry* entry_ = nullptr;
  Buffer buffer_{*this};
  const ValueObject* tracked_ = nullptr;  // object handed out, and its bytes then
  std::size_t tracked_bytes_ = 0;
  bool wrong_type_ = false;
  bool created_ = false;
  bool changed_ = false;
  Signal signal_ = Signal::kModified;
};

}  // namespace larder::storage
