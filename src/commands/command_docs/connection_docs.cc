// Metadata rows of the commands src/commands/connection_commands.cc registers:
// Redis 7.0.15's COMMAND INFO and COMMAND DOCS facts, see command_docs.h.

#include "larder/commands/command_docs.h"

namespace larder::commands {

namespace {

// Rows name only the fields they have; GCC warns about the others even with
// designated initializers, whose omitted members are simply empty.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
constexpr CommandDoc kRows[] = {
    {.name = "ping", .arity = -1, .flags = "fast", .acl = "@fast @connection", .tips = "request_policy:all_shards response_policy:all_succeeded",
     .summary = "Ping the server", .since = "1.0.0", .group = "connection",
     .complexity = "O(1)",
     .syntax = "[message]"},
    {.name = "echo", .arity = 2, .flags = "loading stale fast", .acl = "@fast @connection",
     .summary = "Echo the given string", .since = "1.0.0", .group = "connection",
     .complexity = "O(1)",
     .syntax = "message"},
    {.name = "quit", .arity = -1, .flags = "noscript loading stale fast no_auth allow_busy", .acl = "@fast @connection",
     .summary = "Close the connection", .since = "1.0.0", .group = "connection",
     .complexity = "O(1)"},
    {.name = "auth", .arity = -2, .flags = "noscript loading stale fast no_auth allow_busy", .acl = "@fast @connection",
     .summary = "Authenticate to the server", .since = "1.0.0", .group = "connection",
     .complexity = "O(N) where N is the number of passwords defined for the user",
     .history = "6.0.0 Added ACL style (username and password).",
     .syntax = "[username] password",
     .hints = "username^6.0.0"},
    {.name = "hello", .arity = -1, .flags = "noscript loading stale fast no_auth allow_busy", .acl = "@fast @connection",
     .summary = "Handshake with Redis", .since = "6.0.0", .group = "connection",
     .complexity = "O(1)",
     .history = "6.2.0 `protover` made optional; when called without arguments the command reports the current connection's context.",
     .syntax = "[protover [AUTH username password] [SETNAME clientname]]",
     .hints = "protover:integer AUTH=username_password protover_username_password_clientname=arguments"},
    {.name = "select", .arity = 2, .flags = "loading stale fast", .acl = "@fast @connection",
     .summary = "Change the selected database for the current connection", .since = "1.0.0", .group = "connection",
     .complexity = "O(1)",
     .syntax = "index",
     .hints = "index:integer"},
    {.name = "reset", .arity = 1, .flags = "noscript loading stale fast no_auth allow_busy", .acl = "@fast @connection",
     .summary = "Reset the connection", .since = "6.2.0", .group = "connection",
     .complexity = "O(1)"},
};
#pragma GCC diagnostic pop

}  // namespace

std::span<const CommandDoc> connection_doc_rows() { return kRows; }

}  // namespace larder::commands
