// Metadata rows of the commands src/commands/introspection_commands.cc registers:
// Redis 7.0.15's COMMAND INFO and COMMAND DOCS facts, see command_docs.h.

#include "larder/commands/command_docs.h"

namespace larder::commands {

namespace {

// Rows name only the fields they have; GCC warns about the others even with
// designated initializers, whose omitted members are simply empty.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
constexpr CommandDoc kRows[] = {
    {.name = "command", .arity = -1, .flags = "loading stale", .acl = "@slow @connection", .tips = "nondeterministic_output_order",
     .summary = "Get array of Redis command details", .since = "2.8.13", .group = "server",
     .complexity = "O(N) where N is the total number of Redis commands"},
    {.name = "command|count", .arity = 2, .flags = "loading stale", .acl = "@slow @connection",
     .summary = "Get total number of Redis commands", .since = "2.8.13", .group = "server",
     .complexity = "O(1)"},
    {.name = "command|info", .arity = -2, .flags = "loading stale", .acl = "@slow @connection", .tips = "nondeterministic_output_order",
     .summary = "Get array of specific Redis command details, or all when no argument is given.", .since = "2.8.13", .group = "server",
     .complexity = "O(N) where N is the number of commands to look up",
     .history = "7.0.0 Allowed to be called with no argument to get info on all commands.",
     .syntax = "[command-name [command-name ...]]"},
    {.name = "command|docs", .arity = -2, .flags = "loading stale", .acl = "@slow @connection", .tips = "nondeterministic_output_order",
     .summary = "Get array of specific Redis command documentation", .since = "7.0.0", .group = "server",
     .complexity = "O(N) where N is the number of commands to look up",
     .syntax = "[command-name [command-name ...]]"},
    {.name = "command|list", .arity = -2, .flags = "loading stale", .acl = "@slow @connection", .tips = "nondeterministic_output_order",
     .summary = "Get an array of Redis command names", .since = "7.0.0", .group = "server",
     .complexity = "O(N) where N is the total number of Redis commands",
     .syntax = "[FILTERBY <MODULE module-name | ACLCAT category | PATTERN pattern>]",
     .hints = "PATTERN:pattern"},
    {.name = "command|getkeys", .arity = -4, .flags = "loading stale", .acl = "@slow @connection",
     .summary = "Extract keys given a full Redis command", .since = "2.8.13", .group = "server",
     .complexity = "O(N) where N is the number of arguments to the command"},
    {.name = "command|getkeysandflags", .arity = -4, .flags = "loading stale", .acl = "@slow @connection",
     .summary = "Extract keys and access flags given a full Redis command", .since = "7.0.0", .group = "server",
     .complexity = "O(N) where N is the number of arguments to the command"},
    {.name = "command|help", .arity = 2, .flags = "loading stale", .acl = "@slow @connection",
     .summary = "Show helpful text about the different subcommands", .since = "5.0.0", .group = "server",
     .complexity = "O(1)"},
};
#pragma GCC diagnostic pop

}  // namespace

std::span<const CommandDoc> introspection_doc_rows() { return kRows; }

}  // namespace larder::commands
