#pragma once
// Everything a command handler may touch: its arguments, the reply builder,
// the selected database (with the needed shard locks already held), its own
// client's state, the server-wide services and the command's single time
// reading.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "larder/commands/client_state.h"
#include "larder/commands/continuation.h"
#include "larder/commands/server_services.h"
#include "larder/config/live_config.h"
#include "larder/protocol/reply_builder.h"
#include "larder/storage/db.h"
#include "larder/storage/keyspace.h"
#include "larder/util/clock.h"

namespace larder::storage {
class ShardLocks;  // shard_locks.h
}  // namespace larder::storage

namespace larder::commands {

struct CommandSpec;
class BlockedCommand;  // blocking.h

struct CommandContext {
  const CommandSpec& spec;
  std::span<const std::string_view> args;  // args[0] is the command name
  protocol::ReplyBuilder& reply;
  ClientState& client;
  storage::Keyspace& keyspace;
  ServerServices& server;
  const config::LiveConfig& config;  // the same as server.config
  // The time keys expire by: fixed for a whole EXEC or script, as Redis.
  std::int64_t now_ms;
  // The clock where Redis reads it afresh (mstime()): a relative TTL's base,
  // TTL's remaining time, "already expired" checks. now_ms except inside EXEC
  // and scripts, where time has moved on since they started.
  std::int64_t clock_ms() const { return in_exec || in_script ? util::unix_time_ms() : now_ms; }
  // Set on a connection's own dispatch path (never inside EXEC or a script):
  // the handler may defer(). A kIncremental command's handler holds no shard
  // lock; another's holds its keys' until it returns, so what it defers must
  // own what it reads or lock for itself.
  bool may_defer = false;
  // Set on a connection's own dispatch path (never inside EXEC): the handler
  // may block() the client. Elsewhere blocking commands act non-blocking.
  bool may_block = false;
  // Set for the commands EXEC runs (Redis's server.in_exec).
  bool in_exec = false;
  // Set for the commands a script runs (Redis's CLIENT_SCRIPT caller).
  bool in_script = false;
  // Error replies of this command already counted in the error stats where
  // they arose (a script returning a command's error, Redis's
  // ignore_error_stats_update): they fail the command, not counted again.
  std::uint32_t errors_counted = 0;
  // The shard locks the command holds (the dispatcher's or EXEC's); a script
  // adds its undeclared keys' shards to them. Null with a single owner's
  // harnesses, which lock nothing.
  storage::ShardLocks* locks = nullptr;
  // Arguments MONITOR shows as "(redacted)" (passwords), as Redis's
  // redactClientCommandArgument.
  std::vector<std::uint32_t> redacted{};

  void redact(std::size_t i) { redacted.push_back(static_cast<std::uint32_t>(i)); }

  storage::Db db() const { return db(client.db.load(std::memory_order_relaxed)); }
  storage::Db db(int index) const {
    storage::Db d(keyspace, index, now_ms);
    d.set_no_touch(client.no_touch.load(std::memory_order_relaxed));
    return d;
  }
  // Leaves the rest of the command, reply included, to `rest` (client.deferred);
  // only when may_defer.
  void defer(std::unique_ptr<Continuation> rest);
  // Blocks the client until one of `keys` (distinct) serves `command` or
  // the timeout passes (unix ms; 0: never); only when may_block, and with
  // the keys' shard locks held (the dispatcher's), so no push is missed.
  void block(std::vector<std::string> keys, std::int64_t timeout_at_ms,
             std::unique_ptr<BlockedCommand> command);
  // A typed read lookup (Redis's lookupKeyRead + checkType): false after
  // replying WRONGTYPE; `e` is null when the key is missing.
  bool read_or_reply(storage::Db& db, std::string_view key, storage::ValueType type,
                     const storage::Entry*& e) const;
  // A write lookup (Db::write) that met another type: false after replying
  // WRONGTYPE.
  bool writable_or_reply(const storage::Db::Writer& w) const;
  // Redis's getLongLongFromObjectOrReply: false after replying its error.
  bool parse_int64_or_reply(std::string_view arg, std::int64_t& out) const;
  // Keyspace notification `event` of class `type` (config::kNotify*) about
  // `key` of the selected database, or of database `db`.
  void notify(int type, std::string_view event, std::string_view key) const {
    server.events.notify(type, event, key, client.db.load(std::memory_order_relaxed));
  }
  void notify(int type, std::string_view event, std::string_view key, int db) const {
    server.events.notify(type, event, key, db);
  }
  // "ERR wrong number of arguments for '<name>' command"
  void reply_arity_error() const;
  // "ERR invalid expire time in '<name>' command"
  void reply_invalid_expire() const;
};

}  // namespace larder::commands
