// Metadata rows of the commands src/commands/tracking_commands.cc registers:
// Redis 7.0.15's COMMAND INFO and COMMAND DOCS facts, see command_docs.h.

#include "larder/commands/command_docs.h"

namespace larder::commands {

namespace {

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
constexpr CommandDoc kRows[] = {
    {.name = "client|tracking", .arity = -3, .flags = "noscript loading stale", .acl = "@slow @connection",
     .summary = "Enable or disable server assisted client side caching support", .since = "6.0.0", .group = "connection",
     .complexity = "O(1). Some options may introduce additional complexity.",
     .syntax = "<ON | OFF> [REDIRECT client-id] [PREFIX prefix [PREFIX prefix ...]] [BCAST] [OPTIN] [OPTOUT] [NOLOOP]",
     .hints = "on_off=status REDIRECT:integer"},
    {.name = "client|caching", .arity = 3, .flags = "noscript loading stale", .acl = "@slow @connection",
     .summary = "Instruct the server about tracking or not keys in the next request", .since = "6.0.0", .group = "connection",
     .complexity = "O(1)",
     .syntax = "<YES | NO>",
     .hints = "yes_no=mode"},
    {.name = "client|getredir", .arity = 2, .flags = "noscript loading stale", .acl = "@slow @connection",
     .summary = "Get tracking notifications redirection client ID if any", .since = "6.0.0", .group = "connection",
     .complexity = "O(1)"},
    {.name = "client|trackinginfo", .arity = 2, .flags = "noscript loading stale", .acl = "@slow @connection",
     .summary = "Return information about server assisted client side caching for the current connection",
     .since = "6.2.0", .group = "connection",
     .complexity = "O(1)"},
};
#pragma GCC diagnostic pop

}  // namespace

std::span<const CommandDoc> tracking_doc_rows() { return kRows; }

}  // namespace larder::commands
