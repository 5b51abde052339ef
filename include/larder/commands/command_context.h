#pragma once
// Everything a command handler may touch: its arguments, the reply builder,
// the selected database (with the needed shard locks already held), the
// client's own state and the command's single time reading.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "larder/config/live_config.h"
#include "larder/protocol/reply_builder.h"
#include "larder/storage/db.h"
#include "larder/storage/keyspace.h"

namespace larder::commands {

struct CommandSpec;

// Per-connection state that commands read or change.
struct ClientState {
  int db = 0;
  bool close_after_reply = false;  // QUIT: flush replies, then close
};

struct CommandContext {
  const CommandSpec& spec;
  std::span<const std::string_view> args;  // args[0] is the command name
  protocol::ReplyBuilder& reply;
  ClientState& client;
  storage::Keyspace& keyspace;
  const config::LiveConfig& config;
  std::int64_t now_ms;

  storage::Db db() const { return storage::Db(keyspace, client.db, now_ms); }
  storage::Db db(int index) const { return storage::Db(keyspace, index, now_ms); }
  // "ERR wrong number of arguments for '<name>' command"
  void reply_arity_error() const;
  // "ERR invalid expire time in '<name>' command"
  void reply_invalid_expire() const;
};

}  // namespace larder::commands
