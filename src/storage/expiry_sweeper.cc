#include "larder/storage/expiry_sweeper.h"

#include <mutex>

namespace larder::storage {

namespace {
// Buckets visited under one lock hold, between two looks at the clock.
constexpr std::size_t kBucketsPerSlice = 8;
}  // namespace

SweepResult ExpirySweeper::step(std::int64_t now_ms, const SweepBudget& budget) {
  SweepResult result;
  const auto deadline = std::chrono::steady_clock::now() + budget.time;
  const std::size_t tables = kShardCount * static_cast<std::size_t>(keyspace_.databases());
  std::size_t buckets = 0;
  std::size_t tables_done = 0;  // tables finished or skipped in this step

  while (buckets < budget.max_buckets && tables_done <= tables) {
    Shard& shard = keyspace_.shard(shard_);
    bool table_finished = false;
    {
      const auto lock = keyspace_.lock_shard(shard);
      Table* found = shard.find_table(db_);
      if (found == nullptr || found->volatile_count() == 0) {
        table_finished = true;
      } else {
        Table& table = *found;
        std::size_t expired = 0;
        std::int64_t ttl_sum = 0, ttl_count = 0;
        for (std::size_t i = 0; i < kBucketsPerSlice && buckets < budget.max_buckets; ++i) {
          ++buckets;
          cursor_ = table.scan(cursor_, [&](const Entry& e) {
            ++result.checked;
            if (e.has_expire()) ++result.checked_volatile;
            if (!e.expired(now_ms)) {
              if (e.has_expire()) {
                ttl_sum += e.expire_at() - now_ms;
                ++ttl_count;
              }
              return false;
            }
            ++expired;
            shard.touch(db_, e.key());
            keyspace_.key_events().emit(KeyEvent::kExpired, db_, e.key());
            return true;
          });
          if (cursor_ == 0 || table.volatile_count() == 0) {
            table_finished = true;
            break;
          }
        }
        shard.stats().expired_keys += expired;
        if (ttl_count > 0) keyspace_.sample_ttl(db_, ttl_sum / ttl_count);
        result.expired += expired;
      }
    }
    if (table_finished) {
      cursor_ = 0;
      ++tables_done;
      if (++db_ == keyspace_.databases()) {
        db_ = 0;
        if (++shard_ == kShardCount) {
          shard_ = 0;
          result.wrapped = true;
        }
      }
    }
    if (std::chrono::steady_clock::now() >= deadline) break;
  }
  return result;
}

}  // namespace larder::storage
