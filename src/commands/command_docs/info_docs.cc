// Metadata rows of the commands src/commands/info_command.cc registers:
// Redis 7.0.15's COMMAND INFO and COMMAND DOCS facts, see command_docs.h.

#include "larder/commands/command_docs.h"

namespace larder::commands {

namespace {

// Rows name only the fields they have; GCC warns about the others even with
// designated initializers, whose omitted members are simply empty.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
constexpr CommandDoc kRows[] = {
    {.name = "info", .arity = -1, .flags = "loading stale", .acl = "@slow @dangerous", .tips = "nondeterministic_output request_policy:all_shards response_policy:special",
     .summary = "Get information and statistics about the server", .since = "1.0.0", .group = "server",
     .complexity = "O(1)",
     .history = "7.0.0 Added support for taking multiple section arguments.",
     .syntax = "[section [section ...]]"},
};
#pragma GCC diagnostic pop

}  // namespace

std::span<const CommandDoc> info_doc_rows() { return kRows; }

}  // namespace larder::commands
