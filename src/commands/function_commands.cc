// Function family: FCALL, FCALL_RO and FUNCTION LOAD / LIST / DELETE /
// FLUSH / STATS / KILL / DUMP / RESTORE / HELP.
//
// Libraries are server-wide (scripting::FunctionLibraries). FUNCTION LOAD
// runs a library's code in a fresh functions engine to learn what it
// registers, then publishes it; each event loop's functions engine reloads
// every library the next time it runs a function after a change. FCALL
// locks like EVAL (see scripting_commands.cc). FUNCTION DUMP and RESTORE use
// Redis's payload (persistence/rdb_writer.h: FUNCTION2 records of the
// libraries' code, the RDB version and a CRC64).

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "larder/commands/command_table.h"
#include "larder/commands/families.h"
#include "larder/commands/monitor.h"
#include "larder/commands/scripting.h"
#include "larder/persistence/rdb_reader.h"
#include "larder/persistence/rdb_writer.h"
#include "larder/protocol/errors.h"
#include "larder/scripting/lua_engine.h"
#include "larder/scripting/scripting.h"
#include "larder/util/glob.h"
#include "larder/util/numbers.h"
#include "larder/util/split_args.h"
#include "larder/util/strings.h"

namespace larder::commands {

namespace {

constexpr std::string_view kLibraryNameRule =
    "ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long";

struct FlagName {
  std::string_view name;
  unsigned bit;
};
constexpr FlagName kFlagNames[] = {
    {"no-writes", scripting::kNoWrites},   {"allow-oom", scripting::kAllowOom},
    {"allow-stale", scripting::kAllowStale}, {"no-cluster", scripting::kNoCluster},
    {"allow-cross-slot-keys", scripting::kAllowCrossSlotKeys},
};

// The shebang of a library: "#!<engine> name=<library>" (Redis's
// functionExtractLibMetaData). Returns the error text, or empty.
std::string library_metadata(std::string_view code, std::string& name) {
  if (code.substr(0, 2) != "#!") return "ERR Missing library metadata";
  const std::size_t end = util::c_string(code).find('\n');  // Redis's strchr
  if (end == std::string_view::npos) return "ERR Invalid library metadata";
  const auto parts = util::split_args(code.substr(0, end));
  if (!parts || parts->empty()) return "ERR Invalid library metadata";
  const std::string engine = (*parts)[0].substr(2);
  bool named = false;
  for (std::size_t j = 1; j < parts->size(); ++j) {
    const std::string& part = (*parts)[j];
    if (part.size() >= 5 && util::iequals(std::string_view(part).substr(0, 5), "name=")) {
      if (named) return "ERR Invalid metadata value, name argument was given multiple times";
      name = part.substr(5);
      named = true;
      continue;
    }
    return "ERR Invalid metadata value given: " + part;
  }
  if (!named) return "ERR Library name was not given";
  if (!util::iequals(engine, "lua")) return "ERR Engine '" + engine + "' not found";
  const bool valid = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
  if (!valid) return std::string(kLibraryNameRule);
  return {};
}

void fcall_generic(CommandContext& ctx, bool ro_command) {
  feed_monitors_before_running(ctx);
  scripting::LuaEngine& engine = ctx.server.scripting.function_engine(ctx.client.loop);
  const scripting::LuaEngine::Function* found = engine.function(ctx.args[1]);
  if (found == nullptr) {
    ctx.reply.error("ERR Function not found");
    return;
  }
  const scripting::LuaEngine::Function f = *found;
  std::int64_t numkeys = 0;
  if (!util::parse_int64(ctx.args[2], numkeys)) {
    ctx.reply.error("ERR Bad number of keys provided");
    return;
  }
  const auto rest = static_cast<std::int64_t>(ctx.args.size()) - 3;
  if (numkeys > rest) {
    ctx.reply.error("ERR Number of keys can't be greater than number of args");
    return;
  }
  if (numkeys < 0) {
    ctx.reply.error("ERR Number of keys can't be negative");
    return;
  }
  if (!script_may_run(ctx, f.flags, ro_command)) return;
  const auto keys = ctx.args.subspan(3, static_cast<std::size_t>(numkeys));
  const auto argv = ctx.args.subspan(3 + static_cast<std::size_t>(numkeys));
  engine.run(ctx, f.ref, f.flags, ctx.args[1], true, keys, argv, ro_command || (f.flags & scripting::kNoWrites));
}

void cmd_fcall(CommandContext& ctx) { fcall_generic(ctx, false); }
void cmd_fcall_ro(CommandContext& ctx) { fcall_generic(ctx, true); }

void cmd_function(CommandContext& ctx) { ctx.reply_arity_error(); }

void cmd_function_load(CommandContext& ctx) {
  bool replace = false;
  std::size_t at = 2;
  while (at < ctx.args.size() - 1) {
    const std::string_view option = ctx.args[at++];
    if (!util::iequals(option, "replace")) {
      ctx.reply.error("ERR Unknown option given: " + std::string(option));
      return;
    }
    replace = true;
  }
  const std::string_view code = ctx.args[at];
  scripting::Library lib;
  std::string error = library_metadata(code, lib.name);
  if (error.empty() && !replace && ctx.server.scripting.functions.exists(lib.name)) {
    error = "ERR Library '" + lib.name + "' already exists";
  }
  if (error.empty()) {
    // A fresh engine, so a failed load leaves no trace in the loop's own.
    scripting::LuaEngine scratch(ctx.server.scripting, ctx.client.loop, true);
    const std::size_t nl = code.find('\n');
    scratch.load_library(code.substr(nl), lib.functions, error);
  }
  if (error.empty()) {
    lib.code = std::string(code);
    const std::string name = lib.name;
    error = ctx.server.scripting.functions.add(std::move(lib), replace);
    if (error.empty()) {
      ctx.reply.bulk(name);
      return;
    }
  }
  ctx.reply.error(error);
}

// A library compiled from `code` in a fresh engine, as FUNCTION LOAD does;
// the error text, or empty.
std::string compile_library(ServerServices& server, int loop, std::string_view code, scripting::Library& lib) {
  std::string error = library_metadata(code, lib.name);
  if (error.empty()) {
    scripting::LuaEngine scratch(server.scripting, loop, true);
    scratch.load_library(code.substr(code.find('\n')), lib.functions, error);
  }
  lib.code = std::string(code);
  return error;
}

void cmd_function_dump(CommandContext& ctx) {
  const auto libraries = ctx.server.scripting.functions.snapshot();
  std::vector<std::string_view> codes;
  for (const auto& [name, lib] : libraries) codes.push_back(lib.code);
  ctx.reply.bulk(persistence::function_dump_payload(codes));
}

// FUNCTION RESTORE serialized-value [FLUSH | APPEND | REPLACE], all or
// nothing, with Redis's functionRestoreCommand errors.
void cmd_function_restore(CommandContext& ctx) {
  if (ctx.args.size() > 4) {
    ctx.reply.error("ERR unknown subcommand or wrong number of arguments for '" + std::string(ctx.args[1]) +
                    "'. Try FUNCTION HELP.");
    return;
  }
  enum class Policy { kAppend, kReplace, kFlush } policy = Policy::kAppend;
  if (ctx.args.size() == 4) {
    if (util::iequals(ctx.args[3], "append")) {
      policy = Policy::kAppend;
    } else if (util::iequals(ctx.args[3], "replace")) {
      policy = Policy::kReplace;
    } else if (util::iequals(ctx.args[3], "flush")) {
      policy = Policy::kFlush;
    } else {
      ctx.reply.error("ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.");
      return;
    }
  }
  persistence::FunctionPayload payload;
  try {
    payload = persistence::function_restore_payload(ctx.args[2]);
  } catch (const persistence::RdbError&) {
    ctx.reply.error(err::kDumpPayload);  // checksum or version
    return;
  }
  // Redis compiles each library as it reads it: a library's error comes
  // before a later one's unreadable payload.
  const std::vector<std::string>& codes = payload.codes;
  std::vector<scripting::Library> libs(codes.size());
  std::map<std::string, std::string> owner;  // function (lower case) -> library, of the payload
  for (std::size_t i = 0; i < codes.size(); ++i) {
    std::string error = compile_library(ctx.server, ctx.client.loop, codes[i], libs[i]);
    for (std::size_t j = 0; error.empty() && j < i; ++j) {
      if (libs[j].name == libs[i].name) error = "ERR Library '" + libs[i].name + "' already exists";
    }
    for (const scripting::FunctionInfo& f : libs[i].functions) {
      const auto [at, fresh] = owner.emplace(util::to_lower(f.name), libs[i].name);
      if (error.empty() && !fresh && at->second != libs[i].name) {
        error = "ERR Function " + f.name + " already exists";
      }
    }
    if (!error.empty()) {
      ctx.reply.error(error);
      return;
    }
  }
  if (!payload.error.empty()) {
    ctx.reply.error("ERR " + payload.error);
    return;
  }
  scripting::FunctionLibraries& functions = ctx.server.scripting.functions;
  if (policy != Policy::kFlush) {
    // libraryJoin: every check before any change.
    const auto current = functions.snapshot();
    std::vector<std::string> replaced;
    for (const scripting::Library& lib : libs) {
      if (current.contains(lib.name)) {
        if (policy == Policy::kAppend) {
          ctx.reply.error("ERR Library " + lib.name + " already exists");
          return;
        }
        replaced.push_back(lib.name);
      }
    }
    for (const auto& [name, lib] : current) {
      if (std::find(replaced.begin(), replaced.end(), name) != replaced.end()) continue;
      for (const scripting::FunctionInfo& f : lib.functions) {
        if (owner.contains(util::to_lower(f.name))) {
          ctx.reply.error("ERR Function " + f.name + " already exists");
          return;
        }
      }
    }
    for (const std::string& name : replaced) functions.remove(name);
  } else {
    functions.flush();
  }
  for (scripting::Library& lib : libs) functions.add(std::move(lib), false);
  ctx.reply.ok();
}

void cmd_function_list(CommandContext& ctx) {
  bool with_code = false;
  bool has_pattern = false;
  std::string_view pattern;
  for (std::size_t i = 2; i < ctx.args.size(); ++i) {
    if (!with_code && util::iequals(ctx.args[i], "withcode")) {
      with_code = true;
    } else if (!has_pattern && util::iequals(ctx.args[i], "libraryname")) {
      if (i + 1 >= ctx.args.size()) {
        ctx.reply.error("ERR library name argument was not given");
        return;
      }
      has_pattern = true;
      pattern = ctx.args[++i];
    } else {
      ctx.reply.error("ERR Unknown argument " + std::string(ctx.args[i]));
      return;
    }
  }
  const auto libraries = ctx.server.scripting.functions.snapshot();
  std::vector<const scripting::Library*> shown;
  for (const auto& [name, lib] : libraries) {
    if (has_pattern && !util::glob_match(pattern, name, /*nocase=*/true)) continue;
    shown.push_back(&lib);
  }
  protocol::ReplyBuilder& r = ctx.reply;
  r.array(shown.size());
  for (const scripting::Library* lib : shown) {
    r.map(with_code ? 4 : 3);
    r.bulk("library_name");
    r.bulk(lib->name);
    r.bulk("engine");
    r.bulk("LUA");
    r.bulk("functions");
    r.array(lib->functions.size());
    for (const scripting::FunctionInfo& f : lib->functions) {
      r.map(3);
      r.bulk("name");
      r.bulk(f.name);
      r.bulk("description");
      if (f.has_description) {
        r.bulk(f.description);
      } else {
        r.null();
      }
      r.bulk("flags");
      std::size_t n = 0;
      for (const FlagName& flag : kFlagNames) n += (f.flags & flag.bit) ? 1 : 0;
      r.set(n);
      for (const FlagName& flag : kFlagNames) {
        if (f.flags & flag.bit) r.simple(flag.name);
      }
    }
    if (with_code) {
      r.bulk("library_code");
      r.bulk(lib->code);
    }
  }
}

void cmd_function_delete(CommandContext& ctx) {
  if (!ctx.server.scripting.functions.remove(std::string(ctx.args[2]))) {
    ctx.reply.error("ERR Library not found");
    return;
  }
  ctx.reply.ok();
}

void cmd_function_flush(CommandContext& ctx) {
  if (ctx.args.size() > 3) {
    ctx.reply.error("ERR unknown subcommand or wrong number of arguments for '" + std::string(ctx.args[1]) +
                    "'. Try FUNCTION HELP.");
    return;
  }
  if (ctx.args.size() == 3 && !util::iequals(ctx.args[2], "sync") && !util::iequals(ctx.args[2], "async")) {
    ctx.reply.error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
    return;
  }
  ctx.server.scripting.functions.flush();
  ctx.reply.ok();
}

void cmd_function_stats(CommandContext& ctx) {
  const scripting::RunningScript& running = ctx.server.scripting.running;
  const bool busy = running.running.load(std::memory_order_acquire);
  if (busy && !running.is_function.load(std::memory_order_relaxed)) {
    ctx.reply.error("BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.");
    return;
  }
  protocol::ReplyBuilder& r = ctx.reply;
  r.map(2);
  r.bulk("running_script");
  if (!busy) {
    r.null();
  } else {
    std::string name;
    std::vector<std::string> command;
    {
      std::lock_guard lock(running.mutex);
      name = running.name;
      command = running.command;
    }
    r.map(3);
    r.bulk("name");
    r.bulk(name);
    r.bulk("command");
    r.array(command.size());
    for (const std::string& a : command) r.bulk(a);
    r.bulk("duration_ms");
    const std::int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::steady_clock::now().time_since_epoch())
                                 .count();
    r.integer(now - running.started_ms.load(std::memory_order_relaxed));
  }
  r.bulk("engines");
  r.map(1);
  r.bulk("LUA");
  r.map(2);
  r.bulk("libraries_count");
  r.integer(static_cast<std::int64_t>(ctx.server.scripting.library_count()));
  r.bulk("functions_count");
  r.integer(static_cast<std::int64_t>(ctx.server.scripting.function_count()));
}

void cmd_function_kill(CommandContext& ctx) { kill_running_script(ctx, false); }

void cmd_function_help(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "LOAD [REPLACE] <FUNCTION CODE>",
      "    Create a new library with the given library name and code.",
      "DELETE <LIBRARY NAME>",
      "    Delete the given library.",
      "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
      "    Return general information on all the libraries:",
      "    * Library name",
      "    * The engine used to run the Library",
      "    * Library description",
      "    * Functions list",
      "    * Library code (if WITHCODE is given)",
      "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
      "STATS",
      "    Return information about the current function running:",
      "    * Function name",
      "    * Command used to run the function",
      "    * Duration in MS that the function is running",
      "    If no function is running, return nil",
      "    In addition, returns a list of available engines.",
      "KILL",
      "    Kill the current running function.",
      "FLUSH [ASYNC|SYNC]",
      "    Delete all the libraries.",
      "    When called without the optional mode argument, the behavior is determined by the",
      "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
      "    * ASYNC: Asynchronously flush the libraries.",
      "    * SYNC: Synchronously flush the libraries.",
      "DUMP",
      "    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
      "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
      "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
      "    control how to handle existing libraries (default APPEND):",
      "    * FLUSH: delete all existing libraries.",
      "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
      "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
      "      libraries with the new libraries (notice that even on this option there is a chance of failure",
      "      in case of functions name collision with another library).",
      "HELP",
      "    Prints this help.",
  };
  ctx.reply.simple_lines(kLines);
}

}  // namespace

std::string load_saved_libraries(ServerServices& server, const std::vector<std::string>& codes, bool flush_first,
                                 bool replace) {
  std::vector<scripting::Library> libs(codes.size());
  for (std::size_t i = 0; i < codes.size(); ++i) {
    if (std::string error = compile_library(server, 0, codes[i], libs[i]); !error.empty()) return error;
  }
  scripting::FunctionLibraries& functions = server.scripting.functions;
  if (flush_first) functions.flush();
  for (scripting::Library& lib : libs) {
    if (!replace && functions.exists(lib.name)) return "ERR Library '" + lib.name + "' already exists";
    if (std::string error = functions.add(std::move(lib), replace); !error.empty()) return error;
  }
  return {};
}

void register_function_commands(CommandTable& table) {
  table.add("fcall", cmd_fcall, kScriptLocks | kMayReplicate);
  table.add("fcall_ro", cmd_fcall_ro, kScriptLocks);
  table.add("function", cmd_function);
  table.add("function|load", cmd_function_load);
  table.add("function|list", cmd_function_list);
  table.add("function|delete", cmd_function_delete);
  table.add("function|flush", cmd_function_flush);
  table.add("function|dump", cmd_function_dump);
  table.add("function|restore", cmd_function_restore);
  table.add("function|stats", cmd_function_stats);
  table.add("function|kill", cmd_function_kill);
  table.add("function|help", cmd_function_help);
}

}  // namespace larder::commands
