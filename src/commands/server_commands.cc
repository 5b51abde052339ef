// Server family: DBSIZE, FLUSHDB, FLUSHALL, SWAPDB, SHUTDOWN.

#include <spdlog/spdlog.h>

#include "larder/commands/command_table.h"
#include "larder/commands/families.h"
#include "larder/commands/scripting.h"
#include "larder/persistence/shutdown.h"
#include "larder/protocol/errors.h"
#include "larder/util/numbers.h"
#include "larder/util/strings.h"

namespace larder::commands {

namespace {

// FLUSHDB / FLUSHALL [ASYNC|SYNC]: false (after replying) on a bad argument.
bool flush_mode_ok(CommandContext& ctx) {
  if (ctx.args.size() > 2) {
    ctx.reply.error(err::kSyntax);
    return false;
  }
  if (ctx.args.size() == 2) {
    std::string_view mode = ctx.args[1];
    bool known = util::iequals(mode, "async") || util::iequals(mode, "sync");
    if (!known) {
      ctx.reply.error(err::kSyntax);
      return false;
    }
  }
  return true;
}

void cmd_dbsize(CommandContext& ctx) {
  ctx.reply.integer(static_cast<std::int64_t>(ctx.db().size()));
}

void cmd_flushdb(CommandContext& ctx) {
  if (!flush_mode_ok(ctx)) return;
  ctx.db().flush();
  ctx.server.blocking.signal_flushed_db(ctx.keyspace, ctx.client.db.load(std::memory_order_relaxed));
  ctx.server.tracking.flushed();
  ctx.reply.ok();
}

void cmd_flushall(CommandContext& ctx) {
  if (!flush_mode_ok(ctx)) return;
  for (int i = 0; i < ctx.keyspace.databases(); ++i) {
    ctx.db(i).flush();
    ctx.server.blocking.signal_flushed_db(ctx.keyspace, i);
  }
  ctx.server.tracking.flushed();
  // With save points the emptied dataset is saved at once, as Redis's
  // flushAllDataAndResetRDB: a restart must not bring the keys back.
  if (persistence::Persistence* p = ctx.server.persistence.get(); p != nullptr && p->save_points_configured()) {
    p->cancel_bgsave();
    p->save(ctx.now_ms);
  }
  ctx.reply.ok();
}

// SWAPDB index1 index2 (every shard is locked).
void cmd_swapdb(CommandContext& ctx) {
  std::int64_t a = 0, b = 0;
  if (!util::parse_int64(ctx.args[1], a) || a < INT32_MIN || a > INT32_MAX) {
    ctx.reply.error("ERR invalid first DB index");
    return;
  }
  if (!util::parse_int64(ctx.args[2], b) || b < INT32_MIN || b > INT32_MAX) {
    ctx.reply.error("ERR invalid second DB index");
    return;
  }
  const int n = ctx.config.databases();
  if (a < 0 || a >= n || b < 0 || b >= n) {
    ctx.reply.error(err::kDbIndexOutOfRange);
    return;
  }
  if (a != b) {
    // A snapshot in progress saves both first: their keys change database.
    ctx.keyspace.preserve_db(static_cast<int>(a));
    ctx.keyspace.preserve_db(static_cast<int>(b));
    for (std::size_t i = 0; i < storage::kShardCount; ++i) {
      ctx.keyspace.shard(i).swap_tables(static_cast<int>(a), static_cast<int>(b));
    }
    ctx.keyspace.swap_avg_ttl(static_cast<int>(a), static_cast<int>(b));
    ctx.keyspace.shard(0).count_change();  // one change for save points, as Redis
    // As Redis's scanDatabaseForReadyKeys: clients blocked in either
    // database may find their keys filled.
    ctx.server.blocking.signal_db(ctx.keyspace, static_cast<int>(a));
    ctx.server.blocking.signal_db(ctx.keyspace, static_cast<int>(b));
  }
  ctx.reply.ok();
}

// SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT], as Redis 7.0: a background
// save is stopped; the dataset is saved with SAVE, or without NOSAVE when
// save points are configured (never while loading); a failed save stops the
// shutdown unless FORCE. It locks every shard for that itself: registered
// without kAllShards, SHUTDOWN NOSAVE never waits for a busy script's shards.
void cmd_shutdown(CommandContext& ctx) {
  bool save = false, nosave = false, abort = false;
  ShutdownRequest request;
  for (std::size_t i = 1; i < ctx.args.size(); ++i) {
    std::string_view opt = ctx.args[i];
    auto is = [&](std::string_view word) { return util::iequals(opt, word); };
    if (is("save")) {
      save = true;
    } else if (is("nosave")) {
      nosave = true;
    } else if (is("now")) {
      request.now = true;
    } else if (is("force")) {
      request.force = true;
    } else if (is("abort")) {
      abort = true;
    } else {
      ctx.reply.error(err::kSyntax);
      return;
    }
  }
  if ((abort && ctx.args.size() > 2) || (save && nosave)) {
    ctx.reply.error(err::kSyntax);
    return;
  }
  if (abort) {
    ctx.reply.error("ERR No shutdown in progress.");
    return;
  }
  // While a script is busy, only SHUTDOWN NOSAVE (the dispatcher lets
  // SHUTDOWN through, allow_busy, as Redis).
  if (const std::string_view busy = busy_script_error(ctx.server); !nosave && !busy.empty()) {
    ctx.reply.error(busy);
    return;
  }
  persistence::Persistence& p = *ctx.server.persistence;
  const bool saving = !p.loading() && (save || (!nosave && p.save_points_configured()));
  if (!persistence::save_for_shutdown(ctx.keyspace, p, ctx.now_ms, saving) && !request.force) {
    ctx.reply.error("ERR Errors trying to SHUTDOWN. Check logs.");
    return;
  }
  if (!ctx.server.shutdown || !ctx.server.shutdown(request)) {
    ctx.reply.error("ERR Errors trying to SHUTDOWN. Check logs.");
    return;
  }
  // No reply: the connection closes as the server goes down, as with Redis.
  ctx.client.close_after_reply = true;
}

}  // namespace

void register_server_commands(CommandTable& table) {
  table.add("dbsize", cmd_dbsize, kAllShards);
  table.add("flushdb", cmd_flushdb, kAllShards);
  table.add("flushall", cmd_flushall, kAllShards);
  table.add("swapdb", cmd_swapdb, kAllShards);
  table.add("shutdown", cmd_shutdown);
}

}  // namespace larder::commands
