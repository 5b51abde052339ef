// Metadata rows of the commands src/commands/hyperloglog_commands.cc registers:
// Redis 7.0.15's COMMAND INFO and COMMAND DOCS facts, see command_docs.h.

#include "larder/commands/command_docs.h"

namespace larder::commands {

namespace {

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
constexpr CommandDoc kRows[] = {
    {.name = "pfadd", .arity = -2, .flags = "write denyoom fast", .acl = "@write @hyperloglog @fast", .key_specs = {"RW insert | index 1 | range 0 1 0"},
     .summary = "Adds the specified elements to the specified HyperLogLog.", .since = "2.8.9", .group = "hyperloglog",
     .complexity = "O(1) to add every element.",
     .syntax = "key [element [element ...]]"},
    {.name = "pfcount", .arity = -2, .flags = "readonly", .acl = "@read @hyperloglog @slow", .key_specs = {"RW access | index 1 | range -1 1 0 | RW because it may change the internal representation of the key, and propagate to replicas"},
     .summary = "Return the approximated cardinality of the set(s) observed by the HyperLogLog at key(s).", .since = "2.8.9", .group = "hyperloglog",
     .complexity = "O(1) with a very small average constant time when called with a single key. O(N) with N being the number of keys, and much bigger constant times, when called with multiple keys.",
     .syntax = "key [key ...]"},
    {.name = "pfmerge", .arity = -2, .flags = "write denyoom", .acl = "@write @hyperloglog @slow", .key_specs = {"RW access insert | index 1 | range 0 1 0", "RO access | index 2 | range -1 1 0"},
     .summary = "Merge N different HyperLogLogs into a single one.", .since = "2.8.9", .group = "hyperloglog",
     .complexity = "O(N) to merge N HyperLogLogs, but with high constant times.",
     .syntax = "destkey sourcekey [sourcekey ...]",
     .hints = "destkey:key sourcekey:key sourcekey@1"},
    {.name = "pfdebug", .arity = 3, .flags = "write denyoom admin", .acl = "@write @hyperloglog @admin @slow @dangerous", .key_specs = {"RW access | index 2 | range 0 1 0"},
     .summary = "Internal commands for debugging HyperLogLog values", .since = "2.8.9", .group = "hyperloglog",
     .complexity = "N/A", .doc_flags = "syscmd",
     .syntax = "subcommand key"},
    {.name = "pfselftest", .arity = 1, .flags = "admin", .acl = "@hyperloglog @admin @slow @dangerous",
     .summary = "An internal command for testing HyperLogLog values", .since = "2.8.9", .group = "hyperloglog",
     .complexity = "N/A", .doc_flags = "syscmd",
     .syntax = ""},
};
#pragma GCC diagnostic pop

}  // namespace

std::span<const CommandDoc> hyperloglog_doc_rows() { return kRows; }

}  // namespace larder::commands
