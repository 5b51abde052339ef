// Metadata rows of the commands src/commands/scripting_commands.cc and
// function_commands.cc register: Redis 7.0.15's COMMAND INFO and COMMAND DOCS
// facts, see command_docs.h.

#include "larder/commands/command_docs.h"

namespace larder::commands {

namespace {

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
constexpr CommandDoc kRows[] = {
    {.name = "eval", .arity = -3, .flags = "noscript stale skip_monitor no_mandatory_keys movablekeys", .acl = "@slow @scripting",
     .key_specs = {"RW access update | index 2 | keynum 0 1 1 | We cannot tell how the keys will be used so we assume the worst, RW and UPDATE"},
     .summary = "Execute a Lua script server side", .since = "2.6.0", .group = "scripting",
     .complexity = "Depends on the script that is executed.",
     .syntax = "script numkeys [key [key ...]] [arg [arg ...]]",
     .hints = "numkeys:integer key@0"},
    {.name = "evalsha", .arity = -3, .flags = "noscript stale skip_monitor no_mandatory_keys movablekeys", .acl = "@slow @scripting",
     .key_specs = {"RW access update | index 2 | keynum 0 1 1"},
     .summary = "Execute a Lua script server side", .since = "2.6.0", .group = "scripting",
     .complexity = "Depends on the script that is executed.",
     .syntax = "sha1 numkeys [key [key ...]] [arg [arg ...]]",
     .hints = "numkeys:integer key@0"},
    {.name = "eval_ro", .arity = -3, .flags = "readonly noscript stale skip_monitor no_mandatory_keys movablekeys", .acl = "@slow @scripting",
     .key_specs = {"RO access | index 2 | keynum 0 1 1 | We cannot tell how the keys will be used so we assume the worst, RO and ACCESS"},
     .summary = "Execute a read-only Lua script server side", .since = "7.0.0", .group = "scripting",
     .complexity = "Depends on the script that is executed.",
     .syntax = "script numkeys [key [key ...]] [arg [arg ...]]",
     .hints = "numkeys:integer key@0"},
    {.name = "evalsha_ro", .arity = -3, .flags = "readonly noscript stale skip_monitor no_mandatory_keys movablekeys", .acl = "@slow @scripting",
     .key_specs = {"RO access | index 2 | keynum 0 1 1"},
     .summary = "Execute a read-only Lua script server side", .since = "7.0.0", .group = "scripting",
     .complexity = "Depends on the script that is executed.",
     .syntax = "sha1 numkeys [key [key ...]] [arg [arg ...]]",
     .hints = "numkeys:integer key@0"},
    {.name = "script", .arity = -2, .flags = "", .acl = "@slow",
     .summary = "A container for Lua scripts management commands", .since = "2.6.0", .group = "scripting",
     .complexity = "Depends on subcommand."},
    {.name = "script|help", .arity = 2, .flags = "loading stale", .acl = "@slow @scripting",
     .summary = "Show helpful text about the different subcommands", .since = "5.0.0", .group = "scripting",
     .complexity = "O(1)"},
    {.name = "script|flush", .arity = -2, .flags = "noscript", .acl = "@slow @scripting", .tips = "request_policy:all_nodes response_policy:all_succeeded",
     .summary = "Remove all the scripts from the script cache.", .since = "2.6.0", .group = "scripting",
     .complexity = "O(N) with N being the number of scripts in cache",
     .history = "6.2.0 Added the `ASYNC` and `SYNC` flushing mode modifiers.",
     .syntax = "[ASYNC | SYNC]",
     .hints = "async_sync^6.2.0 async_sync=async"},
    {.name = "script|load", .arity = 3, .flags = "noscript stale", .acl = "@slow @scripting", .tips = "request_policy:all_nodes response_policy:all_succeeded",
     .summary = "Load the specified Lua script into the script cache.", .since = "2.6.0", .group = "scripting",
     .complexity = "O(N) with N being the length in bytes of the script body.",
     .syntax = "script"},
    {.name = "script|exists", .arity = -3, .flags = "noscript", .acl = "@slow @scripting", .tips = "request_policy:all_shards response_policy:agg_logical_and",
     .summary = "Check existence of scripts in the script cache.", .since = "2.6.0", .group = "scripting",
     .complexity = "O(N) with N being the number of scripts to check (so checking a single script is an O(1) operation).",
     .syntax = "sha1 [sha1 ...]"},
    {.name = "script|kill", .arity = 2, .flags = "noscript allow_busy", .acl = "@slow @scripting", .tips = "request_policy:all_shards response_policy:one_succeeded",
     .summary = "Kill the script currently in execution.", .since = "2.6.0", .group = "scripting",
     .complexity = "O(1)"},
    {.name = "fcall", .arity = -3, .flags = "noscript stale skip_monitor no_mandatory_keys movablekeys", .acl = "@slow @scripting",
     .key_specs = {"RW access update | index 2 | keynum 0 1 1 | We cannot tell how the keys will be used so we assume the worst, RW and UPDATE"},
     .summary = "Invoke a function", .since = "7.0.0", .group = "scripting",
     .complexity = "Depends on the function that is executed.",
     .syntax = "function numkeys [key [key ...]] [arg [arg ...]]",
     .hints = "numkeys:integer key@0"},
    {.name = "fcall_ro", .arity = -3, .flags = "readonly noscript stale skip_monitor no_mandatory_keys movablekeys", .acl = "@slow @scripting",
     .key_specs = {"RO access | index 2 | keynum 0 1 1 | We cannot tell how the keys will be used so we assume the worst, RO and ACCESS"},
     .summary = "Invoke a read-only function", .since = "7.0.0", .group = "scripting",
     .complexity = "Depends on the function that is executed.",
     .syntax = "function numkeys [key [key ...]] [arg [arg ...]]",
     .hints = "numkeys:integer key@0"},
    {.name = "function", .arity = -2, .flags = "", .acl = "@slow",
     .summary = "A container for function commands", .since = "7.0.0", .group = "scripting",
     .complexity = "Depends on subcommand."},
    {.name = "function|load", .arity = -3, .flags = "write denyoom noscript", .acl = "@write @slow @scripting", .tips = "request_policy:all_shards response_policy:all_succeeded",
     .summary = "Create a function with the given arguments (name, code, description)", .since = "7.0.0", .group = "scripting",
     .complexity = "O(1) (considering compilation time is redundant)",
     .syntax = "[REPLACE] function-code"},
    {.name = "function|delete", .arity = 3, .flags = "write noscript", .acl = "@write @slow @scripting", .tips = "request_policy:all_shards response_policy:all_succeeded",
     .summary = "Delete a function by name", .since = "7.0.0", .group = "scripting",
     .complexity = "O(1)",
     .syntax = "library-name"},
    {.name = "function|help", .arity = 2, .flags = "loading stale", .acl = "@slow @scripting",
     .summary = "Show helpful text about the different subcommands", .since = "7.0.0", .group = "scripting",
     .complexity = "O(1)"},
    {.name = "function|list", .arity = -2, .flags = "noscript", .acl = "@slow @scripting", .tips = "nondeterministic_output_order",
     .summary = "List information about all the functions", .since = "7.0.0", .group = "scripting",
     .complexity = "O(N) where N is the number of functions",
     .syntax = "[LIBRARYNAME library-name-pattern] [WITHCODE]"},
    {.name = "function|flush", .arity = -2, .flags = "write noscript", .acl = "@write @slow @scripting", .tips = "request_policy:all_shards response_policy:all_succeeded",
     .summary = "Deleting all functions", .since = "7.0.0", .group = "scripting",
     .complexity = "O(N) where N is the number of functions deleted",
     .syntax = "[ASYNC | SYNC]",
     .hints = "async_sync=async"},
    {.name = "function|kill", .arity = 2, .flags = "noscript allow_busy", .acl = "@slow @scripting", .tips = "request_policy:all_shards response_policy:one_succeeded",
     .summary = "Kill the function currently in execution.", .since = "7.0.0", .group = "scripting",
     .complexity = "O(1)"},
    {.name = "function|stats", .arity = 2, .flags = "noscript allow_busy", .acl = "@slow @scripting", .tips = "nondeterministic_output request_policy:all_shards response_policy:special",
     .summary = "Return information about the function currently running (name, description, duration)", .since = "7.0.0", .group = "scripting",
     .complexity = "O(1)"},
};
#pragma GCC diagnostic pop

}  // namespace

std::span<const CommandDoc> scripting_doc_rows() { return kRows; }

}  // namespace larder::commands
