// Metadata rows of the commands src/commands/transaction_commands.cc registers:
// Redis 7.0.15's COMMAND INFO and COMMAND DOCS facts, see command_docs.h.

#include "larder/commands/command_docs.h"

namespace larder::commands {

namespace {

// Rows name only the fields they have; GCC warns about the others even with
// designated initializers, whose omitted members are simply empty.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
constexpr CommandDoc kRows[] = {
    {.name = "multi", .arity = 1, .flags = "noscript loading stale fast allow_busy", .acl = "@fast @transaction",
     .summary = "Mark the start of a transaction block", .since = "1.2.0", .group = "transactions",
     .complexity = "O(1)"},
    {.name = "exec", .arity = 1, .flags = "noscript loading stale skip_slowlog", .acl = "@slow @transaction",
     .summary = "Execute all commands issued after MULTI", .since = "1.2.0", .group = "transactions",
     .complexity = "Depends on commands in the transaction"},
    {.name = "discard", .arity = 1, .flags = "noscript loading stale fast allow_busy", .acl = "@fast @transaction",
     .summary = "Discard all commands issued after MULTI", .since = "2.0.0", .group = "transactions",
     .complexity = "O(N), when N is the number of queued commands"},
    {.name = "watch", .arity = -2, .flags = "noscript loading stale fast allow_busy", .acl = "@fast @transaction", .key_specs = {"RO | index 1 | range -1 1 0"},
     .summary = "Watch the given keys to determine execution of the MULTI/EXEC block", .since = "2.2.0", .group = "transactions",
     .complexity = "O(1) for every key.",
     .syntax = "key [key ...]"},
    {.name = "unwatch", .arity = 1, .flags = "noscript loading stale fast allow_busy", .acl = "@fast @transaction",
     .summary = "Forget about all watched keys", .since = "2.2.0", .group = "transactions",
     .complexity = "O(1)"},
};
#pragma GCC diagnostic pop

}  // namespace

std::span<const CommandDoc> transaction_doc_rows() { return kRows; }

}  // namespace larder::commands
