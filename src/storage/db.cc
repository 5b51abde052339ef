#include "larder/storage/db.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <random>

#include "larder/storage/intset.h"
#include "larder/storage/list_value.h"
#include "larder/storage/memory_usage.h"
#include "larder/storage/packed_dict.h"
#include "larder/storage/packed_list.h"
#include "larder/storage/score_tree.h"
#include "larder/storage/string_buffer.h"

namespace larder::storage {

namespace {

// The compact encoding of an empty value of `type`, as a new key starts.
std::string_view empty_encoding(ValueType type) {
  switch (type) {
    case ValueType::kSet: return intset::kEmpty;
    case ValueType::kHash:
    case ValueType::kZset: return packed_list::kEmpty;
    case ValueType::kList: return list_pack::kEmpty;
    default: return {};
  }
}

// True for a collection with no elements left (never for a string).
bool empty_collection(const Entry& e) {
  switch (e.type()) {
    case ValueType::kString: return false;
    case ValueType::kSet:
      return e.encoding() == Encoding::kInline ? intset::count(e.value()) == 0
                                               : static_cast<const PackedDict*>(e.object())->size() == 0;
    case ValueType::kHash:
      return e.encoding() == Encoding::kInline ? packed_list::count(e.value()) == 0
                                               : static_cast<const PackedDict*>(e.object())->size() == 0;
    case ValueType::kZset:
      return e.encoding() == Encoding::kInline ? packed_list::count(e.value()) == 0
                                               : static_cast<const ScoreTree*>(e.object())->size() == 0;
    case ValueType::kList: return list::size(e) == 0;
    default: return false;
  }
}

}  // namespace

void Db::note_access(Entry& e, Shard& shard, std::uint64_t hash) {
  const AccessPolicy& p = keyspace_.access_policy();
  switch (p.current()) {
    case AccessMode::kLru:
      e.set_access(access_clock(now_));
      break;
    case AccessMode::kLfu: {
      const int decay = p.lfu_decay_time.load(std::memory_order_relaxed);
      std::uint32_t c = lfu::decayed(e.access(), now_, decay);
      c = lfu::incremented(c, p.lfu_log_factor.load(std::memory_order_relaxed));
      e.set_access(lfu::stamp(lfu::minutes(now_), c));
      break;
    }
    case AccessMode::kSieve:
      e.set_visited(true);
      break;
    case AccessMode::kTinyLfu:
      e.set_access(access_clock(now_));
      count_access(shard, hash);
      break;
  }
}

void Db::count_access(Shard& shard, std::uint64_t hash) {
  // TinyLFU's reset period: ContestLog's accesses per key the shard holds in
  // this database (at least 64 keys), tuned by the contests it settles.
  ContestLog& contests = keyspace_.contest_log();
  contests.settle(hash);
  shard.sketch().increment(hash, contests.period_for(std::max<std::size_t>(shard.table(index_).size(), 64)));
}

void Db::stamp_new(Entry& fresh, Shard& shard, const Entry* replaced, std::uint64_t hash) {
  fresh.set_snapshot_mark(keyspace_.snapshot_mark());  // newer than any snapshot running
  const bool was_in_window = replaced != nullptr && replaced->in_window();
  fresh.set_in_window(false);
  switch (keyspace_.access_policy().current()) {
    case AccessMode::kLru:
      fresh.set_access(access_clock(now_));
      break;
    case AccessMode::kLfu:
      // An overwritten key keeps its frequency, as in Redis.
      fresh.set_access(replaced != nullptr ? replaced->access()
                                           : lfu::stamp(lfu::minutes(now_), lfu::kInitialCounter));
      break;
    case AccessMode::kSieve:
      // An overwrite counts as a visit and keeps the key's place in the queue.
      fresh.set_access(replaced != nullptr ? replaced->access() : shard.next_sequence());
      fresh.set_visited(replaced != nullptr);
      break;
    case AccessMode::kTinyLfu:
      // A new key waits in the admission window; an overwrite keeps its place.
      fresh.set_access(access_clock(now_));
      fresh.set_in_window(replaced != nullptr ? was_in_window : keyspace_.admission_window().push(hash));
      count_access(shard, hash);
      break;
  }
}

bool Db::expiring(Shard& shard, const Entry& e) {
  if (!e.expired(now_)) return false;
  ++shard.stats().expired_keys;
  shard.touch(index_, e.key());
  keyspace_.key_events().emit(KeyEvent::kExpired, index_, e.key());
  return true;
}

Entry* Db::find_live(std::string_view key, std::uint64_t hash, Shard& shard) {
  Table* table = shard.find_table(index_);
  if (table == nullptr) return nullptr;
  Entry* e = table->find(key, hash);
  if (e != nullptr && expiring(shard, *e)) {
    removed(*e);
    table->remove(key, hash);
    return nullptr;
  }
  return e;
}

const Entry* Db::find_for_read(std::string_view key) {
  std::uint64_t hash = Table::hash_of(key);
  Shard& shard = keyspace_.shard(Keyspace::shard_index(hash));
  Entry* e = find_live(key, hash, shard);
  if (e != nullptr && touch_access_) note_access(*e, shard, hash);
  count_read(shard, key, e != nullptr);
  return e;
}

void Db::count_read(Shard& shard, std::string_view key, bool hit) {
  if (hit) {
    ++shard.stats().keyspace_hits;
  } else {
    ++shard.stats().keyspace_misses;
    if (miss_event_) keyspace_.key_events().emit(KeyEvent::kMiss, index_, key);
  }
  shard.prefix_stats().record(key, hit);
}

std::int64_t Db::idle_seconds(const Entry& e, std::int64_t now_ms) {
  std::uint32_t now = access_clock(now_ms);
  std::uint32_t then = e.access();
  return now >= then ? now - then : now + (kAccessClockMax - then);
}

const Entry* Db::find_for_write(std::string_view key) {
  std::uint64_t hash = Table::hash_of(key);
  return find_live(key, hash, keyspace_.shard(Keyspace::shard_index(hash)));
}

const Entry* Db::lookup_write(std::string_view key) {
  std::uint64_t hash = Table::hash_of(key);
  Shard& shard = keyspace_.shard(Keyspace::shard_index(hash));
  Entry* e = find_live(key, hash, shard);
  if (e != nullptr && touch_access_) note_access(*e, shard, hash);
  return e;
}

void Db::set(std::string_view key, std::string_view value, std::int64_t expire_at_ms,
             bool keep_ttl) {
  std::uint64_t hash = Table::hash_of(key);
  Shard& shard = keyspace_.shard(Keyspace::shard_index(hash));
  Entry* current = find_live(key, hash, shard);
  if (current != nullptr) keyspace_.before_change(index_, *current);
  // The write's lookup is an access, as Redis's lookupKeyWrite: under LFU
  // the overwrite keeps the counter it raises (stamp_new; under the other
  // policies stamp_new counts the overwrite itself).
  if (current != nullptr && touch_access_ && keyspace_.access_policy().current() == AccessMode::kLfu) {
    note_access(*current, shard, hash);
  }
  if (current != nullptr && keep_ttl) expire_at_ms = current->expire_at();
  // A cache refreshing a key with a value of the same size: rewrite the
  // block in place (no allocation; the table's expiry count is unchanged).
  if (current != nullptr && current->type() == ValueType::kString &&
      current->value().size() == value.size() &&
      current->has_expire() == (expire_at_ms != kNoExpire)) {
    // memmove: `value` may be a view of this very value.
    if (!value.empty()) std::memmove(current->string_data(), value.data(), value.size());
    current->set_string_form(Entry::StringForm::kByContent);
    if (current->has_expire()) current->set_expire_at(expire_at_ms);
    stamp_new(*current, shard, current, hash);
    shard.touch(index_, key);
    return;
  }
  replace_or_insert(Entry::make(key, value, expire_at_ms), current, hash, shard);
}

void Db::put(std::string_view key, Entry* fresh) {
  std::uint64_t hash = Table::hash_of(key);
  Shard& shard = keyspace_.shard(Keyspace::shard_index(hash));
  replace_or_insert(fresh, find_live(key, hash, shard), hash, shard);
}

void Db::replace_or_insert(Entry* fresh, Entry* current, std::uint64_t hash, Shard& shard) {
  Table& table = shard.table(index_);
  stamp_new(*fresh, shard, current, hash);
  if (current != nullptr) {
    keyspace_.before_change(index_, *current);
    removed(*current);
    table.replace(current, fresh, hash);
  } else {
    table.insert(fresh, hash);
    created(*fresh);
  }
  shard.touch(index_, fresh->key());
}

void Db::removed(const Entry& e) {
  if (e.type() == ValueType::kStream) keyspace_.ready_keys().signal(index_, e.key());
}

void Db::created(const Entry& e) {
  keyspace_.key_events().emit(KeyEvent::kNew, index_, e.key());
  switch (e.type()) {
    case ValueType::kList:
    case ValueType::kZset:
    case ValueType::kStream:
      keyspace_.ready_keys().signal(index_, e.key());
      break;
    default:
      break;
  }
}

void Db::store(std::string_view key, ValueType type, std::string_view bytes) {
  put(key, Entry::make_inline(key, type, bytes, kNoExpire));
}

void Db::store(std::string_view key, ValueType type, std::unique_ptr<ValueObject> object) {
  put(key, Entry::make_object(key, type, std::move(object), kNoExpire));
}

void Db::restore(std::string_view key, Entry* fresh, std::optional<std::uint64_t> idle_seconds,
                 std::optional<std::uint8_t> freq) {
  restore(fresh, Table::hash_of(key), idle_seconds, freq);
}

bool Db::restore(Entry* fresh, std::uint64_t hash, std::optional<std::uint64_t> idle_seconds,
                 std::optional<std::uint8_t> freq) {
  Shard& shard = keyspace_.shard(Keyspace::shard_index(hash));
  Entry* current = find_live(fresh->key(), hash, shard);
  replace_or_insert(fresh, current, hash, shard);
  switch (keyspace_.access_policy().current()) {
    case AccessMode::kLfu:
      if (freq) fresh->set_access(lfu::stamp(lfu::minutes(now_), *freq));
      break;
    case AccessMode::kLru:
    case AccessMode::kTinyLfu:  // its stamp is the LRU clock too
      if (idle_seconds) {
        // As Redis 7.0.15: an idle time past the wrapping clock goes once
        // round it (LRU_CLOCK_MAX), and the stamp keeps the low 24 bits.
        const std::uint64_t clock = access_clock(now_);
        std::uint64_t at = clock - *idle_seconds;
        if (*idle_seconds > clock) at += kAccessClockMax;
        fresh->set_access(static_cast<std::uint32_t>(at & kAccessClockMax));
      }
      break;
    case AccessMode::kSieve:
      break;
  }
  return current != nullptr;
}

Db::Read Db::read(std::string_view key, ValueType type) {
  const Entry* e = find_for_read(key);
  if (e != nullptr && e->type() != type) return {nullptr, true};
  return {e, false};
}

Db::Read Db::read_for_write(std::string_view key, ValueType type) {
  const Entry* e = find_for_write(key);
  if (e != nullptr && e->type() != type) return {nullptr, true};
  return {e, false};
}

Db::Writer Db::write(std::string_view key, ValueType type, Create create) {
  return Writer(*this, key, type, create);
}

Db::Writer::Writer(Db& db, std::string_view key, ValueType type, Create create)
    : db_(db),
      key_(key),
      hash_(Table::hash_of(key)),
      shard_(db.keyspace_.shard(Keyspace::shard_index(hash_))) {
  Entry* e = db_.find_live(key, hash_, shard_);
  // An access whether or not the write changes anything (or fails with
  // WRONGTYPE), as Redis's lookupKeyWrite.
  if (e != nullptr && db_.touch_access_) db_.note_access(*e, shard_, hash_);
  if (e != nullptr && e->type() != type) {
    wrong_type_ = true;
    return;
  }
  if (e != nullptr) db_.keyspace_.before_change(db_.index_, *e);
  if (e == nullptr && create == Create::kYes) {
    e = Entry::make_inline(key, type, empty_encoding(type), kNoExpire);
    db_.stamp_new(*e, shard_, nullptr, hash_);
    shard_.table(db_.index_).insert(e, hash_);
    db_.created(*e);
    created_ = true;
  }
  entry_ = e;
}

Db::Writer::~Writer() {
  if (entry_ == nullptr || (!changed_ && !created_)) return;
  settle_object_bytes();
  if (empty_collection(*entry_)) {
    shard_.table(db_.index_).remove(key_, hash_);
    if (!created_) {
      shard_.touch(db_.index_, key_);
      db_.keyspace_.key_events().emit(KeyEvent::kEmptied, db_.index_, key_);
    }
    return;
  }
  if (created_ || signal_ == Signal::kModified) {
    shard_.touch(db_.index_, key_);
  } else if (signal_ == Signal::kDirty) {
    shard_.count_change();
  }
}

void Db::Writer::settle_object_bytes() {
  if (tracked_ == nullptr) return;
  const std::size_t now = tracked_->heap_bytes();
  if (now >= tracked_bytes_) {
    MemoryUsage::add(now - tracked_bytes_);
  } else {
    MemoryUsage::sub(tracked_bytes_ - now);
  }
  tracked_ = nullptr;
}

template <class Relocate>
void Db::Writer::relocate(Relocate&& relocate) {
  Table& table = shard_.table(db_.index_);
  table.unlink(entry_, hash_);
  Entry* moved;
  try {
    moved = relocate(entry_);
  } catch (...) {
    table.insert(entry_, hash_);  // unchanged: relocations leave it whole when they throw
    throw;
  }
  entry_ = moved;
  table.insert(entry_, hash_);
  changed_ = true;
}

void Db::Writer::Buffer::splice(std::size_t pos, std::size_t remove, std::string_view insert) {
  w_.relocate([&](Entry* e) { return Entry::splice_value(e, pos, remove, insert); });
}

ValueObject& Db::Writer::object() {
  ValueObject* obj = entry_->object();
  if (tracked_ != obj) {
    settle_object_bytes();
    tracked_ = obj;
    tracked_bytes_ = obj->heap_bytes();
  }
  changed_ = true;
  return *obj;
}

void Db::Writer::set_object(std::unique_ptr<ValueObject> object) {
  settle_object_bytes();
  relocate([&](Entry* e) { return Entry::set_object(e, std::move(object)); });
}

char* Db::Writer::resize_string(std::size_t size) {
  mark_string_raw();
  if (entry_->encoding() == Encoding::kObject) {
    auto& buf = static_cast<StringBuffer&>(object());
    buf.resize(size);
    return buf.data();
  }
  const std::size_t old = entry_->value().size();
  if (size > Entry::kInlineStringMax) {
    auto buf = std::make_unique<StringBuffer>(entry_->value());
    buf->resize(size);
    set_object(std::move(buf));
    return entry_->string_data();
  }
  if (size > old) {
    const std::string zeros(size - old, '\0');
    buffer_.splice(old, 0, zeros);
  } else if (size < old) {
    buffer_.splice(size, old - size, {});
  }
  changed_ = true;
  return entry_->string_data();
}

void Db::set_string_form(std::string_view key, Entry::StringForm form) {
  std::uint64_t hash = Table::hash_of(key);
  Entry* e = find_live(key, hash, keyspace_.shard(Keyspace::shard_index(hash)));
  if (e != nullptr && e->type() == ValueType::kString) e->set_string_form(form);
}

bool Db::erase(std::string_view key) {
  std::uint64_t hash = Table::hash_of(key);
  Shard& shard = keyspace_.shard(Keyspace::shard_index(hash));
  Entry* e = find_live(key, hash, shard);
  if (e == nullptr) return false;
  keyspace_.before_change(index_, *e);
  removed(*e);
  shard.table(index_).remove(key, hash);
  shard.touch(index_, key);
  return true;
}

bool Db::set_expire(std::string_view key, std::int64_t expire_at_ms) {
  std::uint64_t hash = Table::hash_of(key);
  Shard& shard = keyspace_.shard(Keyspace::shard_index(hash));
  Entry* e = find_live(key, hash, shard);
  if (e == nullptr) return false;
  Table& table = shard.table(index_);
  keyspace_.before_change(index_, *e);
  bool want = expire_at_ms != kNoExpire;
  if (want && e->has_expire()) {
    e->set_expire_at(expire_at_ms);
  } else if (want || e->has_expire()) {
    // The expiry field is part of the block's layout: move the block (an
    // object value stays where it is).
    table.unlink(e, hash);
    Entry* moved;
    try {
      moved = Entry::with_expire_field(e, want);
    } catch (...) {
      table.insert(e, hash);
      throw;
    }
    if (want) moved->set_expire_at(expire_at_ms);
    table.insert(moved, hash);
  }
  shard.touch(index_, key);
  return true;
}

Db::RenameResult Db::rename(std::string_view from, std::string_view to, bool nx) {
  const std::uint64_t from_hash = Table::hash_of(from);
  Shard& from_shard = keyspace_.shard(Keyspace::shard_index(from_hash));
  Entry* src = find_live(from, from_hash, from_shard);
  if (src == nullptr) return RenameResult::kNoSuchKey;
  if (touch_access_) note_access(*src, from_shard, from_hash);
  if (from == to) return nx ? RenameResult::kTargetExists : RenameResult::kRenamed;
  const std::uint32_t access = src->access();

  const std::uint64_t to_hash = Table::hash_of(to);
  Shard& to_shard = keyspace_.shard(Keyspace::shard_index(to_hash));
  Entry* dst = find_live(to, to_hash, to_shard);
  if (dst != nullptr && nx) {
    if (touch_access_) note_access(*dst, to_shard, to_hash);
    return RenameResult::kTargetExists;
  }

  // The value moves with its entry: inline bytes are copied into the new
  // block, an object (a big string or collection) only changes owner.
  Table& to_table = to_shard.table(index_);
  keyspace_.before_change(index_, *src);
  if (dst != nullptr) keyspace_.before_change(index_, *dst);
  removed(*src);
  if (dst != nullptr) {
    removed(*dst);
    to_table.remove(to, to_hash);
  }
  from_shard.table(index_).unlink(src, from_hash);
  Entry* fresh;
  try {
    fresh = Entry::rekey(src, to);
  } catch (...) {
    from_shard.table(index_).insert(src, from_hash);
    throw;
  }
  stamp_new(*fresh, to_shard, nullptr, to_hash);
  // The value keeps its counter, as Redis's renamed object.
  if (keyspace_.access_policy().current() == AccessMode::kLfu) fresh->set_access(access);
  to_table.insert(fresh, to_hash);
  created(*fresh);
  from_shard.touch(index_, from);
  to_shard.touch(index_, to);
  return RenameResult::kRenamed;
}

Db::CopyResult Db::copy(std::string_view from, std::string_view to, int to_db, bool replace) {
  const Entry* src = find_for_read(from);
  if (src == nullptr) return CopyResult::kNoSuchKey;
  Db target(keyspace_, to_db, now_);
  target.touch_access_ = touch_access_;
  const Entry* existing = target.lookup_write(to);
  if (existing != nullptr && !replace) return CopyResult::kTargetExists;
  target.put(to, Entry::clone(*src, to, src->expire_at()));
  // A replaced key is a new one too, as Redis's delete-then-add.
  if (existing != nullptr) target.created(*target.find_for_write(to));
  return CopyResult::kCopied;
}

Db::MoveResult Db::move(std::string_view key, int to_db) {
  const std::uint64_t hash = Table::hash_of(key);
  Shard& shard = keyspace_.shard(Keyspace::shard_index(hash));
  Entry* src = find_live(key, hash, shard);
  if (src == nullptr) return MoveResult::kNoSuchKey;
  if (touch_access_) note_access(*src, shard, hash);
  Db target(keyspace_, to_db, now_);
  if (to_db == index_) return MoveResult::kTargetExists;
  if (Entry* dst = target.find_live(key, hash, shard); dst != nullptr) {
    if (touch_access_) note_access(*dst, shard, hash);
    return MoveResult::kTargetExists;
  }
  // The same entry, relinked: nothing is copied.
  keyspace_.before_change(index_, *src);
  removed(*src);
  shard.table(index_).unlink(src, hash);
  shard.table(to_db).insert(src, hash);
  target.created(*src);
  shard.touch(index_, key);
  shard.touch(to_db, key);
  return MoveResult::kMoved;
}

void Db::watch(std::string_view key, const std::shared_ptr<WatchFlag>& flag) {
  std::uint64_t hash = Table::hash_of(key);
  Shard& shard = keyspace_.shard(Keyspace::shard_index(hash));
  find_live(key, hash, shard);  // an already expired key must not fire the watch later
  shard.watch(index_, key, flag);
}

void Db::unwatch(std::string_view key, const WatchFlag* flag) {
  keyspace_.shard(Keyspace::shard_index(key)).unwatch(index_, key, flag);
}

std::size_t Db::size() {
  std::size_t n = 0;
  for (std::size_t i = 0; i < kShardCount; ++i) {
    if (const Table* t = keyspace_.shard(i).find_table(index_); t != nullptr) n += t->size();
  }
  return n;
}

void Db::flush() {
  keyspace_.preserve_db(index_);
  keyspace_.reset_avg_ttl(index_);
  std::vector<Table> detached;
  detached.reserve(kShardCount);
  for (std::size_t i = 0; i < kShardCount; ++i) {
    Shard& shard = keyspace_.shard(i);
    Table* table = shard.find_table(index_);
    if (table == nullptr) continue;  // never used: nothing to flush
    shard.touch_all(index_);
    shard.count_change(table->size());  // each key a change, as Redis's emptyData
    detached.push_back(std::move(*table));
  }
  keyspace_.background_free().submit(std::move(detached));
}

std::optional<std::string> Db::random_key() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  for (;;) {
    const std::size_t total = size();
    if (total == 0) return std::nullopt;
    // A shard weighted by its number of entries, then the first bucket with a
    // live entry from a random starting point, then a random entry of it.
    std::uint64_t pick = rng() % total;
    std::size_t index = 0;
    for (; index < kShardCount; ++index) {
      const Table* t = keyspace_.shard(index).find_table(index_);
      const std::size_t n = t == nullptr ? 0 : t->size();
      if (pick < n) break;
      pick -= n;
    }
    Shard& shard = keyspace_.shard(index);
    Table& table = shard.table(index_);
    std::vector<std::string_view> live;
    std::uint64_t cursor = rng();
    bool wrapped = false;
    while (table.size() > 0) {
      cursor = table.scan(cursor, [&](const Entry& e) {
        if (expiring(shard, e)) return true;
        live.push_back(e.key());
        return false;
      });
      if (!live.empty()) return std::string(live[rng() % live.size()]);
      if (cursor == 0) {
        if (wrapped) break;  // every bucket seen: only expired entries were left
        wrapped = true;
      }
    }
  }
}

std::uint64_t Db::scan(std::uint64_t cursor, std::uint64_t count, std::vector<std::string_view>& out,
                       std::uint64_t* bucket_budget, std::vector<ValueType>* types) {
  constexpr std::uint64_t kShardMask = kShardCount - 1;
  std::size_t index = cursor & kShardMask;
  std::uint64_t table_cursor = cursor >> kShardBits;
  const std::size_t start_size = out.size();
  std::uint64_t own_budget = count > std::numeric_limits<std::uint64_t>::max() / 10 ? count : count * 10;
  std::uint64_t& buckets_left = bucket_budget != nullptr ? *bucket_budget : own_budget;
  for (;;) {
    Shard& shard = keyspace_.shard(index);
    Table* table = shard.find_table(index_);
    if (table == nullptr || table->size() == 0) {
      table_cursor = 0;  // nothing here, nothing to guarantee
    } else {
      table_cursor = table->scan(table_cursor, [&](const Entry& e) {
        if (expiring(shard, e)) return true;
        out.emplace_back(e.key());
        if (types != nullptr) types->push_back(e.type());
        return false;
      });
      if (buckets_left > 0) --buckets_left;
    }
    if (table_cursor == 0) {
      if (++index == kShardCount) return 0;
    }
    if (out.size() - start_size >= count || buckets_left == 0) {
      return (table_cursor << kShardBits) | index;
    }
  }
}

}  // namespace larder::storage
