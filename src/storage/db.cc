#include "larder/storage/db.h"

#include "larder/util/glob.h"

namespace larder::storage {

Entry* Db::find_live(std::string_view key, std::uint64_t hash, Shard& shard) {
  Table& table = shard.table(index_);
  Entry* e = table.find(key, hash);
  if (e != nullptr && e->expired(now_)) {
    table.remove(key, hash);
    ++shard.stats().expired_keys;
    return nullptr;
  }
  return e;
}

const Entry* Db::find_for_read(std::string_view key) {
  std::uint64_t hash = Table::hash_of(key);
  Shard& shard = keyspace_.shard(Keyspace::shard_index(hash));
  Entry* e = find_live(key, hash, shard);
  if (e != nullptr) {
    if (touch_access_) e->set_access(access_clock(now_));
    ++shard.stats().keyspace_hits;
  } else {
    ++shard.stats().keyspace_misses;
  }
  return e;
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

void Db::set(std::string_view key, std::string_view value, std::int64_t expire_at_ms,
             bool keep_ttl) {
  std::uint64_t hash = Table::hash_of(key);
  Shard& shard = keyspace_.shard(Keyspace::shard_index(hash));
  Table& table = shard.table(index_);
  Entry* current = find_live(key, hash, shard);
  if (current != nullptr && keep_ttl) expire_at_ms = current->expire_at();
  Entry* fresh = Entry::make(key, value, expire_at_ms);
  fresh->set_access(access_clock(now_));
  if (current != nullptr) {
    table.replace(current, fresh, hash);
  } else {
    table.insert(fresh, hash);
  }
  shard.touch(index_, key);
}

bool Db::erase(std::string_view key) {
  std::uint64_t hash = Table::hash_of(key);
  Shard& shard = keyspace_.shard(Keyspace::shard_index(hash));
  if (find_live(key, hash, shard) == nullptr) return false;
  shard.table(index_).remove(key, hash);
  shard.touch(index_, key);
  return true;
}

bool Db::set_expire(std::string_view key, std::int64_t expire_at_ms) {
  std::uint64_t hash = Table::hash_of(key);
  Shard& shard = keyspace_.shard(Keyspace::shard_index(hash));
  Table& table = shard.table(index_);
  Entry* e = find_live(key, hash, shard);
  if (e == nullptr) return false;
  bool want = expire_at_ms != kNoExpire;
  if (want && e->has_expire()) {
    e->set_expire_at(expire_at_ms);
  } else if (want || e->has_expire()) {
    // The expiry field is part of the block's layout: rebuild the block.
    table.replace(e, Entry::make(key, e->value(), expire_at_ms), hash);
  }
  shard.touch(index_, key);
  return true;
}

std::size_t Db::size() {
  std::size_t n = 0;
  for (std::size_t i = 0; i < kShardCount; ++i) n += keyspace_.shard(i).table(index_).size();
  return n;
}

void Db::flush() {
  for (std::size_t i = 0; i < kShardCount; ++i) {
    Shard& shard = keyspace_.shard(i);
    shard.touch_all(index_);
    shard.table(index_).clear();
  }
}

void Db::keys(std::string_view pattern, std::vector<std::string>& out) {
  const bool all = pattern == "*";
  for (std::size_t i = 0; i < kShardCount; ++i) {
    Table& table = keyspace_.shard(i).table(index_);
    std::uint64_t cursor = 0;
    do {
      cursor = table.scan(cursor, [&](const Entry& e) {
        if (!e.expired(now_) && (all || util::glob_match(pattern, e.key()))) {
          out.emplace_back(e.key());
        }
        return false;
      });
    } while (cursor != 0);
  }
}

}  // namespace larder::storage
