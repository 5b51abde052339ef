#include "larder/storage/shard.h"

#include <algorithm>
#include <cstring>

#include "larder/storage/memory_usage.h"
#include "larder/util/memory.h"

namespace larder::storage {

namespace {

std::size_t other_tables_bytes(int databases) {
  return util::malloc_cost(sizeof(Table) * static_cast<std::size_t>(databases - 1));
}

}  // namespace

Shard::~Shard() {
  Table* others = others_.load(std::memory_order_acquire);
  if (others == nullptr) return;
  const auto n = static_cast<std::size_t>(databases_ - 1);
  std::destroy_n(others, n);
  std::allocator<Table>().deallocate(others, n);
  MemoryUsage::sub(other_tables_bytes(databases_));
}

Table* Shard::allocate_other_tables() {
  const auto n = static_cast<std::size_t>(databases_ - 1);
  std::allocator<Table> alloc;
  Table* fresh = alloc.allocate(n);
  std::uninitialized_default_construct_n(fresh, n);
  Table* expected = nullptr;
  if (!others_.compare_exchange_strong(expected, fresh, std::memory_order_acq_rel)) {
    std::destroy_n(fresh, n);  // another thread allocated them first
    alloc.deallocate(fresh, n);
    return expected;
  }
  MemoryUsage::add(other_tables_bytes(databases_));
  return fresh;
}

std::string Shard::watch_key(int db, std::string_view key) {
  std::string k(sizeof db, '\0');
  std::memcpy(k.data(), &db, sizeof db);
  k.append(key);
  return k;
}

void Shard::watch(int db, std::string_view key, const std::shared_ptr<WatchFlag>& flag) {
  auto& watchers = watches_[watch_key(db, key)];
  if (std::find(watchers.begin(), watchers.end(), flag) == watchers.end()) watchers.push_back(flag);
}

void Shard::unwatch(int db, std::string_view key, const WatchFlag* flag) {
  auto it = watches_.find(watch_key(db, key));
  if (it == watches_.end()) return;
  std::erase_if(it->second, [flag](const auto& f) { return f.get() == flag; });
  if (it->second.empty()) watches_.erase(it);
}

void Shard::touch_slow(int db, std::string_view key) {
  auto it = watches_.find(watch_key(db, key));
  if (it == watches_.end()) return;
  for (const auto& flag : it->second) flag->dirty.store(true, std::memory_order_relaxed);
}

void Shard::touch_all(int db) {
  for (auto& [wkey, watchers] : watches_) {
    int wdb;
    std::memcpy(&wdb, wkey.data(), sizeof wdb);
    if (wdb != db) continue;
    std::string_view key(wkey.data() + sizeof wdb, wkey.size() - sizeof wdb);
    const Table* table = find_table(db);
    if (table == nullptr || table->find(key, Table::hash_of(key)) == nullptr) continue;
    for (const auto& flag : watchers) flag->dirty.store(true, std::memory_order_relaxed);
  }
}

}  // namespace larder::storage
