// Metadata rows of the commands src/commands/acl_commands.cc registers:
// Redis 7.0.15's COMMAND INFO and COMMAND DOCS facts, see command_docs.h.

#include "larder/commands/command_docs.h"

namespace larder::commands {

namespace {

// Rows name only the fields they have; GCC warns about the others even with
// designated initializers, whose omitted members are simply empty.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
constexpr CommandDoc kRows[] = {
    {.name = "acl", .arity = -2, .flags = "", .acl = "@slow",
     .summary = "A container for Access List Control commands ", .since = "6.0.0", .group = "server",
     .complexity = "Depends on subcommand."},
    {.name = "acl|cat", .arity = -2, .flags = "noscript loading stale", .acl = "@slow",
     .summary = "List the ACL categories or the commands inside a category", .since = "6.0.0", .group = "server",
     .complexity = "O(1) since the categories and commands are a fixed set.",
     .syntax = "[categoryname]"},
    {.name = "acl|deluser", .arity = -3, .flags = "admin noscript loading stale", .acl = "@admin @slow @dangerous",
     .summary = "Remove the specified ACL users and the associated rules", .since = "6.0.0", .group = "server",
     .complexity = "O(1) amortized time considering the typical user.",
     .syntax = "username [username ...]"},
    {.name = "acl|dryrun", .arity = -4, .flags = "admin noscript loading stale", .acl = "@admin @slow @dangerous",
     .summary = "Returns whether the user can execute the given command without executing the command.", .since = "7.0.0", .group = "server",
     .complexity = "O(1).",
     .syntax = "username command [arg [arg ...]]"},
    {.name = "acl|genpass", .arity = -2, .flags = "noscript loading stale", .acl = "@slow",
     .summary = "Generate a pseudorandom secure password to use for ACL users", .since = "6.0.0", .group = "server",
     .complexity = "O(1)",
     .syntax = "[bits]",
     .hints = "bits:integer"},
    {.name = "acl|getuser", .arity = 3, .flags = "admin noscript loading stale", .acl = "@admin @slow @dangerous",
     .summary = "Get the rules for a specific ACL user", .since = "6.0.0", .group = "server",
     .complexity = "O(N). Where N is the number of password, command and pattern rules that the user has.",
     .history = "6.2.0 Added Pub/Sub channel patterns.\n"
                "7.0.0 Added selectors and changed the format of key and channel patterns from a list to their rule representation.",
     .syntax = "username"},
    {.name = "acl|help", .arity = 2, .flags = "loading stale", .acl = "@slow",
     .summary = "Show helpful text about the different subcommands", .since = "6.0.0", .group = "server",
     .complexity = "O(1)"},
    {.name = "acl|list", .arity = 2, .flags = "admin noscript loading stale", .acl = "@admin @slow @dangerous",
     .summary = "List the current ACL rules in ACL config file format", .since = "6.0.0", .group = "server",
     .complexity = "O(N). Where N is the number of configured users."},
    {.name = "acl|load", .arity = 2, .flags = "admin noscript loading stale", .acl = "@admin @slow @dangerous",
     .summary = "Reload the ACLs from the configured ACL file", .since = "6.0.0", .group = "server",
     .complexity = "O(N). Where N is the number of configured users."},
    {.name = "acl|log", .arity = -2, .flags = "admin noscript loading stale", .acl = "@admin @slow @dangerous",
     .summary = "List latest events denied because of ACLs in place", .since = "6.0.0", .group = "server",
     .complexity = "O(N) with N being the number of entries shown.",
     .syntax = "[count | RESET]",
     .hints = "count:integer count_reset=operation"},
    {.name = "acl|save", .arity = 2, .flags = "admin noscript loading stale", .acl = "@admin @slow @dangerous",
     .summary = "Save the current ACL rules in the configured ACL file", .since = "6.0.0", .group = "server",
     .complexity = "O(N). Where N is the number of configured users."},
    {.name = "acl|setuser", .arity = -3, .flags = "admin noscript loading stale", .acl = "@admin @slow @dangerous",
     .summary = "Modify or create the rules for a specific ACL user", .since = "6.0.0", .group = "server",
     .complexity = "O(N). Where N is the number of rules provided.",
     .history = "6.2.0 Added Pub/Sub channel patterns.\n"
                "7.0.0 Added selectors and key based permissions.",
     .syntax = "username [rule [rule ...]]"},
    {.name = "acl|users", .arity = 2, .flags = "admin noscript loading stale", .acl = "@admin @slow @dangerous",
     .summary = "List the username of all the configured ACL rules", .since = "6.0.0", .group = "server",
     .complexity = "O(N). Where N is the number of configured users."},
    {.name = "acl|whoami", .arity = 2, .flags = "noscript loading stale", .acl = "@slow",
     .summary = "Return the name of the user associated to the current connection", .since = "6.0.0", .group = "server",
     .complexity = "O(1)"},
};
#pragma GCC diagnostic pop

}  // namespace

std::span<const CommandDoc> acl_doc_rows() { return kRows; }

}  // namespace larder::commands
