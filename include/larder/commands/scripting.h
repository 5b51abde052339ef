#pragma once
// What the scripting and function families share with each other and with
// the dispatcher (scripting_commands.cc).

#include <string>
#include <string_view>
#include <vector>

#include "larder/commands/command_context.h"

namespace larder::commands {

// Redis's scriptPrepareForRun: may a script with these ScriptFlag bits start
// (OOM unless allow-oom, writes through a *_RO command)? False after replying.
bool script_may_run(CommandContext& ctx, unsigned flags, bool ro_command);
// The -BUSY text other clients get while a script runs past
// busy-reply-threshold; empty when none does.
std::string_view busy_script_error(const ServerServices& server);
// SCRIPT KILL (is_eval) and FUNCTION KILL.
void kill_running_script(CommandContext& ctx, bool is_eval);
// The function libraries of an RDB file (Persistence::load_functions):
// compiled, then added (after dropping every library when `flush_first`;
// replacing one of the same name when `replace`). Redis's error, or empty.
std::string load_saved_libraries(ServerServices& server, const std::vector<std::string>& codes, bool flush_first,
                                 bool replace);

}  // namespace larder::commands
