// Metadata rows of the commands src/commands/dump_commands.cc registers:
// Redis 7.0.15's COMMAND INFO and COMMAND DOCS facts, see command_docs.h.

#include "larder/commands/command_docs.h"

namespace larder::commands {

namespace {

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
constexpr CommandDoc kRows[] = {
    {.name = "dump", .arity = 2, .flags = "readonly", .acl = "@keyspace @read @slow", .tips = "nondeterministic_output", .key_specs = {"RO access | index 1 | range 0 1 0"},
     .summary = "Return a serialized version of the value stored at the specified key.", .since = "2.6.0", .group = "generic",
     .complexity = "O(1) to access the key and additional O(N*M) to serialize it, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1).",
     .syntax = "key"},
    {.name = "restore", .arity = -4, .flags = "write denyoom", .acl = "@keyspace @write @slow @dangerous", .key_specs = {"OW update | index 1 | range 0 1 0"},
     .summary = "Create a key using the provided serialized value, previously obtained using DUMP.", .since = "2.6.0", .group = "generic",
     .complexity = "O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However for sorted set values the complexity is O(N*M*log(N)) because inserting values into sorted sets is O(log(N)).",
     .history = "3.0.0 Added the `REPLACE` modifier.\n5.0.0 Added the `ABSTTL` modifier.\n5.0.0 Added the `IDLETIME` and `FREQ` options.",
     .syntax = "key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]",
     .hints = "ttl:integer REPLACE^3.0.0 ABSTTL^5.0.0 IDLETIME:integer IDLETIME^5.0.0 FREQ:integer FREQ^5.0.0"},
};
#pragma GCC diagnostic pop

}  // namespace

std::span<const CommandDoc> dump_doc_rows() { return kRows; }

}  // namespace larder::commands
