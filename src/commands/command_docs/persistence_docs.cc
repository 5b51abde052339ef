// Metadata rows of the commands src/commands/persistence_commands.cc registers:
// Redis 7.0.15's COMMAND INFO and COMMAND DOCS facts, see command_docs.h.

#include "larder/commands/command_docs.h"

namespace larder::commands {

namespace {

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
constexpr CommandDoc kRows[] = {
    {.name = "save", .arity = 1, .flags = "admin noscript no_async_loading no_multi", .acl = "@admin @slow @dangerous",
     .summary = "Synchronously save the dataset to disk", .since = "1.0.0", .group = "server",
     .complexity = "O(N) where N is the total number of keys in all databases"},
    {.name = "bgsave", .arity = -1, .flags = "admin noscript no_async_loading", .acl = "@admin @slow @dangerous",
     .summary = "Asynchronously save the dataset to disk", .since = "1.0.0", .group = "server",
     .complexity = "O(1)",
     .history = "3.2.2 Added the `SCHEDULE` option.",
     .syntax = "[SCHEDULE]",
     .hints = "SCHEDULE^3.2.2"},
};
#pragma GCC diagnostic pop

}  // namespace

std::span<const CommandDoc> persistence_doc_rows() { return kRows; }

}  // namespace larder::commands
