#include "larder/scripting/lua_engine.h"

#include <lua.hpp>
extern "C" {
int luaopen_cjson(lua_State* L);  // Debian's lua-cjson (liblua5.1-cjson.a)
int luaopen_bit(lua_State* L);    // Debian's LuaBitOp, or LuaJIT's built-in bit
}

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "larder/commands/acl_gate.h"
#include "larder/commands/command_context.h"
#include "larder/commands/command_table.h"
#include "larder/commands/dispatcher.h"
#include "larder/commands/pubsub.h"
#include "larder/protocol/errors.h"
#include "larder/protocol/reply_builder.h"
#include "larder/scripting/lua_libs.h"
#include "larder/scripting/scripting.h"
#include "larder/scripting/sha1.h"
#include "larder/util/clock.h"
#include "larder/util/split_args.h"
#include "larder/util/strings.h"

namespace larder::scripting {

namespace {

constexpr std::string_view kRedisVersion = "7.0.15";
constexpr int kRedisVersionNum = 0x07000f;
// Instructions between two checks of the running time (Redis's count hook).
constexpr int kHookInstructions = 100000;
// How long a library's code may run while FUNCTION LOAD loads it.
constexpr std::int64_t kLoadTimeoutMs = 500;
// Nesting of tables a reply may have, either way.
constexpr int kMaxReplyDepth = 1000;
// redis.call keeps argument buffers up to this size for the next call.
constexpr std::size_t kKeptArgBytes = 64 * 1024;

// Registry keys.
constexpr const char* kEngineKey = "larder.engine";
constexpr const char* kReadonlyKey = "larder.readonly";  // proxy -> real table, weak keys

const char* const kRemovedGlobals[] = {"print", "setfenv", "getfenv", "newproxy", "loadfile", "dofile",
                                       "module", "require", "debug"};

struct FlagName {
  std::string_view name;
  unsigned bit;
};
constexpr FlagName kFlagNames[] = {
    {"no-writes", kNoWrites},   {"allow-oom", kAllowOom},
    {"allow-stale", kAllowStale}, {"no-cluster", kNoCluster},
    {"allow-cross-slot-keys", kAllowCrossSlotKeys},
};

// The string at `idx`, NULs included.
std::string lua_string(lua_State* L, int idx) {
  std::size_t len = 0;
  const char* s = lua_tolstring(L, idx, &len);
  return std::string(s, len);
}

std::string_view trim_newlines(std::string_view text) {
  const std::size_t first = text.find_first_not_of("\r\n");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of("\r\n") - first + 1);
}

// Pushes an error table {err = text} (Redis's luaPushError): a text starting
// with '-' is taken as "-CODE message" (no space: all message); any other
// gets the ERR code. The message loses CR/LF at its ends.
void push_error_table(lua_State* L, std::string_view text) {
  text = util::c_string(text);
  std::string_view code = "ERR", message = text;
  if (!text.empty() && text[0] == '-') {
    const std::size_t sp = text.find(' ');
    if (sp == std::string_view::npos) {
      message = text.substr(1);
    } else {
      code = text.substr(1, sp - 1);
      message = text.substr(sp + 1);
    }
  }
  std::string err(code);
  err += ' ';
  err += trim_newlines(message);
  lua_newtable(L);
  lua_pushliteral(L, "err");
  lua_pushlstring(L, err.data(), err.size());
  lua_rawset(L, -3);
}

// Whether the error table on top of the stack was counted in the error
// stats where it arose (its ignore_error_stats_update field).
bool counted_already(lua_State* L) {
  lua_getfield(L, -1, "ignore_error_stats_update");
  const bool counted = lua_isboolean(L, -1) && lua_toboolean(L, -1) != 0;
  lua_pop(L, 1);
  return counted;
}

[[noreturn]] void raise_error_table(lua_State* L, std::string_view text) {
  push_error_table(L, text);
  lua_error(L);
  std::abort();  // lua_error does not return
}

// math.random and math.randomseed as Redis replaces them (redis_math_random):
// the generator's state is the upvalue's atomic (Scripting::lua_random).
int redis_math_random(lua_State* L) {
  auto& state = *static_cast<std::atomic<std::uint64_t>*>(lua_touserdata(L, lua_upvalueindex(1)));
  const std::uint64_t x = (0x5DEECE66Dull * state.load(std::memory_order_relaxed) + 0xB) & ((1ull << 48) - 1);
  state.store(x, std::memory_order_relaxed);
  const auto drawn = static_cast<std::int32_t>(x >> 17);
  const lua_Number r = static_cast<lua_Number>(drawn % INT32_MAX) / static_cast<lua_Number>(INT32_MAX);
  switch (lua_gettop(L)) {
    case 0:
      lua_pushnumber(L, r);
      break;
    case 1: {
      const int u = luaL_checkint(L, 1);
      luaL_argcheck(L, 1 <= u, 1, "interval is empty");
      lua_pushnumber(L, std::floor(r * u) + 1);
      break;
    }
    case 2: {
      const int l = luaL_checkint(L, 1);
      const int u = luaL_checkint(L, 2);
      luaL_argcheck(L, l <= u, 2, "interval is empty");
      lua_pushnumber(L, std::floor(r * (static_cast<lua_Number>(u) - l + 1)) + l);
      break;
    }
    default:
      return luaL_error(L, "wrong number of arguments");
  }
  return 1;
}

int redis_math_randomseed(lua_State* L) {
  auto& state = *static_cast<std::atomic<std::uint64_t>*>(lua_touserdata(L, lua_upvalueindex(1)));
  const auto seed = static_cast<std::uint32_t>(luaL_checkint(L, 1));
  state.store(std::uint64_t{seed} << 16 | 0x330E, std::memory_order_relaxed);
  return 0;
}

// ---------------------------------------------------------------------------
// The sandbox: read-only tables and protected globals.

int readonly_newindex(lua_State* L) { return luaL_error(L, "Attempt to modify a readonly table"); }

int nonexistent_global(lua_State* L) {
  const char* name = lua_tostring(L, 2);
  return luaL_error(L, "Script attempted to access nonexistent global variable '%s'", name ? name : "?");
}

bool is_readonly(lua_State* L, int idx) {
  if (!lua_istable(L, idx)) return false;
  idx = idx < 0 ? lua_gettop(L) + idx + 1 : idx;
  lua_getfield(L, LUA_REGISTRYINDEX, kReadonlyKey);
  lua_pushvalue(L, idx);
  lua_rawget(L, -2);
  const bool ro = !lua_isnil(L, -1);
  lua_pop(L, 2);
  return ro;
}

// Replaces the real table at `idx` with a read-only proxy of it on the stack
// top: reads see the real table, writes raise Redis's error. The proxy's
// metatable (which leads to the real table) never reaches a script: its
// __metatable is false, which the sandbox's getmetatable answers as nil, as
// Redis's read-only tables have no metatable (set_metatable_answer changes
// the answer). The debug library, which could reach it anyway, is removed.
void push_readonly_proxy(lua_State* L, int idx) {
  idx = idx < 0 ? lua_gettop(L) + idx + 1 : idx;
  lua_newtable(L);  // proxy
  const int proxy = lua_gettop(L);
  lua_newtable(L);  // its metatable
  const int mt = lua_gettop(L);
  lua_pushvalue(L, idx);
  lua_setfield(L, mt, "__index");
  lua_pushcfunction(L, readonly_newindex);
  lua_setfield(L, mt, "__newindex");
  lua_pushboolean(L, 0);
  lua_setfield(L, mt, "__metatable");
  lua_setmetatable(L, proxy);
  lua_getfield(L, LUA_REGISTRYINDEX, kReadonlyKey);
  lua_pushvalue(L, proxy);
  lua_pushvalue(L, idx);
  lua_rawset(L, -3);
  lua_pop(L, 1);
}

// What getmetatable() answers for the value at `idx` (the proxy of
// push_readonly_proxy, or a string): a read-only proxy of the table on the
// stack top, which is popped.
void set_metatable_answer(lua_State* L, int idx) {
  idx = idx < 0 ? lua_gettop(L) + idx + 1 : idx;
  const int table = lua_gettop(L);
  lua_getmetatable(L, idx);
  push_readonly_proxy(L, table);
  lua_setfield(L, -2, "__metatable");
  lua_settop(L, table - 1);
}

// getmetatable, except that a read-only proxy's false __metatable reads nil.
int sandbox_getmetatable(lua_State* L) {
  luaL_checkany(L, 1);
  lua_settop(L, 1);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_pushvalue(L, 1);
  lua_call(L, 1, 1);
  if (lua_isboolean(L, -1) && !lua_toboolean(L, -1) && is_readonly(L, 1)) lua_pushnil(L);
  return 1;
}

// rawset / setmetatable refuse read-only tables; rawget sees through them.
int sandbox_rawset(lua_State* L) {
  if (is_readonly(L, 1)) {
    lua_pushliteral(L, "Attempt to modify a readonly table");
    return lua_error(L);
  }
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checkany(L, 2);
  luaL_checkany(L, 3);
  lua_settop(L, 3);
  lua_rawset(L, 1);
  return 1;
}

// Lua 5.1's luaB_setmetatable itself (not a call to it), so that its errors
// name setmetatable and the script's line.
int sandbox_setmetatable(lua_State* L) {
  if (is_readonly(L, 1)) {
    lua_pushliteral(L, "Attempt to modify a readonly table");
    return lua_error(L);
  }
  const int t = lua_type(L, 2);
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_argcheck(L, t == LUA_TNIL || t == LUA_TTABLE, 2, "nil or table expected");
  if (luaL_getmetafield(L, 1, "__metatable")) luaL_error(L, "cannot change a protected metatable");
  lua_settop(L, 2);
  lua_setmetatable(L, 1);
  return 1;
}

// table.insert as Lua 5.1's tinsert, which writes array slots raw, except
// that a read-only table refuses the write (as in Redis's patched Lua).
int sandbox_table_insert(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  int end = static_cast<int>(lua_objlen(L, 1)) + 1;  // the first empty slot
  int pos = end;
  switch (lua_gettop(L)) {
    case 2:
      break;
    case 3:
      pos = luaL_checkint(L, 2);
      if (pos > end) end = pos;
      break;
    default:
      return luaL_error(L, "wrong number of arguments to 'insert'");
  }
  if (is_readonly(L, 1)) {
    lua_pushliteral(L, "Attempt to modify a readonly table");
    return lua_error(L);
  }
  for (int i = end; i > pos; --i) {  // t[i] = t[i-1]
    lua_rawgeti(L, 1, i - 1);
    lua_rawseti(L, 1, i);
  }
  lua_rawseti(L, 1, pos);  // t[pos] = v
  return 0;
}

int sandbox_rawget(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checkany(L, 2);
  lua_settop(L, 2);
  if (is_readonly(L, 1)) {
    lua_getfield(L, LUA_REGISTRYINDEX, kReadonlyKey);
    lua_pushvalue(L, 1);
    lua_rawget(L, -2);
    lua_replace(L, 1);
    lua_pop(L, 1);
  }
  lua_rawget(L, 1);
  return 1;
}

// next / pairs over a read-only proxy walk the real table.
void unwrap_readonly(lua_State* L, int idx) {
  if (!is_readonly(L, idx)) return;
  lua_getfield(L, LUA_REGISTRYINDEX, kReadonlyKey);
  lua_pushvalue(L, idx);
  lua_rawget(L, -2);
  lua_replace(L, idx);
  lua_pop(L, 1);
}

// Redis's Lua never loads precompiled chunks (bytecode can break out of the
// sandbox): a chunk starting with the bytecode signature's ESC is parsed as
// text, which fails on it ("unexpected symbol near 'char(27)'").
int load_text(lua_State* L, std::string_view code, const char* chunkname) {
  if (!code.empty() && code[0] == LUA_SIGNATURE[0]) {
    const std::string spaced = " " + std::string(code);  // not the signature any more
    return luaL_loadbuffer(L, spaced.data(), spaced.size(), chunkname);
  }
  return luaL_loadbuffer(L, code.data(), code.size(), chunkname);
}

// loadstring and load as Lua 5.1's luaB_loadstring / luaB_load, text only.
int sandbox_loadstring(lua_State* L) {
  std::size_t len = 0;
  const char* s = luaL_checklstring(L, 1, &len);
  const char* chunkname = luaL_optstring(L, 2, s);
  if (load_text(L, std::string_view(s, len), chunkname) == 0) return 1;
  lua_pushnil(L);
  lua_insert(L, -2);  // nil, message
  return 2;
}

struct TextReader {
  bool started = false;
  bool held = false;  // the first piece, held back behind a space
};

// Lua 5.1's generic_reader (the piece lives in stack slot 3), with a space
// before a first piece that starts with ESC.
const char* text_reader(lua_State* L, void* ud, std::size_t* size) {
  auto& r = *static_cast<TextReader*>(ud);
  if (r.held) {
    r.held = false;
    return lua_tolstring(L, 3, size);
  }
  luaL_checkstack(L, 2, "too many nested functions");
  lua_pushvalue(L, 1);
  lua_call(L, 0, 1);
  if (lua_isnil(L, -1)) {
    *size = 0;
    return nullptr;
  }
  if (!lua_isstring(L, -1)) luaL_error(L, "reader function must return a string");
  lua_replace(L, 3);
  const char* piece = lua_tolstring(L, 3, size);
  if (!r.started) {
    r.started = true;
    if (*size > 0 && piece[0] == LUA_SIGNATURE[0]) {
      r.held = true;
      *size = 1;
      return " ";
    }
  }
  return piece;
}

int sandbox_load(lua_State* L) {
  const char* chunkname = luaL_optstring(L, 2, "=(load)");
  luaL_checktype(L, 1, LUA_TFUNCTION);
  lua_settop(L, 3);  // the function, the name, the reader's slot
  TextReader reader;
  if (lua_load(L, text_reader, &reader, chunkname) == 0) return 1;
  lua_pushnil(L);
  lua_insert(L, -2);
  return 2;
}

// pcall as Redis 7.0 has it: an error table {err=...} comes back as its
// err string.
int sandbox_pcall(lua_State* L) {
  if (lua_gettop(L) == 0) {  // Redis's pcall then calls its own result placeholder
    lua_pushboolean(L, 0);
    lua_pushliteral(L, "attempt to call a boolean value");
    return 2;
  }
  const int status = lua_pcall(L, lua_gettop(L) - 1, LUA_MULTRET, 0);
  if (status != 0 && lua_istable(L, -1)) {
    lua_getfield(L, -1, "err");
    if (lua_type(L, -1) == LUA_TSTRING) {
      lua_replace(L, -2);
    } else {
      lua_pop(L, 1);
    }
  }
  lua_pushboolean(L, status == 0);
  lua_insert(L, 1);
  return lua_gettop(L);
}

int sandbox_next(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 2);
  unwrap_readonly(L, 1);
  if (lua_next(L, 1)) return 2;
  lua_pushnil(L);
  return 1;
}

int sandbox_pairs(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  unwrap_readonly(L, 1);
  lua_pushvalue(L, lua_upvalueindex(1));  // next
  lua_insert(L, 1);
  lua_pushnil(L);
  return 3;
}

// Redis's __redis__err__handler: turns any error into a table {err=...}
// with the source and line of the Lua code that raised it.
int error_handler(lua_State* L) {
  lua_Debug ar;
  bool found = false;
  if (lua_getstack(L, 1, &ar)) {
    lua_getinfo(L, "nSl", &ar);
    found = true;
    if (std::strcmp(ar.what, "C") == 0) found = lua_getstack(L, 2, &ar) && lua_getinfo(L, "nSl", &ar);
  }
  if (!lua_istable(L, 1)) {
    const char* msg = lua_tostring(L, 1);
    std::string text = "ERR ";
    if (msg != nullptr) {
      text.append(msg, lua_strlen(L, 1));
    } else if (lua_isnil(L, 1)) {
      text += "nil";
    } else if (lua_isboolean(L, 1)) {
      text += lua_toboolean(L, 1) ? "true" : "false";
    } else {
      text += luaL_typename(L, 1);
    }
    lua_newtable(L);
    lua_pushliteral(L, "err");
    lua_pushlstring(L, text.data(), text.size());
    lua_rawset(L, -3);
    lua_replace(L, 1);
  }
  lua_settop(L, 1);
  if (found) {
    lua_pushliteral(L, "source");
    lua_pushstring(L, ar.source);
    lua_rawset(L, 1);
    lua_pushliteral(L, "line");
    lua_pushinteger(L, ar.currentline);
    lua_rawset(L, 1);
  }
  return 1;
}

// ---------------------------------------------------------------------------
// The redis library, beside call / pcall.

int redis_sha1hex(lua_State* L) {
  if (lua_gettop(L) != 1) raise_error_table(L, "wrong number of arguments");
  std::size_t len = 0;
  const char* s = lua_tolstring(L, 1, &len);
  const std::string hex = sha1_hex(std::string_view(s ? s : "", s ? len : 0));
  lua_pushlstring(L, hex.data(), hex.size());
  return 1;
}

int return_single_field(lua_State* L, const char* field) {
  if (lua_gettop(L) != 1 || lua_type(L, -1) != LUA_TSTRING) {
    push_error_table(L, "wrong number or type of arguments");  // returned, not raised
    return 1;
  }
  lua_newtable(L);
  lua_pushstring(L, field);
  lua_pushvalue(L, -3);
  lua_settable(L, -3);
  return 1;
}

int redis_error_reply(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, -1) != LUA_TSTRING) {
    push_error_table(L, "wrong number or type of arguments");  // returned, not raised
    return 1;
  }
  std::size_t len = 0;
  const char* s = lua_tolstring(L, 1, &len);
  std::string text(s, len);
  if (text.empty() || text[0] != '-') text.insert(0, "-");
  push_error_table(L, text);
  return 1;
}

int redis_status_reply(lua_State* L) { return return_single_field(L, "ok"); }

int redis_log(lua_State* L) {
  const int argc = lua_gettop(L);
  if (argc < 2) raise_error_table(L, "redis.log() requires two arguments or more.");
  if (!lua_isnumber(L, 1)) raise_error_table(L, "First argument must be a number (log level).");
  const int level = static_cast<int>(lua_tonumber(L, 1));
  if (level < 0 || level > 3) raise_error_table(L, "Invalid debug level.");
  std::string text;
  for (int j = 2; j <= argc; ++j) {
    std::size_t len = 0;
    const char* s = lua_tolstring(L, j, &len);
    if (s == nullptr) continue;
    if (j != 2) text += ' ';
    text.append(s, len);
  }
  static constexpr spdlog::level::level_enum kLevels[] = {spdlog::level::debug, spdlog::level::info,
                                                          spdlog::level::info, spdlog::level::warn};
  spdlog::log(kLevels[level], "{}", text);
  return 0;
}

int redis_set_repl(lua_State* L) {
  if (lua_gettop(L) != 1) raise_error_table(L, "redis.set_repl() requires two arguments.");
  const int flags = static_cast<int>(lua_tonumber(L, -1));
  if ((flags & ~3) != 0) {
    raise_error_table(L, "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.");
  }
  return 0;
}

int redis_replicate_commands(lua_State* L) {
  lua_pushboolean(L, 1);
  return 1;
}

int redis_breakpoint(lua_State* L) {
  lua_pushboolean(L, 0);
  return 1;
}

int redis_debug(lua_State*) { return 0; }

// ---------------------------------------------------------------------------
// RESP (a command's reply) to Lua, as Redis's redisProtocolToLuaType.

class RespToLua {
 public:
  RespToLua(lua_State* L, std::string_view resp) : L_(L), p_(resp.data()), end_(resp.data() + resp.size()) {}

  // Pushes one value; `depth` guards the Lua stack.
  void push(int depth = 0) {
    if (depth > kMaxReplyDepth || !lua_checkstack(L_, 4)) raise_error_table(L_, "reached lua stack limit");
    const char type = *p_++;
    const std::string_view line = read_line();
    switch (type) {
      case ':':
        lua_pushnumber(L_, static_cast<lua_Number>(to_int(line)));
        return;
      case '$': {
        const long long n = to_int(line);
        if (n < 0) {
          lua_pushboolean(L_, 0);
          return;
        }
        lua_pushlstring(L_, p_, static_cast<std::size_t>(n));
        p_ += n + 2;
        return;
      }
      case '+':
        push_field_table("ok", line);
        return;
      case '-':
        // A command's error: Redis marks it so its error statistics count
        // it once, and scripts see the mark.
        push_field_table("err", line);
        lua_pushliteral(L_, "ignore_error_stats_update");
        lua_pushboolean(L_, 1);
        lua_settable(L_, -3);
        return;
      case '*':
      case '>': {
        const long long n = to_int(line);
        if (n < 0) {
          lua_pushboolean(L_, 0);
          return;
        }
        lua_createtable(L_, static_cast<int>(n), 0);
        bool holes = false;  // RESP3 nulls
        for (long long i = 1; i <= n; ++i) {
          push(depth + 1);
          holes = holes || lua_isnil(L_, -1);
          lua_rawseti(L_, -2, static_cast<int>(i));
        }
        if (holes) {
          // Redis grows the table key by key, and where the nils fall shows
          // in `#t`: build it again that way.
          lua_newtable(L_);
          for (long long i = 1; i <= n; ++i) {
            lua_rawgeti(L_, -2, static_cast<int>(i));
            lua_rawseti(L_, -2, static_cast<int>(i));
          }
          lua_remove(L_, -2);
        }
        return;
      }
      case '%': {
        const long long n = to_int(line);
        lua_newtable(L_);
        lua_pushliteral(L_, "map");
        lua_newtable(L_);
        for (long long i = 0; i < n; ++i) {
          push(depth + 1);
          push(depth + 1);
          lua_settable(L_, -3);
        }
        lua_settable(L_, -3);
        return;
      }
      case '~': {
        const long long n = to_int(line);
        lua_newtable(L_);
        lua_pushliteral(L_, "set");
        lua_newtable(L_);
        for (long long i = 0; i < n; ++i) {
          push(depth + 1);
          lua_pushboolean(L_, 1);
          lua_settable(L_, -3);
        }
        lua_settable(L_, -3);
        return;
      }
      case '_':
        lua_pushnil(L_);
        return;
      case '#':
        lua_pushboolean(L_, line == "t");
        return;
      case ',': {
        lua_newtable(L_);
        lua_pushliteral(L_, "double");
        const std::string text(line);
        lua_pushnumber(L_, std::strtod(text.c_str(), nullptr));
        lua_settable(L_, -3);
        return;
      }
      case '(':
        push_field_table("big_number", line);
        return;
      case '=': {
        const long long n = to_int(line);
        const std::string_view body(p_, static_cast<std::size_t>(n));
        p_ += n + 2;
        lua_newtable(L_);
        lua_pushliteral(L_, "verbatim_string");
        lua_newtable(L_);
        lua_pushliteral(L_, "string");
        lua_pushlstring(L_, body.data() + 4, body.size() - 4);
        lua_settable(L_, -3);
        lua_pushliteral(L_, "format");
        lua_pushlstring(L_, body.data(), 3);
        lua_settable(L_, -3);
        lua_settable(L_, -3);
        return;
      }
      case '|': {  // attributes are skipped, then the value they annotate
        const long long n = to_int(line);
        for (long long i = 0; i < 2 * n; ++i) {
          push(depth + 1);
          lua_pop(L_, 1);
        }
        push(depth);
        return;
      }
      default:
        lua_pushnil(L_);
        p_ = end_;
        return;
    }
  }

 private:
  std::string_view read_line() {
    const char* start = p_;
    while (p_ + 1 < end_ && !(p_[0] == '\r' && p_[1] == '\n')) ++p_;
    const std::string_view line(start, static_cast<std::size_t>(p_ - start));
    p_ += 2;
    return line;
  }
  static long long to_int(std::string_view s) {
    long long v = 0;
    bool neg = false;
    std::size_t i = 0;
    if (!s.empty() && s[0] == '-') {
      neg = true;
      i = 1;
    }
    for (; i < s.size(); ++i) v = v * 10 + (s[i] - '0');
    return neg ? -v : v;
  }
  void push_field_table(const char* field, std::string_view value) {
    lua_newtable(L_);
    lua_pushstring(L_, field);
    lua_pushlstring(L_, value.data(), value.size());
    lua_settable(L_, -3);
  }

  lua_State* L_;
  const char* p_;
  const char* end_;
};

// Redis's number formatting for command arguments ("%.17g").
std::string number_arg(lua_Number n) {
  char buf[64];
  const int len = std::snprintf(buf, sizeof buf, "%.17g", static_cast<double>(n));
  return std::string(buf, static_cast<std::size_t>(len));
}

}  // namespace

// ---------------------------------------------------------------------------
// Shebang and flags.

bool parse_script_flags(std::string_view list, unsigned& flags, std::string& bad) {
  std::size_t start = 0;
  while (start <= list.size()) {
    std::size_t comma = list.find(',', start);
    if (comma == std::string_view::npos) comma = list.size();
    const std::string_view name = list.substr(start, comma - start);
    start = comma + 1;
    if (name.empty() && comma == list.size() && list.empty()) break;
    bool known = false;
    for (const FlagName& f : kFlagNames) {
      if (f.name == name) {
        flags |= f.bit;
        known = true;
      }
    }
    if (!known) {
      bad = std::string(name);
      return false;
    }
    if (comma == list.size()) break;
  }
  return true;
}

std::string parse_shebang(std::string_view body, unsigned& flags, std::size_t& body_offset) {
  flags = kEvalCompat;
  body_offset = 0;
  if (body.substr(0, 2) != "#!") return {};
  const std::size_t end = util::c_string(body).find('\n');  // Redis's strchr
  if (end == std::string_view::npos) return "ERR Invalid script shebang";
  const auto parts = util::split_args(body.substr(0, end));
  if (!parts || parts->empty()) return "ERR Invalid engine in script shebang";
  if ((*parts)[0] != "#!lua") return "ERR Unexpected engine in script shebang: " + (*parts)[0];
  flags = 0;
  for (std::size_t j = 1; j < parts->size(); ++j) {
    const std::string& part = (*parts)[j];
    if (part.rfind("flags=", 0) != 0) return "ERR Unknown lua shebang option: " + part;
    std::string bad;
    if (!parse_script_flags(std::string_view(part).substr(6), flags, bad)) {
      return "ERR Unexpected flag in script shebang: " + bad;
    }
  }
  body_offset = end;
  return {};
}

// ---------------------------------------------------------------------------
// Scripting (server-wide).

void ScriptCache::add(const std::string& sha, std::string_view body) {
  std::lock_guard lock(mutex_);
  auto [it, inserted] = bodies_.try_emplace(sha, body);
  if (inserted) bytes_ += sha.size() + body.size() + 64;
}

bool ScriptCache::find(std::string_view sha, std::string& body) const {
  if (sha.size() != 40) return false;
  std::string key(sha);
  for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::lock_guard lock(mutex_);
  auto it = bodies_.find(key);
  if (it == bodies_.end()) return false;
  body = it->second;
  return true;
}

bool ScriptCache::contains(std::string_view sha) const {
  if (sha.size() != 40) return false;
  std::string key(sha);
  for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::lock_guard lock(mutex_);
  return bodies_.contains(key);
}

std::optional<unsigned> ScriptCache::flags(std::string_view sha) const {
  if (sha.size() != 40) return std::nullopt;
  std::string key(sha);
  for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::lock_guard lock(mutex_);
  auto it = bodies_.find(key);
  if (it == bodies_.end()) return std::nullopt;
  unsigned flags = 0;
  std::size_t offset = 0;
  if (!parse_shebang(it->second, flags, offset).empty()) return std::nullopt;
  return flags;
}

void ScriptCache::flush() {
  std::unordered_map<std::string, std::string> old;
  {
    std::lock_guard lock(mutex_);
    old.swap(bodies_);
    bytes_ = 0;
    generation_.fetch_add(1, std::memory_order_acq_rel);
  }
}

std::size_t ScriptCache::count() const {
  std::lock_guard lock(mutex_);
  return bodies_.size();
}

std::size_t ScriptCache::memory() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

std::string FunctionLibraries::add(Library lib, bool replace) {
  std::lock_guard lock(mutex_);
  const auto old = libraries_.find(lib.name);
  for (const FunctionInfo& f : lib.functions) {
    const auto owner = owner_.find(util::to_lower(f.name));
    if (owner != owner_.end() && !(replace && owner->second == lib.name)) {
      return "ERR Function " + f.name + " already exists";
    }
  }
  if (old != libraries_.end()) {
    for (const FunctionInfo& f : old->second.functions) owner_.erase(util::to_lower(f.name));
    libraries_.erase(old);
  }
  for (const FunctionInfo& f : lib.functions) owner_.emplace(util::to_lower(f.name), lib.name);
  const std::string name = lib.name;
  libraries_.emplace(name, std::move(lib));
  generation_.fetch_add(1, std::memory_order_acq_rel);
  return {};
}

bool FunctionLibraries::exists(const std::string& name) const {
  std::lock_guard lock(mutex_);
  return libraries_.contains(name);
}

std::optional<unsigned> FunctionLibraries::function_flags(std::string_view name) const {
  std::lock_guard lock(mutex_);
  const auto owner = owner_.find(util::to_lower(name));
  if (owner == owner_.end()) return std::nullopt;
  const auto lib = libraries_.find(owner->second);
  if (lib == libraries_.end()) return std::nullopt;
  for (const FunctionInfo& f : lib->second.functions) {
    if (util::iequals(f.name, name)) return f.flags;
  }
  return std::nullopt;
}

bool FunctionLibraries::remove(const std::string& name) {
  std::lock_guard lock(mutex_);
  const auto it = libraries_.find(name);
  if (it == libraries_.end()) return false;
  for (const FunctionInfo& f : it->second.functions) owner_.erase(util::to_lower(f.name));
  libraries_.erase(it);
  generation_.fetch_add(1, std::memory_order_acq_rel);
  return true;
}

void FunctionLibraries::flush() {
  std::lock_guard lock(mutex_);
  libraries_.clear();
  owner_.clear();
  generation_.fetch_add(1, std::memory_order_acq_rel);
}

std::map<std::string, Library> FunctionLibraries::snapshot() const {
  std::lock_guard lock(mutex_);
  return libraries_;
}

std::size_t FunctionLibraries::library_count() const {
  std::lock_guard lock(mutex_);
  return libraries_.size();
}

std::size_t FunctionLibraries::function_count() const {
  std::lock_guard lock(mutex_);
  return owner_.size();
}

std::size_t FunctionLibraries::memory() const {
  std::lock_guard lock(mutex_);
  std::size_t bytes = 0;
  for (const auto& [name, lib] : libraries_) {
    bytes += name.size() + lib.code.size() + 64;
    for (const FunctionInfo& f : lib.functions) bytes += f.name.size() + f.description.size() + 64;
  }
  return bytes;
}

Scripting::Scripting() = default;

Scripting::~Scripting() {
  for (auto& e : engines_) delete e.load();
  for (auto& e : function_engines_) delete e.load();
}

LuaEngine& Scripting::function_engine(int loop) {
  auto& slot = function_engines_.at(static_cast<std::size_t>(loop));
  LuaEngine* e = slot.load(std::memory_order_acquire);
  if (e == nullptr) {
    e = new LuaEngine(*this, loop, true);
    slot.store(e, std::memory_order_release);
  }
  return *e;
}

std::size_t Scripting::functions_vm_memory() const {
  std::size_t total = 0;
  for (const auto& slot : function_engines_) {
    if (const LuaEngine* e = slot.load(std::memory_order_acquire)) total += e->vm_bytes();
  }
  return total;
}

LuaEngine& Scripting::engine(int loop) {
  auto& slot = engines_.at(static_cast<std::size_t>(loop));
  LuaEngine* e = slot.load(std::memory_order_acquire);
  if (e == nullptr) {
    e = new LuaEngine(*this, loop);
    slot.store(e, std::memory_order_release);
  }
  return *e;
}

void LuaEngine::note_vm_bytes() {
  vm_bytes_.store(static_cast<std::size_t>(lua_gc(L_, LUA_GCCOUNT, 0)) * 1024 + lua_gc(L_, LUA_GCCOUNTB, 0),
                  std::memory_order_relaxed);
}

void Scripting::release_flushed(int loop) {
  if (running.running.load(std::memory_order_acquire)) return;
  if (LuaEngine* e = engines_.at(static_cast<std::size_t>(loop)).load(std::memory_order_acquire)) {
    e->check_generation();
  }
}

void Scripting::set_poller(int loop, std::function<void()> poll) {
  pollers_.at(static_cast<std::size_t>(loop)) = std::move(poll);
}

std::size_t Scripting::vm_memory() const {
  std::size_t total = 0;
  for (const auto& slot : engines_) {
    if (const LuaEngine* e = slot.load(std::memory_order_acquire)) total += e->vm_bytes();
  }
  return total;
}

// ---------------------------------------------------------------------------
// The engine.

struct LuaEngine::RunState {
  commands::CommandContext* ctx = nullptr;
  std::string_view name;
  unsigned flags = 0;
  bool read_only = false;
  bool is_function = false;
  bool oom_at_start = false;
  bool wrote = false;
  bool killed = false;
  int resp = 2;
  std::int64_t start_ms = 0;
  std::string out;  // a called command's reply
};

LuaEngine::LuaEngine(Scripting& scripting, int loop, bool functions)
    : scripting_(scripting), loop_(loop), functions_mode_(functions) {
  script_client_.loop = loop;
  script_client_.addr = "?:0";  // Redis's fake client's peer id, as SLOWLOG shows it (MONITOR shows "lua")
  set_up();
}

LuaEngine::~LuaEngine() {
  if (L_ != nullptr) lua_close(L_);
}

LuaEngine& LuaEngine::self(lua_State* L) {
  lua_getfield(L, LUA_REGISTRYINDEX, kEngineKey);
  auto* e = static_cast<LuaEngine*>(lua_touserdata(L, -1));
  lua_pop(L, 1);
  return *e;
}

void LuaEngine::set_up() {
  L_ = luaL_newstate();
  lua_State* L = L_;
  lua_pushlightuserdata(L, this);
  lua_setfield(L, LUA_REGISTRYINDEX, kEngineKey);
  lua_newtable(L);
  lua_newtable(L);
  lua_pushliteral(L, "k");
  lua_setfield(L, -2, "__mode");
  lua_setmetatable(L, -2);
  lua_setfield(L, LUA_REGISTRYINDEX, kReadonlyKey);

  const struct {
    const char* name;
    lua_CFunction open;
  } libs[] = {
      {"", luaopen_base},
      {LUA_TABLIBNAME, luaopen_table},
      {LUA_STRLIBNAME, luaopen_string},
      {LUA_MATHLIBNAME, luaopen_math},
  };
  for (const auto& lib : libs) {
    lua_pushcfunction(L, lib.open);
    lua_pushstring(L, lib.name);
    lua_call(L, 1, 0);
  }
  lua_getglobal(L, LUA_MATHLIBNAME);
  const struct {
    const char* name;
    lua_CFunction fn;
  } math_fns[] = {{"random", redis_math_random}, {"randomseed", redis_math_randomseed}};
  for (const auto& f : math_fns) {
    lua_pushlightuserdata(L, &scripting_.lua_random);
    lua_pushcclosure(L, f.fn, 1);
    lua_setfield(L, -2, f.name);
  }
  lua_pop(L, 1);
  lua_pushcfunction(L, luaopen_cjson);
  lua_call(L, 0, 1);
  lua_setglobal(L, "cjson");
  lua_pushcfunction(L, luaopen_bit);
  lua_call(L, 0, 1);
  lua_setglobal(L, "bit");
  lua_pushcfunction(L, open_struct);
  lua_call(L, 0, 1);
  lua_setglobal(L, "struct");
  lua_pushcfunction(L, open_cmsgpack);
  lua_call(L, 0, 1);
  lua_setglobal(L, "cmsgpack");
  guard_libraries(L);
  for (const char* name : kRemovedGlobals) {
    lua_pushnil(L);
    lua_setglobal(L, name);
  }

  // The redis table.
  lua_newtable(L);
  const struct {
    const char* name;
    lua_CFunction fn;
  } redis_fns[] = {
      {"call", lua_call_command},
      {"pcall", lua_pcall_command},
      {"sha1hex", redis_sha1hex},
      {"error_reply", redis_error_reply},
      {"status_reply", redis_status_reply},
      {"log", redis_log},
      {"setresp",
       [](lua_State* L) -> int {
         if (lua_gettop(L) != 1) raise_error_table(L, "redis.setresp() requires one argument.");
         const int resp = static_cast<int>(lua_tonumber(L, -1));
         if (resp != 2 && resp != 3) raise_error_table(L, "RESP version must be 2 or 3.");
         LuaEngine& e = self(L);
         if (e.run_ != nullptr) e.run_->resp = resp;
         return 0;
       }},
      {"set_repl", redis_set_repl},
      {"replicate_commands", redis_replicate_commands},
      {"breakpoint", redis_breakpoint},
      {"debug", redis_debug},
      {"acl_check_cmd", lua_acl_check_cmd},
  };
  for (const auto& f : redis_fns) {
    // EVAL's own API, which functions do not see (Redis's scriptingInit).
    const std::string_view name = f.name;
    if (functions_mode_ && (name == "replicate_commands" || name == "breakpoint" || name == "debug")) continue;
    // call and pcall find their engine in an upvalue (no registry lookup).
    lua_pushlightuserdata(L, this);
    lua_pushcclosure(L, f.fn, 1);
    lua_setfield(L, -2, f.name);
  }
  const struct {
    const char* name;
    int value;
  } constants[] = {
      {"LOG_DEBUG", 0}, {"LOG_VERBOSE", 1}, {"LOG_NOTICE", 2}, {"LOG_WARNING", 3},
      {"REPL_NONE", 0}, {"REPL_AOF", 1},    {"REPL_SLAVE", 2}, {"REPL_REPLICA", 2},
      {"REPL_ALL", 3},  {"REDIS_VERSION_NUM", kRedisVersionNum},
  };
  for (const auto& c : constants) {
    lua_pushinteger(L, c.value);
    lua_setfield(L, -2, c.name);
  }
  lua_pushlstring(L, kRedisVersion.data(), kRedisVersion.size());
  lua_setfield(L, -2, "REDIS_VERSION");
  lua_setglobal(L, "redis");

  lua_pushcfunction(L, error_handler);
  lua_pushvalue(L, -1);
  handler_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);
  if (functions_mode_) {
    lua_pop(L, 1);
  } else {
    lua_setglobal(L, "__redis__err__handler");
  }

  // Sandboxed builtins.
  lua_pushcfunction(L, sandbox_rawset);
  lua_setglobal(L, "rawset");
  lua_pushcfunction(L, sandbox_pcall);
  lua_setglobal(L, "pcall");
  lua_pushcfunction(L, sandbox_rawget);
  lua_setglobal(L, "rawget");
  lua_pushcfunction(L, sandbox_loadstring);
  lua_setglobal(L, "loadstring");
  lua_pushcfunction(L, sandbox_load);
  lua_setglobal(L, "load");
  lua_getglobal(L, LUA_TABLIBNAME);
  lua_pushcfunction(L, sandbox_table_insert);
  lua_setfield(L, -2, "insert");
  lua_pop(L, 1);
  lua_pushcfunction(L, sandbox_setmetatable);
  lua_setglobal(L, "setmetatable");
  lua_getglobal(L, "getmetatable");
  lua_pushcclosure(L, sandbox_getmetatable, 1);
  lua_setglobal(L, "getmetatable");
  lua_pushcfunction(L, sandbox_next);
  lua_pushvalue(L, -1);
  lua_setglobal(L, "next");
  lua_pushcclosure(L, sandbox_pairs, 1);
  lua_setglobal(L, "pairs");

  // Libraries become read-only proxies.
  lua_pushvalue(L, LUA_GLOBALSINDEX);
  const int real = lua_gettop(L);
  for (const char* name : {"redis", "string", "math", "table", "coroutine", "cjson", "bit", "struct",
                           "cmsgpack"}) {
    lua_getfield(L, real, name);
    push_readonly_proxy(L, -1);
    lua_setfield(L, real, name);
    lua_pop(L, 1);
  }
  // Strings' methods come from the string proxy, and their metatable reads
  // as a read-only table (Redis 7.0.15 as Debian patches it).
  lua_pushliteral(L, "");
  lua_getmetatable(L, -1);
  lua_getfield(L, real, "string");
  lua_setfield(L, -2, "__index");
  set_metatable_answer(L, -2);
  lua_pop(L, 1);
  // Unknown globals raise an error; the scripts' globals are a read-only
  // proxy of the real table (whose _G is that proxy too).
  lua_newtable(L);
  lua_pushcfunction(L, nonexistent_global);
  lua_setfield(L, -2, "__index");
  lua_setmetatable(L, real);
  push_readonly_proxy(L, real);
  lua_getmetatable(L, real);
  set_metatable_answer(L, -2);
  lua_getmetatable(L, -1);
  globals_mt_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_pushvalue(L, -1);
  lua_setfield(L, real, "_G");
  if (functions_mode_) {
    // What a library's code sees while it loads: only redis.register_function,
    // redis.log and the version; any other global is unknown.
    lua_newtable(L);
    const int api = lua_gettop(L);
    lua_newtable(L);
    lua_pushcfunction(L, register_function);
    lua_setfield(L, -2, "register_function");
    lua_pushcfunction(L, redis_log);
    lua_setfield(L, -2, "log");
    for (const auto& c : constants) {
      if (std::string_view(c.name).substr(0, 4) == "LOG_" || std::string_view(c.name) == "REDIS_VERSION_NUM") {
        lua_pushinteger(L, c.value);
        lua_setfield(L, -2, c.name);
      }
    }
    lua_pushlstring(L, kRedisVersion.data(), kRedisVersion.size());
    lua_setfield(L, -2, "REDIS_VERSION");
    lua_newtable(L);
    lua_pushcfunction(L, nonexistent_global);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, -2);
    push_readonly_proxy(L, -1);
    lua_setfield(L, api, "redis");
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushcfunction(L, nonexistent_global);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, api);
    load_api_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);
  }
  lua_pushvalue(L, real);
  globals_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_replace(L, LUA_GLOBALSINDEX);
  lua_settop(L, 0);
  note_vm_bytes();
}

int LuaEngine::register_function(lua_State* L) {
  LuaEngine& e = self(L);
  if (e.loading_ == nullptr) raise_error_table(L, "redis.register_function can only be called on FUNCTION LOAD command");
  FunctionInfo info;
  const int argc = lua_gettop(L);
  bool has_name = false;
  bool has_callback = false;
  if (argc == 1) {
    if (!lua_istable(L, 1)) {
      raise_error_table(L, "calling redis.register_function with a single argument is only applicable to Lua "
                           "table (representing named arguments).");
    }
    lua_pushnil(L);
    while (lua_next(L, 1)) {
      const char* key = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : nullptr;
      const std::string_view k = key ? key : "";
      if (util::iequals(k, "function_name")) {
        if (!lua_isstring(L, -1)) {
          raise_error_table(L, "function_name argument given to redis.register_function must be a string");
        }
        info.name = lua_string(L, -1);
        has_name = true;
      } else if (util::iequals(k, "description")) {
        if (!lua_isstring(L, -1)) {
          raise_error_table(L, "description argument given to redis.register_function must be a string");
        }
        info.description = lua_string(L, -1);
        info.has_description = true;
      } else if (util::iequals(k, "callback")) {
        if (!lua_isfunction(L, -1)) {
          raise_error_table(L, "callback argument given to redis.register_function must be a function");
        }
        lua_pushvalue(L, -1);
        lua_setfield(L, LUA_REGISTRYINDEX, "larder.callback");
        has_callback = true;
      } else if (util::iequals(k, "flags")) {
        if (!lua_istable(L, -1)) {
          raise_error_table(L, "flags argument to redis.register_function must be a table representing function flags");
        }
        for (int j = 1;; ++j) {
          lua_rawgeti(L, -1, j);
          if (lua_isnil(L, -1)) {
            lua_pop(L, 1);
            break;
          }
          // One flag per string, any case (Redis's strcasecmp).
          const FlagName* flag = nullptr;
          if (lua_isstring(L, -1)) {
            const std::string_view name = lua_tostring(L, -1);
            for (const FlagName& f : kFlagNames) {
              if (util::iequals(f.name, name)) flag = &f;
            }
          }
          if (flag == nullptr) raise_error_table(L, "unknown flag given");
          info.flags |= flag->bit;
          lua_pop(L, 1);
        }
      } else {
        raise_error_table(L, "unknown argument given to redis.register_function");
      }
      lua_pop(L, 1);
    }
    if (!has_name) raise_error_table(L, "redis.register_function must get a function name argument");
    if (!has_callback) raise_error_table(L, "redis.register_function must get a callback argument");
  } else if (argc == 2) {
    if (!lua_isstring(L, 1)) raise_error_table(L, "first argument to redis.register_function must be a string");
    if (!lua_isfunction(L, 2)) raise_error_table(L, "second argument to redis.register_function must be a function");
    info.name = lua_string(L, 1);
    lua_pushvalue(L, 2);
    lua_setfield(L, LUA_REGISTRYINDEX, "larder.callback");
  } else {
    raise_error_table(L, "wrong number of arguments to redis.register_function");
  }
  const bool valid = !info.name.empty() && std::all_of(info.name.begin(), info.name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
  if (!valid) {
    raise_error_table(L, "Library names can only contain letters, numbers, or underscores(_) and must be at least "
                         "one character long");
  }
  if (e.loading_refs_.contains(info.name)) raise_error_table(L, "Function already exists in the library");
  lua_getfield(L, LUA_REGISTRYINDEX, "larder.callback");
  const int ref = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_pushnil(L);
  lua_setfield(L, LUA_REGISTRYINDEX, "larder.callback");
  e.loading_refs_[info.name] = Function{ref, info.flags};
  e.loading_->push_back(std::move(info));
  return 0;
}

void LuaEngine::load_hook(lua_State* L, lua_Debug*) {
  LuaEngine& e = self(L);
  if (util::steady_ms() <= e.load_deadline_ms_) return;
  lua_sethook(L, load_hook, LUA_MASKLINE, 0);  // raised again if the code catches it
  raise_error_table(L, "FUNCTION LOAD timeout");
}

bool LuaEngine::load_library(std::string_view code, std::vector<FunctionInfo>& out, std::string& error) {
  lua_State* L = L_;
  lua_settop(L, 0);
  out.clear();
  loading_refs_.clear();
  if (load_text(L, code, "@user_function") != 0) {
    const char* msg = lua_tostring(L, -1);
    error = "ERR Error compiling function: " + std::string(msg ? msg : "");
    lua_settop(L, 0);
    return false;
  }
  lua_pushcfunction(L, error_handler);
  lua_insert(L, 1);
  auto set_globals_index = [&](int ref) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, globals_mt_ref_);
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);
  };
  set_globals_index(load_api_ref_);
  loading_ = &out;
  // A library's code gets 500 ms to load (Redis's load timeout).
  load_deadline_ms_ = util::steady_ms() + kLoadTimeoutMs;
  lua_sethook(L, load_hook, LUA_MASKCOUNT, kHookInstructions);
  const int status = lua_pcall(L, 0, 0, 1);
  lua_sethook(L, nullptr, 0, 0);
  loading_ = nullptr;
  set_globals_index(globals_ref_);
  if (status != 0) {
    std::string text;
    if (lua_istable(L, -1)) {
      lua_getfield(L, -1, "err");
      const char* msg = lua_tostring(L, -1);
      text = msg ? msg : "";
      lua_pop(L, 1);
    }
    error = "ERR Error registering functions: " + text;
  } else if (out.empty()) {
    error = "ERR No functions registered";
  }
  lua_settop(L, 0);
  if (!error.empty()) {
    for (auto& [name, f] : loading_refs_) luaL_unref(L, LUA_REGISTRYINDEX, f.ref);
    loading_refs_.clear();
    return false;
  }
  for (auto& [name, f] : loading_refs_) {
    if (!functions_.emplace(util::to_lower(name), f).second) luaL_unref(L, LUA_REGISTRYINDEX, f.ref);
  }
  loading_refs_.clear();
  return true;
}

void LuaEngine::sync_functions() {
  const std::uint64_t g = scripting_.functions.generation();
  if (g == functions_generation_) return;
  functions_generation_ = g;
  for (auto& [name, f] : functions_) luaL_unref(L_, LUA_REGISTRYINDEX, f.ref);
  functions_.clear();
  for (const auto& [name, lib] : scripting_.functions.snapshot()) {
    const std::size_t nl = lib.code.find('\n');
    std::vector<FunctionInfo> registered;
    std::string error;
    if (!load_library(std::string_view(lib.code).substr(nl == std::string::npos ? lib.code.size() : nl), registered,
                      error)) {
      spdlog::warn("library {} failed to load on event loop {}: {}", name, loop_, error);
    }
  }
  lua_gc(L_, LUA_GCCOLLECT, 0);
  note_vm_bytes();
}

const LuaEngine::Function* LuaEngine::function(std::string_view name) {
  sync_functions();
  const auto it = functions_.find(util::to_lower(name));
  return it == functions_.end() ? nullptr : &it->second;
}

// SCRIPT FLUSH starts a fresh interpreter, as Redis's scriptingReset: what
// scripts changed in the libraries' settings (cjson's, the random seed)
// goes with the compiled scripts.
void LuaEngine::check_generation() {
  const std::uint64_t g = scripting_.scripts.generation();
  if (g == generation_) return;
  generation_ = g;
  scripts_.clear();
  lua_close(L_);
  set_up();
}

const LuaEngine::Script* LuaEngine::script(const std::string& sha, std::optional<std::string_view> body,
                                           std::string& error) {
  check_generation();
  auto it = scripts_.find(sha);
  if (it != scripts_.end()) return &it->second;
  std::string from_cache;
  if (!body) {
    if (!scripting_.scripts.find(sha, from_cache)) return nullptr;
    body = from_cache;
  }
  unsigned flags = 0;
  std::size_t offset = 0;
  error = parse_shebang(*body, flags, offset);
  if (!error.empty()) return nullptr;
  const std::string_view code = body->substr(offset);
  if (load_text(L_, code, "@user_script") != 0) {
    std::size_t len = 0;
    const char* msg = lua_tolstring(L_, -1, &len);
    error = "ERR Error compiling script (new function): " + std::string(msg ? msg : "", msg ? len : 0);
    lua_pop(L_, 1);
    return nullptr;
  }
  const int ref = luaL_ref(L_, LUA_REGISTRYINDEX);
  scripting_.scripts.add(sha, *body);
  note_vm_bytes();
  return &scripts_.emplace(sha, Script{ref, flags}).first->second;
}

void LuaEngine::hook(lua_State* L, lua_Debug*) {
  LuaEngine& e = self(L);
  RunState* run = e.run_;
  if (run == nullptr) return;
  RunningScript& running = e.scripting_.running;
  if (running.shutting_down.load(std::memory_order_relaxed)) run->killed = true;
  if (run->killed) {
    // Stays raised until the script ends, even through its own pcall.
    raise_error_table(L, "Script killed by user with SCRIPT KILL...");
  }
  const std::int64_t elapsed = util::steady_ms() - run->start_ms;
  if (elapsed < run->ctx->config.busy_reply_threshold_ms()) return;
  if (!running.busy.load(std::memory_order_relaxed)) {
    spdlog::warn(
        "Slow script detected: still in execution after {} milliseconds. You can try killing the script "
        "using the {} command. Script name is: {}.",
        elapsed, run->is_function ? "FUNCTION KILL" : "SCRIPT KILL", run->name);
    running.busy.store(true, std::memory_order_release);
  }
  // Serve the other clients of this loop: they get BUSY, or SCRIPT KILL.
  if (const auto& poll = e.scripting_.poller(e.loop_)) poll();
  if (running.kill_requested.load(std::memory_order_acquire)) {
    running.kill_requested.store(false, std::memory_order_relaxed);
    run->killed = true;
    spdlog::warn("Lua script killed by user with SCRIPT KILL.");
    lua_sethook(L, hook, LUA_MASKLINE, 0);
    raise_error_table(L, "Script killed by user with SCRIPT KILL...");
  }
}

int LuaEngine::lua_call_command(lua_State* L) { return call_common(L, true); }
int LuaEngine::lua_pcall_command(lua_State* L) { return call_common(L, false); }

// redis.acl_check_cmd: may the calling client's user run this command line
// (Redis's luaRedisAclCheckCmdPermissionsCommand: arity unchecked, a
// container alone checked as itself, nothing logged)?
int LuaEngine::lua_acl_check_cmd(lua_State* L) {
  LuaEngine& e = *static_cast<LuaEngine*>(lua_touserdata(L, lua_upvalueindex(1)));
  if (e.run_ == nullptr) raise_error_table(L, "redis.acl_check_cmd can only be called inside a script invocation");
  const int argc = lua_gettop(L);
  if (argc == 0) raise_error_table(L, "Please specify at least one argument for this redis lib call");
  std::vector<std::string> args;
  for (int j = 1; j <= argc; ++j) {
    std::size_t len = 0;
    const char* s = lua_tolstring(L, j, &len);
    if (s == nullptr) raise_error_table(L, "Lua redis lib command arguments must be strings or integers");
    args.emplace_back(s, len);
  }
  const std::vector<std::string_view> views(args.begin(), args.end());
  const auto resolved = commands::CommandTable::instance().resolve(views);
  const commands::CommandSpec* spec = resolved.spec;
  if (spec == nullptr || (!resolved.error.empty() && (spec->flags & commands::kContainer) && argc >= 2)) {
    raise_error_table(L, "Invalid command passed to redis.acl_check_cmd()");
  }
  const auto& user = commands::client_user(e.run_->ctx->server, e.run_->ctx->client);
  lua_pushboolean(L, user->unrestricted() || acl::check_command(*user->get(), *spec, views).denial == acl::Denial::kNone);
  return 1;
}

int LuaEngine::call_common(lua_State* L, bool raise) {
  LuaEngine& e = *static_cast<LuaEngine*>(lua_touserdata(L, lua_upvalueindex(1)));
  RunState* run = e.run_;
  const int argc = lua_gettop(L);
  auto fail = [&](std::string_view text) -> int {
    push_error_table(L, text);
    if (raise) return lua_error(L);
    return 1;
  };
  if (run == nullptr) return fail("redis.call/pcall can only be called inside a script invocation");
  if (argc == 0) return fail("Please specify at least one argument for this redis lib call");
  // Reused between calls: their buffers keep their capacity.
  std::vector<std::string>& owned = e.call_args_;
  if (owned.size() < static_cast<std::size_t>(argc)) owned.resize(static_cast<std::size_t>(argc));
  for (int j = 1; j <= argc; ++j) {
    const int type = lua_type(L, j);
    std::string& arg = owned[static_cast<std::size_t>(j - 1)];
    if (type == LUA_TNUMBER) {
      arg = number_arg(lua_tonumber(L, j));
    } else if (type == LUA_TSTRING) {
      std::size_t len = 0;
      const char* s = lua_tolstring(L, j, &len);
      arg.assign(s, len);
    } else {
      return fail("Lua redis lib command arguments must be strings or integers");
    }
  }
  // Copied: off the stack, which leaves room for the reply however many
  // arguments unpack() put there (as Redis's luaRedisGenericCommand).
  lua_pop(L, argc);
  std::vector<std::string_view>& args = e.call_views_;
  args.assign(owned.begin(), owned.begin() + argc);
  const commands::CommandTable& table = commands::CommandTable::instance();
  const auto resolved = table.resolve(args);
  const commands::CommandSpec* spec = resolved.spec;
  commands::CommandContext& caller = *run->ctx;
  // A command refused before it runs counts as an error reply and a rejected
  // call, and its error table says so (Redis's scriptCall).
  auto refuse = [&](const commands::CommandSpec* refused, std::string_view text) -> int {
    commands::Dispatcher::count_rejected(*caller.server.loop_stats.at(e.script_client_.loop), refused, text);
    push_error_table(L, text);
    lua_pushliteral(L, "ignore_error_stats_update");
    lua_pushboolean(L, 1);
    lua_rawset(L, -3);
    if (raise) return lua_error(L);
    return 1;
  };
  if (spec == nullptr || (!resolved.error.empty() && (spec->flags & commands::kContainer) && argc >= 2)) {
    return refuse(nullptr, "Unknown Redis command called from script");
  }
  if (!resolved.error.empty()) return refuse(spec, "Wrong number of args calling Redis command from script");
  if (spec->flags & commands::kNoScript) return refuse(spec, "This Redis command is not allowed from script");
  // Checked against the calling client's user, as Redis's scriptVerifyACL.
  switch (commands::acl_check(caller.server, caller.client, *spec, args, acl::LogContext::kLua, nullptr, caller.now_ms).denial) {
    case acl::Denial::kNone: break;
    case acl::Denial::kCommand:
      return refuse(spec, "The user executing the script can't run this command or subcommand");
    case acl::Denial::kKey:
      return refuse(spec, "The user executing the script can't access at least one of the keys mentioned in the command arguments");
    case acl::Denial::kChannel:
      return refuse(spec, "The user executing the script can't publish to the channel mentioned in the command");
    default: return refuse(spec, "The user executing the script is lacking the permissions for the command");
  }
  if (run->read_only && (spec->flags & (commands::kWrite | commands::kMayReplicate))) {
    return refuse(spec, "Write commands are not allowed from read-only scripts.");
  }
  // A script that wrote already may go on (Redis's SCRIPT_WRITE_DIRTY).
  if ((spec->flags & commands::kWrite) && !run->wrote && caller.server.persistence != nullptr &&
      caller.server.persistence->writes_refused()) {
    return refuse(spec, "-" + std::string(err::kMisconf));
  }
  if ((spec->flags & commands::kWrite) && !run->wrote && caller.server.config.writes_need_replicas()) {
    return refuse(spec, "-" + std::string(err::kNoReplicas));
  }
  if (!(run->flags & kAllowOom) && !run->wrote && run->oom_at_start && (spec->flags & commands::kDenyOom)) {
    return refuse(spec, "-" + std::string(err::kOom));
  }
  if (spec->flags & commands::kWrite) {
    run->wrote = true;
    e.scripting_.running.wrote.store(true, std::memory_order_relaxed);
  }
  run->out.clear();
  protocol::ReplyBuilder reply(run->out);
  reply.set_protocol(run->resp);
  e.script_client_.resp.store(run->resp, std::memory_order_relaxed);
  commands::CommandContext sub{*spec,         args,          reply,         e.script_client_, caller.keyspace,
                               caller.server, caller.config, caller.now_ms};
  sub.in_script = true;
  if (caller.locks != nullptr) {
    // Keys the script did not declare: their shards are locked now, until
    // the script ends (it holds the script lock, see ShardLocks).
    commands::CommandTable::add_key_locks(*spec, args, *caller.locks);
    caller.locks->acquire();
    sub.locks = caller.locks;
  }
  commands::Dispatcher::run_locked(*spec, sub);
  caller.server.tracking.script_command_ran(*spec, caller.spec, caller.args);
  for (int j = 0; j < argc; ++j) {
    std::string& arg = owned[static_cast<std::size_t>(j)];
    if (arg.capacity() > kKeptArgBytes) std::string().swap(arg);
  }
  if (run->out.empty()) {
    lua_pushboolean(L, 0);
    return 1;
  }
  const bool is_error = run->out[0] == '-';
  RespToLua(L, run->out).push();
  run->out.clear();
  if (raise && is_error) return lua_error(L);
  return 1;
}

void LuaEngine::reply_from_lua(commands::CommandContext& ctx, int depth) {
  lua_State* L = L_;
  protocol::ReplyBuilder& reply = ctx.reply;
  if (depth > kMaxReplyDepth || !lua_checkstack(L, 4)) {
    reply.error("ERR reached lua stack limit");
    lua_pop(L, 1);
    return;
  }
  switch (lua_type(L, -1)) {
    case LUA_TSTRING: {
      std::size_t len = 0;
      const char* s = lua_tolstring(L, -1, &len);
      reply.bulk(std::string_view(s, len));
      break;
    }
    case LUA_TBOOLEAN:
      if (run_->resp == 2) {
        if (lua_toboolean(L, -1)) {
          reply.integer(1);
        } else {
          reply.null();
        }
      } else {
        reply.boolean(lua_toboolean(L, -1) != 0);
      }
      break;
    case LUA_TNUMBER:
      reply.integer(static_cast<std::int64_t>(static_cast<long long>(lua_tonumber(L, -1))));
      break;
    case LUA_TTABLE: {
      auto field = [&](const char* name, int type) {
        lua_pushstring(L, name);
        lua_rawget(L, -2);
        if (lua_type(L, -1) == type) return true;
        lua_pop(L, 1);
        return false;
      };
      if (field("err", LUA_TSTRING)) {
        // Redis formats "-%s" and trims CR/LF off the end.
        std::size_t len = 0;
        const char* s = lua_tolstring(L, -1, &len);
        std::string_view text = util::c_string(std::string_view(s, len));
        text = text.substr(0, text.find_last_not_of("\r\n") + 1);
        reply.error(text);
        lua_pop(L, 1);
        if (counted_already(L)) ++ctx.errors_counted;
        break;
      }
      if (field("ok", LUA_TSTRING)) {
        std::size_t len = 0;
        const char* s = lua_tolstring(L, -1, &len);
        std::string text(util::c_string(std::string_view(s, len)));
        for (char& c : text) {
          if (c == '\r' || c == '\n') c = ' ';
        }
        reply.simple(text);
        lua_pop(L, 1);
        break;
      }
      if (field("double", LUA_TNUMBER)) {
        reply.real(lua_tonumber(L, -1));
        lua_pop(L, 1);
        break;
      }
      if (field("big_number", LUA_TSTRING)) {
        std::size_t len = 0;
        const char* s = lua_tolstring(L, -1, &len);
        std::string text(s, len);
        for (char& c : text) {
          if (c == '\r' || c == '\n') c = ' ';
        }
        if (reply.protocol() >= 3) {
          reply.raw("(" + text + "\r\n");
        } else {
          reply.bulk(text);
        }
        lua_pop(L, 1);
        break;
      }
      if (field("verbatim_string", LUA_TTABLE)) {
        lua_pushliteral(L, "format");
        lua_rawget(L, -2);
        lua_pushliteral(L, "string");
        lua_rawget(L, -3);
        if (lua_type(L, -2) == LUA_TSTRING && lua_type(L, -1) == LUA_TSTRING) {
          std::size_t flen = 0, slen = 0;
          const char* f = lua_tolstring(L, -2, &flen);
          const char* s = lua_tolstring(L, -1, &slen);
          std::string format(util::c_string(std::string_view(f, flen)));
          format.resize(3, ' ');
          reply.verbatim(std::string_view(s, slen), format);
          lua_pop(L, 3);
          break;
        }
        lua_pop(L, 3);
      }
      if (field("map", LUA_TTABLE)) {
        std::size_t n = 0;
        lua_pushnil(L);
        while (lua_next(L, -2)) {
          ++n;
          lua_pop(L, 1);
        }
        reply.map(n);
        lua_pushnil(L);
        while (lua_next(L, -2)) {
          lua_pushvalue(L, -2);
          reply_from_lua(ctx, depth + 1);  // the key
          reply_from_lua(ctx, depth + 1);  // the value
        }
        lua_pop(L, 1);
        break;
      }
      if (field("set", LUA_TTABLE)) {
        std::size_t n = 0;
        lua_pushnil(L);
        while (lua_next(L, -2)) {
          ++n;
          lua_pop(L, 1);
        }
        reply.set(n);
        lua_pushnil(L);
        while (lua_next(L, -2)) {
          lua_pop(L, 1);
          lua_pushvalue(L, -1);
          reply_from_lua(ctx, depth + 1);
        }
        lua_pop(L, 1);
        break;
      }
      // An array, up to its first nil.
      int n = 0;
      for (;;) {
        lua_rawgeti(L, -1, n + 1);
        const bool nil = lua_isnil(L, -1);
        lua_pop(L, 1);
        if (nil) break;
        ++n;
      }
      reply.array(static_cast<std::size_t>(n));
      for (int j = 1; j <= n; ++j) {
        lua_rawgeti(L, -1, j);
        reply_from_lua(ctx, depth + 1);
      }
      break;
    }
    default:
      reply.null();
  }
  lua_pop(L, 1);
}

void LuaEngine::run(commands::CommandContext& ctx, int ref, unsigned flags, std::string_view name,
                    bool is_function, std::span<const std::string_view> keys,
                    std::span<const std::string_view> argv, bool read_only) {
  lua_State* L = L_;
  RunState state;
  state.ctx = &ctx;
  state.name = name;
  state.flags = flags;
  state.read_only = read_only;
  state.is_function = is_function;
  state.start_ms = util::steady_ms();
  state.oom_at_start = ctx.config.maxmemory() != 0 && ctx.client.pre_command_oom;
  script_client_.db.store(ctx.client.db.load(std::memory_order_relaxed), std::memory_order_relaxed);
  script_client_.id = ctx.client.id;
  script_client_.set_user(ctx.client.user);  // what a command checks for itself (SORT's BY and GET)
  script_client_.no_touch.store(ctx.client.no_touch.load(std::memory_order_relaxed), std::memory_order_relaxed);
  run_ = &state;

  RunningScript& running = scripting_.running;
  running.kill_requested.store(false, std::memory_order_relaxed);
  running.busy.store(false, std::memory_order_relaxed);
  running.wrote.store(false, std::memory_order_relaxed);
  running.is_function.store(is_function, std::memory_order_relaxed);
  running.started_ms.store(state.start_ms, std::memory_order_relaxed);
  if (is_function) {
    std::lock_guard lock(running.mutex);
    running.name = std::string(name);
    running.command.assign(ctx.args.begin(), ctx.args.end());
  }
  running.running.store(true, std::memory_order_release);

  lua_settop(L, 0);
  lua_rawgeti(L, LUA_REGISTRYINDEX, handler_ref_);
  lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
  // Fresh KEYS and ARGV, set in the real global table.
  lua_rawgeti(L, LUA_REGISTRYINDEX, globals_ref_);
  auto set_array = [&](const char* global, std::span<const std::string_view> values) {
    lua_pushstring(L, global);
    lua_createtable(L, static_cast<int>(values.size()), 0);
    for (std::size_t i = 0; i < values.size(); ++i) {
      lua_pushlstring(L, values[i].data(), values[i].size());
      lua_rawseti(L, -2, static_cast<int>(i + 1));
    }
    lua_rawset(L, -3);
  };
  int nargs = 0;
  if (is_function) {
    // A function gets (keys, args) as its arguments instead.
    lua_pop(L, 1);
    for (const auto* values : {&keys, &argv}) {
      lua_createtable(L, static_cast<int>(values->size()), 0);
      for (std::size_t i = 0; i < values->size(); ++i) {
        lua_pushlstring(L, (*values)[i].data(), (*values)[i].size());
        lua_rawseti(L, -2, static_cast<int>(i + 1));
      }
    }
    nargs = 2;
  } else {
    set_array("KEYS", keys);
    set_array("ARGV", argv);
    lua_pop(L, 1);
  }
  lua_sethook(L, hook, LUA_MASKCOUNT, kHookInstructions);
  const int status = lua_pcall(L, nargs, 1, 1);
  lua_sethook(L, nullptr, 0, 0);

  commands::deliver_own_messages(ctx);  // what the script published to its caller comes first
  if (status != 0) {
    // The handler made it a table {err=..., source=..., line=...}.
    std::string text;
    if (lua_istable(L, -1)) {
      if (counted_already(L)) ++ctx.errors_counted;
      lua_getfield(L, -1, "err");
      const char* s = lua_tostring(L, -1);
      text.assign(s ? s : "");  // a C string in Redis
      lua_pop(L, 1);
      lua_getfield(L, -1, "source");
      lua_getfield(L, -2, "line");
      if (lua_isstring(L, -2) && lua_isnumber(L, -1)) {
        text += " script: ";
        text += name;
        text += ", on ";
        text += lua_tostring(L, -2);
        text += ':';
        text += std::to_string(static_cast<long long>(lua_tonumber(L, -1)));
        text += '.';
      }
      lua_pop(L, 2);
    } else {
      const char* msg = lua_tostring(L, -1);
      text = "ERR Error running script " + std::string(name) + ", " + std::string(msg ? msg : "execution failure");
    }
    ctx.reply.error(text);
  } else {
    reply_from_lua(ctx, 0);
  }
  lua_settop(L, 0);
  run_ = nullptr;
  running.running.store(false, std::memory_order_release);
  running.busy.store(false, std::memory_order_release);
  running.kill_requested.store(false, std::memory_order_relaxed);
  if (is_function) {
    std::lock_guard lock(running.mutex);
    running.name.clear();
    running.command.clear();
  }
  note_vm_bytes();
}

}  // namespace larder::scripting
