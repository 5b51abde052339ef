#pragma once
// MONITOR's feed: the line Redis 7.0 shows for each executed command.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "larder/commands/command_context.h"

namespace larder::commands {

// Sends the command `ctx` has just run to the monitors, unless Redis hides
// it (admin commands). Called by the dispatcher after each handler.
void feed_monitors(const CommandContext& ctx);
// The same for a script command (skip_monitor): its handler shows it before
// the commands the script runs, as Redis's evalCommand and fcallCommand.
void feed_monitors_before_running(const CommandContext& ctx);

// "+<sec>.<usec> [<db> <addr>] \"arg\" ...\r\n", arguments quoted as Redis's
// sdscatrepr; those listed in `redacted` show as "(redacted)".
std::string monitor_line(std::int64_t unix_us, int db, std::string_view addr,
                         std::span<const std::string_view> args, std::span<const std::uint32_t> redacted);

}  // namespace larder::commands
