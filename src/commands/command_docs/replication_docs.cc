// Metadata rows of the commands src/commands/replication_commands.cc
// registers: Redis 7.0.15's COMMAND INFO and COMMAND DOCS facts, see
// command_docs.h.

#include "larder/commands/command_docs.h"

namespace larder::commands {

namespace {

// Rows name only the fields they have; GCC warns about the others even with
// designated initializers, whose omitted members are simply empty.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
constexpr CommandDoc kRows[] = {
    {.name = "wait", .arity = 3, .flags = "noscript", .acl = "@slow @connection",
     .tips = "request_policy:all_shards response_policy:agg_min",
     .summary = "Wait for the synchronous replication of all the write commands sent in the context of the current "
                "connection",
     .since = "3.0.0", .group = "generic", .complexity = "O(1)",
     .syntax = "numreplicas timeout",
     .hints = "numreplicas:integer timeout:integer"},
};
#pragma GCC diagnostic pop

}  // namespace

std::span<const CommandDoc> replication_doc_rows() { return kRows; }

}  // namespace larder::commands
