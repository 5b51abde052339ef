#include "larder/storage/shard.h"

#include <algorithm>
#include <cstring>

namespace larder::storage {

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
    if (tables_[db].find(key, Table::hash_of(key)) == nullptr) continue;
    for (const auto& flag : watchers) flag->dirty.store(true, std::memory_order_relaxed);
  }
}

}  // namespace larder::storage
