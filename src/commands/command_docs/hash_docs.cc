// Metadata rows of the hash commands still to come (src/commands/hash_commands.cc):
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
    {.name = "hset", .arity = -4, .flags = "write denyoom fast", .acl = "@write @hash @fast", .key_specs = {"RW update | index 1 | range 0 1 0"},
     .summary = "Set the string value of a hash field", .since = "2.0.0", .group = "hash",
     .complexity = "O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.",
     .history = "4.0.0 Accepts multiple `field` and `value` arguments.",
     .syntax = "key field value [field value ...]"},
    {.name = "hsetnx", .arity = 4, .flags = "write denyoom fast", .acl = "@write @hash @fast", .key_specs = {"RW insert | index 1 | range 0 1 0"},
     .summary = "Set the value of a hash field, only if the field does not exist", .since = "2.0.0", .group = "hash",
     .complexity = "O(1)",
     .syntax = "key field value"},
    {.name = "hget", .arity = 3, .flags = "readonly fast", .acl = "@read @hash @fast", .key_specs = {"RO access | index 1 | range 0 1 0"},
     .summary = "Get the value of a hash field", .since = "2.0.0", .group = "hash",
     .complexity = "O(1)",
     .syntax = "key field"},
    {.name = "hmget", .arity = -3, .flags = "readonly fast", .acl = "@read @hash @fast", .key_specs = {"RO access | index 1 | range 0 1 0"},
     .summary = "Get the values of all the given hash fields", .since = "2.0.0", .group = "hash",
     .complexity = "O(N) where N is the number of fields being requested.",
     .syntax = "key field [field ...]"},
    {.name = "hmset", .arity = -4, .flags = "write denyoom fast", .acl = "@write @hash @fast", .key_specs = {"RW update | index 1 | range 0 1 0"},
     .summary = "Set multiple hash fields to multiple values", .since = "2.0.0", .group = "hash",
     .complexity = "O(N) where N is the number of fields being set.", .doc_flags = "deprecated", .deprecated_since = "4.0.0",
     .replaced_by = "`HSET` with multiple field-value pairs",
     .syntax = "key field value [field value ...]"},
    {.name = "hgetall", .arity = 2, .flags = "readonly", .acl = "@read @hash @slow", .tips = "nondeterministic_output_order", .key_specs = {"RO access | index 1 | range 0 1 0"},
     .summary = "Get all the fields and values in a hash", .since = "2.0.0", .group = "hash",
     .complexity = "O(N) where N is the size of the hash.",
     .syntax = "key"},
    {.name = "hdel", .arity = -3, .flags = "write fast", .acl = "@write @hash @fast", .key_specs = {"RW delete | index 1 | range 0 1 0"},
     .summary = "Delete one or more hash fields", .since = "2.0.0", .group = "hash",
     .complexity = "O(N) where N is the number of fields to be removed.",
     .history = "2.4.0 Accepts multiple `field` arguments.",
     .syntax = "key field [field ...]"},
    {.name = "hlen", .arity = 2, .flags = "readonly fast", .acl = "@read @hash @fast", .key_specs = {"RO | index 1 | range 0 1 0"},
     .summary = "Get the number of fields in a hash", .since = "2.0.0", .group = "hash",
     .complexity = "O(1)",
     .syntax = "key"},
    {.name = "hstrlen", .arity = 3, .flags = "readonly fast", .acl = "@read @hash @fast", .key_specs = {"RO | index 1 | range 0 1 0"},
     .summary = "Get the length of the value of a hash field", .since = "3.2.0", .group = "hash",
     .complexity = "O(1)",
     .syntax = "key field"},
    {.name = "hexists", .arity = 3, .flags = "readonly fast", .acl = "@read @hash @fast", .key_specs = {"RO | index 1 | range 0 1 0"},
     .summary = "Determine if a hash field exists", .since = "2.0.0", .group = "hash",
     .complexity = "O(1)",
     .syntax = "key field"},
    {.name = "hkeys", .arity = 2, .flags = "readonly", .acl = "@read @hash @slow", .tips = "nondeterministic_output_order", .key_specs = {"RO access | index 1 | range 0 1 0"},
     .summary = "Get all the fields in a hash", .since = "2.0.0", .group = "hash",
     .complexity = "O(N) where N is the size of the hash.",
     .syntax = "key"},
    {.name = "hvals", .arity = 2, .flags = "readonly", .acl = "@read @hash @slow", .tips = "nondeterministic_output_order", .key_specs = {"RO access | index 1 | range 0 1 0"},
     .summary = "Get all the values in a hash", .since = "2.0.0", .group = "hash",
     .complexity = "O(N) where N is the size of the hash.",
     .syntax = "key"},
    {.name = "hincrby", .arity = 4, .flags = "write denyoom fast", .acl = "@write @hash @fast", .key_specs = {"RW access update | index 1 | range 0 1 0"},
     .summary = "Increment the integer value of a hash field by the given number", .since = "2.0.0", .group = "hash",
     .complexity = "O(1)",
     .syntax = "key field increment",
     .hints = "increment:integer"},
    {.name = "hincrbyfloat", .arity = 4, .flags = "write denyoom fast", .acl = "@write @hash @fast", .key_specs = {"RW access update | index 1 | range 0 1 0"},
     .summary = "Increment the float value of a hash field by the given amount", .since = "2.6.0", .group = "hash",
     .complexity = "O(1)",
     .syntax = "key field increment",
     .hints = "increment:double"},
    {.name = "hrandfield", .arity = -2, .flags = "readonly", .acl = "@read @hash @slow", .tips = "nondeterministic_output", .key_specs = {"RO access | index 1 | range 0 1 0"},
     .summary = "Get one or multiple random fields from a hash", .since = "6.2.0", .group = "hash",
     .complexity = "O(N) where N is the number of fields returned",
     .syntax = "key [count [WITHVALUES]]",
     .hints = "count_withvalues=options count:integer"},
    {.name = "hscan", .arity = -3, .flags = "readonly", .acl = "@read @hash @slow", .tips = "nondeterministic_output", .key_specs = {"RO access | index 1 | range 0 1 0"},
     .summary = "Incrementally iterate hash fields and associated values", .since = "2.8.0", .group = "hash",
     .complexity = "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..",
     .syntax = "key cursor [MATCH pattern] [COUNT count]",
     .hints = "cursor:integer MATCH:pattern COUNT:integer"},
};
#pragma GCC diagnostic pop

}  // namespace

std::span<const CommandDoc> hash_doc_rows() { return kRows; }

}  // namespace larder::commands
