// Metadata rows of the commands src/commands/bitmap_commands.cc registers:
// Redis 7.0.15's COMMAND INFO and COMMAND DOCS facts, see command_docs.h.

#include "larder/commands/command_docs.h"

namespace larder::commands {

namespace {

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
constexpr CommandDoc kRows[] = {
    {.name = "setbit", .arity = 4, .flags = "write denyoom", .acl = "@write @bitmap @slow", .key_specs = {"RW access update | index 1 | range 0 1 0"},
     .summary = "Sets or clears the bit at offset in the string value stored at key", .since = "2.2.0", .group = "bitmap",
     .complexity = "O(1)",
     .syntax = "key offset value",
     .hints = "offset:integer value:integer"},
    {.name = "getbit", .arity = 3, .flags = "readonly fast", .acl = "@read @bitmap @fast", .key_specs = {"RO access | index 1 | range 0 1 0"},
     .summary = "Returns the bit value at offset in the string value stored at key", .since = "2.2.0", .group = "bitmap",
     .complexity = "O(1)",
     .syntax = "key offset",
     .hints = "offset:integer"},
    {.name = "bitcount", .arity = -2, .flags = "readonly", .acl = "@read @bitmap @slow", .key_specs = {"RO access | index 1 | range 0 1 0"},
     .summary = "Count set bits in a string", .since = "2.6.0", .group = "bitmap",
     .complexity = "O(N)",
     .history = "7.0.0 Added the `BYTE|BIT` option.",
     .syntax = "key [start end [BYTE | BIT]]",
     .hints = "start:integer end:integer byte_bit=index_unit byte_bit^7.0.0 start_end_index_unit=index"},
    {.name = "bitpos", .arity = -3, .flags = "readonly", .acl = "@read @bitmap @slow", .key_specs = {"RO access | index 1 | range 0 1 0"},
     .summary = "Find first bit set or clear in a string", .since = "2.8.7", .group = "bitmap",
     .complexity = "O(N)",
     .history = "7.0.0 Added the `BYTE|BIT` option.",
     .syntax = "key bit [start [end [BYTE | BIT]]]",
     .hints = "bit:integer start:integer end:integer byte_bit=index_unit byte_bit^7.0.0 end_index_unit=end_index start_end_index=index"},
    {.name = "bitop", .arity = -4, .flags = "write denyoom", .acl = "@write @bitmap @slow", .key_specs = {"OW update | index 2 | range 0 1 0", "RO access | index 3 | range -1 1 0"},
     .summary = "Perform bitwise operations between strings", .since = "2.6.0", .group = "bitmap",
     .complexity = "O(N)",
     .syntax = "operation destkey key [key ...]",
     .hints = "destkey:key key@1"},
    {.name = "bitfield", .arity = -2, .flags = "write denyoom", .acl = "@write @bitmap @slow", .key_specs = {"RW access update variable_flags | index 1 | range 0 1 0 | This command allows both access and modification of the key"},
     .summary = "Perform arbitrary bitfield integer operations on strings", .since = "3.2.0", .group = "bitmap",
     .complexity = "O(1) for each subcommand specified",
     .syntax = "key [<GET encoding offset | [<OVERFLOW <WRAP | SAT | FAIL>>] <SET encoding offset value | INCRBY encoding offset increment>> [<GET encoding offset | [<OVERFLOW <WRAP | SAT | FAIL>>] <SET encoding offset value | INCRBY encoding offset increment>> ...]]",
     .hints = "offset:integer GET=encoding_offset OVERFLOW=wrap_sat_fail value:integer SET=encoding_offset_value increment:integer INCRBY=encoding_offset_increment encoding_offset_value_encoding_offset_increment=write_operation wrap_sat_fail_write_operation=write encoding_offset_write=operation"},
    {.name = "bitfield_ro", .arity = -2, .flags = "readonly fast", .acl = "@read @bitmap @fast", .key_specs = {"RO access | index 1 | range 0 1 0"},
     .summary = "Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD", .since = "6.0.0", .group = "bitmap",
     .complexity = "O(1) for each subcommand specified",
     .syntax = "key [<GET encoding offset> [<GET encoding offset> ...]]",
     .hints = "offset:integer GET=encoding_offset"},
};
#pragma GCC diagnostic pop

}  // namespace

std::span<const CommandDoc> bitmap_doc_rows() { return kRows; }

}  // namespace larder::commands
