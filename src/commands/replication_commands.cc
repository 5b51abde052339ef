// Replication family: WAIT. Larder has no replicas, so no write is ever
// acknowledged by one; WAIT answers as a Redis primary without replicas.

#include <cstdint>
#include <limits>
#include <memory>

#include "larder/commands/blocking.h"
#include "larder/commands/command_table.h"
#include "larder/commands/families.h"
#include "larder/util/numbers.h"

namespace larder::commands {

namespace {

// A WAIT for acknowledgements that never come: nothing serves it; its
// timeout (or CLIENT UNBLOCK) answers the 0 replicas that acknowledged.
class BlockedWait final : public BlockedCommand {
 public:
  bool serve(storage::Db&, std::string_view, const config::LiveConfig&, protocol::ReplyBuilder&) override {
    return false;
  }
  void timeout_reply(protocol::ReplyBuilder& reply) const override { reply.integer(0); }
};

// WAIT numreplicas timeout (ms, 0 = forever): 0 at once when numreplicas is
// 0 or less, or where the client may not block (MULTI); otherwise blocks
// until the timeout, as Redis's waitCommand.
void cmd_wait(CommandContext& ctx) {
  std::int64_t replicas = 0;
  if (!util::parse_int64(ctx.args[1], replicas)) {
    ctx.reply.error("ERR value is not an integer or out of range");
    return;
  }
  std::int64_t ms = 0;
  if (!parse_ms_timeout(ctx.args[2], ms, ctx.reply)) return;
  if (replicas <= 0 || !ctx.may_block) {
    ctx.reply.integer(0);
    return;
  }
  const std::int64_t timeout_at =
      ms == 0 ? 0 : (ms > std::numeric_limits<std::int64_t>::max() - ctx.now_ms ? std::numeric_limits<std::int64_t>::max()
                                                                                : ctx.now_ms + ms);
  ctx.block({}, timeout_at, std::make_unique<BlockedWait>());
}

}  // namespace

void register_replication_commands(CommandTable& table) { table.add("wait", cmd_wait); }

}  // namespace larder::commands
