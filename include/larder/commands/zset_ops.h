#pragma once
// Sorted-set pops shared by ZPOPMIN / ZPOPMAX / ZMPOP and the blocking pops
// (BZPOPMIN, BZPOPMAX, BZMPOP). The caller holds the lock of `key`'s shard.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "larder/commands/keyspace_events.h"
#include "larder/protocol/reply_builder.h"
#include "larder/storage/db.h"

namespace larder::commands::zset_ops {

enum class End { kMin, kMax };

struct Popped {
  std::string member;
  double score;
};

// Removes up to `count` elements from the `end` of the sorted set at `key`
// and returns them in pop order (lowest first for kMin, highest first for
// kMax). Empty when the key is missing or holds another type (check
// Db::read_for_write(key, ValueType::kZset).wrong_type first to reply
// WRONGTYPE). An emptied set is deleted. Notifies zpopmin/zpopmax (and
// del) through `events`, as Redis.
std::vector<Popped> pop(storage::Db& db, std::string_view key, End end, std::size_t count, KeyspaceEvents& events);

// pop() of one element: BZPOPMIN / BZPOPMAX write [key, member, score].
std::optional<Popped> pop_one(storage::Db& db, std::string_view key, End end, KeyspaceEvents& events);

// Redis's event name for a pop from `end`.
inline std::string_view pop_event(End end) { return end == End::kMin ? "zpopmin" : "zpopmax"; }

// Pops up to `count` (>= 1) elements of the live sorted set at `key` and
// writes ZMPOP's reply: [key, [[member, score], ...]] (scores as doubles).
void pop_reply_zmpop(storage::Db& db, std::string_view key, End end, std::size_t count,
                     protocol::ReplyBuilder& reply, KeyspaceEvents& events);

}  // namespace larder::commands::zset_ops
