// Metadata rows of the set commands still to come (src/commands/set_commands.cc):
// Redis 7.0.15's COMMAND INFO and COMMAND DOCS facts, see command_docs.h.
// Until a command is registered its row is invisible.

#include "larder/commands/command_docs.h"

namespace larder::commands {

namespace {

// Rows name only the fields they have; GCC warns about the others even with
// designated initializers, whose omitted members are simply empty.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
constexpr CommandDoc kRows[] = {
    {.name = "sadd", .arity = -3, .flags = "write denyoom fast", .acl = "@write @set @fast", .key_specs = {"RW insert | index 1 | range 0 1 0"},
     .summary = "Add one or more members to a set", .since = "1.0.0", .group = "set",
     .complexity = "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
     .history = "2.4.0 Accepts multiple `member` arguments.",
     .syntax = "key member [member ...]"},
    {.name = "srem", .arity = -3, .flags = "write fast", .acl = "@write @set @fast", .key_specs = {"RW delete | index 1 | range 0 1 0"},
     .summary = "Remove one or more members from a set", .since = "1.0.0", .group = "set",
     .complexity = "O(N) where N is the number of members to be removed.",
     .history = "2.4.0 Accepts multiple `member` arguments.",
     .syntax = "key member [member ...]"},
    {.name = "smembers", .arity = 2, .flags = "readonly", .acl = "@read @set @slow", .tips = "nondeterministic_output_order", .key_specs = {"RO access | index 1 | range 0 1 0"},
     .summary = "Get all the members in a set", .since = "1.0.0", .group = "set",
     .complexity = "O(N) where N is the set cardinality.",
     .syntax = "key"},
    {.name = "sismember", .arity = 3, .flags = "readonly fast", .acl = "@read @set @fast", .key_specs = {"RO | index 1 | range 0 1 0"},
     .summary = "Determine if a given value is a member of a set", .since = "1.0.0", .group = "set",
     .complexity = "O(1)",
     .syntax = "key member"},
    {.name = "smismember", .arity = -3, .flags = "readonly fast", .acl = "@read @set @fast", .key_specs = {"RO access | index 1 | range 0 1 0"},
     .summary = "Returns the membership associated with the given elements for a set", .since = "6.2.0", .group = "set",
     .complexity = "O(N) where N is the number of elements being checked for membership",
     .syntax = "key member [member ...]"},
    {.name = "scard", .arity = 2, .flags = "readonly fast", .acl = "@read @set @fast", .key_specs = {"RO | index 1 | range 0 1 0"},
     .summary = "Get the number of members in a set", .since = "1.0.0", .group = "set",
     .complexity = "O(1)",
     .syntax = "key"},
    {.name = "spop", .arity = -2, .flags = "write fast", .acl = "@write @set @fast", .tips = "nondeterministic_output", .key_specs = {"RW access delete | index 1 | range 0 1 0"},
     .summary = "Remove and return one or multiple random members from a set", .since = "1.0.0", .group = "set",
     .complexity = "Without the count argument O(1), otherwise O(N) where N is the value of the passed count.",
     .history = "3.2.0 Added the `count` argument.",
     .syntax = "key [count]",
     .hints = "count:integer count^3.2.0"},
    {.name = "srandmember", .arity = -2, .flags = "readonly", .acl = "@read @set @slow", .tips = "nondeterministic_output", .key_specs = {"RO access | index 1 | range 0 1 0"},
     .summary = "Get one or multiple random members from a set", .since = "1.0.0", .group = "set",
     .complexity = "Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.",
     .history = "2.6.0 Added the optional `count` argument.",
     .syntax = "key [count]",
     .hints = "count:integer count^2.6.0"},
    {.name = "smove", .arity = 4, .flags = "write fast", .acl = "@write @set @fast", .key_specs = {"RW access delete | index 1 | range 0 1 0", "RW insert | index 2 | range 0 1 0"},
     .summary = "Move a member from one set to another", .since = "1.0.0", .group = "set",
     .complexity = "O(1)",
     .syntax = "source destination member",
     .hints = "source:key destination:key destination@1"},
    {.name = "sinter", .arity = -2, .flags = "readonly", .acl = "@read @set @slow", .tips = "nondeterministic_output_order", .key_specs = {"RO access | index 1 | range -1 1 0"},
     .summary = "Intersect multiple sets", .since = "1.0.0", .group = "set",
     .complexity = "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.",
     .syntax = "key [key ...]"},
    {.name = "sintercard", .arity = -3, .flags = "readonly movablekeys", .acl = "@read @set @slow", .key_specs = {"RO access | index 1 | keynum 0 1 1"},
     .summary = "Intersect multiple sets and return the cardinality of the result", .since = "7.0.0", .group = "set",
     .complexity = "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.",
     .syntax = "numkeys key [key ...] [LIMIT limit]",
     .hints = "numkeys:integer LIMIT:integer"},
    {.name = "sinterstore", .arity = -3, .flags = "write denyoom", .acl = "@write @set @slow", .key_specs = {"RW update | index 1 | range 0 1 0", "RO access | index 2 | range -1 1 0"},
     .summary = "Intersect multiple sets and store the resulting set in a key", .since = "1.0.0", .group = "set",
     .complexity = "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.",
     .syntax = "destination key [key ...]",
     .hints = "destination:key key@1"},
    {.name = "sunion", .arity = -2, .flags = "readonly", .acl = "@read @set @slow", .tips = "nondeterministic_output_order", .key_specs = {"RO access | index 1 | range -1 1 0"},
     .summary = "Add multiple sets", .since = "1.0.0", .group = "set",
     .complexity = "O(N) where N is the total number of elements in all given sets.",
     .syntax = "key [key ...]"},
    {.name = "sunionstore", .arity = -3, .flags = "write denyoom", .acl = "@write @set @slow", .key_specs = {"OW update | index 1 | range 0 1 0", "RO access | index 2 | range -1 1 0"},
     .summary = "Add multiple sets and store the resulting set in a key", .since = "1.0.0", .group = "set",
     .complexity = "O(N) where N is the total number of elements in all given sets.",
     .syntax = "destination key [key ...]",
     .hints = "destination:key key@1"},
    {.name = "sdiff", .arity = -2, .flags = "readonly", .acl = "@read @set @slow", .tips = "nondeterministic_output_order", .key_specs = {"RO access | index 1 | range -1 1 0"},
     .summary = "Subtract multiple sets", .since = "1.0.0", .group = "set",
     .complexity = "O(N) where N is the total number of elements in all given sets.",
     .syntax = "key [key ...]"},
    {.name = "sdiffstore", .arity = -3, .flags = "write denyoom", .acl = "@write @set @slow", .key_specs = {"OW update | index 1 | range 0 1 0", "RO access | index 2 | range -1 1 0"},
     .summary = "Subtract multiple sets and store the resulting set in a key", .since = "1.0.0", .group = "set",
     .complexity = "O(N) where N is the total number of elements in all given sets.",
     .syntax = "destination key [key ...]",
     .hints = "destination:key key@1"},
    {.name = "sscan", .arity = -3, .flags = "readonly", .acl = "@read @set @slow", .tips = "nondeterministic_output", .key_specs = {"RO access | index 1 | range 0 1 0"},
     .summary = "Incrementally iterate Set elements", .since = "2.8.0", .group = "set",
     .complexity = "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..",
     .syntax = "key cursor [MATCH pattern] [COUNT count]",
     .hints = "cursor:integer MATCH:pattern COUNT:integer"},
};
#pragma GCC diagnostic pop

}  // namespace

std::span<const CommandDoc> set_doc_rows() { return kRows; }

}  // namespace larder::commands
