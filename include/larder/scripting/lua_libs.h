#pragma once
// Lua libraries Redis gives scripts beside Debian's cjson and bit: struct
// (binary packing, as Roberto Ierusalimschy's struct 0.2) and cmsgpack
// (MessagePack, as lua-cmsgpack 0.4.0). Each opener returns the library
// table without setting a global.

struct lua_State;

namespace larder::scripting {

int open_struct(lua_State* L);
int open_cmsgpack(lua_State* L);

// The fixes Redis makes to its bundled Lua and cjson, over Debian's builds
// (lua_safe_libs.cc): replaces the global `unpack`, `bit.tohex`,
// `cjson.encode` and `cjson.decode` with guarded versions. Call once the
// globals `bit` and `cjson` are set.
void guard_libraries(lua_State* L);

}  // namespace larder::scripting
