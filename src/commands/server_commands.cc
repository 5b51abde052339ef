// Server family: DBSIZE, FLUSHDB, FLUSHALL.

#include <strings.h>

#include "larder/commands/command_table.h"
#include "larder/commands/families.h"
#include "larder/protocol/errors.h"

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
    bool known = (mode.size() == 5 && strncasecmp(mode.data(), "async", 5) == 0) ||
                 (mode.size() == 4 && strncasecmp(mode.data(), "sync", 4) == 0);
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
  ctx.reply.ok();
}

void cmd_flushall(CommandContext& ctx) {
  if (!flush_mode_ok(ctx)) return;
  for (int i = 0; i < ctx.keyspace.databases(); ++i) ctx.db(i).flush();
  ctx.reply.ok();
}

}  // namespace

void register_server_commands(CommandTable& table) {
  table.add({"dbsize", 1, kReadOnly | kFast | kAllShards, 0, 0, 0, cmd_dbsize});
  table.add({"flushdb", -1, kWrite | kAllShards, 0, 0, 0, cmd_flushdb});
  table.add({"flushall", -1, kWrite | kAllShards, 0, 0, 0, cmd_flushall});
}

}  // namespace larder::commands
