#pragma once
// The pops and moves of the list commands, shared with their blocking forms
// (BLPOP, BRPOP, BLMPOP, BLMOVE, BRPOPLPUSH). Contract: the caller holds the
// locks of the shards of every key named. Each function writes a reply only
// when it returns kServed; otherwise nothing changed and the caller replies
// (a null, an error for kWrongType, or blocks).

#include <cstddef>
#include <string_view>

#include "larder/commands/keyspace_events.h"
#include "larder/config/live_config.h"
#include "larder/protocol/reply_builder.h"
#include "larder/storage/db.h"
#include "larder/storage/list_value.h"

namespace larder::commands::list_ops {

enum class Result { kServed, kEmpty, kWrongType };

// The reply shapes of a pop.
enum class PopReply {
  kElement,     // LPOP key: the element (count is 1)
  kArray,       // LPOP key count: an array of the elements
  kKeyElement,  // BLPOP: [key, element] (count is 1)
  kKeyArray,    // LMPOP, BLMPOP: [key, [elements]]
};

storage::list::Limits limits(const config::LiveConfig& config);

// Pops up to `count` (>= 1) elements from `end` of the list at `key` and
// replies with them in pop order; kEmpty when the key is missing, kWrongType
// when it holds another type. An emptied list is deleted. Notifies Redis's
// events (lpop/rpop, del) through `events`, as do move()'s.
Result pop(storage::Db& db, std::string_view key, storage::list::End end, std::size_t count, PopReply shape,
           protocol::ReplyBuilder& reply, KeyspaceEvents& events);

// LMOVE: pops the element at `from` of `src`, pushes it at `to` of `dst` and
// replies with it (a bulk string). kEmpty when `src` is missing; kWrongType
// when `src` or `dst` holds another type (nothing moves). src == dst rotates.
Result move(storage::Db& db, std::string_view src, std::string_view dst, storage::list::End from,
            storage::list::End to, const storage::list::Limits& limits, protocol::ReplyBuilder& reply,
            KeyspaceEvents& events);

}  // namespace larder::commands::list_ops
