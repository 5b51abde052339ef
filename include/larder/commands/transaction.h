#pragma once
// MULTI/EXEC state changes shared by the transaction commands and RESET.

#include "larder/commands/command_context.h"

namespace larder::commands {

// Leaves MULTI, dropping the queued commands.
void discard_transaction(CommandContext& ctx);
// Drops every WATCH of the client (takes the shard locks itself; call it only
// while the client's command holds no shard locks).
void unwatch_all(CommandContext& ctx);

}  // namespace larder::commands
