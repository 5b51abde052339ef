// Metadata rows of the commands src/commands/config_commands.cc registers:
// Redis 7.0.15's COMMAND INFO and COMMAND DOCS facts, see command_docs.h.

#include "larder/commands/command_docs.h"

namespace larder::commands {

namespace {

// Rows name only the fields they have; GCC warns about the others even with
// designated initializers, whose omitted members are simply empty.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
constexpr CommandDoc kRows[] = {
    {.name = "config", .arity = -2, .flags = "", .acl = "@slow",
     .summary = "A container for server configuration commands", .since = "2.0.0", .group = "server",
     .complexity = "Depends on subcommand."},
    {.name = "config|get", .arity = -3, .flags = "admin noscript loading stale", .acl = "@admin @slow @dangerous",
     .summary = "Get the values of configuration parameters", .since = "2.0.0", .group = "server",
     .complexity = "O(N) when N is the number of configuration parameters provided",
     .history = "7.0.0 Added the ability to pass multiple pattern parameters in one call",
     .syntax = "parameter [parameter ...]",
     .hints = "parameter:block"},
    {.name = "config|set", .arity = -4, .flags = "admin noscript loading stale", .acl = "@admin @slow @dangerous", .tips = "request_policy:all_nodes response_policy:all_succeeded",
     .summary = "Set configuration parameters to the given values", .since = "2.0.0", .group = "server",
     .complexity = "O(N) when N is the number of configuration parameters provided",
     .history = "7.0.0 Added the ability to set multiple parameters in one call.",
     .syntax = "parameter value [parameter value ...]"},
    {.name = "config|resetstat", .arity = 2, .flags = "admin noscript loading stale", .acl = "@admin @slow @dangerous",
     .summary = "Reset the stats returned by INFO", .since = "2.0.0", .group = "server",
     .complexity = "O(1)"},
    {.name = "config|rewrite", .arity = 2, .flags = "admin noscript loading stale", .acl = "@admin @slow @dangerous",
     .summary = "Rewrite the configuration file with the in memory configuration", .since = "2.8.0", .group = "server",
     .complexity = "O(1)"},
    {.name = "config|help", .arity = 2, .flags = "loading stale", .acl = "@slow",
     .summary = "Show helpful text about the different subcommands", .since = "5.0.0", .group = "server",
     .complexity = "O(1)"},
};
#pragma GCC diagnostic pop

}  // namespace

std::span<const CommandDoc> config_doc_rows() { return kRows; }

}  // namespace larder::commands
