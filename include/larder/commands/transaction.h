#pragma once
// MULTI/EXEC state changes shared by the transaction commands and RESET.

#include "larder/commands/command_context.h"

namespace larder::commands {

// Leaves MULTI, dropping the queued commands.
void discard_transaction(ClientState& client);
// Drops every WATCH of the client (takes the shard locks itself; call it only
// while the client's command holds no shard locks).
void unwatch_all(ClientState& client, storage::Keyspace& keyspace);

}  // namespace larder::commands
