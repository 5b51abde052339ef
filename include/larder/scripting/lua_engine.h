#pragma once
// One Lua 5.1 interpreter per event loop, set up as Redis 7.0 sets up its
// own: the base, table, string and math libraries plus cjson, cmsgpack, bit
// and struct; no os, io, loadfile, dofile, require or print; the global
// table and every library table read-only; reading an unknown global is an
// error. Scripts reach the keyspace through redis.call / redis.pcall, which
// run commands through the command table as any client's commands run.
//
// Only the owning loop's thread may use an engine.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "larder/commands/client_state.h"
#include "larder/scripting/scripting.h"

struct lua_State;
struct lua_Debug;

namespace larder::commands {
struct CommandContext;
}

namespace larder::scripting {

class Scripting;

// Script flags: a shebang's "#!lua flags=..." or a function's flags.
enum ScriptFlag : unsigned {
  kNoWrites = 1u << 0,
  kAllowOom = 1u << 1,
  kAllowStale = 1u << 2,
  kNoCluster = 1u << 3,
  kAllowCrossSlotKeys = 1u << 4,
  // An EVAL script without a shebang: Redis 7's compatibility mode (writes
  // allowed, OOM checked per command instead of before the script).
  kEvalCompat = 1u << 8,
};

// Parses the shebang line of an EVAL body. Sets `flags` and `body_offset`
// (where the code starts: the shebang's own newline, so line numbers stay);
// returns Redis's error text, or empty.
std::string parse_shebang(std::string_view body, unsigned& flags, std::size_t& body_offset);
// Parses a flags=... list ("no-writes,allow-oom"); false on an unknown flag,
// whose name is left in `bad`.
bool parse_script_flags(std::string_view list, unsigned& flags, std::string& bad);

class LuaEngine {
 public:
  // `functions`: an engine for FCALL, whose globals have no KEYS / ARGV and
  // which loads libraries (load_library).
  LuaEngine(Scripting& scripting, int loop, bool functions = false);
  ~LuaEngine();
  LuaEngine(const LuaEngine&) = delete;
  LuaEngine& operator=(const LuaEngine&) = delete;

  // A compiled EVAL script.
  struct Script {
    int ref = 0;         // its function in the Lua registry
    unsigned flags = 0;  // ScriptFlag bits
  };
  // The compiled script named `sha` (lower case). Without `body` it comes
  // from the shared cache (nullptr when unknown there: NOSCRIPT); otherwise
  // `body` is compiled and added to the cache. On a shebang or compile error
  // returns nullptr with Redis's error text in `error`.
  const Script* script(const std::string& sha, std::optional<std::string_view> body, std::string& error);

  // Runs a compiled script or function for `ctx`'s client and writes its
  // reply: KEYS and ARGV are fresh tables. `name` is what error texts call
  // it (the SHA-1 or the function name); `read_only` is EVAL_RO / FCALL_RO
  // or a no-writes flag. The caller holds the shard locks the script needs.
  void run(commands::CommandContext& ctx, int ref, unsigned flags, std::string_view name,
           bool is_function, std::span<const std::string_view> keys,
           std::span<const std::string_view> argv, bool read_only);

  // Runs a library's code (FUNCTION LOAD) in the restricted environment
  // Redis gives it (redis.register_function, redis.log and the version
  // only), keeping the functions it registers. `code` starts after the
  // shebang line. Returns the registered functions, or Redis's error text.
  bool load_library(std::string_view code, std::vector<FunctionInfo>& out, std::string& error);

  struct Function {
    int ref = 0;
    unsigned flags = 0;
  };
  // A function of the server's libraries, loaded into this engine (which
  // first reloads every library if they changed since); nullptr if unknown.
  const Function* function(std::string_view name);

  // After SCRIPT FLUSH: drops the compiled scripts and starts a fresh
  // interpreter (at the next script, or sooner: Scripting::release_flushed).
  // Not while a script runs on this engine.
  void check_generation();

  lua_State* state() { return L_; }
  // Bytes of the Lua heap after the last run.
  std::size_t vm_bytes() const { return vm_bytes_.load(std::memory_order_relaxed); }

  // Runs a registered Lua function value on top of the stack as a function
  // library body (FUNCTION LOAD); used by function_commands.cc.
  Scripting& scripting() { return scripting_; }
  int loop() const { return loop_; }

 private:
  struct RunState;
  static int lua_call_command(lua_State* L);
  static int lua_pcall_command(lua_State* L);
  static int call_common(lua_State* L, bool raise);
  static int lua_acl_check_cmd(lua_State* L);
  static void hook(lua_State* L, ::lua_Debug* ar);
  static int register_function(lua_State* L);
  static void load_hook(lua_State* L, ::lua_Debug* ar);
  void sync_functions();
  static LuaEngine& self(lua_State* L);
  void set_up();
  // Measures the Lua heap into vm_bytes_.
  void note_vm_bytes();
  void reply_from_lua(commands::CommandContext& ctx, int depth);

  Scripting& scripting_;
  int loop_;
  lua_State* L_ = nullptr;
  int globals_ref_ = 0;  // the real global table (the scripts' _G is a read-only proxy)
  int handler_ref_ = 0;  // __redis__err__handler
  // redis.call's argument buffers, reused from call to call.
  std::vector<std::string> call_args_;
  std::vector<std::string_view> call_views_;
  bool functions_mode_ = false;
  int globals_mt_ref_ = 0;  // the proxy's metatable: __index is switched while a library loads
  int load_api_ref_ = 0;    // what a library's code sees while it loads
  // While a library loads: the functions it has registered so far.
  std::vector<FunctionInfo>* loading_ = nullptr;
  std::int64_t load_deadline_ms_ = 0;
  std::unordered_map<std::string, Function> loading_refs_;
  std::unordered_map<std::string, Function> functions_;  // by lower-case name
  std::uint64_t functions_generation_ = ~std::uint64_t{0};
  std::uint64_t generation_ = 0;
  std::unordered_map<std::string, Script> scripts_;
  std::atomic<std::size_t> vm_bytes_{0};
  RunState* run_ = nullptr;  // set while a script runs
  // The client redis.call runs commands as: the caller's db and id, the
  // script's RESP version, never blocking.
  commands::ClientState script_client_;
};

}  // namespace larder::scripting
