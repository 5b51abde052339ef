// Metadata rows of the commands src/commands/server_commands.cc registers:
// Redis 7.0.15's COMMAND INFO and COMMAND DOCS facts, see command_docs.h.

#include "larder/commands/command_docs.h"

namespace larder::commands {

namespace {

// Rows name only the fields they have; GCC warns about the others even with
// designated initializers, whose omitted members are simply empty.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
constexpr CommandDoc kRows[] = {
    {.name = "dbsize", .arity = 1, .flags = "readonly fast", .acl = "@keyspace @read @fast", .tips = "request_policy:all_shards response_policy:agg_sum",
     .summary = "Return the number of keys in the selected database", .since = "1.0.0", .group = "server",
     .complexity = "O(1)"},
    {.name = "flushdb", .arity = -1, .flags = "write", .acl = "@keyspace @write @slow @dangerous", .tips = "request_policy:all_shards response_policy:all_succeeded",
     .summary = "Remove all keys from the current database", .since = "1.0.0", .group = "server",
     .complexity = "O(N) where N is the number of keys in the selected database",
     .history = "4.0.0 Added the `ASYNC` flushing mode modifier.\n6.2.0 Added the `SYNC` flushing mode modifier.",
     .syntax = "[ASYNC | SYNC]",
     .hints = "ASYNC^4.0.0 SYNC^6.2.0 async_sync=async"},
    {.name = "flushall", .arity = -1, .flags = "write", .acl = "@keyspace @write @slow @dangerous", .tips = "request_policy:all_shards response_policy:all_succeeded",
     .summary = "Remove all keys from all databases", .since = "1.0.0", .group = "server",
     .complexity = "O(N) where N is the total number of keys in all databases",
     .history = "4.0.0 Added the `ASYNC` flushing mode modifier.\n6.2.0 Added the `SYNC` flushing mode modifier.",
     .syntax = "[ASYNC | SYNC]",
     .hints = "ASYNC^4.0.0 SYNC^6.2.0 async_sync=async"},
    {.name = "swapdb", .arity = 3, .flags = "write fast", .acl = "@keyspace @write @fast @dangerous",
     .summary = "Swaps two Redis databases", .since = "4.0.0", .group = "server",
     .complexity = "O(N) where N is the count of clients watching or blocking on keys from both databases.",
     .syntax = "index1 index2",
     .hints = "index1:integer index2:integer"},
    {.name = "shutdown", .arity = -1, .flags = "admin noscript loading stale no_multi allow_busy", .acl = "@admin @slow @dangerous",
     .summary = "Synchronously save the dataset to disk and then shut down the server", .since = "1.0.0", .group = "server",
     .complexity = "O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)",
     .history = "7.0.0 Added the `NOW`, `FORCE` and `ABORT` modifiers.",
     .syntax = "[NOSAVE | SAVE] [NOW] [FORCE] [ABORT]",
     .hints = "NOW^7.0.0 FORCE^7.0.0 ABORT^7.0.0"},
};
#pragma GCC diagnostic pop

}  // namespace

std::span<const CommandDoc> server_doc_rows() { return kRows; }

}  // namespace larder::commands
