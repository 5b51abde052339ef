// Transaction family: MULTI, EXEC, DISCARD, WATCH, UNWATCH.
//
// Queued commands keep copies of their arguments. EXEC takes the locks of
// every shard that a watched key or a queued command's key lives in, checks
// the watches, then runs the queue under those locks, so the transaction is
// atomic with respect to clients on every thread.

#include "larder/commands/transaction.h"

#include <vector>

#include "larder/commands/acl_gate.h"
#include "larder/commands/command_table.h"
#include "larder/commands/dispatcher.h"
#include "larder/commands/families.h"
#include "larder/storage/shard_locks.h"

namespace larder::commands {

void discard_transaction(ClientState& c) {
  c.multi.clear();
  c.multi_failed = false;
  c.in_multi.store(false, std::memory_order_relaxed);
  c.multi_queued.store(0, std::memory_order_relaxed);
  c.multi_memory.store(0, std::memory_order_relaxed);
}

void unwatch_all(ClientState& c, storage::Keyspace& keyspace) {
  if (c.watched.empty()) return;
  storage::ShardLocks locks(keyspace);
  for (const WatchedKey& w : c.watched) locks.add(w.key);
  locks.acquire();
  for (const WatchedKey& w : c.watched) storage::Db(keyspace, w.db, 0).unwatch(w.key, &c.watch_flag);
  c.watched.clear();
  c.watched_count.store(0, std::memory_order_relaxed);
  c.watch_flag.dirty.store(false, std::memory_order_relaxed);
}

namespace {

void cmd_multi(CommandContext& ctx) {
  if (ctx.client.in_multi) {
    ctx.reply.error("ERR MULTI calls can not be nested");
    return;
  }
  ctx.client.in_multi.store(true, std::memory_order_relaxed);
  ctx.reply.ok();
}

void cmd_discard(CommandContext& ctx) {
  if (!ctx.client.in_multi) {
    ctx.reply.error("ERR DISCARD without MULTI");
    return;
  }
  discard_transaction(ctx.client);
  unwatch_all(ctx.client, ctx.keyspace);
  ctx.reply.ok();
}

std::string exec_noperm_text(acl::Denial denial) {
  std::string_view reason = "no permission to execute the command or subcommand";
  if (denial == acl::Denial::kKey) reason = "no permission to touch the specified keys";
  if (denial == acl::Denial::kChannel) reason = "no permission to access one of the channels used as arguments";
  return "NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. "
         "This command is no longer allowed for the following reason: " +
         std::string(reason);
}

// Redis checks CLIENT REPLY at each write, and a queued CLIENT REPLY changes
// the mode while EXEC runs: drops what EXEC wrote since `mark` while the mode
// is OFF or SKIP (the dispatcher leaves an EXEC's reply to this).
void drop_if_silent(CommandContext& ctx, std::size_t mark) {
  const ReplyMode mode = ctx.client.reply_mode;
  if (mode == ReplyMode::kOff || mode == ReplyMode::kSkipThis) ctx.reply.truncate(mark);
}

// EXEC's work; false when no queued command ran (one reply, an error or the
// WATCH abort's null).
bool exec_queue(CommandContext& ctx) {
  ClientState& c = ctx.client;
  if (!c.in_multi) {
    ctx.reply.error("ERR EXEC without MULTI");
    return false;
  }
  if (c.multi_failed) {
    discard_transaction(ctx.client);
    unwatch_all(ctx.client, ctx.keyspace);
    ctx.reply.error("EXECABORT Transaction discarded because of previous errors.");
    return false;
  }
  // The client stays in MULTI while the queue runs, as in Redis: CLIENT
  // INFO shows flags=x and the queue's length, the ACL log context multi.
  std::vector<QueuedCommand> queue = std::move(c.multi);

  bool aborted;
  {
    std::vector<std::vector<std::string_view>> argvs(queue.size());
    storage::ShardLocks locks(ctx.keyspace);
    for (const WatchedKey& w : c.watched) locks.add(w.key);
    for (std::size_t i = 0; i < queue.size(); ++i) {
      argvs[i].assign(queue[i].args.begin(), queue[i].args.end());
      CommandTable::add_key_locks(*queue[i].spec, argvs[i], locks);
    }
    locks.acquire();
    // A watched key that has expired since WATCH is deleted here, which
    // notifies its watchers like any other modification.
    for (const WatchedKey& w : c.watched) ctx.db(w.db).find_for_write(w.key);
    aborted = c.watch_flag.dirty.load(std::memory_order_relaxed);
    if (!aborted) {
      const std::size_t header = ctx.reply.size();
      ctx.reply.array(queue.size());
      drop_if_silent(ctx, header);
      for (std::size_t i = 0; i < queue.size(); ++i) {
        const std::size_t mark = ctx.reply.size();
        const std::uint64_t errors_before = ctx.reply.errors_written();
        // ACL rules may have changed since the command was queued (Redis 7.0's execCommand).
        const acl::CheckResult denied =
            acl_check(ctx.server, c, *queue[i].spec, argvs[i], acl::LogContext::kMulti, &ctx.spec, ctx.now_ms);
        if (denied.denial != acl::Denial::kNone) {
          ctx.reply.error(exec_noperm_text(denied.denial));
        } else {
          CommandContext sub{*queue[i].spec, argvs[i], ctx.reply, c, ctx.keyspace,
                             ctx.server, ctx.config, ctx.now_ms};
          sub.locks = &locks;
          sub.in_exec = true;
          Dispatcher::run_locked(*queue[i].spec, sub);
        }
        // (Un)subscribe confirmations are pushes, which Redis sends anyway.
        if (!(Dispatcher::confirms_by_push(*queue[i].spec) && ctx.reply.errors_written() == errors_before)) {
          drop_if_silent(ctx, mark);
        }
      }
    }
  }
  discard_transaction(ctx.client);
  unwatch_all(ctx.client, ctx.keyspace);
  if (aborted) ctx.reply.null_array();
  return !aborted;
}

void cmd_exec(CommandContext& ctx) {
  const std::size_t start = ctx.reply.size();
  if (!exec_queue(ctx)) drop_if_silent(ctx, start);
}

void cmd_watch(CommandContext& ctx) {
  ClientState& c = ctx.client;
  if (c.in_multi) {
    ctx.reply.error("ERR WATCH inside MULTI is not allowed");
    return;
  }
  const int db = c.db.load(std::memory_order_relaxed);
  for (std::size_t i = 1; i < ctx.args.size(); ++i) {
    std::string_view key = ctx.args[i];
    bool already = false;
    for (const WatchedKey& w : c.watched) already = already || (w.db == db && w.key == key);
    if (already) continue;
    ctx.db().watch(key, c.watch_flag_ptr());
    c.watched.push_back({db, std::string(key)});
  }
  c.watched_count.store(c.watched.size(), std::memory_order_relaxed);
  ctx.reply.ok();
}

void cmd_unwatch(CommandContext& ctx) {
  unwatch_all(ctx.client, ctx.keyspace);
  ctx.reply.ok();
}

}  // namespace

void register_transaction_commands(CommandTable& table) {
  table.add("multi", cmd_multi, kRunsInMulti);
  table.add("exec", cmd_exec, kRunsInMulti);
  table.add("discard", cmd_discard, kRunsInMulti);
  table.add("watch", cmd_watch, kRunsInMulti);
  table.add("unwatch", cmd_unwatch);
}

}  // namespace larder::commands
