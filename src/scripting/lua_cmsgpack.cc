// The MessagePack library scripts get as `cmsgpack`, with lua-cmsgpack
// 0.4.0's behaviour (as Redis embeds it): pack(...) encodes each argument and
// concatenates them; unpack(s) decodes every object in s; unpack_one(s, [o])
// and unpack_limit(s, n, [o]) decode from byte offset o and return the next
// offset first (-1 once the input is used up). Integral numbers encode as the
// smallest integer type, others as float32 when exact, else float64; tables
// whose keys are exactly 1..n as arrays, others as maps; nesting deeper than
// 16 tables encodes as nil.

#include <lua.hpp>

#include <climits>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

#include "larder/scripting/lua_libs.h"

namespace larder::scripting {

namespace {

constexpr int kMaxNesting = 16;

void put_be(std::string& out, std::uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void encode_int(std::string& out, std::int64_t n) {
  if (n >= 0) {
    if (n <= 127) {
      out.push_back(static_cast<char>(n));
    } else if (n <= 0xff) {
      out.push_back(static_cast<char>(0xcc));
      put_be(out, static_cast<std::uint64_t>(n), 1);
    } else if (n <= 0xffff) {
      out.push_back(static_cast<char>(0xcd));
      put_be(out, static_cast<std::uint64_t>(n), 2);
    } else if (n <= 0xffffffffLL) {
      out.push_back(static_cast<char>(0xce));
      put_be(out, static_cast<std::uint64_t>(n), 4);
    } else {
      out.push_back(static_cast<char>(0xcf));
      put_be(out, static_cast<std::uint64_t>(n), 8);
    }
  } else if (n >= -32) {
    out.push_back(static_cast<char>(static_cast<std::int8_t>(n)));
  } else if (n >= -128) {
    out.push_back(static_cast<char>(0xd0));
    put_be(out, static_cast<std::uint64_t>(n), 1);
  } else if (n >= -32768) {
    out.push_back(static_cast<char>(0xd1));
    put_be(out, static_cast<std::uint64_t>(n), 2);
  } else if (n >= -2147483648LL) {
    out.push_back(static_cast<char>(0xd2));
    put_be(out, static_cast<std::uint64_t>(n), 4);
  } else {
    out.push_back(static_cast<char>(0xd3));
    put_be(out, static_cast<std::uint64_t>(n), 8);
  }
}

void encode_number(std::string& out, lua_Number n) {
  if (!std::isinf(n) && static_cast<double>(static_cast<std::int64_t>(n)) == n) {
    encode_int(out, static_cast<std::int64_t>(n));
    return;
  }
  const float f = static_cast<float>(n);
  if (static_cast<double>(f) == n) {
    std::uint32_t bits;
    std::memcpy(&bits, &f, 4);
    out.push_back(static_cast<char>(0xca));
    put_be(out, bits, 4);
  } else {
    std::uint64_t bits;
    std::memcpy(&bits, &n, 8);
    out.push_back(static_cast<char>(0xcb));
    put_be(out, bits, 8);
  }
}

void encode_string(std::string& out, const char* s, std::size_t len) {
  if (len < 32) {
    out.push_back(static_cast<char>(0xa0 | len));
  } else if (len <= 0xff) {
    out.push_back(static_cast<char>(0xd9));
    put_be(out, len, 1);
  } else if (len <= 0xffff) {
    out.push_back(static_cast<char>(0xda));
    put_be(out, len, 2);
  } else {
    out.push_back(static_cast<char>(0xdb));
    put_be(out, len, 4);
  }
  out.append(s, len);
}

// The table on the stack top: an array iff its keys are exactly 1..n.
bool is_array(lua_State* L, std::size_t& len) {
  double max = 0;
  std::size_t count = 0;
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    lua_pop(L, 1);
    double n = 0;
    if (lua_type(L, -1) != LUA_TNUMBER || (n = lua_tonumber(L, -1)) <= 0 ||
        static_cast<double>(static_cast<int>(n)) != n) {
      lua_pop(L, 1);
      return false;
    }
    if (n > max) max = n;
    ++count;
  }
  len = count;
  return max == static_cast<double>(count);
}

void encode_value(lua_State* L, std::string& out, int level);

void encode_table(lua_State* L, std::string& out, int level) {
  std::size_t len = 0;
  if (is_array(L, len)) {
    if (len < 16) {
      out.push_back(static_cast<char>(0x90 | len));
    } else if (len <= 0xffff) {
      out.push_back(static_cast<char>(0xdc));
      put_be(out, len, 2);
    } else {
      out.push_back(static_cast<char>(0xdd));
      put_be(out, len, 4);
    }
    for (std::size_t j = 1; j <= len; ++j) {
      lua_rawgeti(L, -1, static_cast<int>(j));
      encode_value(L, out, level + 1);
    }
    return;
  }
  std::size_t n = 0;
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    lua_pop(L, 1);
    ++n;
  }
  if (n < 16) {
    out.push_back(static_cast<char>(0x80 | n));
  } else if (n <= 0xffff) {
    out.push_back(static_cast<char>(0xde));
    put_be(out, n, 2);
  } else {
    out.push_back(static_cast<char>(0xdf));
    put_be(out, n, 4);
  }
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    lua_pushvalue(L, -2);
    encode_value(L, out, level + 1);  // the key
    encode_value(L, out, level + 1);  // the value
  }
}

// Encodes the value on the stack top and pops it.
void encode_value(lua_State* L, std::string& out, int level) {
  luaL_checkstack(L, 4, "in function encode_value");
  switch (lua_type(L, -1)) {
    case LUA_TSTRING: {
      std::size_t len = 0;
      const char* s = lua_tolstring(L, -1, &len);
      encode_string(out, s, len);
      break;
    }
    case LUA_TBOOLEAN:
      out.push_back(static_cast<char>(lua_toboolean(L, -1) ? 0xc3 : 0xc2));
      break;
    case LUA_TNUMBER:
      encode_number(out, lua_tonumber(L, -1));
      break;
    case LUA_TTABLE:
      if (level == kMaxNesting) {
        out.push_back(static_cast<char>(0xc0));
      } else {
        encode_table(L, out, level);
      }
      break;
    default:
      out.push_back(static_cast<char>(0xc0));
  }
  lua_pop(L, 1);
}

int mp_pack(lua_State* L) {
  const int nargs = lua_gettop(L);
  if (nargs == 0) return luaL_argerror(L, 0, "MessagePack pack needs input.");
  if (!lua_checkstack(L, nargs)) return luaL_argerror(L, 0, "Too many arguments for MessagePack pack.");
  for (int i = 1; i <= nargs; ++i) {
    std::string out;
    lua_pushvalue(L, i);
    encode_value(L, out, 0);
    lua_pushlstring(L, out.data(), out.size());
    lua_replace(L, i);
  }
  lua_concat(L, nargs);
  return 1;
}

struct Cursor {
  const unsigned char* p;
  std::size_t left;
  enum { kOk, kEof, kBadFormat } err = kOk;
  bool need(std::size_t n) {
    if (left < n) {
      err = kEof;
      return false;
    }
    return true;
  }
  std::uint64_t be(std::size_t off, int bytes) const {
    std::uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | p[off + static_cast<std::size_t>(i)];
    return v;
  }
  void consume(std::size_t n) {
    p += n;
    left -= n;
  }
};

void decode_value(lua_State* L, Cursor& c);

void decode_array(lua_State* L, Cursor& c, std::size_t len) {
  luaL_checkstack(L, 2, "in function decode_array");
  lua_newtable(L);
  for (std::size_t i = 1; i <= len; ++i) {
    decode_value(L, c);
    if (c.err != Cursor::kOk) return;
    lua_rawseti(L, -2, static_cast<int>(i));
  }
}

void decode_map(lua_State* L, Cursor& c, std::size_t len) {
  luaL_checkstack(L, 3, "in function decode_map");
  lua_newtable(L);
  for (std::size_t i = 0; i < len; ++i) {
    decode_value(L, c);
    if (c.err != Cursor::kOk) return;
    decode_value(L, c);
    if (c.err != Cursor::kOk) return;
    lua_settable(L, -3);
  }
}

void decode_string(lua_State* L, Cursor& c, std::size_t header, std::size_t len) {
  if (!c.need(header + len)) return;
  lua_pushlstring(L, reinterpret_cast<const char*>(c.p + header), len);
  c.consume(header + len);
}

// Pushes one decoded value; on an error sets c.err and pushes nothing useful.
void decode_value(lua_State* L, Cursor& c) {
  luaL_checkstack(L, 1, "too many return values at once; use unpack_one or unpack_limit instead.");
  if (!c.need(1)) return;
  const unsigned char t = c.p[0];
  if (t <= 0x7f) {
    lua_pushnumber(L, t);
    c.consume(1);
    return;
  }
  if (t >= 0xe0) {
    lua_pushnumber(L, static_cast<std::int8_t>(t));
    c.consume(1);
    return;
  }
  if ((t & 0xe0) == 0xa0) return decode_string(L, c, 1, t & 0x1f);
  if ((t & 0xf0) == 0x90) {
    c.consume(1);
    return decode_array(L, c, t & 0x0f);
  }
  if ((t & 0xf0) == 0x80) {
    c.consume(1);
    return decode_map(L, c, t & 0x0f);
  }
  auto uint_of = [&](int bytes) -> bool {
    if (!c.need(1 + static_cast<std::size_t>(bytes))) return false;
    lua_pushnumber(L, static_cast<lua_Number>(c.be(1, bytes)));
    c.consume(1 + static_cast<std::size_t>(bytes));
    return true;
  };
  auto int_of = [&](int bytes) -> bool {
    if (!c.need(1 + static_cast<std::size_t>(bytes))) return false;
    std::uint64_t v = c.be(1, bytes);
    if (bytes < 8 && (v >> (8 * bytes - 1)) & 1) v |= ~std::uint64_t{0} << (8 * bytes);
    lua_pushnumber(L, static_cast<lua_Number>(static_cast<std::int64_t>(v)));
    c.consume(1 + static_cast<std::size_t>(bytes));
    return true;
  };
  switch (t) {
    case 0xc0:
      lua_pushnil(L);
      c.consume(1);
      return;
    case 0xc2:
      lua_pushboolean(L, 0);
      c.consume(1);
      return;
    case 0xc3:
      lua_pushboolean(L, 1);
      c.consume(1);
      return;
    case 0xcc: uint_of(1); return;
    case 0xcd: uint_of(2); return;
    case 0xce: uint_of(4); return;
    case 0xcf: int_of(8); return;  // Redis's cmsgpack reads uint 64 as signed
    case 0xd0: int_of(1); return;
    case 0xd1: int_of(2); return;
    case 0xd2: int_of(4); return;
    case 0xd3: int_of(8); return;
    case 0xca: {
      if (!c.need(5)) return;
      const auto bits = static_cast<std::uint32_t>(c.be(1, 4));
      float f;
      std::memcpy(&f, &bits, 4);
      lua_pushnumber(L, f);
      c.consume(5);
      return;
    }
    case 0xcb: {
      if (!c.need(9)) return;
      const std::uint64_t bits = c.be(1, 8);
      double d;
      std::memcpy(&d, &bits, 8);
      lua_pushnumber(L, d);
      c.consume(9);
      return;
    }
    // bin 8/16/32 (0xc4-0xc6) are not formats Redis's cmsgpack knows.
    case 0xd9:
      if (!c.need(2)) return;
      return decode_string(L, c, 2, c.be(1, 1));
    case 0xda:
      if (!c.need(3)) return;
      return decode_string(L, c, 3, c.be(1, 2));
    case 0xdb:
      if (!c.need(5)) return;
      return decode_string(L, c, 5, c.be(1, 4));
    case 0xdc: {
      if (!c.need(3)) return;
      const std::size_t n = c.be(1, 2);
      c.consume(3);
      return decode_array(L, c, n);
    }
    case 0xdd: {
      if (!c.need(5)) return;
      const std::size_t n = c.be(1, 4);
      c.consume(5);
      return decode_array(L, c, n);
    }
    case 0xde: {
      if (!c.need(3)) return;
      const std::size_t n = c.be(1, 2);
      c.consume(3);
      return decode_map(L, c, n);
    }
    case 0xdf: {
      if (!c.need(5)) return;
      const std::size_t n = c.be(1, 4);
      c.consume(5);
      return decode_map(L, c, n);
    }
    default:
      c.err = Cursor::kBadFormat;
  }
}

int unpack_full(lua_State* L, lua_Integer limit, lua_Integer offset) {
  std::size_t len = 0;
  const char* s = luaL_checklstring(L, 1, &len);
  const bool decode_all = limit == 0 && offset == 0;
  if (offset < 0 || limit < 0) {
    return luaL_error(L, "Invalid request to unpack with offset of %d and limit of %d.", static_cast<int>(offset),
                      static_cast<int>(len));
  }
  if (static_cast<std::size_t>(offset) > len) {
    return luaL_error(L, "Start offset %d greater than input length %d.", static_cast<int>(offset),
                      static_cast<int>(len));
  }
  if (decode_all) limit = INT_MAX;
  Cursor c{reinterpret_cast<const unsigned char*>(s) + offset, len - static_cast<std::size_t>(offset)};
  int count = 0;
  while (c.left > 0 && count < limit) {
    decode_value(L, c);
    if (c.err == Cursor::kEof) return luaL_error(L, "Missing bytes in input.");
    if (c.err == Cursor::kBadFormat) return luaL_error(L, "Bad data format in input.");
    ++count;
  }
  if (!decode_all) {
    luaL_checkstack(L, 1, "in function mp_unpack_full");
    lua_pushinteger(L, c.left == 0 ? -1 : static_cast<lua_Integer>(len - c.left));
    lua_insert(L, 2);
    ++count;
  }
  return count;
}

int mp_unpack(lua_State* L) { return unpack_full(L, 0, 0); }

int mp_unpack_one(lua_State* L) {
  const lua_Integer offset = luaL_optinteger(L, 2, 0);
  lua_pop(L, lua_gettop(L) - 1);
  return unpack_full(L, 1, offset);
}

int mp_unpack_limit(lua_State* L) {
  const lua_Integer limit = luaL_checkinteger(L, 2);
  const lua_Integer offset = luaL_optinteger(L, 3, 0);
  lua_pop(L, lua_gettop(L) - 1);
  return unpack_full(L, limit, offset);
}

}  // namespace

int open_cmsgpack(lua_State* L) {
  const luaL_Reg fns[] = {{"pack", mp_pack},
                          {"unpack", mp_unpack},
                          {"unpack_one", mp_unpack_one},
                          {"unpack_limit", mp_unpack_limit},
                          {nullptr, nullptr}};
  lua_newtable(L);
  for (const luaL_Reg* f = fns; f->name != nullptr; ++f) {
    lua_pushcfunction(L, f->func);
    lua_setfield(L, -2, f->name);
  }
  lua_pushliteral(L, "cmsgpack");
  lua_setfield(L, -2, "_NAME");
  lua_pushliteral(L, "lua-cmsgpack 0.4.0");
  lua_setfield(L, -2, "_VERSION");
  lua_pushliteral(L, "Copyright (C) 2012, Salvatore Sanfilippo");
  lua_setfield(L, -2, "_COPYRIGHT");
  lua_pushliteral(L, "MessagePack C implementation for Lua");
  lua_setfield(L, -2, "_DESCRIPTION");
  return 1;
}

}  // namespace larder::scripting
