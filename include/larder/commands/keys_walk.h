#pragma once
// KEYS pattern as a Continuation. Walks shards 0..255 of one database, each
// table with its reverse-binary scan() cursor, buffering the live (at the
// command's now_ms) keys that match as RESP bulk strings; once every shard is
// done it replies the array header and then the buffer, in pieces too.
//
// kPerShard: each step locks one shard at a time, and shrinking stays paused
// on the table the walk is in the middle of, from its first step there until
// it leaves it (or the walk is destroyed), so a key present for the whole walk
// is returned exactly once whatever other clients do between steps; keys
// added or removed meanwhile may or may not be. kCallerHoldsAll (inside EXEC):
// the caller holds every shard lock, and a step with no deadline
// (time_point::max()) does the whole command.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>

#include "larder/commands/continuation.h"
#include "larder/protocol/reply_builder.h"
#include "larder/storage/keyspace.h"

namespace larder::commands {

class KeysWalk final : public Continuation {
 public:
  enum class Locking { kPerShard, kCallerHoldsAll };

  KeysWalk(storage::Keyspace& keyspace, int db, std::string_view pattern, std::int64_t now_ms,
           Locking locking);
  ~KeysWalk() override;
  KeysWalk(const KeysWalk&) = delete;
  KeysWalk& operator=(const KeysWalk&) = delete;

  bool step(protocol::ReplyBuilder& reply, std::chrono::steady_clock::time_point deadline) override;
  std::size_t held_bytes() const override;

 private:
  // Walks on until every shard is done (true) or the deadline passed.
  bool walk(std::chrono::steady_clock::time_point deadline);
  std::unique_lock<storage::Shard::Mutex> lock(storage::Shard& shard) const;

  storage::Keyspace& keyspace_;
  const int db_;
  const std::string pattern_;
  const bool match_all_;  // "*": glob_match would not match the empty key
  const std::int64_t now_ms_;
  const Locking locking_;

  std::size_t shard_ = 0;       // shard being walked; kShardCount when all are done
  std::uint64_t cursor_ = 0;    // its table's scan() cursor
  bool shrink_paused_ = false;  // on shard_'s table, by this walk
  std::size_t matched_ = 0;
  // The matched keys as bulk strings, in chunks so that the buffer never
  // moves as it grows; the reply takes them from the front.
  std::deque<std::string> body_ = std::deque<std::string>(1);
  protocol::ReplyBuilder body_writer_{body_.back()};  // appends to body_.back()
  bool header_sent_ = false;
};

}  // namespace larder::commands
