#include "larder/commands/keys_walk.h"

#include "larder/util/glob.h"

namespace larder::commands {

namespace {

using Clock = std::chrono::steady_clock;

// Buckets walked between two looks at the clock.
constexpr std::size_t kBucketsPerClockCheck = 16;
// Size of the body's chunks, which the reply appends one per look at the
// clock (some microseconds of copying each).
constexpr std::size_t kBodyChunk = 64 * 1024;

}  // namespace

KeysWalk::KeysWalk(storage::Keyspace& keyspace, int db, std::string_view pattern,
                   std::int64_t now_ms, Locking locking)
    : keyspace_(keyspace),
      db_(db),
      pattern_(pattern),
      match_all_(pattern == "*"),
      now_ms_(now_ms),
      locking_(locking) {}

// The paused table is the shard's slot for db_, which outlives the walk
// whatever FLUSHDB or SWAPDB moved through it.
KeysWalk::~KeysWalk() {
  if (!shrink_paused_) return;
  storage::Shard& shard = keyspace_.shard(shard_);
  std::unique_lock held = lock(shard);
  shard.table(db_).resume_shrinking();
}

std::unique_lock<storage::Shard::Mutex> KeysWalk::lock(storage::Shard& shard) const {
  if (locking_ == Locking::kCallerHoldsAll) return {};
  return std::unique_lock(shard.mutex());
}

bool KeysWalk::walk(Clock::time_point deadline) {
  std::size_t buckets = 0;
  for (; shard_ < storage::kShardCount; ++shard_) {
    storage::Shard& shard = keyspace_.shard(shard_);
    std::unique_lock held = lock(shard);
    storage::Table* found = shard.find_table(db_);
    if (found == nullptr) continue;  // db_ was never used: no key here
    storage::Table& table = *found;
    if (!shrink_paused_) {
      if (table.size() == 0) continue;
      table.pause_shrinking();
      shrink_paused_ = true;
    }
    do {
      cursor_ = table.scan(cursor_, [&](const storage::Entry& e) {
        if (!e.expired(now_ms_) && (match_all_ || util::glob_match(pattern_, e.key()))) {
          if (body_.back().size() >= kBodyChunk) {
            body_writer_ = protocol::ReplyBuilder(body_.emplace_back());
          }
          body_writer_.bulk(e.key());
          ++matched_;
        }
        return false;
      });
      if (cursor_ != 0 && ++buckets % kBucketsPerClockCheck == 0 && Clock::now() >= deadline) {
        return false;
      }
    } while (cursor_ != 0);
    table.resume_shrinking();
    shrink_paused_ = false;
  }
  return true;
}

std::size_t KeysWalk::held_bytes() const {
  std::size_t n = 0;
  for (const std::string& chunk : body_) n += chunk.size();
  return n;
}

bool KeysWalk::step(protocol::ReplyBuilder& reply, Clock::time_point deadline) {
  if (shard_ < storage::kShardCount && !walk(deadline)) return false;
  if (!header_sent_) {
    reply.array(matched_);
    header_sent_ = true;
  }
  do {
    reply.raw(body_.front());
    body_.pop_front();
  } while (!body_.empty() && Clock::now() < deadline);
  return body_.empty();
}

}  // namespace larder::commands
