// Metadata rows of the commands src/commands/sort_commands.cc registers:
// Redis 7.0.15's COMMAND INFO and COMMAND DOCS facts, see command_docs.h.

#include "larder/commands/command_docs.h"

namespace larder::commands {

namespace {

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
constexpr CommandDoc kRows[] = {
    {.name = "sort", .arity = -2, .flags = "write denyoom movablekeys", .acl = "@write @set @sortedset @list @slow @dangerous", .key_specs = {"RO access | index 1 | range 0 1 0", "RO access | unknown | unknown | For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort", "OW update | unknown | unknown | For the optional STORE keyword. It is marked 'unknown' because the keyword can appear anywhere in the argument array"},
     .summary = "Sort the elements in a list, set or sorted set", .since = "1.0.0", .group = "generic",
     .complexity = "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).",
     .syntax = "key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] [ASC | DESC] [ALPHA] [STORE destination]",
     .hints = "BY:pattern BY@1 offset:integer count:integer LIMIT=offset_count GET:pattern GET@1 asc_desc=order ALPHA=sorting STORE:key STORE@2"},
    {.name = "sort_ro", .arity = -2, .flags = "readonly movablekeys", .acl = "@read @set @sortedset @list @slow @dangerous", .key_specs = {"RO access | index 1 | range 0 1 0", "RO access | unknown | unknown | For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort"},
     .summary = "Sort the elements in a list, set or sorted set. Read-only variant of SORT.", .since = "7.0.0", .group = "generic",
     .complexity = "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).",
     .syntax = "key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] [ASC | DESC] [ALPHA]",
     .hints = "BY:pattern BY@1 offset:integer count:integer LIMIT=offset_count GET:pattern GET@1 asc_desc=order ALPHA=sorting"},
};
#pragma GCC diagnostic pop

}  // namespace

std::span<const CommandDoc> sort_doc_rows() { return kRows; }

}  // namespace larder::commands
