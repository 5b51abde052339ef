#include "larder/persistence/snapshot.h"

#include "larder/storage/db.h"

namespace larder::persistence {

namespace {
// Buckets walked between two looks at the clock.
constexpr int kBucketsPerCheck = 16;
}  // namespace

Snapshot::Snapshot(storage::Keyspace& keyspace, Sink sink, WriterOptions options, std::int64_t now_ms)
    : keyspace_(keyspace),
      now_ms_(now_ms),
      access_saved_(options.access),
      lfu_decay_time_(options.lfu_decay_time),
      writer_(std::move(sink), std::move(options)) {}

void Snapshot::begin(std::span<const AuxField> aux, std::span<const std::string> codes) {
  sizes_.assign(static_cast<std::size_t>(keyspace_.databases()), {0, 0});
  for (std::size_t s = 0; s < storage::kShardCount; ++s) {
    const storage::Shard& shard = keyspace_.shard(s);
    for (int db = 0; db < shard.table_count(); ++db) {
      const storage::Table& t = *shard.find_table(db);
      sizes_[static_cast<std::size_t>(db)].first += t.size();
      sizes_[static_cast<std::size_t>(db)].second += t.volatile_count();
      keys_total_ += t.size();
    }
  }
  {
    std::lock_guard lock(mutex_);
    writer_.begin(aux);
    for (const std::string& code : codes) writer_.function(code);  // before the keys, as Redis
  }
  keyspace_.begin_snapshot(this);
}

bool Snapshot::step(std::chrono::steady_clock::duration budget, bool lock_shards) {
  const auto deadline = std::chrono::steady_clock::now() + budget;
  const int databases = keyspace_.databases();
  while (db_ < databases) {
    storage::Shard& shard = keyspace_.shard(shard_);
    std::unique_lock lock(shard.mutex(), std::defer_lock);
    if (lock_shards) lock.lock();
    storage::Table* table = shard.find_table(db_);
    bool finished = table == nullptr || table->size() == 0;
    for (int n = 1; !finished; ++n) {
      cursor_ = table->scan(cursor_, [&](const storage::Entry& e) {
        // Only the entry's snapshot mark changes: the walk changes no value.
        keyspace_.before_change(db_, const_cast<storage::Entry&>(e));
        return false;
      });
      finished = cursor_ == 0;
      if (!finished && n % kBucketsPerCheck == 0 && std::chrono::steady_clock::now() >= deadline) {
        return false;
      }
    }
    if (lock.owns_lock()) lock.unlock();
    cursor_ = 0;
    if (++shard_ == storage::kShardCount) {
      shard_ = 0;
      ++db_;
    }
    if (shard_ % 16 == 0 && std::chrono::steady_clock::now() >= deadline) break;
  }
  return db_ >= databases;
}

void Snapshot::end() {
  std::lock_guard lock(mutex_);
  writer_.end();
}

void Snapshot::preserve(int db, const storage::Entry& e) {
  std::lock_guard lock(mutex_);
  save(db, e);
}

void Snapshot::save(int db, const storage::Entry& e) {
  if (e.expired(now_ms_)) return;
  if (db != current_db_) {
    const auto& [keys, expires] = sizes_[static_cast<std::size_t>(db)];
    writer_.select_db(db, keys, expires);
    current_db_ = db;
  }
  AccessInfo access;
  switch (access_saved_) {
    case AccessSaved::kIdle:
      access.idle_seconds = static_cast<std::uint64_t>(storage::Db::idle_seconds(e, now_ms_));
      break;
    case AccessSaved::kFreq:
      access.freq = static_cast<std::uint8_t>(storage::lfu::decayed(e.access(), now_ms_, lfu_decay_time_));
      break;
    case AccessSaved::kNone:
      break;
  }
  writer_.key(e.key(), e, e.expire_at(), access);
  keys_saved_.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace larder::persistence
