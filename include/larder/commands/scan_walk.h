#pragma once
// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type] as a Continuation:
// the walk of storage::Db::scan done as a series of small scans (kChunk keys
// each), with other clients' commands running between steps, so a large
// COUNT does not stall the loop. Its reply, [next cursor, [keys]], is written
// once the walk is done. Concatenated small scans keep SCAN's guarantee (a key
// present for the whole iteration is returned at least once) and its bound on
// work: it stops after `count` keys or count*10 non-empty buckets, the budget
// of one Db::scan, spent across the small scans.
//
// kPerStep: each step locks every shard for its own duration (free with a
// single-owner keyspace). kCallerHoldsAll (inside EXEC): the caller holds every
// shard lock, and a step with no deadline (time_point::max()) does it all.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "larder/commands/continuation.h"
#include "larder/protocol/reply_builder.h"
#include "larder/storage/keyspace.h"
#include "larder/storage/value_type.h"

namespace larder::commands {

class ScanWalk final : public Continuation {
 public:
  enum class Locking { kPerStep, kCallerHoldsAll };
  static constexpr std::uint64_t kChunk = 25;

  // Filters applied after each small scan, as Redis's: `pattern` (MATCH)
  // and `type` (TYPE; a name no type has returns no key).
  struct TypeFilter {
    bool active = false;
    std::optional<storage::ValueType> type;  // none: a name no type has
  };
  ScanWalk(storage::Keyspace& keyspace, int db, std::uint64_t cursor, std::uint64_t count,
           std::optional<std::string_view> pattern, TypeFilter type, std::int64_t now_ms, Locking locking);

  bool step(protocol::ReplyBuilder& reply, std::chrono::steady_clock::time_point deadline) override;

 private:
  // Scans on until done (true) or the deadline passed.
  bool walk(std::chrono::steady_clock::time_point deadline);

  storage::Keyspace& keyspace_;
  const int db_;
  std::uint64_t cursor_;
  const std::uint64_t count_;
  const std::optional<std::string> pattern_;
  const TypeFilter type_;
  const std::int64_t now_ms_;
  const Locking locking_;
  std::uint64_t examined_ = 0;  // keys the small scans returned, before MATCH
  std::uint64_t buckets_left_;  // non-empty buckets the walk may still visit
  std::vector<std::string> keys_;
};

}  // namespace larder::commands
