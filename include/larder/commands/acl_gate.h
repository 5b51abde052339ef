#pragma once
// Where commands meet ACL users: the check of a command line against the
// client's user (the dispatcher's, EXEC's and redis.call's), its -NOPERM
// texts, and the ACL log entries of denials and failed AUTHs.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "larder/acl/acl.h"
#include "larder/commands/client_state.h"
#include "larder/commands/server_services.h"

namespace larder::commands {

struct CommandSpec;

// The user the client runs as: its slot, or the default user's.
inline const std::shared_ptr<acl::UserSlot>& client_user(const ServerServices& server, const ClientState& client) {
  return client.user != nullptr ? client.user : server.acl.default_slot();
}

// Checks `args` (the whole command line) against the client's user and
// records a denial in the ACL log with `context`. `current` is the command
// Redis shows as the client's current one in the log's client-info (cmd=):
// the denied command at top level, EXEC for its queued commands, unchanged
// (nullptr) inside scripts.
acl::CheckResult acl_check_slow(ServerServices& server, ClientState& client, const CommandSpec& spec,
                                std::span<const std::string_view> args, acl::LogContext context,
                                const CommandSpec* current, std::int64_t now_ms);
// The same, with the dispatcher's fast path: a user allowed everything is one
// flag test.
inline acl::CheckResult acl_check(ServerServices& server, ClientState& client, const CommandSpec& spec,
                                  std::span<const std::string_view> args, acl::LogContext context,
                                  const CommandSpec* current, std::int64_t now_ms) {
  if (client.user != nullptr && client.user->unrestricted()) return {};
  return acl_check_slow(server, client, spec, args, context, current, now_ms);
}

// Redis 7.0's -NOPERM text for a command refused before it runs.
std::string noperm_text(acl::Denial denial, const CommandSpec& spec);

// Records a failed AUTH / HELLO AUTH: object is the command name as sent.
void acl_log_auth_failure(ServerServices& server, const ClientState& client, std::string_view command,
                          std::string_view username, std::int64_t now_ms);

// Disconnects the clients authenticated as one of `slots` (deleted users):
// `self` after its reply, the others at once, as Redis's
// ACLFreeUserAndKillClients.
void disconnect_users(ServerServices& server, ClientState& self,
                      std::span<const std::shared_ptr<acl::UserSlot>> slots);

}  // namespace larder::commands
