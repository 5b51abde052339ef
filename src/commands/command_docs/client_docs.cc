// Metadata rows of the commands src/commands/client_commands.cc registers:
// Redis 7.0.15's COMMAND INFO and COMMAND DOCS facts, see command_docs.h.
// CLIENT SETINFO and CLIENT NO-TOUCH are Redis 7.2's (documentation and arity).

#include "larder/commands/command_docs.h"

namespace larder::commands {

namespace {

// Rows name only the fields they have; GCC warns about the others even with
// designated initializers, whose omitted members are simply empty.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
constexpr CommandDoc kRows[] = {
    {.name = "client", .arity = -2, .flags = "", .acl = "@slow",
     .summary = "A container for client connection commands", .since = "2.4.0", .group = "connection",
     .complexity = "Depends on subcommand."},
    {.name = "client|id", .arity = 2, .flags = "noscript loading stale", .acl = "@slow @connection",
     .summary = "Returns the client ID for the current connection", .since = "5.0.0", .group = "connection",
     .complexity = "O(1)"},
    {.name = "client|setname", .arity = 3, .flags = "noscript loading stale", .acl = "@slow @connection",
     .summary = "Set the current connection name", .since = "2.6.9", .group = "connection",
     .complexity = "O(1)",
     .syntax = "connection-name"},
    {.name = "client|getname", .arity = 2, .flags = "noscript loading stale", .acl = "@slow @connection",
     .summary = "Get the current connection name", .since = "2.6.9", .group = "connection",
     .complexity = "O(1)"},
    {.name = "client|list", .arity = -2, .flags = "admin noscript loading stale", .acl = "@admin @slow @dangerous @connection", .tips = "nondeterministic_output",
     .summary = "Get the list of client connections", .since = "2.4.0", .group = "connection",
     .complexity = "O(N) where N is the number of client connections",
     .history = "2.8.12 Added unique client `id` field.\n5.0.0 Added optional `TYPE` filter.\n6.0.0 Added `user` field.\n6.2.0 Added `argv-mem`, `tot-mem`, `laddr` and `redir` fields and the optional `ID` filter.\n7.0.0 Added `resp`, `multi-mem`, `rbs` and `rbp` fields.\n7.0.3 Added `ssub` field.",
     .syntax = "[TYPE <NORMAL | MASTER | REPLICA | PUBSUB>] [ID client-id [client-id ...]]",
     .hints = "TYPE=normal_master_replica_pubsub TYPE^5.0.0 client-id:integer ID^6.2.0"},
    {.name = "client|info", .arity = 2, .flags = "noscript loading stale", .acl = "@slow @connection", .tips = "nondeterministic_output",
     .summary = "Returns information about the current client connection.", .since = "6.2.0", .group = "connection",
     .complexity = "O(1)"},
    {.name = "client|kill", .arity = -3, .flags = "admin noscript loading stale", .acl = "@admin @slow @dangerous @connection",
     .summary = "Kill the connection of a client", .since = "2.4.0", .group = "connection",
     .complexity = "O(N) where N is the number of client connections",
     .history = "2.8.12 Added new filter format.\n2.8.12 `ID` option.\n3.2.0 Added `master` type in for `TYPE` option.\n5.0.0 Replaced `slave` `TYPE` with `replica`. `slave` still supported for backward compatibility.\n6.2.0 `LADDR` option.",
     .syntax = "<ip:port | <[ID client-id] | [TYPE <NORMAL | MASTER | SLAVE | REPLICA | PUBSUB>] | [USER username] | [ADDR ip:port] | [LADDR ip:port] | [SKIPME yes/no]> [<[ID client-id] | [TYPE <NORMAL | MASTER | SLAVE | REPLICA | PUBSUB>] | [USER username] | [ADDR ip:port] | [LADDR ip:port] | [SKIPME yes/no]> ...]>",
     .hints = "ip:port!2.8.12 ID:integer ID^2.8.12 MASTER^3.2.0 REPLICA^5.0.0 TYPE=normal_master_slave_pubsub TYPE^2.8.12 LADDR^6.2.0 client-id_normal_master_slave_pubsub_username_ip:port_ip:port_yes/no=new-format ip:port_new-format=filter"},
    {.name = "client|setinfo", .arity = 4, .flags = "noscript loading stale", .acl = "@slow @connection",
     .tips = "request_policy:all_nodes response_policy:all_succeeded",
     .summary = "Sets information specific to the client or connection.", .since = "7.2.0",
     .group = "connection",
     .complexity = "O(1)",
     .syntax = "<LIB-NAME libname | LIB-VER libver>",
     .hints = "libname_libver=attr"},
    {.name = "client|no-evict", .arity = 3, .flags = "admin noscript loading stale", .acl = "@admin @slow @dangerous @connection",
     .summary = "Set client eviction mode for the current connection", .since = "7.0.0", .group = "connection",
     .complexity = "O(1)",
     .syntax = "<ON | OFF>",
     .hints = "on_off=enabled"},
    {.name = "client|no-touch", .arity = 3, .flags = "noscript loading stale", .acl = "@slow @connection",
     .summary = "Controls whether commands sent by the client affect the LRU/LFU of accessed keys.",
     .since = "7.2.0", .group = "connection",
     .complexity = "O(1)",
     .syntax = "<ON | OFF>",
     .hints = "on_off=enabled"},
    {.name = "client|reply", .arity = 3, .flags = "noscript loading stale", .acl = "@slow @connection",
     .summary = "Instruct the server whether to reply to commands", .since = "3.2.0", .group = "connection",
     .complexity = "O(1)",
     .syntax = "<ON | OFF | SKIP>"},
    {.name = "client|pause", .arity = -3, .flags = "admin noscript loading stale", .acl = "@admin @slow @dangerous @connection",
     .summary = "Stop processing commands from clients for some time", .since = "2.9.50", .group = "connection",
     .complexity = "O(1)",
     .history = "6.2.0 `CLIENT PAUSE WRITE` mode added along with the `mode` option.",
     .syntax = "timeout [WRITE | ALL]",
     .hints = "timeout:integer write_all=mode write_all^6.2.0"},
    {.name = "client|unpause", .arity = 2, .flags = "admin noscript loading stale", .acl = "@admin @slow @dangerous @connection",
     .summary = "Resume processing of clients that were paused", .since = "6.2.0", .group = "connection",
     .complexity = "O(N) Where N is the number of paused clients"},
    {.name = "client|unblock", .arity = -3, .flags = "admin noscript loading stale", .acl = "@admin @slow @dangerous @connection",
     .summary = "Unblock a client blocked in a blocking command from a different connection", .since = "5.0.0",
     .group = "connection",
     .complexity = "O(log N) where N is the number of client connections",
     .syntax = "client-id [TIMEOUT | ERROR]",
     .hints = "client-id:integer"},
    {.name = "client|help", .arity = 2, .flags = "loading stale", .acl = "@slow @connection",
     .summary = "Show helpful text about the different subcommands", .since = "5.0.0", .group = "connection",
     .complexity = "O(1)"},
};
#pragma GCC diagnostic pop

}  // namespace

std::span<const CommandDoc> client_doc_rows() { return kRows; }

}  // namespace larder::commands
