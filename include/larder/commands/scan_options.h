#pragma once
// The arguments SCAN, HSCAN, SSCAN (and later ZSCAN) share, parsed as Redis's
// parseScanCursorOrReply and scanGenericCommand's option loop do, and the
// reply of a collection scan.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "larder/commands/command_context.h"

namespace larder::commands {

struct ScanOptions {
  std::uint64_t count = 10;
  std::optional<std::string_view> pattern;  // none for no MATCH or MATCH *
  std::optional<std::string_view> type;     // SCAN only
};

// Each replies the error ("invalid cursor"; not an integer, syntax) and
// returns false. A collection scan, as Redis's, reads its cursor, then looks
// its key up (a missing key replies an empty scan whatever the options),
// then reads the options.
bool parse_scan_cursor(CommandContext& ctx, std::string_view arg, std::uint64_t& cursor);
// The options from args[first] on; TYPE is one only for the keyspace scan.
bool parse_scan_options(CommandContext& ctx, std::size_t first, bool allow_type, ScanOptions& options);

// [cursor, [elements...]] as every SCAN variant replies.
void reply_scan(CommandContext& ctx, std::uint64_t cursor, const std::vector<std::string>& elements);

}  // namespace larder::commands
