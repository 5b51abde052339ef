// Persistence family: SAVE, BGSAVE [SCHEDULE] (LASTSAVE, SHUTDOWN and DEBUG
// RELOAD, in their own families, use the same persistence service).

#include "larder/commands/command_table.h"
#include "larder/commands/families.h"
#include "larder/persistence/persistence.h"
#include "larder/protocol/errors.h"
#include "larder/util/strings.h"

namespace larder::commands {

namespace {

void cmd_save(CommandContext& ctx) {
  persistence::Persistence& p = *ctx.server.persistence;
  if (p.bgsave_in_progress()) {
    ctx.reply.error(err::kBgsaveInProgress);
  } else if (p.save(ctx.now_ms)) {
    ctx.reply.ok();
  } else {
    ctx.reply.error("ERR");
  }
}

// BGSAVE [SCHEDULE]: SCHEDULE only matters in Redis while another kind of
// child process runs, which Larder never has. Inside EXEC the save is
// scheduled (started by the next cron), as Redis 7.0 does.
void cmd_bgsave(CommandContext& ctx) {
  if (ctx.args.size() > 2 || (ctx.args.size() == 2 && !util::iequals(ctx.args[1], "schedule"))) {
    ctx.reply.error(err::kSyntax);
    return;
  }
  persistence::Persistence& p = *ctx.server.persistence;
  if (p.bgsave_in_progress()) {
    ctx.reply.error(err::kBgsaveInProgress);
  } else if (ctx.in_exec) {
    p.schedule_bgsave();
    ctx.reply.simple("Background saving scheduled");
  } else if (p.start_bgsave(ctx.now_ms)) {
    ctx.reply.simple("Background saving started");
  } else {
    ctx.reply.error("ERR");
  }
}

}  // namespace

void register_persistence_commands(CommandTable& table) {
  // Both start from a consistent keyspace: every shard locked.
  table.add("save", cmd_save, kAllShards);
  table.add("bgsave", cmd_bgsave, kAllShards);
}

}  // namespace larder::commands
