#include "larder/commands/dispatcher.h"

#include <algorithm>
#include <chrono>
#include <new>
#include <optional>

#include <spdlog/spdlog.h>

#include "larder/commands/acl_gate.h"
#include "larder/commands/command_docs.h"
#include "larder/commands/monitor.h"
#include "larder/commands/scripting.h"
#include "larder/commands/transaction.h"
#include "larder/protocol/errors.h"
#include "larder/scripting/lua_engine.h"
#include "larder/storage/shard_locks.h"
#include "larder/util/clock.h"

namespace larder::commands {

namespace {

constexpr std::size_t kSlowlogMaxArgs = 32;
constexpr std::size_t kSlowlogMaxArgBytes = 128;

void record_slow(std::span<const std::string_view> args, std::span<const std::uint32_t> redacted,
                 const ClientState& client, ServerServices& server, std::int64_t now_ms, std::int64_t duration_us) {
  SlowlogEntry entry;
  entry.time_s = now_ms / 1000;
  entry.duration_us = duration_us;
  const std::size_t argc = args.size();
  const std::size_t kept = std::min(argc, kSlowlogMaxArgs);
  for (std::size_t i = 0; i < kept; ++i) {
    if (kept < argc && i == kept - 1) {
      entry.args.push_back("... (" + std::to_string(argc - kept + 1) + " more arguments)");
      break;
    }
    std::string_view a = args[i];
    if (std::find(redacted.begin(), redacted.end(), i) != redacted.end()) {
      entry.args.emplace_back("(redacted)");  // as MONITOR: passwords
    } else if (a.size() > kSlowlogMaxArgBytes) {
      entry.args.push_back(std::string(a.substr(0, kSlowlogMaxArgBytes)) + "... (" +
                           std::to_string(a.size() - kSlowlogMaxArgBytes) + " more bytes)");
    } else {
      entry.args.emplace_back(a);
    }
  }
  entry.client_addr = client.addr;
  entry.client_name = client.get_name();
  server.slowlog.record(std::move(entry), server.config.slowlog_max_len());
}

// The errors `reply` got since the marks that no nested command took: they
// are the current command's. Counts them in the error stats (but those
// counted already where they arose) and takes them; answers how many.
template <typename StatsOf>  // () -> ServerStats&, called only when there is an error to count
std::uint64_t own_errors(StatsOf stats_of, protocol::ReplyBuilder& reply, std::uint64_t written_before,
                         std::uint64_t owned_before, std::uint64_t counted_already = 0) {
  const std::uint64_t own = (reply.errors_written() - written_before) - (reply.errors_owned() - owned_before);
  if (own == 0) return 0;
  reply.own_errors(own);
  for (std::uint64_t i = counted_already; i < own; ++i) {
    ServerStats& stats = stats_of();
    stats.error_replies.add();
    stats.count_error(std::string(reply.last_error_code()));
  }
  return own;
}

// Counts one finished call in commandstats, the latency histogram (under
// latency-tracking yes) and the slow log (but for skip_slowlog commands;
// `redacted` arguments hidden).
void count_call(const CommandSpec& spec, std::span<const std::string_view> args,
                const ClientState& client, ServerServices& server, std::int64_t now_ms,
                std::int64_t usec, std::uint64_t failures, std::span<const std::uint32_t> redacted = {},
                bool latency_sample = true) {
  ServerStats& stats = *server.loop_stats.at(client.loop);
  CommandCounters& counters = stats.commands[spec.index];
  counters.calls.add();
  counters.usec.add(static_cast<std::uint64_t>(usec));
  if (latency_sample && server.config.latency_tracking()) counters.record_latency(static_cast<std::uint64_t>(usec));
  stats.commands_processed.add();
  if (failures != 0) counters.failed_calls.add(failures);
  const std::int64_t threshold = server.config.slowlog_log_slower_than();
  if (threshold >= 0 && usec >= threshold && !(spec.flags & kSkipSlowlog)) {
    record_slow(args, redacted, client, server, now_ms, usec);
  }
}

// What a RESP2 client in pub/sub mode may still run.
bool allowed_in_pubsub_mode(const CommandSpec& spec) {
  static constexpr std::string_view kAllowed[] = {"ping", "subscribe", "ssubscribe", "unsubscribe",
                                                  "sunsubscribe", "psubscribe", "punsubscribe", "quit", "reset"};
  return std::find(std::begin(kAllowed), std::end(kAllowed), spec.name) != std::end(kAllowed);
}

// Redis treats a MONITOR client as a replica: it may not touch the keyspace.
bool touches_keyspace(const CommandSpec& spec) { return (spec.flags & (kWrite | kReadOnly | kMayReplicate)) != 0; }

// The flags the refusals go by (Redis's getCommandFlags): EVAL* of a script
// with a shebang, and FCALL* of a known function, take write, deny-oom and
// may-replicate from the script's own flags (scriptFlagsToCmdFlags).
std::uint32_t command_flags(const CommandSpec& spec, std::span<const std::string_view> args,
                            const ServerServices& server) {
  if (!(spec.flags & kScriptLocks) || args.size() < 2) return spec.flags;
  std::optional<unsigned> script;
  if (spec.name.starts_with("fcall")) {
    script = server.scripting.functions.function_flags(args[1]);
  } else if (spec.name.starts_with("evalsha")) {
    script = server.scripting.scripts.flags(args[1]);
  } else if (args[1].starts_with("#!")) {
    unsigned flags = 0;
    std::size_t offset = 0;
    if (scripting::parse_shebang(args[1], flags, offset).empty()) script = flags;
  }
  if (!script || (*script & scripting::kEvalCompat)) return spec.flags;
  std::uint32_t flags = spec.flags & ~(kDenyOom | kWrite | kMayReplicate);
  if (!(*script & (scripting::kAllowOom | scripting::kNoWrites))) flags |= kDenyOom;
  if (!(*script & scripting::kNoWrites)) flags |= kWrite;
  return flags;
}

// A write, or an EXEC of one (Redis's is_write_command).
bool is_write_command(const CommandSpec& spec, std::uint32_t flags, const ClientState& client) {
  if (flags & kWrite) return true;
  return spec.name == "exec" && client.in_multi &&
         std::any_of(client.multi.begin(), client.multi.end(),
                     [](const QueuedCommand& q) { return (q.flags & kWrite) != 0; });
}

// What MISCONF refuses: writes, and PING.
bool refused_on_disk_error(const CommandSpec& spec, std::uint32_t flags, const ClientState& client) {
  return spec.name == "ping" || is_write_command(spec, flags, client);
}

// Over maxmemory Redis refuses the deny-oom commands, an EXEC that queued
// one, and, inside MULTI, every command but EXEC, DISCARD, QUIT and RESET:
// queueing takes memory.
bool refused_over_maxmemory(const CommandSpec& spec, std::uint32_t flags, const ClientState& client) {
  if (flags & kDenyOom) return true;
  if (spec.name == "exec" && client.in_multi) {
    return std::any_of(client.multi.begin(), client.multi.end(),
                       [](const QueuedCommand& q) { return (q.flags & kDenyOom) != 0; });
  }
  return client.in_multi && spec.name != "exec" && spec.name != "discard" && spec.name != "quit" &&
         spec.name != "reset";
}

std::int64_t usec_since(std::uint64_t start) { return static_cast<std::int64_t>(util::us_since(start)); }

}  // namespace

void Dispatcher::run_locked(const CommandSpec& spec, CommandContext& ctx) {
  const std::uint64_t errors_before = ctx.reply.errors_written();
  const std::uint64_t owned_before = ctx.reply.errors_owned();
  // CLIENT LIST's cmd= names EXEC, not the commands it runs (Redis's lastcmd).
  if (!ctx.in_exec) ctx.client.last_command.store(&spec, std::memory_order_relaxed);
  const std::uint64_t start = util::cycles();
  const std::size_t mark = ctx.reply.size();
  try {
    spec.handler(ctx);
  } catch (const std::bad_alloc&) {
    // Out of memory inside the command: its partial reply is dropped and the
    // client told; what it had changed stays (containers keep their
    // invariants when an allocation throws), and the server goes on.
    ctx.reply.truncate(mark);
    ctx.reply.error(err::kOom);
    spdlog::warn("out of memory running {} for client {}", spec.name, ctx.client.addr);
  }
  const std::int64_t usec = usec_since(start);
  // Each command counts its own error replies (Redis counts them as they are
  // written), so an EXEC does not fail for its commands' errors. Redis fails
  // a call once for errors it counts, and once per error counted already.
  const std::uint64_t own = own_errors([&]() -> ServerStats& { return *ctx.server.loop_stats.at(ctx.client.loop); },
                                       ctx.reply, errors_before, owned_before, ctx.errors_counted);
  const std::uint64_t counted_already = std::min<std::uint64_t>(own, ctx.errors_counted);
  const std::uint64_t failures = counted_already + (own > counted_already ? 1 : 0);
  if (!ctx.in_script) ctx.server.tracking.command_ran(spec, ctx.args);  // else script_command_ran
  feed_monitors(ctx);
  if (ctx.client.deferred != nullptr) {
    ctx.client.deferred->usec = usec;  // counted once resume() has finished it
    return;
  }
  if (ctx.client.blocked != nullptr) {
    ctx.client.blocked->usec = usec;  // counted once finish_blocked() has its reply
    return;
  }
  count_call(spec, ctx.args, ctx.client, ctx.server, ctx.now_ms, usec, failures, ctx.redacted);
}

void Dispatcher::run(const CommandSpec& spec, std::span<const std::string_view> args,
                     ClientState& client, protocol::ReplyBuilder& reply, std::int64_t now_ms) {
  CommandContext ctx{spec, args, reply, client, keyspace_, server_, server_.config, now_ms};
  storage::ShardLocks locks(keyspace_);
  ctx.may_defer = true;
  if (!(spec.flags & kIncremental)) {  // else its handler locks shards itself
    ctx.may_block = true;
    CommandTable::add_key_locks(spec, args, locks);
    locks.acquire();
    ctx.locks = &locks;
  }
  run_locked(spec, ctx);
}

bool Dispatcher::resume(ClientState& client, protocol::ReplyBuilder& reply,
                        std::chrono::steady_clock::time_point deadline) {
  if (client.deferred == nullptr) return true;
  DeferredCommand& d = *client.deferred;
  const std::size_t mark = reply.size();
  const std::uint64_t errors_before = reply.errors_written();
  const std::uint64_t owned_before = reply.errors_owned();
  const std::uint64_t start = util::cycles();
  const bool done = d.continuation->step(reply, deadline);
  d.usec += usec_since(start);
  if (own_errors([&]() -> ServerStats& { return stats_; }, reply, errors_before, owned_before) != 0) d.failed = true;
  if (d.reply_dropped) reply.truncate(mark);
  if (!done) return false;
  const std::vector<std::string_view> args(d.args.begin(), d.args.end());
  count_call(*d.spec, args, client, server_, d.now_ms, d.usec, d.failed);
  client.deferred.reset();
  return true;
}

void Dispatcher::finish_blocked(ClientState& client, protocol::ReplyBuilder& reply, std::string_view result) {
  BlockedCall& b = *client.blocked;
  const bool failed = !result.empty() && result[0] == '-';
  if (failed) {
    stats_.error_replies.add();
    const std::string_view text = result.substr(1);
    stats_.count_error(std::string(text.substr(0, text.find_first_of(" \r"))));
  }
  if (!b.reply_dropped) reply.raw(result);
  const std::vector<std::string_view> args(b.args.begin(), b.args.end());
  count_call(*b.spec, args, client, server_, b.now_ms, b.usec, failed, {}, !b.timed_out);
  client.blocked.reset();
  client.is_blocked.store(false, std::memory_order_relaxed);
}

void Dispatcher::count_rejected(ServerStats& stats, const CommandSpec* spec, std::string_view error) {
  if (spec != nullptr) stats.commands[spec->index].rejected_calls.add();
  stats.error_replies.add();
  const std::size_t space = error.find(' ');
  stats.count_error(!error.empty() && error[0] == '-' && space < 32 ? std::string(error.substr(1, space - 1))
                                                                     : std::string("ERR"));
}

void Dispatcher::reject(const CommandSpec* spec, std::string_view error, ClientState& client,
                        protocol::ReplyBuilder& reply) {
  if (spec != nullptr) stats_.commands[spec->index].rejected_calls.add();
  if (spec != nullptr && spec->name == "exec") {
    // A refused EXEC ends the transaction, as Redis's execCommandAbort.
    discard_transaction(client);
    unwatch_all(client, keyspace_);
    if (error.substr(0, 4) == "ERR ") error.remove_prefix(4);
    reply.error("EXECABORT Transaction discarded because of: " + std::string(error));
    return;
  }
  if (client.in_multi) client.multi_failed = true;
  reply.error(error);
}

bool Dispatcher::dispatch(std::span<const std::string_view> args, ClientState& client,
                          protocol::ReplyBuilder& reply, std::int64_t now_ms) {
  client.last_interaction_ms.store(now_ms, std::memory_order_relaxed);
  Tracking::Scope tracking_scope(client);
  // CLIENT REPLY: OFF drops every reply, SKIP drops the next command's.
  if (client.reply_mode == ReplyMode::kSkipNext) client.reply_mode = ReplyMode::kSkipThis;
  const std::size_t mark = reply.size();
  bool ran = false;
  const std::uint64_t errors_before = reply.errors_written();
  const std::uint64_t owned_before = reply.errors_owned();

  const CommandTable::Resolution resolved = table_.resolve(args);
  const CommandSpec* spec = resolved.spec;
  // CLIENT LIST's cmd= names the command looked up even when it is refused
  // below, and is NULL after an unknown command or subcommand (Redis's lastcmd).
  const bool unknown = spec == nullptr || ((spec->flags & kContainer) && args.size() >= 2);
  client.last_command.store(unknown ? nullptr : spec, std::memory_order_relaxed);
  auto loading = [&] { return server_.persistence != nullptr && server_.persistence->loading(); };
  // The command's flags with a script's own (command_flags).
  const std::uint32_t flags = resolved.error.empty() ? command_flags(*spec, args, server_) : 0;
  // The refusals in Redis's processCommand order.
  bool refused = true;
  if (!resolved.error.empty()) {
    // An unknown subcommand is counted on no command, as Redis's.
    reject(unknown ? nullptr : spec, resolved.error, client, reply);
  } else if ((spec->flags & kProtected) && !protected_action_allowed(server_.config.debug_command(), client)) {
    reject(spec, err::kDebugNotAllowed, client, reply);
  } else if (server_.acl.auth_required() && !client.authenticated && !(spec->flags & kNoAuth)) {
    reject(spec, err::kNoAuth, client, reply);
  } else if (client.in_multi && (spec->flags & kNoMulti)) {
    reject(spec, "ERR Command not allowed inside a transaction", client, reply);
  } else if (const acl::CheckResult denied =
                 acl_check(server_, client, *spec, args,
                           client.in_multi ? acl::LogContext::kMulti : acl::LogContext::kToplevel, spec, now_ms);
             denied.denial != acl::Denial::kNone) {
    reject(spec, noperm_text(denied.denial, *spec), client, reply);
  } else if ((client.pre_command_oom = !loading() && busy_script_error(server_).empty() &&
                                       !server_.make_room(now_ms, server_.config.eviction_budget())) &&
             refused_over_maxmemory(*spec, flags, client)) {
    // Not while loading, nor from inside a busy script (which holds the
    // keyspace): no eviction then.
    reject(spec, err::kOom, client, reply);
  } else {
    refused = false;
  }
  if (!refused) {
    // Where Redis's processCommand trims the tracking table: after the
    // refusals above, before the ones below (not from inside a busy script).
    if (server_.tracking.clients() != 0 && busy_script_error(server_).empty()) {
      server_.tracking.limit(keyspace_, server_.config.tracking_table_max_keys(), &reply);
    }
    refused = true;
    if (server_.persistence != nullptr && server_.persistence->writes_refused() &&
        refused_on_disk_error(*spec, flags, client)) {
      reject(spec, err::kMisconf, client, reply);
    } else if (server_.config.writes_need_replicas() && is_write_command(*spec, flags, client)) {
      reject(spec, err::kNoReplicas, client, reply);
    } else if (client.resp.load(std::memory_order_relaxed) == 2 && client.in_pubsub_mode() &&
        !allowed_in_pubsub_mode(*spec)) {
      reject(spec,
             "ERR Can't execute '" + std::string(spec->name) +
                 "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context",
             client, reply);
    } else if (loading() && !(spec->flags & kLoadingOk)) {
      reject(spec, err::kLoading, client, reply);
    } else if (const std::string_view busy = busy_script_error(server_);
               !busy.empty() && !(spec->flags & kAllowBusy)) {
      // A script runs past busy-reply-threshold (this client is served from
      // inside it): only allow_busy commands (SHUTDOWN checks NOSAVE itself).
      reject(spec, busy, client, reply);
    } else {
      refused = false;
    }
  }
  if (!refused) {
    if (client.monitor.load(std::memory_order_relaxed) && touches_keyspace(*spec)) {
      reject(spec, "ERR Replica can't interact with the keyspace", client, reply);
    } else if (paused(*spec, flags, client, now_ms)) {
      // After the refusals, as Redis's blockPostponeClient.
      return false;
    } else if (client.in_multi && !(spec->flags & kRunsInMulti)) {
      // A transaction that will fail keeps no more (Redis's queueMultiCommand).
      if (!client.multi_failed && !client.watch_flag.dirty.load(std::memory_order_relaxed)) {
        client.multi.push_back(QueuedCommand{spec, {args.begin(), args.end()}, flags});
        client.multi_queued.store(client.multi.size(), std::memory_order_relaxed);
        std::size_t bytes = sizeof(QueuedCommand) + args.size() * sizeof(std::string);
        for (const auto& a : args) bytes += a.size();
        client.multi_memory.store(client.multi_memory.load(std::memory_order_relaxed) + bytes,
                                  std::memory_order_relaxed);
      }
      client.last_command.store(spec, std::memory_order_relaxed);
      reply.simple("QUEUED");
    } else {
      run(*spec, args, client, reply, now_ms);
      ran = true;
    }
  }

  // A refusal's error (a command that ran took its own).
  own_errors([&]() -> ServerStats& { return stats_; }, reply, errors_before, owned_before);
  // OFF and SKIP drop this reply (CLIENT REPLY OFF|SKIP is itself silent),
  // and the rest of it if the command deferred; not a (un)subscribe's
  // confirmations, which Redis sends as pushes. An EXEC that ran drops its
  // own, write by write (cmd_exec).
  const bool silent = !(ran && spec->name == "exec") && client.reply_mode != ReplyMode::kOn;
  if (silent && !(spec != nullptr && resolved.error.empty() && !client.in_multi &&
                  reply.errors_written() == errors_before && confirms_by_push(*spec))) {
    reply.truncate(mark);
  }
  if (client.deferred != nullptr) client.deferred->reply_dropped = silent;
  if (client.blocked != nullptr) client.blocked->reply_dropped = silent;
  if (client.reply_mode == ReplyMode::kSkipThis) client.reply_mode = ReplyMode::kOn;
  // The command has released its locks: serve the clients blocked on the
  // keys it made ready, as Redis's handleClientsBlockedOnKeys after call().
  // Not from inside a busy script (this client was let in to get BUSY): the
  // script's own command serves them when it ends.
  if (keyspace_.ready_keys().pending() && busy_script_error(server_).empty()) {
    server_.blocking.serve_ready(keyspace_, server_.config, now_ms);
  }
  // CLIENT CACHING lasts for one command, or a transaction, and CLIENT
  // commands leave it (Redis's resetClient).
  const bool keep_caching = client.in_multi || (spec != nullptr && spec->name.starts_with("client|"));
  server_.tracking.command_done(client, reply, keep_caching);
  return true;
}

bool Dispatcher::confirms_by_push(const CommandSpec& spec) {
  static constexpr std::string_view kNames[] = {"subscribe",   "psubscribe",   "ssubscribe",
                                                "unsubscribe", "punsubscribe", "sunsubscribe"};
  return std::find(std::begin(kNames), std::end(kNames), spec.name) != std::end(kNames);
}

bool Dispatcher::paused(const CommandSpec& spec, std::uint32_t flags, const ClientState& client,
                        std::int64_t now_ms) const {
  const PauseState::Mode mode = server_.pause.mode(now_ms);
  if (mode == PauseState::kNone) return false;
  // A MONITOR client is a replica to Redis, and replicas are never paused.
  if (client.monitor.load(std::memory_order_relaxed)) return false;
  // Under ALL, CLIENT UNPAUSE waits too (Redis 7.0 exempts nothing).
  if (mode == PauseState::kAll) return true;
  // WRITE holds back what Redis would replicate: writes, may-replicate
  // commands, and an EXEC of a transaction holding either.
  auto replicated = [](std::uint32_t f) { return (f & (kWrite | kMayReplicate)) != 0; };
  if (replicated(flags)) return true;
  return spec.name == "exec" && client.in_multi &&
         std::any_of(client.multi.begin(), client.multi.end(), [&](const QueuedCommand& q) { return replicated(q.flags); });
}

}  // namespace larder::commands
