// Metadata rows of the commands src/commands/monitor_commands.cc registers:
// Redis 7.0.15's COMMAND INFO and COMMAND DOCS facts, see command_docs.h.

#include "larder/commands/command_docs.h"

namespace larder::commands {

namespace {

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
constexpr CommandDoc kRows[] = {
    {.name = "monitor", .arity = 1, .flags = "admin noscript loading stale", .acl = "@admin @slow @dangerous",
     .summary = "Listen for all requests received by the server in real time", .since = "1.0.0", .group = "server"},
};
#pragma GCC diagnostic pop

}  // namespace

std::span<const CommandDoc> monitor_doc_rows() { return kRows; }

}  // namespace larder::commands
