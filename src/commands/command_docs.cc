#include "larder/commands/command_docs.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <unordered_map>

namespace larder::commands {

namespace {

// Facts from Redis 7.0.15's COMMAND INFO and COMMAND DOCS (CLIENT SETINFO and
// CLIENT NO-TOUCH from Redis 7.2's documentation); see command_docs.h.
// Rows name only the fields they have; GCC warns about the others even with
// designated initializers, whose omitted members are simply empty.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
constexpr CommandDoc kDocs[] = {
    {.name = "ping", .flags = "fast", .acl = "@fast @connection", .tips = "request_policy:all_shards response_policy:all_succeeded",
     .summary = "Ping the server", .since = "1.0.0", .group = "connection",
     .complexity = "O(1)",
     .syntax = "[message]"},
    {.name = "echo", .flags = "loading stale fast", .acl = "@fast @connection",
     .summary = "Echo the given string", .since = "1.0.0", .group = "connection",
     .complexity = "O(1)",
     .syntax = "message"},
    {.name = "quit", .flags = "noscript loading stale fast no_auth allow_busy", .acl = "@fast @connection",
     .summary = "Close the connection", .since = "1.0.0", .group = "connection",
     .complexity = "O(1)"},
    {.name = "hello", .flags = "noscript loading stale fast no_auth allow_busy", .acl = "@fast @connection",
     .summary = "Handshake with Redis", .since = "6.0.0", .group = "connection",
     .complexity = "O(1)",
     .history = "6.2.0 `protover` made optional; when called without arguments the command reports the current connection's context.",
     .syntax = "[protover [AUTH username password] [SETNAME clientname]]",
     .hints = "protover:integer AUTH=username_password protover_username_password_clientname=arguments"},
    {.name = "auth", .flags = "noscript loading stale fast no_auth allow_busy", .acl = "@fast @connection",
     .summary = "Authenticate to the server", .since = "1.0.0", .group = "connection",
     .complexity = "O(N) where N is the number of passwords defined for the user",
     .history = "6.0.0 Added ACL style (username and password).",
     .syntax = "[username] password",
     .hints = "username^6.0.0"},
    {.name = "select", .flags = "loading stale fast", .acl = "@fast @connection",
     .summary = "Change the selected database for the current connection", .since = "1.0.0", .group = "connection",
     .complexity = "O(1)",
     .syntax = "index",
     .hints = "index:integer"},
    {.name = "swapdb", .flags = "write fast", .acl = "@keyspace @write @fast @dangerous",
     .summary = "Swaps two Redis databases", .since = "4.0.0", .group = "server",
     .complexity = "O(N) where N is the count of clients watching or blocking on keys from both databases.",
     .syntax = "index1 index2",
     .hints = "index1:integer index2:integer"},
    {.name = "client", .flags = "", .acl = "@slow",
     .summary = "A container for client connection commands", .since = "2.4.0", .group = "connection",
     .complexity = "Depends on subcommand."},
    {.name = "client|id", .flags = "noscript loading stale", .acl = "@slow @connection",
     .summary = "Returns the client ID for the current connection", .since = "5.0.0", .group = "connection",
     .complexity = "O(1)"},
    {.name = "client|setname", .flags = "noscript loading stale", .acl = "@slow @connection",
     .summary = "Set the current connection name", .since = "2.6.9", .group = "connection",
     .complexity = "O(1)",
     .syntax = "connection-name"},
    {.name = "client|getname", .flags = "noscript loading stale", .acl = "@slow @connection",
     .summary = "Get the current connection name", .since = "2.6.9", .group = "connection",
     .complexity = "O(1)"},
    {.name = "client|list", .flags = "admin noscript loading stale", .acl = "@admin @slow @dangerous @connection", .tips = "nondeterministic_output",
     .summary = "Get the list of client connections", .since = "2.4.0", .group = "connection",
     .complexity = "O(N) where N is the number of client connections",
     .history = "2.8.12 Added unique client `id` field.\n5.0.0 Added optional `TYPE` filter.\n6.0.0 Added `user` field.\n6.2.0 Added `argv-mem`, `tot-mem`, `laddr` and `redir` fields and the optional `ID` filter.\n7.0.0 Added `resp`, `multi-mem`, `rbs` and `rbp` fields.\n7.0.3 Added `ssub` field.",
     .syntax = "[TYPE <NORMAL | MASTER | REPLICA | PUBSUB>] [ID client-id [client-id ...]]",
     .hints = "TYPE=normal_master_replica_pubsub TYPE^5.0.0 client-id:integer ID^6.2.0"},
    {.name = "client|info", .flags = "noscript loading stale", .acl = "@slow @connection", .tips = "nondeterministic_output",
     .summary = "Returns information about the current client connection.", .since = "6.2.0", .group = "connection",
     .complexity = "O(1)"},
    {.name = "client|kill", .flags = "admin noscript loading stale", .acl = "@admin @slow @dangerous @connection",
     .summary = "Kill the connection of a client", .since = "2.4.0", .group = "connection",
     .complexity = "O(N) where N is the number of client connections",
     .history = "2.8.12 Added new filter format.\n2.8.12 `ID` option.\n3.2.0 Added `master` type in for `TYPE` option.\n5.0.0 Replaced `slave` `TYPE` with `replica`. `slave` still supported for backward compatibility.\n6.2.0 `LADDR` option.",
     .syntax = "<ip:port | <[ID client-id] | [TYPE <NORMAL | MASTER | SLAVE | REPLICA | PUBSUB>] | [USER username] | [ADDR ip:port] | [LADDR ip:port] | [SKIPME yes/no]> [<[ID client-id] | [TYPE <NORMAL | MASTER | SLAVE | REPLICA | PUBSUB>] | [USER username] | [ADDR ip:port] | [LADDR ip:port] | [SKIPME yes/no]> ...]>",
     .hints = "ip:port!2.8.12 ID:integer ID^2.8.12 MASTER^3.2.0 REPLICA^5.0.0 TYPE=normal_master_slave_pubsub TYPE^2.8.12 LADDR^6.2.0 client-id_normal_master_slave_pubsub_username_ip:port_ip:port_yes/no=new-format ip:port_new-format=filter"},
    {.name = "client|no-evict", .flags = "admin noscript loading stale", .acl = "@admin @slow @dangerous @connection",
     .summary = "Set client eviction mode for the current connection", .since = "7.0.0", .group = "connection",
     .complexity = "O(1)",
     .syntax = "<ON | OFF>",
     .hints = "on_off=enabled"},
    {.name = "client|reply", .flags = "noscript loading stale", .acl = "@slow @connection",
     .summary = "Instruct the server whether to reply to commands", .since = "3.2.0", .group = "connection",
     .complexity = "O(1)",
     .syntax = "<ON | OFF | SKIP>"},
    {.name = "client|pause", .flags = "admin noscript loading stale", .acl = "@admin @slow @dangerous @connection",
     .summary = "Stop processing commands from clients for some time", .since = "2.9.50", .group = "connection",
     .complexity = "O(1)",
     .history = "6.2.0 `CLIENT PAUSE WRITE` mode added along with the `mode` option.",
     .syntax = "timeout [WRITE | ALL]",
     .hints = "timeout:integer write_all=mode write_all^6.2.0"},
    {.name = "client|unpause", .flags = "admin noscript loading stale", .acl = "@admin @slow @dangerous @connection",
     .summary = "Resume processing of clients that were paused", .since = "6.2.0", .group = "connection",
     .complexity = "O(N) Where N is the number of paused clients"},
    {.name = "client|help", .flags = "loading stale", .acl = "@slow @connection",
     .summary = "Show helpful text about the different subcommands", .since = "5.0.0", .group = "connection",
     .complexity = "O(1)"},
    {.name = "client|no-touch", .flags = "noscript loading stale", .acl = "@slow @connection",
     .summary = "Controls whether commands sent by the client affect the LRU/LFU of accessed keys.",
     .since = "7.2.0", .group = "connection",
     .complexity = "O(1)",
     .syntax = "<ON | OFF>",
     .hints = "on_off=enabled"},
    {.name = "client|setinfo", .flags = "noscript loading stale", .acl = "@slow @connection",
     .tips = "request_policy:all_nodes response_policy:all_succeeded",
     .summary = "Sets information specific to the client or connection.", .since = "7.2.0",
     .group = "connection",
     .complexity = "O(1)",
     .syntax = "<LIB-NAME libname | LIB-VER libver>",
     .hints = "libname_libver=attr"},
    {.name = "reset", .flags = "noscript loading stale fast no_auth allow_busy", .acl = "@fast @connection",
     .summary = "Reset the connection", .since = "6.2.0", .group = "connection",
     .complexity = "O(1)"},
    {.name = "info", .flags = "loading stale", .acl = "@slow @dangerous", .tips = "nondeterministic_output request_policy:all_shards response_policy:special",
     .summary = "Get information and statistics about the server", .since = "1.0.0", .group = "server",
     .complexity = "O(1)",
     .history = "7.0.0 Added support for taking multiple section arguments.",
     .syntax = "[section [section ...]]"},
    {.name = "config", .flags = "", .acl = "@slow",
     .summary = "A container for server configuration commands", .since = "2.0.0", .group = "server",
     .complexity = "Depends on subcommand."},
    {.name = "config|get", .flags = "admin noscript loading stale", .acl = "@admin @slow @dangerous",
     .summary = "Get the values of configuration parameters", .since = "2.0.0", .group = "server",
     .complexity = "O(N) when N is the number of configuration parameters provided",
     .history = "7.0.0 Added the ability to pass multiple pattern parameters in one call",
     .syntax = "parameter [parameter ...]"},
    {.name = "config|set", .flags = "admin noscript loading stale", .acl = "@admin @slow @dangerous", .tips = "request_policy:all_nodes response_policy:all_succeeded",
     .summary = "Set configuration parameters to the given values", .since = "2.0.0", .group = "server",
     .complexity = "O(N) when N is the number of configuration parameters provided",
     .history = "7.0.0 Added the ability to set multiple parameters in one call.",
     .syntax = "parameter value [parameter value ...]"},
    {.name = "config|resetstat", .flags = "admin noscript loading stale", .acl = "@admin @slow @dangerous",
     .summary = "Reset the stats returned by INFO", .since = "2.0.0", .group = "server",
     .complexity = "O(1)"},
    {.name = "config|rewrite", .flags = "admin noscript loading stale", .acl = "@admin @slow @dangerous",
     .summary = "Rewrite the configuration file with the in memory configuration", .since = "2.8.0", .group = "server",
     .complexity = "O(1)"},
    {.name = "config|help", .flags = "loading stale", .acl = "@slow",
     .summary = "Show helpful text about the different subcommands", .since = "5.0.0", .group = "server",
     .complexity = "O(1)"},
    {.name = "command", .flags = "loading stale", .acl = "@slow @connection", .tips = "nondeterministic_output_order",
     .summary = "Get array of Redis command details", .since = "2.8.13", .group = "server",
     .complexity = "O(N) where N is the total number of Redis commands"},
    {.name = "command|count", .flags = "loading stale", .acl = "@slow @connection",
     .summary = "Get total number of Redis commands", .since = "2.8.13", .group = "server",
     .complexity = "O(1)"},
    {.name = "command|info", .flags = "loading stale", .acl = "@slow @connection", .tips = "nondeterministic_output_order",
     .summary = "Get array of specific Redis command details, or all when no argument is given.", .since = "2.8.13", .group = "server",
     .complexity = "O(N) where N is the number of commands to look up",
     .history = "7.0.0 Allowed to be called with no argument to get info on all commands.",
     .syntax = "[command-name [command-name ...]]"},
    {.name = "command|docs", .flags = "loading stale", .acl = "@slow @connection", .tips = "nondeterministic_output_order",
     .summary = "Get array of specific Redis command documentation", .since = "7.0.0", .group = "server",
     .complexity = "O(N) where N is the number of commands to look up",
     .syntax = "[command-name [command-name ...]]"},
    {.name = "command|list", .flags = "loading stale", .acl = "@slow @connection", .tips = "nondeterministic_output_order",
     .summary = "Get an array of Redis command names", .since = "7.0.0", .group = "server",
     .complexity = "O(N) where N is the total number of Redis commands",
     .syntax = "[FILTERBY <MODULE module-name | ACLCAT category | PATTERN pattern>]",
     .hints = "PATTERN:pattern"},
    {.name = "command|getkeys", .flags = "loading stale", .acl = "@slow @connection",
     .summary = "Extract keys given a full Redis command", .since = "2.8.13", .group = "server",
     .complexity = "O(N) where N is the number of arguments to the command"},
    {.name = "command|getkeysandflags", .flags = "loading stale", .acl = "@slow @connection",
     .summary = "Extract keys and access flags given a full Redis command", .since = "7.0.0", .group = "server",
     .complexity = "O(N) where N is the number of arguments to the command"},
    {.name = "command|help", .flags = "loading stale", .acl = "@slow @connection",
     .summary = "Show helpful text about the different subcommands", .since = "5.0.0", .group = "server",
     .complexity = "O(1)"},
    {.name = "get", .flags = "readonly fast", .acl = "@read @string @fast", .key_specs = {"RO access | index 1 | range 0 1 0"},
     .summary = "Get the value of a key", .since = "1.0.0", .group = "string",
     .complexity = "O(1)",
     .syntax = "key"},
    {.name = "set", .flags = "write denyoom", .acl = "@write @string @slow", .key_specs = {"RW access update variable_flags | index 1 | range 0 1 0 | RW and ACCESS due to the optional `GET` argument"},
     .summary = "Set the string value of a key", .since = "1.0.0", .group = "string",
     .complexity = "O(1)",
     .history = "2.6.12 Added the `EX`, `PX`, `NX` and `XX` options.\n6.0.0 Added the `KEEPTTL` option.\n6.2.0 Added the `GET`, `EXAT` and `PXAT` option.\n7.0.0 Allowed the `NX` and `GET` options to be used together.",
     .syntax = "key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL]",
     .hints = "nx_xx=condition nx_xx^2.6.12 GET^6.2.0 EX:integer EX^2.6.12 PX:integer PX^2.6.12 EXAT:unix-time EXAT^6.2.0 PXAT:unix-time PXAT^6.2.0 KEEPTTL^6.0.0 seconds_milliseconds_unix-time-seconds_unix-time-milliseconds_keepttl=expiration"},
    {.name = "setex", .flags = "write denyoom", .acl = "@write @string @slow", .key_specs = {"OW update | index 1 | range 0 1 0"},
     .summary = "Set the value and expiration of a key", .since = "2.0.0", .group = "string",
     .complexity = "O(1)",
     .syntax = "key seconds value",
     .hints = "seconds:integer"},
    {.name = "psetex", .flags = "write denyoom", .acl = "@write @string @slow", .key_specs = {"OW update | index 1 | range 0 1 0"},
     .summary = "Set the value and expiration in milliseconds of a key", .since = "2.6.0", .group = "string",
     .complexity = "O(1)",
     .syntax = "key milliseconds value",
     .hints = "milliseconds:integer"},
    {.name = "setnx", .flags = "write denyoom fast", .acl = "@write @string @fast", .key_specs = {"OW insert | index 1 | range 0 1 0"},
     .summary = "Set the value of a key, only if the key does not exist", .since = "1.0.0", .group = "string",
     .complexity = "O(1)",
     .syntax = "key value"},
    {.name = "mget", .flags = "readonly fast", .acl = "@read @string @fast", .tips = "request_policy:multi_shard", .key_specs = {"RO access | index 1 | range -1 1 0"},
     .summary = "Get the values of all the given keys", .since = "1.0.0", .group = "string",
     .complexity = "O(N) where N is the number of keys to retrieve.",
     .syntax = "key [key ...]"},
    {.name = "mset", .flags = "write denyoom", .acl = "@write @string @slow", .tips = "request_policy:multi_shard response_policy:all_succeeded", .key_specs = {"OW update | index 1 | range -1 2 0"},
     .summary = "Set multiple keys to multiple values", .since = "1.0.1", .group = "string",
     .complexity = "O(N) where N is the number of keys to set.",
     .syntax = "key value [key value ...]"},
    {.name = "msetnx", .flags = "write denyoom", .acl = "@write @string @slow", .tips = "request_policy:multi_shard response_policy:agg_min", .key_specs = {"OW insert | index 1 | range -1 2 0"},
     .summary = "Set multiple keys to multiple values, only if none of the keys exist", .since = "1.0.1", .group = "string",
     .complexity = "O(N) where N is the number of keys to set.",
     .syntax = "key value [key value ...]"},
    {.name = "incr", .flags = "write denyoom fast", .acl = "@write @string @fast", .key_specs = {"RW access update | index 1 | range 0 1 0"},
     .summary = "Increment the integer value of a key by one", .since = "1.0.0", .group = "string",
     .complexity = "O(1)",
     .syntax = "key"},
    {.name = "incrby", .flags = "write denyoom fast", .acl = "@write @string @fast", .key_specs = {"RW access update | index 1 | range 0 1 0"},
     .summary = "Increment the integer value of a key by the given amount", .since = "1.0.0", .group = "string",
     .complexity = "O(1)",
     .syntax = "key increment",
     .hints = "increment:integer"},
    {.name = "decr", .flags = "write denyoom fast", .acl = "@write @string @fast", .key_specs = {"RW access update | index 1 | range 0 1 0"},
     .summary = "Decrement the integer value of a key by one", .since = "1.0.0", .group = "string",
     .complexity = "O(1)",
     .syntax = "key"},
    {.name = "decrby", .flags = "write denyoom fast", .acl = "@write @string @fast", .key_specs = {"RW access update | index 1 | range 0 1 0"},
     .summary = "Decrement the integer value of a key by the given number", .since = "1.0.0", .group = "string",
     .complexity = "O(1)",
     .syntax = "key decrement",
     .hints = "decrement:integer"},
    {.name = "incrbyfloat", .flags = "write denyoom fast", .acl = "@write @string @fast", .key_specs = {"RW access update | index 1 | range 0 1 0"},
     .summary = "Increment the float value of a key by the given amount", .since = "2.6.0", .group = "string",
     .complexity = "O(1)",
     .syntax = "key increment",
     .hints = "increment:double"},
    {.name = "append", .flags = "write denyoom fast", .acl = "@write @string @fast", .key_specs = {"RW insert | index 1 | range 0 1 0"},
     .summary = "Append a value to a key", .since = "2.0.0", .group = "string",
     .complexity = "O(1). The amortized time complexity is O(1) assuming the appended value is small and the already present value is of any size, since the dynamic string library used by Redis will double the free space available on every reallocation.",
     .syntax = "key value"},
    {.name = "strlen", .flags = "readonly fast", .acl = "@read @string @fast", .key_specs = {"RO | index 1 | range 0 1 0"},
     .summary = "Get the length of the value stored in a key", .since = "2.2.0", .group = "string",
     .complexity = "O(1)",
     .syntax = "key"},
    {.name = "getrange", .flags = "readonly", .acl = "@read @string @slow", .key_specs = {"RO access | index 1 | range 0 1 0"},
     .summary = "Get a substring of the string stored at a key", .since = "2.4.0", .group = "string",
     .complexity = "O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.",
     .syntax = "key start end",
     .hints = "start:integer end:integer"},
    {.name = "substr", .flags = "readonly", .acl = "@read @string @slow", .key_specs = {"RO access | index 1 | range 0 1 0"},
     .summary = "Get a substring of the string stored at a key", .since = "1.0.0", .group = "string",
     .complexity = "O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.", .doc_flags = "deprecated", .deprecated_since = "2.0.0",
     .replaced_by = "`GETRANGE`",
     .syntax = "key start end",
     .hints = "start:integer end:integer"},
    {.name = "setrange", .flags = "write denyoom", .acl = "@write @string @slow", .key_specs = {"RW update | index 1 | range 0 1 0"},
     .summary = "Overwrite part of a string at key starting at the specified offset", .since = "2.2.0", .group = "string",
     .complexity = "O(1), not counting the time taken to copy the new string in place. Usually, this string is very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the length of the value argument.",
     .syntax = "key offset value",
     .hints = "offset:integer"},
    {.name = "getdel", .flags = "write fast", .acl = "@write @string @fast", .key_specs = {"RW access delete | index 1 | range 0 1 0"},
     .summary = "Get the value of a key and delete the key", .since = "6.2.0", .group = "string",
     .complexity = "O(1)",
     .syntax = "key"},
    {.name = "getex", .flags = "write fast", .acl = "@write @string @fast", .key_specs = {"RW access update | index 1 | range 0 1 0 | RW and UPDATE because it changes the TTL"},
     .summary = "Get the value of a key and optionally set its expiration", .since = "6.2.0", .group = "string",
     .complexity = "O(1)",
     .syntax = "key [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | PERSIST]",
     .hints = "EX:integer PX:integer EXAT:unix-time PXAT:unix-time seconds_milliseconds_unix-time-seconds_unix-time-milliseconds_persist=expiration"},
    {.name = "getset", .flags = "write denyoom fast", .acl = "@write @string @fast", .key_specs = {"RW access update | index 1 | range 0 1 0"},
     .summary = "Set the string value of a key and return its old value", .since = "1.0.0", .group = "string",
     .complexity = "O(1)", .doc_flags = "deprecated", .deprecated_since = "6.2.0",
     .replaced_by = "`SET` with the `!GET` argument",
     .syntax = "key value"},
    {.name = "lcs", .flags = "readonly", .acl = "@read @string @slow", .key_specs = {"RO access | index 1 | range 1 1 0"},
     .summary = "Find longest common substring", .since = "7.0.0", .group = "string",
     .complexity = "O(N*M) where N and M are the lengths of s1 and s2, respectively",
     .syntax = "key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]",
     .hints = "key1:key key2:key MINMATCHLEN:integer"},
    {.name = "del", .flags = "write", .acl = "@keyspace @write @slow", .tips = "request_policy:multi_shard response_policy:agg_sum", .key_specs = {"RM delete | index 1 | range -1 1 0"},
     .summary = "Delete a key", .since = "1.0.0", .group = "generic",
     .complexity = "O(N) where N is the number of keys that will be removed. When a key to remove holds a value other than a string, the individual complexity for this key is O(M) where M is the number of elements in the list, set, sorted set or hash. Removing a single key that holds a string value is O(1).",
     .syntax = "key [key ...]"},
    {.name = "unlink", .flags = "write fast", .acl = "@keyspace @write @fast", .tips = "request_policy:multi_shard response_policy:agg_sum", .key_specs = {"RM delete | index 1 | range -1 1 0"},
     .summary = "Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.", .since = "4.0.0", .group = "generic",
     .complexity = "O(1) for each key removed regardless of its size. Then the command does O(N) work in a different thread in order to reclaim memory, where N is the number of allocations the deleted objects where composed of.",
     .syntax = "key [key ...]"},
    {.name = "exists", .flags = "readonly fast", .acl = "@keyspace @read @fast", .tips = "request_policy:multi_shard response_policy:agg_sum", .key_specs = {"RO | index 1 | range -1 1 0"},
     .summary = "Determine if a key exists", .since = "1.0.0", .group = "generic",
     .complexity = "O(N) where N is the number of keys to check.",
     .history = "3.0.3 Accepts multiple `key` arguments.",
     .syntax = "key [key ...]"},
    {.name = "keys", .flags = "readonly", .acl = "@keyspace @read @slow @dangerous", .tips = "request_policy:all_shards nondeterministic_output_order",
     .summary = "Find all keys matching the given pattern", .since = "1.0.0", .group = "generic",
     .complexity = "O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length.",
     .syntax = "pattern",
     .hints = "pattern:pattern"},
    {.name = "scan", .flags = "readonly", .acl = "@keyspace @read @slow", .tips = "nondeterministic_output request_policy:special",
     .summary = "Incrementally iterate the keys space", .since = "2.8.0", .group = "generic",
     .complexity = "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.",
     .history = "6.0.0 Added the `TYPE` subcommand.",
     .syntax = "cursor [MATCH pattern] [COUNT count] [TYPE type]",
     .hints = "cursor:integer MATCH:pattern COUNT:integer TYPE^6.0.0"},
    {.name = "type", .flags = "readonly fast", .acl = "@keyspace @read @fast", .key_specs = {"RO | index 1 | range 0 1 0"},
     .summary = "Determine the type stored at key", .since = "1.0.0", .group = "generic",
     .complexity = "O(1)",
     .syntax = "key"},
    {.name = "rename", .flags = "write", .acl = "@keyspace @write @slow", .key_specs = {"RW access delete | index 1 | range 0 1 0", "OW update | index 2 | range 0 1 0"},
     .summary = "Rename a key", .since = "1.0.0", .group = "generic",
     .complexity = "O(1)",
     .syntax = "key newkey",
     .hints = "newkey:key newkey@1"},
    {.name = "renamenx", .flags = "write fast", .acl = "@keyspace @write @fast", .key_specs = {"RW access delete | index 1 | range 0 1 0", "OW insert | index 2 | range 0 1 0"},
     .summary = "Rename a key, only if the new key does not exist", .since = "1.0.0", .group = "generic",
     .complexity = "O(1)",
     .history = "3.2.0 The command no longer returns an error when source and destination names are the same.",
     .syntax = "key newkey",
     .hints = "newkey:key newkey@1"},
    {.name = "copy", .flags = "write denyoom", .acl = "@keyspace @write @slow", .key_specs = {"RO access | index 1 | range 0 1 0", "OW update | index 2 | range 0 1 0"},
     .summary = "Copy a key", .since = "6.2.0", .group = "generic",
     .complexity = "O(N) worst case for collections, where N is the number of nested items. O(1) for string values.",
     .syntax = "source destination [DB destination-db] [REPLACE]",
     .hints = "source:key destination:key destination@1 DB:integer"},
    {.name = "move", .flags = "write fast", .acl = "@keyspace @write @fast", .key_specs = {"RW access update | index 1 | range 0 1 0"},
     .summary = "Move a key to another database", .since = "1.0.0", .group = "generic",
     .complexity = "O(1)",
     .syntax = "key db",
     .hints = "db:integer"},
    {.name = "expire", .flags = "write fast", .acl = "@keyspace @write @fast", .key_specs = {"RW update | index 1 | range 0 1 0"},
     .summary = "Set a key's time to live in seconds", .since = "1.0.0", .group = "generic",
     .complexity = "O(1)",
     .history = "7.0.0 Added options: `NX`, `XX`, `GT` and `LT`.",
     .syntax = "key seconds [NX | XX | GT | LT]",
     .hints = "seconds:integer nx_xx_gt_lt=condition nx_xx_gt_lt^7.0.0"},
    {.name = "pexpire", .flags = "write fast", .acl = "@keyspace @write @fast", .key_specs = {"RW update | index 1 | range 0 1 0"},
     .summary = "Set a key's time to live in milliseconds", .since = "2.6.0", .group = "generic",
     .complexity = "O(1)",
     .history = "7.0.0 Added options: `NX`, `XX`, `GT` and `LT`.",
     .syntax = "key milliseconds [NX | XX | GT | LT]",
     .hints = "milliseconds:integer nx_xx_gt_lt=condition nx_xx_gt_lt^7.0.0"},
    {.name = "expireat", .flags = "write fast", .acl = "@keyspace @write @fast", .key_specs = {"RW update | index 1 | range 0 1 0"},
     .summary = "Set the expiration for a key as a UNIX timestamp", .since = "1.2.0", .group = "generic",
     .complexity = "O(1)",
     .history = "7.0.0 Added options: `NX`, `XX`, `GT` and `LT`.",
     .syntax = "key unix-time-seconds [NX | XX | GT | LT]",
     .hints = "unix-time-seconds:unix-time nx_xx_gt_lt=condition nx_xx_gt_lt^7.0.0"},
    {.name = "pexpireat", .flags = "write fast", .acl = "@keyspace @write @fast", .key_specs = {"RW update | index 1 | range 0 1 0"},
     .summary = "Set the expiration for a key as a UNIX timestamp specified in milliseconds", .since = "2.6.0", .group = "generic",
     .complexity = "O(1)",
     .history = "7.0.0 Added options: `NX`, `XX`, `GT` and `LT`.",
     .syntax = "key unix-time-milliseconds [NX | XX | GT | LT]",
     .hints = "unix-time-milliseconds:unix-time nx_xx_gt_lt=condition nx_xx_gt_lt^7.0.0"},
    {.name = "expiretime", .flags = "readonly fast", .acl = "@keyspace @read @fast", .key_specs = {"RO access | index 1 | range 0 1 0"},
     .summary = "Get the expiration Unix timestamp for a key", .since = "7.0.0", .group = "generic",
     .complexity = "O(1)",
     .syntax = "key"},
    {.name = "pexpiretime", .flags = "readonly fast", .acl = "@keyspace @read @fast", .key_specs = {"RO access | index 1 | range 0 1 0"},
     .summary = "Get the expiration Unix timestamp for a key in milliseconds", .since = "7.0.0", .group = "generic",
     .complexity = "O(1)",
     .syntax = "key"},
    {.name = "persist", .flags = "write fast", .acl = "@keyspace @write @fast", .key_specs = {"RW update | index 1 | range 0 1 0"},
     .summary = "Remove the expiration from a key", .since = "2.2.0", .group = "generic",
     .complexity = "O(1)",
     .syntax = "key"},
    {.name = "ttl", .flags = "readonly fast", .acl = "@keyspace @read @fast", .tips = "nondeterministic_output", .key_specs = {"RO access | index 1 | range 0 1 0"},
     .summary = "Get the time to live for a key in seconds", .since = "1.0.0", .group = "generic",
     .complexity = "O(1)",
     .history = "2.8.0 Added the -2 reply.",
     .syntax = "key"},
    {.name = "pttl", .flags = "readonly fast", .acl = "@keyspace @read @fast", .tips = "nondeterministic_output", .key_specs = {"RO access | index 1 | range 0 1 0"},
     .summary = "Get the time to live for a key in milliseconds", .since = "2.6.0", .group = "generic",
     .complexity = "O(1)",
     .history = "2.8.0 Added the -2 reply.",
     .syntax = "key"},
    {.name = "randomkey", .flags = "readonly", .acl = "@keyspace @read @slow", .tips = "request_policy:all_shards nondeterministic_output",
     .summary = "Return a random key from the keyspace", .since = "1.0.0", .group = "generic",
     .complexity = "O(1)"},
    {.name = "touch", .flags = "readonly fast", .acl = "@keyspace @read @fast", .tips = "request_policy:multi_shard response_policy:agg_sum", .key_specs = {"RO | index 1 | range -1 1 0"},
     .summary = "Alters the last access time of a key(s). Returns the number of existing keys specified.", .since = "3.2.1", .group = "generic",
     .complexity = "O(N) where N is the number of keys that will be touched.",
     .syntax = "key [key ...]"},
    {.name = "object", .flags = "", .acl = "@slow",
     .summary = "A container for object introspection commands", .since = "2.2.3", .group = "generic",
     .complexity = "Depends on subcommand."},
    {.name = "object|encoding", .flags = "readonly", .acl = "@keyspace @read @slow", .tips = "nondeterministic_output", .key_specs = {"RO | index 2 | range 0 1 0"},
     .summary = "Inspect the internal encoding of a Redis object", .since = "2.2.3", .group = "generic",
     .complexity = "O(1)",
     .syntax = "key"},
    {.name = "object|freq", .flags = "readonly", .acl = "@keyspace @read @slow", .tips = "nondeterministic_output", .key_specs = {"RO | index 2 | range 0 1 0"},
     .summary = "Get the logarithmic access frequency counter of a Redis object", .since = "4.0.0", .group = "generic",
     .complexity = "O(1)",
     .syntax = "key"},
    {.name = "object|idletime", .flags = "readonly", .acl = "@keyspace @read @slow", .tips = "nondeterministic_output", .key_specs = {"RO | index 2 | range 0 1 0"},
     .summary = "Get the time since a Redis object was last accessed", .since = "2.2.3", .group = "generic",
     .complexity = "O(1)",
     .syntax = "key"},
    {.name = "object|refcount", .flags = "readonly", .acl = "@keyspace @read @slow", .tips = "nondeterministic_output", .key_specs = {"RO | index 2 | range 0 1 0"},
     .summary = "Get the number of references to the value of the key", .since = "2.2.3", .group = "generic",
     .complexity = "O(1)",
     .syntax = "key"},
    {.name = "object|help", .flags = "loading stale", .acl = "@keyspace @slow",
     .summary = "Show helpful text about the different subcommands", .since = "6.2.0", .group = "generic",
     .complexity = "O(1)"},
    {.name = "dbsize", .flags = "readonly fast", .acl = "@keyspace @read @fast", .tips = "request_policy:all_shards response_policy:agg_sum",
     .summary = "Return the number of keys in the selected database", .since = "1.0.0", .group = "server",
     .complexity = "O(1)"},
    {.name = "flushdb", .flags = "write", .acl = "@keyspace @write @slow @dangerous", .tips = "request_policy:all_shards response_policy:all_succeeded",
     .summary = "Remove all keys from the current database", .since = "1.0.0", .group = "server",
     .complexity = "O(N) where N is the number of keys in the selected database",
     .history = "4.0.0 Added the `ASYNC` flushing mode modifier.\n6.2.0 Added the `SYNC` flushing mode modifier.",
     .syntax = "[ASYNC | SYNC]",
     .hints = "ASYNC^4.0.0 SYNC^6.2.0 async_sync=async"},
    {.name = "flushall", .flags = "write", .acl = "@keyspace @write @slow @dangerous", .tips = "request_policy:all_shards response_policy:all_succeeded",
     .summary = "Remove all keys from all databases", .since = "1.0.0", .group = "server",
     .complexity = "O(N) where N is the total number of keys in all databases",
     .history = "4.0.0 Added the `ASYNC` flushing mode modifier.\n6.2.0 Added the `SYNC` flushing mode modifier.",
     .syntax = "[ASYNC | SYNC]",
     .hints = "ASYNC^4.0.0 SYNC^6.2.0 async_sync=async"},
    {.name = "multi", .flags = "noscript loading stale fast allow_busy", .acl = "@fast @transaction",
     .summary = "Mark the start of a transaction block", .since = "1.2.0", .group = "transactions",
     .complexity = "O(1)"},
    {.name = "exec", .flags = "noscript loading stale skip_slowlog", .acl = "@slow @transaction",
     .summary = "Execute all commands issued after MULTI", .since = "1.2.0", .group = "transactions",
     .complexity = "Depends on commands in the transaction"},
    {.name = "discard", .flags = "noscript loading stale fast allow_busy", .acl = "@fast @transaction",
     .summary = "Discard all commands issued after MULTI", .since = "2.0.0", .group = "transactions",
     .complexity = "O(N), when N is the number of queued commands"},
    {.name = "watch", .flags = "noscript loading stale fast allow_busy", .acl = "@fast @transaction", .key_specs = {"RO | index 1 | range -1 1 0"},
     .summary = "Watch the given keys to determine execution of the MULTI/EXEC block", .since = "2.2.0", .group = "transactions",
     .complexity = "O(1) for every key.",
     .syntax = "key [key ...]"},
    {.name = "unwatch", .flags = "noscript loading stale fast allow_busy", .acl = "@fast @transaction",
     .summary = "Forget about all watched keys", .since = "2.2.0", .group = "transactions",
     .complexity = "O(1)"},
    {.name = "time", .flags = "loading stale fast", .acl = "@fast", .tips = "nondeterministic_output",
     .summary = "Return the current server time", .since = "2.6.0", .group = "server",
     .complexity = "O(1)"},
    {.name = "lastsave", .flags = "loading stale fast", .acl = "@admin @fast @dangerous", .tips = "nondeterministic_output",
     .summary = "Get the UNIX time stamp of the last successful save to disk", .since = "1.0.0", .group = "server",
     .complexity = "O(1)"},
    {.name = "role", .flags = "noscript loading stale fast", .acl = "@admin @fast @dangerous",
     .summary = "Return the role of the instance in the context of replication", .since = "2.8.12", .group = "server",
     .complexity = "O(1)"},
    {.name = "shutdown", .flags = "admin noscript loading stale no_multi allow_busy", .acl = "@admin @slow @dangerous",
     .summary = "Synchronously save the dataset to disk and then shut down the server", .since = "1.0.0", .group = "server",
     .complexity = "O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)",
     .history = "7.0.0 Added the `NOW`, `FORCE` and `ABORT` modifiers.",
     .syntax = "[NOSAVE | SAVE] [NOW] [FORCE] [ABORT]",
     .hints = "NOW^7.0.0 FORCE^7.0.0 ABORT^7.0.0"},
    {.name = "memory", .flags = "", .acl = "@slow",
     .summary = "A container for memory diagnostics commands", .since = "4.0.0", .group = "server",
     .complexity = "Depends on subcommand."},
    {.name = "memory|usage", .flags = "readonly", .acl = "@read @slow", .key_specs = {"RO | index 2 | range 0 1 0"},
     .summary = "Estimate the memory usage of a key", .since = "4.0.0", .group = "server",
     .complexity = "O(N) where N is the number of samples.",
     .syntax = "key [SAMPLES count]",
     .hints = "SAMPLES:integer"},
    {.name = "memory|stats", .flags = "", .acl = "@slow", .tips = "nondeterministic_output request_policy:all_shards response_policy:special",
     .summary = "Show memory usage details", .since = "4.0.0", .group = "server",
     .complexity = "O(1)"},
    {.name = "memory|doctor", .flags = "", .acl = "@slow", .tips = "nondeterministic_output request_policy:all_shards response_policy:special",
     .summary = "Outputs memory problems report", .since = "4.0.0", .group = "server",
     .complexity = "O(1)"},
    {.name = "memory|help", .flags = "loading stale", .acl = "@slow",
     .summary = "Show helpful text about the different subcommands", .since = "4.0.0", .group = "server",
     .complexity = "O(1)"},
    {.name = "slowlog", .flags = "", .acl = "@slow",
     .summary = "A container for slow log commands", .since = "2.2.12", .group = "server",
     .complexity = "Depends on subcommand."},
    {.name = "slowlog|get", .flags = "admin loading stale", .acl = "@admin @slow @dangerous", .tips = "request_policy:all_nodes nondeterministic_output",
     .summary = "Get the slow log's entries", .since = "2.2.12", .group = "server",
     .complexity = "O(N) where N is the number of entries returned",
     .history = "4.0.0 Added client IP address, port and name to the reply.",
     .syntax = "[count]",
     .hints = "count:integer"},
    {.name = "slowlog|len", .flags = "admin loading stale", .acl = "@admin @slow @dangerous", .tips = "request_policy:all_nodes response_policy:agg_sum nondeterministic_output",
     .summary = "Get the slow log's length", .since = "2.2.12", .group = "server",
     .complexity = "O(1)"},
    {.name = "slowlog|reset", .flags = "admin loading stale", .acl = "@admin @slow @dangerous", .tips = "request_policy:all_nodes response_policy:all_succeeded",
     .summary = "Clear all entries from the slow log", .since = "2.2.12", .group = "server",
     .complexity = "O(N) where N is the number of entries in the slowlog"},
    {.name = "slowlog|help", .flags = "loading stale", .acl = "@slow",
     .summary = "Show helpful text about the different subcommands", .since = "6.2.0", .group = "server",
     .complexity = "O(1)"},
    {.name = "latency", .flags = "", .acl = "@slow",
     .summary = "A container for latency diagnostics commands", .since = "2.8.13", .group = "server",
     .complexity = "Depends on subcommand."},
    {.name = "latency|latest", .flags = "admin noscript loading stale", .acl = "@admin @slow @dangerous", .tips = "nondeterministic_output request_policy:all_nodes response_policy:special",
     .summary = "Return the latest latency samples for all events.", .since = "2.8.13", .group = "server",
     .complexity = "O(1)"},
    {.name = "latency|histogram", .flags = "admin noscript loading stale", .acl = "@admin @slow @dangerous", .tips = "nondeterministic_output request_policy:all_nodes response_policy:special",
     .summary = "Return the cumulative distribution of latencies of a subset of commands or all.", .since = "7.0.0", .group = "server",
     .complexity = "O(N) where N is the number of commands with latency information being retrieved.",
     .syntax = "[command [command ...]]"},
    {.name = "latency|reset", .flags = "admin noscript loading stale", .acl = "@admin @slow @dangerous", .tips = "request_policy:all_nodes response_policy:all_succeeded",
     .summary = "Reset latency data for one or more events.", .since = "2.8.13", .group = "server",
     .complexity = "O(1)",
     .syntax = "[event [event ...]]"},
    {.name = "latency|help", .flags = "loading stale", .acl = "@slow",
     .summary = "Show helpful text about the different subcommands.", .since = "2.8.13", .group = "server",
     .complexity = "O(1)"},
    {.name = "memory|purge", .flags = "", .acl = "@slow", .tips = "request_policy:all_shards response_policy:all_succeeded",
     .summary = "Ask the allocator to release memory", .since = "4.0.0", .group = "server",
     .complexity = "Depends on how much memory is allocated, could be slow"},
    {.name = "memory|malloc-stats", .flags = "", .acl = "@slow", .tips = "nondeterministic_output request_policy:all_shards response_policy:special",
     .summary = "Show allocator internal stats", .since = "4.0.0", .group = "server",
     .complexity = "Depends on how much memory is allocated, could be slow"},
    {.name = "latency|doctor", .flags = "admin noscript loading stale", .acl = "@admin @slow @dangerous", .tips = "nondeterministic_output request_policy:all_nodes response_policy:special",
     .summary = "Return a human readable latency analysis report.", .since = "2.8.13", .group = "server",
     .complexity = "O(1)"},
    {.name = "latency|graph", .flags = "admin noscript loading stale", .acl = "@admin @slow @dangerous", .tips = "nondeterministic_output request_policy:all_nodes response_policy:special",
     .summary = "Return a latency graph for the event.", .since = "2.8.13", .group = "server",
     .complexity = "O(1)",
     .syntax = "event"},
    {.name = "latency|history", .flags = "admin noscript loading stale", .acl = "@admin @slow @dangerous", .tips = "nondeterministic_output request_policy:all_nodes response_policy:special",
     .summary = "Return timestamp-latency samples for the event.", .since = "2.8.13", .group = "server",
     .complexity = "O(1)",
     .syntax = "event"},
    {.name = "debug", .flags = "admin noscript loading stale", .acl = "@admin @slow @dangerous",
     .summary = "A container for debugging commands", .since = "1.0.0", .group = "server",
     .complexity = "Depends on subcommand.", .doc_flags = "syscmd"},
};
#pragma GCC diagnostic pop

// ---------------------------------------------------------------------------
// Small string helpers

std::vector<std::string_view> split_words(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    std::size_t j = i;
    while (j < s.size() && s[j] != ' ') ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split_on(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  for (;;) {
    const std::size_t at = s.find(sep);
    out.push_back(s.substr(0, at));
    if (at == std::string_view::npos) return out;
    s.remove_prefix(at + 1);
  }
}

int to_int(std::string_view s, std::string_view context) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) {
    throw DocSyntaxError("bad number '" + std::string(s) + "' in '" + std::string(context) + "'");
  }
  return v;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// ---------------------------------------------------------------------------
// Syntax parser. Grammar of a syntax line (Redis's documentation style):
//   seq   := item*
//   item  := '[' alts ']'          optional group
//          | '<' alts '>'          required group
//          | TOKEN item?           a word without lower-case letters: a token
//                                  introducing the next name or group, or a
//                                  pure token when nothing follows it
//          | name                  an argument
//   alts  := seq ('|' seq)*        two or more branches make a oneof; a branch
//                                  of several items is a block
// "x [x ...]" marks x multiple; "TOKEN x [TOKEN x ...]" multiple_token;
// "a b [a b ...]" a multiple block of a and b.

struct Lexeme {
  enum Kind { kWord, kOpen, kClose, kOpenAngle, kCloseAngle, kBar, kEllipsis, kEnd } kind;
  std::string_view text;
};

class SyntaxParser {
 public:
  explicit SyntaxParser(std::string_view syntax) : src_(syntax) { lex(); }

  std::vector<DocArg> parse() {
    std::vector<DocArg> items = parse_seq(nullptr);
    if (peek().kind != Lexeme::kEnd) fail("unexpected '" + std::string(peek().text) + "'");
    return items;
  }

 private:
  void lex() {
    std::size_t i = 0;
    while (i < src_.size()) {
      const char c = src_[i];
      if (c == ' ') {
        ++i;
        continue;
      }
      Lexeme::Kind kind = Lexeme::kWord;
      switch (c) {
        case '[': kind = Lexeme::kOpen; break;
        case ']': kind = Lexeme::kClose; break;
        case '<': kind = Lexeme::kOpenAngle; break;
        case '>': kind = Lexeme::kCloseAngle; break;
        case '|': kind = Lexeme::kBar; break;
        default: break;
      }
      if (kind != Lexeme::kWord) {
        lexemes_.push_back({kind, src_.substr(i, 1)});
        ++i;
        continue;
      }
      std::size_t j = i;
      while (j < src_.size() && std::string_view(" []<>|").find(src_[j]) == std::string_view::npos) ++j;
      const std::string_view word = src_.substr(i, j - i);
      lexemes_.push_back({word == "..." ? Lexeme::kEllipsis : Lexeme::kWord, word});
      i = j;
    }
    lexemes_.push_back({Lexeme::kEnd, {}});
  }

  const Lexeme& peek(std::size_t ahead = 0) const {
    return lexemes_[std::min(pos_ + ahead, lexemes_.size() - 1)];
  }
  const Lexeme& next() { return lexemes_[std::min(pos_++, lexemes_.size() - 1)]; }

  [[noreturn]] void fail(const std::string& why) const {
    throw DocSyntaxError(why + " in syntax '" + std::string(src_) + "'");
  }

  static bool is_token(std::string_view word) {
    bool letter = false;
    for (char c : word) {
      if (std::islower(static_cast<unsigned char>(c))) return false;
      if (std::isupper(static_cast<unsigned char>(c))) letter = true;
    }
    return letter;
  }

  // Parses a group's content after its opening bracket, through its closer.
  // Sets *repeat when the group is a repetition marker "[x ...]".
  DocArg parse_group(Lexeme::Kind closer, bool* repeat, std::size_t* repeat_count,
                     std::string* repeat_token) {
    std::vector<std::vector<DocArg>> branches;
    std::vector<std::string_view> first_words;
    bool ellipsis = false;
    for (;;) {
      first_words.push_back(peek().kind == Lexeme::kWord ? peek().text : std::string_view());
      branches.push_back(parse_seq(&ellipsis));
      const Lexeme& l = next();
      if (l.kind == closer) break;
      if (l.kind != Lexeme::kBar) fail("unbalanced group");
      if (ellipsis) fail("'...' inside a oneof");
    }
    if (ellipsis) {
      if (branches.size() != 1 || closer != Lexeme::kClose) fail("misplaced '...'");
      *repeat = true;
      *repeat_count = branches[0].size();
      *repeat_token = branches[0].size() == 1 ? branches[0][0].token : std::string();
      return {};
    }
    if (branches.size() == 1) return as_one(std::move(branches[0]));
    DocArg oneof;
    oneof.type = "oneof";
    for (auto& b : branches) oneof.args.push_back(as_one(std::move(b)));
    return oneof;
  }

  // A branch of several items is a block; a leading "TOKEN name" moves its
  // token to the block ("[AUTH username password]").
  DocArg as_one(std::vector<DocArg> items) {
    if (items.empty()) fail("empty group");
    if (items.size() == 1) return std::move(items[0]);
    DocArg block;
    block.type = "block";
    if (!items[0].token.empty() && items[0].type != "pure-token") {
      block.token = std::move(items[0].token);
      items[0].token.clear();
    }
    block.args = std::move(items);
    return block;
  }

  std::vector<DocArg> parse_seq(bool* ellipsis) {
    std::vector<DocArg> items;
    for (;;) {
      const Lexeme& l = peek();
      if (l.kind == Lexeme::kEllipsis) {
        if (ellipsis == nullptr) fail("misplaced '...'");
        next();
        *ellipsis = true;
        if (peek().kind != Lexeme::kClose) fail("'...' must end its group");
        return items;
      }
      if (l.kind == Lexeme::kOpen || l.kind == Lexeme::kOpenAngle) {
        next();
        bool repeat = false;
        std::size_t count = 0;
        std::string token;
        DocArg g = parse_group(l.kind == Lexeme::kOpen ? Lexeme::kClose : Lexeme::kCloseAngle,
                               &repeat, &count, &token);
        if (repeat) {
          mark_repeated(items, count, token);
        } else {
          if (l.kind == Lexeme::kOpen) g.optional = true;
          items.push_back(std::move(g));
        }
        continue;
      }
      if (l.kind != Lexeme::kWord) return items;
      const std::string_view word = next().text;
      if (!is_token(word)) {
        DocArg a;
        a.name = std::string(word);
        items.push_back(std::move(a));
        continue;
      }
      const Lexeme& after = peek();
      if (after.kind == Lexeme::kWord && !is_token(after.text)) {
        DocArg a;
        a.name = std::string(next().text);
        a.token = std::string(word);
        items.push_back(std::move(a));
      } else if (after.kind == Lexeme::kOpenAngle) {
        next();
        bool repeat = false;
        std::size_t count = 0;
        std::string t;
        DocArg g = parse_group(Lexeme::kCloseAngle, &repeat, &count, &t);
        if (repeat || !g.token.empty()) fail("bad group after token " + std::string(word));
        g.token = std::string(word);
        items.push_back(std::move(g));
      } else {
        DocArg a;
        a.type = "pure-token";
        a.token = std::string(word);
        items.push_back(std::move(a));
      }
    }
  }

  void mark_repeated(std::vector<DocArg>& items, std::size_t count, const std::string& token) {
    if (count == 0 || count > items.size()) fail("'...' repeats nothing");
    if (count == 1) {
      DocArg& prev = items.back();
      if (!token.empty()) {
        if (token != prev.token) fail("repeated token differs");
        prev.multiple = prev.multiple_token = true;
      } else if (!prev.token.empty() && prev.type.empty()) {
        // "ID client-id [client-id ...]": Redis makes a block of the token.
        DocArg inner = std::move(prev);
        DocArg block;
        block.type = "block";
        block.token = std::move(inner.token);
        inner.token.clear();
        inner.multiple = true;
        block.args.push_back(std::move(inner));
        prev = std::move(block);
      } else {
        prev.multiple = true;
      }
      return;
    }
    DocArg block;
    block.type = "block";
    block.multiple = true;
    block.args.assign(std::make_move_iterator(items.end() - static_cast<std::ptrdiff_t>(count)),
                      std::make_move_iterator(items.end()));
    items.erase(items.end() - static_cast<std::ptrdiff_t>(count), items.end());
    items.push_back(std::move(block));
  }

  std::string_view src_;
  std::vector<Lexeme> lexemes_;
  std::size_t pos_ = 0;
};

struct Hint {
  std::string_view key;
  char op;
  std::string_view value;
  bool used = false;
};

// Gives every node its default name, then applies the hints keyed by its
// token or default name. Children first: a group's default name joins theirs.
void finish(std::vector<DocArg>& args, std::vector<Hint>& hints) {
  for (DocArg& a : args) {
    finish(a.args, hints);
    const bool group = a.type == "oneof" || a.type == "block";
    if (a.type == "pure-token" || (group && !a.token.empty())) {
      a.name = lower(a.token);
    } else if (group) {
      a.name.clear();
      for (const DocArg& c : a.args) {
        if (!a.name.empty()) a.name += '_';
        a.name += c.name;
      }
    }
    if (a.type.empty()) a.type = a.name == "key" ? "key" : "string";
    const std::string key = a.token.empty() ? a.name : a.token;
    for (Hint& h : hints) {
      if (h.key != key) continue;
      h.used = true;
      switch (h.op) {
        case '=': a.name = std::string(h.value); break;
        case ':': a.type = std::string(h.value); break;
        case '@': a.key_spec_index = to_int(h.value, h.key); break;
        case '^': a.since = std::string(h.value); break;
        case '!': a.deprecated_since = std::string(h.value); break;
      }
    }
    if (a.type == "key" && a.key_spec_index < 0) a.key_spec_index = 0;
  }
}

}  // namespace

bool KeySpec::has_flag(std::string_view f) const {
  return std::find(flags.begin(), flags.end(), f) != flags.end();
}

std::vector<DocArg> parse_doc_syntax(std::string_view syntax, std::string_view hints) {
  std::vector<DocArg> args = SyntaxParser(syntax).parse();
  std::vector<Hint> parsed;
  for (std::string_view item : split_words(hints)) {
    const std::size_t at = item.find_last_of("=:@^!");
    if (at == std::string_view::npos || at == 0 || at + 1 == item.size()) {
      throw DocSyntaxError("bad hint '" + std::string(item) + "'");
    }
    parsed.push_back({item.substr(0, at), item[at], item.substr(at + 1)});
  }
  finish(args, parsed);
  for (const Hint& h : parsed) {
    if (!h.used) throw DocSyntaxError("hint '" + std::string(h.key) + "' matches no argument of '" +
                                      std::string(syntax) + "'");
  }
  return args;
}

KeySpec parse_key_spec(std::string_view text) {
  const std::vector<std::string_view> parts = split_on(text, '|');
  if (parts.size() < 3) throw DocSyntaxError("bad key spec '" + std::string(text) + "'");
  KeySpec ks;
  ks.flags = split_words(parts[0]);
  const std::vector<std::string_view> begin = split_words(parts[1]);
  const std::vector<std::string_view> find = split_words(parts[2]);
  if (begin.size() == 2 && begin[0] == "index") {
    ks.begin = KeySpec::Begin::kIndex;
    ks.index = to_int(begin[1], text);
  } else if (begin.size() == 3 && begin[0] == "keyword") {
    ks.begin = KeySpec::Begin::kKeyword;
    ks.keyword = begin[1];
    ks.startfrom = to_int(begin[2], text);
  } else if (begin.size() == 1 && begin[0] == "unknown") {
    ks.begin = KeySpec::Begin::kUnknown;
  } else {
    throw DocSyntaxError("bad begin_search in '" + std::string(text) + "'");
  }
  if (find.size() == 4 && find[0] == "range") {
    ks.find = KeySpec::Find::kRange;
    ks.lastkey = to_int(find[1], text);
    ks.keystep = to_int(find[2], text);
    ks.limit = to_int(find[3], text);
  } else if (find.size() == 4 && find[0] == "keynum") {
    ks.find = KeySpec::Find::kKeynum;
    ks.keynumidx = to_int(find[1], text);
    ks.firstkey = to_int(find[2], text);
    ks.keystep = to_int(find[3], text);
  } else if (find.size() == 1 && find[0] == "unknown") {
    ks.find = KeySpec::Find::kUnknown;
  } else {
    throw DocSyntaxError("bad find_keys in '" + std::string(text) + "'");
  }
  if (parts.size() > 3) {
    // Notes may contain '|': everything after the third separator.
    std::size_t at = 0;
    for (int i = 0; i < 3; ++i) at = text.find('|', at) + 1;
    ks.notes = trim(text.substr(at));
  }
  return ks;
}

namespace {

// Redis's populateCommandLegacyRangeSpec: merges consecutive index+range
// specs of step 1 into one (first, last, step) range.
void legacy_range(ParsedDoc& p) {
  const auto& specs = p.key_specs;
  if (specs.empty()) return;
  auto set = [&p](int first, int last_rel, int step) {
    p.first_key = first;
    p.last_key = last_rel >= 0 ? last_rel + first : last_rel;
    p.key_step = step;
  };
  if (specs.size() == 1 && specs[0].begin == KeySpec::Begin::kIndex &&
      specs[0].find == KeySpec::Find::kRange) {
    set(specs[0].index, specs[0].lastkey, specs[0].keystep);
    return;
  }
  int first = -1;
  unsigned last = 0, prev_last = 0;
  for (const KeySpec& ks : specs) {
    if (ks.begin != KeySpec::Begin::kIndex || ks.find != KeySpec::Find::kRange) continue;
    if (ks.keystep != 1 || (prev_last != 0 && prev_last != static_cast<unsigned>(ks.index - 1))) {
      continue;
    }
    first = first < 0 ? ks.index : std::min(first, ks.index);
    int abs_last = ks.lastkey;
    if (abs_last >= 0) abs_last += ks.index;
    last = std::max(last, static_cast<unsigned>(abs_last));
    prev_last = last;
  }
  if (first < 0) return;
  const int last_signed = static_cast<int>(last);
  set(first, last_signed < 0 ? last_signed : last_signed - first, 1);
}

ParsedDoc parse_doc(const CommandDoc& d) {
  ParsedDoc p;
  p.doc = &d;
  p.flags = split_words(d.flags);
  p.acl = split_words(d.acl);
  p.tips = split_words(d.tips);
  p.doc_flags = split_words(d.doc_flags);
  for (std::string_view ks : d.key_specs) {
    if (!ks.empty()) p.key_specs.push_back(parse_key_spec(ks));
  }
  if (!d.history.empty()) {
    for (std::string_view line : split_on(d.history, '\n')) {
      const std::size_t sp = line.find(' ');
      if (sp == std::string_view::npos) {
        throw DocSyntaxError("bad history line of " + std::string(d.name));
      }
      p.history.emplace_back(line.substr(0, sp), line.substr(sp + 1));
    }
  }
  p.args = parse_doc_syntax(d.syntax, d.hints);
  legacy_range(p);
  return p;
}

struct DocIndex {
  std::unordered_map<std::string_view, ParsedDoc> by_name;
  DocIndex() {
    for (const CommandDoc& d : kDocs) by_name.emplace(d.name, parse_doc(d));
  }
};

}  // namespace

std::span<const CommandDoc> command_docs() { return kDocs; }

const ParsedDoc* find_command_doc(std::string_view full_name) {
  static const DocIndex index;
  const std::string name = lower(full_name);
  auto it = index.by_name.find(name);
  return it == index.by_name.end() ? nullptr : &it->second;
}

}  // namespace larder::commands
