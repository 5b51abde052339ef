// Connection family: PING, ECHO, QUIT, HELLO, AUTH, SELECT, RESET.

#include <string>

#include "larder/commands/acl_gate.h"
#include "larder/commands/command_table.h"
#include "larder/commands/families.h"
#include "larder/commands/transaction.h"
#include "larder/protocol/errors.h"
#include "larder/util/numbers.h"
#include "larder/util/strings.h"

namespace larder::commands {

namespace {

using util::iequals;

constexpr std::string_view kRedisVersion = "7.0.15";

// Redis's ACLAuthenticateUser: on success the client runs as `user`; a
// failure is recorded in the ACL log (object: the command name as sent).
bool authenticate(CommandContext& ctx, std::string_view user, std::string_view pass) {
  std::shared_ptr<acl::UserSlot> slot = ctx.server.acl.authenticate(user, pass);
  if (slot == nullptr) {
    acl_log_auth_failure(ctx.server, ctx.client, ctx.args[0], user, ctx.now_ms);
    return false;
  }
  ctx.client.authenticated = true;
  ctx.client.set_user(std::move(slot));
  return true;
}

void cmd_ping(CommandContext& ctx) {
  if (ctx.args.size() > 2) {
    ctx.reply_arity_error();
  } else if (ctx.reply.protocol() == 2 && ctx.client.in_pubsub_mode()) {
    // In RESP2 pub/sub mode a reply must look like a message.
    ctx.reply.array(2);
    ctx.reply.bulk("pong");
    ctx.reply.bulk(ctx.args.size() == 2 ? ctx.args[1] : std::string_view());
  } else if (ctx.args.size() == 2) {
    ctx.reply.bulk(ctx.args[1]);
  } else {
    ctx.reply.simple("PONG");
  }
}

void cmd_echo(CommandContext& ctx) { ctx.reply.bulk(ctx.args[1]); }

void cmd_quit(CommandContext& ctx) {
  ctx.reply.ok();
  ctx.client.close_after_reply = true;
}

// AUTH [username] password
void cmd_auth(CommandContext& ctx) {
  if (ctx.args.size() > 3) {
    ctx.reply.error(err::kSyntax);
    return;
  }
  // Hidden from MONITOR even when it fails, as Redis.
  for (std::size_t j = 1; j < ctx.args.size(); ++j) ctx.redact(j);
  std::string_view user = "default";
  std::string_view pass = ctx.args[1];
  if (ctx.args.size() == 2) {
    if (ctx.server.acl.default_slot()->get()->nopass) {
      ctx.reply.error(
          "ERR AUTH <password> called without any password configured for the default user. "
          "Are you sure your configuration is correct?");
      return;
    }
  } else {
    user = ctx.args[1];
    pass = ctx.args[2];
  }
  if (!authenticate(ctx, user, pass)) {
    ctx.reply.error(err::kWrongPass);
    return;
  }
  ctx.reply.ok();
}

// HELLO [protover [AUTH username password] [SETNAME clientname]]
void cmd_hello(CommandContext& ctx) {
  std::int64_t version = 0;
  std::size_t j = 1;
  if (ctx.args.size() >= 2) {
    if (!util::parse_int64(ctx.args[j++], version)) {
      ctx.reply.error("ERR Protocol version is not an integer or out of range");
      return;
    }
    if (version < 2 || version > 3) {
      ctx.reply.error("NOPROTO unsupported protocol version");
      return;
    }
  }
  // Each option takes effect as it is read, as in Redis 7.0: a bad option
  // after AUTH or SETNAME leaves the client authenticated or named.
  for (; j < ctx.args.size(); ++j) {
    const std::size_t more = ctx.args.size() - 1 - j;
    std::string_view opt = ctx.args[j];
    if (iequals(opt, "auth") && more >= 2) {
      ctx.redact(j + 1);
      ctx.redact(j + 2);
      if (!authenticate(ctx, ctx.args[j + 1], ctx.args[j + 2])) {
        ctx.reply.error(err::kWrongPass);
        return;
      }
      j += 2;
    } else if (iequals(opt, "setname") && more >= 1) {
      const std::string_view name = ctx.args[++j];
      if (!valid_client_name(name)) {
        ctx.reply.error(err::kBadClientName);
        return;
      }
      std::lock_guard lock(ctx.client.mutex);
      ctx.client.names_for_write().name = name;
    } else {
      ctx.reply.error("ERR Syntax error in HELLO option '" +
                      std::string(opt.substr(0, opt.find('\0'))) + "'");
      return;
    }
  }
  if (!ctx.client.authenticated) {
    ctx.reply.error(
        "NOAUTH HELLO must be called with the client already authenticated, otherwise the "
        "HELLO AUTH <user> <pass> option can be used to authenticate the client and "
        "select the RESP protocol version at the same time");
    return;
  }
  if (version != 0) {
    ctx.reply.set_protocol(static_cast<int>(version));
    ctx.client.resp.store(static_cast<int>(version), std::memory_order_relaxed);
  }
  ctx.reply.map(7);
  ctx.reply.bulk("server");
  ctx.reply.bulk("redis");
  ctx.reply.bulk("version");
  ctx.reply.bulk(kRedisVersion);
  ctx.reply.bulk("proto");
  ctx.reply.integer(ctx.reply.protocol());
  ctx.reply.bulk("id");
  ctx.reply.integer(static_cast<std::int64_t>(ctx.client.id));
  ctx.reply.bulk("mode");
  ctx.reply.bulk("standalone");
  ctx.reply.bulk("role");
  ctx.reply.bulk("master");
  ctx.reply.bulk("modules");
  ctx.reply.array(0);
}

void cmd_select(CommandContext& ctx) {
  std::int64_t index = 0;
  if (!util::parse_int64(ctx.args[1], index)) {
    ctx.reply.error(err::kNotInteger);
    return;
  }
  if (index < INT32_MIN || index > INT32_MAX) {
    ctx.reply.error(err::kIntOutOfRange);
    return;
  }
  if (index < 0 || index >= ctx.config.databases()) {
    ctx.reply.error(err::kDbIndexOutOfRange);
    return;
  }
  ctx.client.db.store(static_cast<int>(index), std::memory_order_relaxed);
  ctx.reply.ok();
}

// RESET: the connection goes back to the state of a fresh one.
void cmd_reset(CommandContext& ctx) {
  ClientState& c = ctx.client;
  discard_transaction(c);
  unwatch_all(c, ctx.keyspace);
  c.db.store(0, std::memory_order_relaxed);
  c.resp.store(2, std::memory_order_relaxed);
  ctx.reply.set_protocol(2);
  c.set_user(ctx.server.acl.default_slot());
  c.authenticated = !ctx.server.acl.auth_required();
  {
    std::lock_guard lock(c.mutex);
    if (c.names != nullptr) c.names->name.clear();
  }
  // Replies come back on, but a SKIP that applies to this RESET still drops
  // its reply; CLIENT NO-EVICT stays, as in Redis 7.0.
  if (c.reply_mode != ReplyMode::kSkipThis) c.reply_mode = ReplyMode::kOn;
  c.no_touch.store(false, std::memory_order_relaxed);
  ctx.server.pubsub.forget(c, /*monitor_too=*/true);
  ctx.server.tracking.disable(c);
  ctx.reply.simple("RESET");
}

}  // namespace

void register_connection_commands(CommandTable& table) {
  table.add("ping", cmd_ping);
  table.add("echo", cmd_echo);
  table.add("quit", cmd_quit, kRunsInMulti);
  table.add("auth", cmd_auth);
  table.add("hello", cmd_hello);
  table.add("select", cmd_select);
  table.add("reset", cmd_reset, kRunsInMulti);
}

}  // namespace larder::commands
