#include "larder/commands/scan_walk.h"

#include <algorithm>
#include <cstdio>

#include "larder/storage/db.h"
#include "larder/storage/shard_locks.h"
#include "larder/util/glob.h"

namespace larder::commands {

ScanWalk::ScanWalk(storage::Keyspace& keyspace, int db, std::uint64_t cursor, std::uint64_t count,
                   std::optional<std::string_view> pattern, TypeFilter type, std::int64_t now_ms, Locking locking)
    : keyspace_(keyspace),
      db_(db),
      cursor_(cursor),
      count_(count),
      pattern_(pattern ? std::optional<std::string>(*pattern) : std::nullopt),
      type_(type),
      now_ms_(now_ms),
      locking_(locking),
      buckets_left_(count > UINT64_MAX / 10 ? count : count * 10) {}

bool ScanWalk::walk(std::chrono::steady_clock::time_point deadline) {
  storage::ShardLocks locks(keyspace_);
  if (locking_ == Locking::kPerStep) {
    locks.add_all();
    locks.acquire();
  }
  storage::Db db(keyspace_, db_, now_ms_);
  std::vector<std::string_view> batch;  // views die with the locks
  std::vector<storage::ValueType> types;
  for (;;) {
    const std::uint64_t want = std::min(kChunk, count_ - examined_);
    batch.clear();
    types.clear();
    cursor_ = db.scan(cursor_, want, batch, &buckets_left_, type_.active ? &types : nullptr);
    examined_ += batch.size();
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (type_.active && (!type_.type || types[i] != *type_.type)) continue;
      if (!pattern_ || util::glob_match(*pattern_, batch[i])) keys_.emplace_back(batch[i]);
    }
    if (cursor_ == 0 || examined_ >= count_ || buckets_left_ == 0) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
  }
}

bool ScanWalk::step(protocol::ReplyBuilder& reply, std::chrono::steady_clock::time_point deadline) {
  if (!walk(deadline)) return false;
  char buf[24];
  const int len = std::snprintf(buf, sizeof buf, "%llu", static_cast<unsigned long long>(cursor_));
  reply.array(2);
  reply.bulk(std::string_view(buf, len));
  reply.array(keys_.size());
  for (const std::string& k : keys_) reply.bulk(k);
  return true;
}

}  // namespace larder::commands
