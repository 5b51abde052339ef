// Metadata rows of the commands src/commands/diagnostics_commands.cc registers:
// Redis 7.0.15's COMMAND INFO and COMMAND DOCS facts, see command_docs.h.

#include "larder/commands/command_docs.h"

namespace larder::commands {

namespace {

// Rows name only the fields they have; GCC warns about the others even with
// designated initializers, whose omitted members are simply empty.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
constexpr CommandDoc kRows[] = {
    {.name = "time", .arity = 1, .flags = "loading stale fast", .acl = "@fast", .tips = "nondeterministic_output",
     .summary = "Return the current server time", .since = "2.6.0", .group = "server",
     .complexity = "O(1)"},
    {.name = "lastsave", .arity = 1, .flags = "loading stale fast", .acl = "@admin @fast @dangerous", .tips = "nondeterministic_output",
     .summary = "Get the UNIX time stamp of the last successful save to disk", .since = "1.0.0", .group = "server",
     .complexity = "O(1)"},
    {.name = "role", .arity = 1, .flags = "noscript loading stale fast", .acl = "@admin @fast @dangerous",
     .summary = "Return the role of the instance in the context of replication", .since = "2.8.12", .group = "server",
     .complexity = "O(1)"},
    {.name = "slowlog", .arity = -2, .flags = "", .acl = "@slow",
     .summary = "A container for slow log commands", .since = "2.2.12", .group = "server",
     .complexity = "Depends on subcommand."},
    {.name = "slowlog|get", .arity = -2, .flags = "admin loading stale", .acl = "@admin @slow @dangerous", .tips = "request_policy:all_nodes nondeterministic_output",
     .summary = "Get the slow log's entries", .since = "2.2.12", .group = "server",
     .complexity = "O(N) where N is the number of entries returned",
     .history = "4.0.0 Added client IP address, port and name to the reply.",
     .syntax = "[count]",
     .hints = "count:integer"},
    {.name = "slowlog|len", .arity = 2, .flags = "admin loading stale", .acl = "@admin @slow @dangerous", .tips = "request_policy:all_nodes response_policy:agg_sum nondeterministic_output",
     .summary = "Get the slow log's length", .since = "2.2.12", .group = "server",
     .complexity = "O(1)"},
    {.name = "slowlog|reset", .arity = 2, .flags = "admin loading stale", .acl = "@admin @slow @dangerous", .tips = "request_policy:all_nodes response_policy:all_succeeded",
     .summary = "Clear all entries from the slow log", .since = "2.2.12", .group = "server",
     .complexity = "O(N) where N is the number of entries in the slowlog"},
    {.name = "slowlog|help", .arity = 2, .flags = "loading stale", .acl = "@slow",
     .summary = "Show helpful text about the different subcommands", .since = "6.2.0", .group = "server",
     .complexity = "O(1)"},
    {.name = "latency", .arity = -2, .flags = "", .acl = "@slow",
     .summary = "A container for latency diagnostics commands", .since = "2.8.13", .group = "server",
     .complexity = "Depends on subcommand."},
    {.name = "latency|latest", .arity = 2, .flags = "admin noscript loading stale", .acl = "@admin @slow @dangerous", .tips = "nondeterministic_output request_policy:all_nodes response_policy:special",
     .summary = "Return the latest latency samples for all events.", .since = "2.8.13", .group = "server",
     .complexity = "O(1)"},
    {.name = "latency|histogram", .arity = -2, .flags = "admin noscript loading stale", .acl = "@admin @slow @dangerous", .tips = "nondeterministic_output request_policy:all_nodes response_policy:special",
     .summary = "Return the cumulative distribution of latencies of a subset of commands or all.", .since = "7.0.0", .group = "server",
     .complexity = "O(N) where N is the number of commands with latency information being retrieved.",
     .syntax = "[command [command ...]]"},
    {.name = "latency|reset", .arity = -2, .flags = "admin noscript loading stale", .acl = "@admin @slow @dangerous", .tips = "request_policy:all_nodes response_policy:all_succeeded",
     .summary = "Reset latency data for one or more events.", .since = "2.8.13", .group = "server",
     .complexity = "O(1)",
     .syntax = "[event [event ...]]"},
    {.name = "latency|history", .arity = 3, .flags = "admin noscript loading stale", .acl = "@admin @slow @dangerous", .tips = "nondeterministic_output request_policy:all_nodes response_policy:special",
     .summary = "Return timestamp-latency samples for the event.", .since = "2.8.13", .group = "server",
     .complexity = "O(1)",
     .syntax = "event"},
    {.name = "latency|graph", .arity = 3, .flags = "admin noscript loading stale", .acl = "@admin @slow @dangerous", .tips = "nondeterministic_output request_policy:all_nodes response_policy:special",
     .summary = "Return a latency graph for the event.", .since = "2.8.13", .group = "server",
     .complexity = "O(1)",
     .syntax = "event"},
    {.name = "latency|doctor", .arity = 2, .flags = "admin noscript loading stale", .acl = "@admin @slow @dangerous", .tips = "nondeterministic_output request_policy:all_nodes response_policy:special",
     .summary = "Return a human readable latency analysis report.", .since = "2.8.13", .group = "server",
     .complexity = "O(1)"},
    {.name = "latency|help", .arity = 2, .flags = "loading stale", .acl = "@slow",
     .summary = "Show helpful text about the different subcommands.", .since = "2.8.13", .group = "server",
     .complexity = "O(1)"},
    {.name = "memory", .arity = -2, .flags = "", .acl = "@slow",
     .summary = "A container for memory diagnostics commands", .since = "4.0.0", .group = "server",
     .complexity = "Depends on subcommand."},
    {.name = "memory|usage", .arity = -3, .flags = "readonly", .acl = "@read @slow", .key_specs = {"RO | index 2 | range 0 1 0"},
     .summary = "Estimate the memory usage of a key", .since = "4.0.0", .group = "server",
     .complexity = "O(N) where N is the number of samples.",
     .syntax = "key [SAMPLES count]",
     .hints = "SAMPLES:integer"},
    {.name = "memory|stats", .arity = 2, .flags = "", .acl = "@slow", .tips = "nondeterministic_output request_policy:all_shards response_policy:special",
     .summary = "Show memory usage details", .since = "4.0.0", .group = "server",
     .complexity = "O(1)"},
    {.name = "memory|doctor", .arity = 2, .flags = "", .acl = "@slow", .tips = "nondeterministic_output request_policy:all_shards response_policy:special",
     .summary = "Outputs memory problems report", .since = "4.0.0", .group = "server",
     .complexity = "O(1)"},
    {.name = "memory|malloc-stats", .arity = 2, .flags = "", .acl = "@slow", .tips = "nondeterministic_output request_policy:all_shards response_policy:special",
     .summary = "Show allocator internal stats", .since = "4.0.0", .group = "server",
     .complexity = "Depends on how much memory is allocated, could be slow"},
    {.name = "memory|purge", .arity = 2, .flags = "", .acl = "@slow", .tips = "request_policy:all_shards response_policy:all_succeeded",
     .summary = "Ask the allocator to release memory", .since = "4.0.0", .group = "server",
     .complexity = "Depends on how much memory is allocated, could be slow"},
    {.name = "memory|help", .arity = 2, .flags = "loading stale", .acl = "@slow",
     .summary = "Show helpful text about the different subcommands", .since = "4.0.0", .group = "server",
     .complexity = "O(1)"},
    {.name = "debug", .arity = -2, .flags = "admin noscript loading stale", .acl = "@admin @slow @dangerous",
     .summary = "A container for debugging commands", .since = "1.0.0", .group = "server",
     .complexity = "Depends on subcommand.", .doc_flags = "syscmd"},
};
#pragma GCC diagnostic pop

}  // namespace

std::span<const CommandDoc> diagnostics_doc_rows() { return kRows; }

}  // namespace larder::commands
