#pragma once
// Runs one client's commands: resolution (unknown command, arity), the
// authentication gate, MULTI queueing, CLIENT REPLY modes, shard locking,
// statistics and the slow log, around the command table's handlers; and
// finishes the commands whose handler deferred (resume()).
// One Dispatcher per event loop; call it only from that loop's thread.

#include <chrono>
#include <cstdint>
#include <span>
#include <string_view>

#include "larder/commands/command_table.h"
#include "larder/commands/server_services.h"
#include "larder/protocol/reply_builder.h"
#include "larder/storage/keyspace.h"

namespace larder::commands {

class Dispatcher {
 public:
  Dispatcher(const CommandTable& table, storage::Keyspace& keyspace, ServerServices& server,
             ServerStats& stats)
      : table_(table), keyspace_(keyspace), server_(server), stats_(stats) {
    // Every keyspace that runs commands reports modified keys to tracking.
    keyspace_.set_key_observer(&server_.tracking);
  }

  // Runs (or refuses, or queues) the command `args`; false when CLIENT PAUSE
  // holds it back, having done nothing: the caller dispatches it again later.
  bool dispatch(std::span<const std::string_view> args, ClientState& client,
                protocol::ReplyBuilder& reply, std::int64_t now_ms);

  // Runs one step of the client's deferred command (client.deferred) until
  // about `deadline`. Once it is done, counts the call as dispatch() counts
  // any, clears client.deferred and returns true. Holds no shard lock.
  bool resume(ClientState& client, protocol::ReplyBuilder& reply,
              std::chrono::steady_clock::time_point deadline);

  // Finishes the client's blocked command (client.blocked) with `result`,
  // its whole reply (served, timed out or unblocked): appends it unless
  // CLIENT REPLY dropped it, and counts the call as dispatch() counts any.
  void finish_blocked(ClientState& client, protocol::ReplyBuilder& reply, std::string_view result);

  // Runs a resolved command whose shard locks the caller already holds,
  // counting it in commandstats and the slow log (EXEC uses this). A
  // command that defers is counted when resume() finishes it.
  static void run_locked(const CommandSpec& spec, CommandContext& ctx);

  // Counts a command a script's redis.call refused with `error` ("-CODE
  // text", or a text counted as ERR) before it ran: Redis's afterErrorReply
  // and rejected_calls (`spec` null for an unknown command).
  static void count_rejected(ServerStats& stats, const CommandSpec* spec, std::string_view error);

  // SUBSCRIBE and its kin, whose replies are confirmations Redis pushes to
  // the client: CLIENT REPLY OFF and SKIP do not drop them.
  static bool confirms_by_push(const CommandSpec& spec);

 private:
  // Refuses a command with `error`; inside MULTI this fails the transaction,
  // and a refused EXEC discards it (EXECABORT).
  void reject(const CommandSpec* spec, std::string_view error, ClientState& client,
              protocol::ReplyBuilder& reply);
  void run(const CommandSpec& spec, std::span<const std::string_view> args, ClientState& client,
           protocol::ReplyBuilder& reply, std::int64_t now_ms);
  // True when CLIENT PAUSE holds back `client`'s command `spec` (with
  // `flags`, a script's own folded in) at `now_ms`.
  bool paused(const CommandSpec& spec, std::uint32_t flags, const ClientState& client, std::int64_t now_ms) const;

  const CommandTable& table_;
  storage::Keyspace& keyspace_;
  ServerServices& server_;
  ServerStats& stats_;
};

}  // namespace larder::commands
