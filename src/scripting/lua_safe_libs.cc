// Debian's Lua 5.1, LuaBitOp and lua-cjson lack fixes Redis carries in its
// bundled copies; without them one EVAL could take the server down:
// - unpack(t, i, j): the count j - i + 1 overflows an int, the check of it
//   is compiled away, and the loop reads far past the stack (a crash);
// - bit.tohex(x, -2^31): the width stays negative and a buffer of 2^64 -
//   2^31 bytes is pushed (a crash);
// - cjson.encode reserves six bytes per byte of each string in a buffer
//   sized in an int that grows by doubling: past 1 GiB the size overflows
//   and the doubling never ends (the server hangs); cjson.decode sizes its
//   scratch buffer from the input's length in an int.
// unpack and bit.tohex are replaced by versions that answer as Redis's
// patched ones; cjson's two, and those of the tables cjson.new() makes, get
// a guard in front that raises a script error where Redis's copy would need
// more than Debian's can do.

#include <lua.hpp>

#include <climits>
#include <cstdint>
#include <cstring>
#include <utility>

#include "larder/scripting/lua_libs.h"

namespace larder::scripting {

namespace {

// luaB_unpack, counting in 64 bits (Redis's "n <= 0 means arith. overflow").
int safe_unpack(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  int i = luaL_optint(L, 2, 1);
  const int e = lua_isnoneornil(L, 3) ? static_cast<int>(lua_objlen(L, 1)) : luaL_checkint(L, 3);
  if (i > e) return 0;
  const std::int64_t n = std::int64_t{e} - i + 1;
  if (n >= INT_MAX || !lua_checkstack(L, static_cast<int>(n))) return luaL_error(L, "too many results to unpack");
  lua_rawgeti(L, 1, i);
  while (i++ < e) lua_rawgeti(L, 1, i);
  return static_cast<int>(n);
}

// LuaBitOp's barg(): a number to its low 32 bits.
std::uint32_t bit_arg(lua_State* L, int idx) {
  union {
    lua_Number n;
    std::uint64_t b;
  } bn;
  bn.n = lua_tonumber(L, idx) + 6755399441055744.0;  // 2^52 + 2^51
  const auto b = static_cast<std::uint32_t>(bn.b);
  if (b == 0 && !lua_isnumber(L, idx)) luaL_typerror(L, idx, "number");
  return b;
}

// LuaBitOp's bit.tohex with Redis's fix: a width of -2^31 counts as
// -(2^31 - 1).
int safe_tohex(lua_State* L) {
  std::uint32_t b = bit_arg(L, 1);
  std::int32_t n = lua_isnone(L, 2) ? 8 : static_cast<std::int32_t>(bit_arg(L, 2));
  if (n == INT32_MIN) n = INT32_MIN + 1;
  const char* digits = "0123456789abcdef";
  if (n < 0) {
    n = -n;
    digits = "0123456789ABCDEF";
  }
  if (n > 8) n = 8;
  char buf[8];
  for (int i = n; --i >= 0;) {
    buf[i] = digits[b & 15];
    b >>= 4;
  }
  lua_pushlstring(L, buf, static_cast<std::size_t>(n));
  return 1;
}

// The most cjson's encode buffer may be asked to hold before its size
// could overflow.
constexpr std::uint64_t kEncodeLimit = std::uint64_t{1} << 30;
// cjson's default nesting limit (cjson.encode_max_depth): a value nested
// deeper is left to cjson, which refuses it ("excessive nesting") unless a
// script raised the limit.
constexpr int kEncodeDepth = 1000;
// add_encode_bound's answer when the value is nested past kEncodeDepth.
constexpr std::uint64_t kTooDeep = ~std::uint64_t{0};

// A bound on what cjson's encoder reserves for the value at `idx` (an
// absolute index): six bytes per string byte and 3 more, 33 per number or
// other scalar, 2 per table. Stops counting once past kEncodeLimit, and
// sets kTooDeep past kEncodeDepth (a table holding itself gets there at
// once, as cjson's own walk does).
void add_encode_bound(lua_State* L, int idx, int depth, std::uint64_t& bound) {
  switch (lua_type(L, idx)) {
    case LUA_TSTRING: bound += 6 * std::uint64_t{lua_objlen(L, idx)} + 3; return;
    case LUA_TTABLE: break;
    default: bound += 33; return;
  }
  bound += 2;
  if (depth >= kEncodeDepth) {
    bound = kTooDeep;
    return;
  }
  luaL_checkstack(L, 3, "cjson.encode");
  lua_pushnil(L);
  while (lua_next(L, idx) != 0) {
    const int value = lua_gettop(L);
    add_encode_bound(L, value - 1, depth + 1, bound);  // the key
    add_encode_bound(L, value, depth + 1, bound);
    lua_pop(L, 1);
    if (bound > kEncodeLimit) {  // or kTooDeep
      lua_pop(L, 1);  // the key: the walk ends here
      return;
    }
  }
}

// Calls the original function (upvalue 1) with the arguments. Its errors
// are raised again as if it had been called by the script: a runtime
// error's message gets the script's position, which the original, called
// from here, cannot see.
int call_original(lua_State* L) {
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  const int status = lua_pcall(L, lua_gettop(L) - 1, LUA_MULTRET, 0);
  if (status == LUA_ERRRUN && lua_type(L, -1) == LUA_TSTRING) {
    luaL_where(L, 1);
    lua_insert(L, -2);
    lua_concat(L, 2);
  }
  if (status != 0) return lua_error(L);
  return lua_gettop(L);
}

int guarded_encode(lua_State* L) {
  luaL_argcheck(L, lua_gettop(L) == 1, 1, "expected 1 argument");
  std::uint64_t bound = 0;
  add_encode_bound(L, 1, 0, bound);
  if (bound > kEncodeLimit && bound != kTooDeep) {
    return luaL_error(L, "Cannot serialise: the encoding could exceed 1 GiB");
  }
  return call_original(L);
}

int guarded_decode(lua_State* L) {
  luaL_argcheck(L, lua_gettop(L) == 1, 1, "expected 1 argument");
  std::size_t len = 0;
  luaL_checklstring(L, 1, &len);
  if (len >= static_cast<std::size_t>(INT_MAX)) return luaL_error(L, "Cannot decode: the input is 2 GiB or more");
  return call_original(L);
}

// Guards `encode` and `decode` of the cjson table on top of the stack.
void guard_cjson_table(lua_State* L) {
  const std::pair<const char*, lua_CFunction> guarded[] = {{"encode", guarded_encode}, {"decode", guarded_decode}};
  for (const auto& [name, fn] : guarded) {
    lua_getfield(L, -1, name);
    lua_pushcclosure(L, fn, 1);
    lua_setfield(L, -2, name);
  }
}

// cjson.new(): an independent cjson table, guarded as the global one.
int guarded_new(lua_State* L) {
  const int results = call_original(L);
  if (results >= 1 && lua_istable(L, -results)) {
    lua_pushvalue(L, -results);
    guard_cjson_table(L);
    lua_pop(L, 1);
  }
  return results;
}

}  // namespace

void guard_libraries(lua_State* L) {
  lua_pushcfunction(L, safe_unpack);
  lua_setglobal(L, "unpack");
  lua_getglobal(L, "bit");
  lua_pushcfunction(L, safe_tohex);
  lua_setfield(L, -2, "tohex");
  lua_pop(L, 1);
  lua_getglobal(L, "cjson");
  guard_cjson_table(L);
  lua_getfield(L, -1, "new");
  lua_pushcclosure(L, guarded_new, 1);
  lua_setfield(L, -2, "new");
  lua_pop(L, 1);
}

}  // namespace larder::scripting
