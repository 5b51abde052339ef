// Connection family: PING, ECHO, QUIT.

#include "larder/commands/command_table.h"
#include "larder/commands/families.h"

namespace larder::commands {

namespace {

void cmd_ping(CommandContext& ctx) {
  if (ctx.args.size() > 2) {
    ctx.reply_arity_error();
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

}  // namespace

void register_connection_commands(CommandTable& table) {
  table.add({"ping", -1, kFast, 0, 0, 0, cmd_ping});
  table.add({"echo", 2, kFast, 0, 0, 0, cmd_echo});
  table.add({"quit", -1, kFast, 0, 0, 0, cmd_quit});
}

}  // namespace larder::commands
