// Scripting family: EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT LOAD /
// EXISTS / FLUSH / KILL / HELP.
//
// Each event loop runs scripts in its own Lua engine; the script cache is
// shared, so SCRIPT LOAD on one loop makes EVALSHA work on every loop (an
// engine compiles a body from the cache the first time it meets its SHA-1).
//
// Atomicity: a script runs to its end on its loop's thread; with one event
// loop nothing else touches the keyspace meanwhile (a busy script only lets
// its loop's other clients in to be answered BUSY or to ask SCRIPT KILL;
// other loops answer BUSY themselves). With several loops the script
// commands are kScriptLocks: the dispatcher takes the script lock, then the
// shards of the declared keys; a command the script runs on another key
// locks that key's shard too, and all are released when the script ends
// (two-phase locking), so no other thread sees a partial effect, declared
// keys or not. Scripts run one at a time, alongside other commands on other
// shards; only the script lock's holder waits while holding shards, so
// nothing deadlocks (storage/shard_locks.h). See README "Scripting".

#include <algorithm>
#include <string>

#include "larder/commands/command_table.h"
#include "larder/commands/families.h"
#include "larder/commands/monitor.h"
#include "larder/commands/scripting.h"
#include "larder/protocol/errors.h"
#include "larder/scripting/lua_engine.h"
#include "larder/scripting/scripting.h"
#include "larder/scripting/sha1.h"
#include "larder/util/numbers.h"
#include "larder/util/strings.h"

namespace larder::commands {

namespace {

constexpr std::string_view kNoScript = "NOSCRIPT No matching script. Please use EVAL.";
constexpr std::string_view kNotBusy = "NOTBUSY No scripts in execution right now.";
constexpr std::string_view kUnkillable =
    "UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the "
    "script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.";
constexpr std::string_view kBusyEval =
    "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
constexpr std::string_view kBusyFunction =
    "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";

// The keys and arguments after numkeys; false after replying Redis's error.
bool split_keys(CommandContext& ctx, std::span<const std::string_view>& keys,
                std::span<const std::string_view>& argv) {
  std::int64_t numkeys = 0;
  if (!ctx.parse_int64_or_reply(ctx.args[2], numkeys)) return false;
  const auto rest = static_cast<std::int64_t>(ctx.args.size()) - 3;
  if (numkeys > rest) {
    ctx.reply.error("ERR Number of keys can't be greater than number of args");
    return false;
  }
  if (numkeys < 0) {
    ctx.reply.error("ERR Number of keys can't be negative");
    return false;
  }
  keys = ctx.args.subspan(3, static_cast<std::size_t>(numkeys));
  argv = ctx.args.subspan(3 + static_cast<std::size_t>(numkeys));
  return true;
}

}  // namespace

// Redis's scriptPrepareForRun checks, shared with FCALL: false after replying.
bool script_may_run(CommandContext& ctx, unsigned flags, bool ro_command) {
  using namespace scripting;
  if (flags & kEvalCompat) return true;
  if (!(flags & kAllowOom) && !(flags & kNoWrites) && ctx.config.maxmemory() != 0 && ctx.client.pre_command_oom) {
    ctx.reply.error(err::kOom);
    return false;
  }
  if (!(flags & kNoWrites) && ro_command) {
    ctx.reply.error("ERR Can not execute a script with write flag using *_ro command.");
    return false;
  }
  return true;
}

// The BUSY error other clients get while the running script is past
// busy-reply-threshold; empty when none is.
std::string_view busy_script_error(const ServerServices& server) {
  const scripting::RunningScript& r = server.scripting.running;
  if (!r.busy.load(std::memory_order_acquire)) return {};
  return r.is_function.load(std::memory_order_relaxed) ? kBusyFunction : kBusyEval;
}

// SCRIPT KILL and FUNCTION KILL (Redis's scriptKill).
void kill_running_script(CommandContext& ctx, bool is_eval) {
  scripting::RunningScript& r = ctx.server.scripting.running;
  if (!r.running.load(std::memory_order_acquire)) {
    ctx.reply.error(kNotBusy);
    return;
  }
  if (r.wrote.load(std::memory_order_relaxed)) {
    ctx.reply.error(kUnkillable);
    return;
  }
  const bool function = r.is_function.load(std::memory_order_relaxed);
  if (is_eval && function) {
    ctx.reply.error(kBusyFunction);
    return;
  }
  if (!is_eval && !function) {
    ctx.reply.error(kBusyEval);
    return;
  }
  r.kill_requested.store(true, std::memory_order_release);
  ctx.reply.ok();
}

namespace {

void eval_generic(CommandContext& ctx, bool by_sha, bool ro_command) {
  feed_monitors_before_running(ctx);
  // Redis refuses a SHA of the wrong length before it reads numkeys.
  if (by_sha && ctx.args[1].size() != 40) {
    ctx.reply.error(kNoScript);
    return;
  }
  std::span<const std::string_view> keys, argv;
  if (!split_keys(ctx, keys, argv)) return;
  scripting::LuaEngine& engine = ctx.server.scripting.engine(ctx.client.loop);
  std::string sha;
  std::optional<std::string_view> body;
  if (by_sha) {
    sha = util::to_lower(ctx.args[1]);
  } else {
    body = ctx.args[1];
    sha = scripting::sha1_hex(*body);
  }
  std::string error;
  const scripting::LuaEngine::Script* script = engine.script(sha, body, error);
  if (script == nullptr) {
    ctx.reply.error(error.empty() ? kNoScript : std::string_view(error));
    return;
  }
  // The engine may drop compiled scripts (SCRIPT FLUSH) while this one runs.
  const scripting::LuaEngine::Script s = *script;
  if (!script_may_run(ctx, s.flags, ro_command)) return;
  const bool read_only = ro_command || (s.flags & scripting::kNoWrites);
  engine.run(ctx, s.ref, s.flags, sha, false, keys, argv, read_only);
}

void cmd_eval(CommandContext& ctx) { eval_generic(ctx, false, false); }
void cmd_evalsha(CommandContext& ctx) { eval_generic(ctx, true, false); }
void cmd_eval_ro(CommandContext& ctx) { eval_generic(ctx, false, true); }
void cmd_evalsha_ro(CommandContext& ctx) { eval_generic(ctx, true, true); }

void cmd_script(CommandContext& ctx) { ctx.reply_arity_error(); }

void cmd_script_load(CommandContext& ctx) {
  const std::string sha = scripting::sha1_hex(ctx.args[2]);
  std::string error;
  if (ctx.server.scripting.engine(ctx.client.loop).script(sha, ctx.args[2], error) == nullptr) {
    ctx.reply.error(error);
    return;
  }
  ctx.reply.bulk(sha);
}

void cmd_script_exists(CommandContext& ctx) {
  ctx.reply.array(ctx.args.size() - 2);
  for (std::size_t i = 2; i < ctx.args.size(); ++i) {
    ctx.reply.integer(ctx.server.scripting.scripts.contains(ctx.args[i]) ? 1 : 0);
  }
}

void cmd_script_flush(CommandContext& ctx) {
  if (ctx.args.size() == 3 && !util::iequals(ctx.args[2], "sync") && !util::iequals(ctx.args[2], "async")) {
    ctx.reply.error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
    return;
  }
  if (ctx.args.size() > 3) {
    ctx.reply.error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
    return;
  }
  ctx.server.scripting.scripts.flush();
  ctx.reply.ok();
}

void cmd_script_kill(CommandContext& ctx) { kill_running_script(ctx, true); }

void cmd_script_help(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "DEBUG (YES|SYNC|NO)",
      "    Set the debug mode for subsequent scripts executed.",
      "EXISTS <sha1> [<sha1> ...]",
      "    Return information about the existence of the scripts in the script cache.",
      "FLUSH [ASYNC|SYNC]",
      "    Flush the Lua scripts cache. Very dangerous on replicas.",
      "    When called without the optional mode argument, the behavior is determined by the",
      "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
      "    * ASYNC: Asynchronously flush the scripts cache.",
      "    * SYNC: Synchronously flush the scripts cache.",
      "KILL",
      "    Kill the currently executing Lua script.",
      "LOAD <script>",
      "    Load a script into the scripts cache without executing it.",
      "HELP",
      "    Prints this help.",
  };
  ctx.reply.simple_lines(kLines);
}

}  // namespace

void register_scripting_commands(CommandTable& table) {
  table.add("eval", cmd_eval, kScriptLocks | kMayReplicate);
  table.add("evalsha", cmd_evalsha, kScriptLocks | kMayReplicate);
  table.add("eval_ro", cmd_eval_ro, kScriptLocks);
  table.add("evalsha_ro", cmd_evalsha_ro, kScriptLocks);
  table.add("script", cmd_script);
  table.add("script|load", cmd_script_load);
  table.add("script|exists", cmd_script_exists);
  table.add("script|flush", cmd_script_flush);
  table.add("script|kill", cmd_script_kill);
  table.add("script|help", cmd_script_help);
}

}  // namespace larder::commands
