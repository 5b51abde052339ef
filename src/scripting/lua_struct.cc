// The struct library scripts get as `struct`: pack, unpack and size over a
// format string, with Roberto Ierusalimschy's struct 0.2 semantics (as Redis
// embeds it). Formats: '>' big and '<' little endian, '!n' alignment,
// b/B h/H l/L T i/In I/In integers, f d floats, s zero-terminated and cn
// fixed-size strings, x a pad byte.

#include <lua.hpp>

#include <cctype>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "larder/scripting/lua_libs.h"

namespace larder::scripting {

namespace {

constexpr int kMaxIntSize = 32;
constexpr int kMaxAlign = 8;
enum Endian { kBig = 0, kLittle = 1 };
constexpr int kNativeEndian = kLittle;

struct Header {
  int endian = kNativeEndian;
  int align = 1;
};

using Int = std::int64_t;
using UInt = std::uint64_t;

int get_num(lua_State* L, const char** fmt, int def) {
  if (!std::isdigit(static_cast<unsigned char>(**fmt))) return def;
  int a = 0;
  do {
    if (a > INT_MAX / 10 || a * 10 > INT_MAX - (**fmt - '0')) luaL_error(L, "integral size overflow");
    a = a * 10 + (*((*fmt)++) - '0');
  } while (std::isdigit(static_cast<unsigned char>(**fmt)));
  return a;
}

std::size_t opt_size(lua_State* L, char opt, const char** fmt) {
  switch (opt) {
    case 'B':
    case 'b':
      return sizeof(char);
    case 'H':
    case 'h':
      return sizeof(short);
    case 'L':
    case 'l':
      return sizeof(long);
    case 'T':
      return sizeof(std::size_t);
    case 'f':
      return sizeof(float);
    case 'd':
      return sizeof(double);
    case 'x':
      return 1;
    case 'c':
      return static_cast<std::size_t>(get_num(L, fmt, 1));
    case 'i':
    case 'I': {
      const int sz = get_num(L, fmt, sizeof(int));
      if (sz > kMaxIntSize) luaL_error(L, "integral size %d is larger than limit of %d", sz, kMaxIntSize);
      return static_cast<std::size_t>(sz);
    }
    default:
      return 0;
  }
}

std::size_t to_align(std::size_t len, const Header& h, char opt, std::size_t size) {
  if (size == 0 || opt == 'c') return 0;
  if (size > static_cast<std::size_t>(h.align)) size = static_cast<std::size_t>(h.align);
  return (size - (len & (size - 1))) & (size - 1);
}

void control_options(lua_State* L, char opt, const char** fmt, Header& h) {
  switch (opt) {
    case ' ':
      return;
    case '>':
      h.endian = kBig;
      return;
    case '<':
      h.endian = kLittle;
      return;
    case '!': {
      const int a = get_num(L, fmt, kMaxAlign);
      if (a == 0 || (a & (a - 1)) != 0) luaL_error(L, "alignment %d is not a power of 2", a);
      h.align = a;
      return;
    }
    default: {
      const char* msg = lua_pushfstring(L, "invalid format option '%c'", opt);
      luaL_argerror(L, 1, msg);
    }
  }
}

void put_integer(lua_State* L, luaL_Buffer* b, int arg, int endian, std::size_t size) {
  const lua_Number n = luaL_checknumber(L, arg);
  UInt value = n < 0 ? static_cast<UInt>(static_cast<Int>(n)) : static_cast<UInt>(n);
  char buf[kMaxIntSize];
  if (endian == kLittle) {
    for (std::size_t i = 0; i < size; ++i) {
      buf[i] = static_cast<char>(value & 0xff);
      value >>= 8;
    }
  } else {
    for (std::size_t i = size; i-- > 0;) {
      buf[i] = static_cast<char>(value & 0xff);
      value >>= 8;
    }
  }
  luaL_addlstring(b, buf, size);
}

void correct_bytes(char* b, std::size_t size, int endian) {
  if (endian == kNativeEndian) return;
  std::size_t i = 0;
  while (i < --size) {
    const char t = b[i];
    b[i++] = b[size];
    b[size] = t;
  }
}

lua_Number get_integer(const char* buf, int endian, bool is_signed, std::size_t size) {
  UInt l = 0;
  if (endian == kBig) {
    for (std::size_t i = 0; i < size; ++i) l = (l << 8) | static_cast<unsigned char>(buf[i]);
  } else {
    for (std::size_t i = size; i-- > 0;) l = (l << 8) | static_cast<unsigned char>(buf[i]);
  }
  if (!is_signed) return static_cast<lua_Number>(l);
  if (size * 8 - 1 < 64) {
    const UInt mask = ~UInt{0} << (size * 8 - 1);
    if (l & mask) l |= mask;
  }
  return static_cast<lua_Number>(static_cast<Int>(l));
}

int struct_pack(lua_State* L) {
  const char* fmt = luaL_checkstring(L, 1);
  Header h;
  int arg = 2;
  std::size_t total = 0;
  lua_pushnil(L);  // separates the arguments from the buffer
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  while (*fmt != '\0') {
    const char opt = *fmt++;
    std::size_t size = opt_size(L, opt, &fmt);
    std::size_t align = to_align(total, h, opt, size);
    total += align;
    while (align-- > 0) luaL_addchar(&b, '\0');
    switch (opt) {
      case 'b':
      case 'B':
      case 'h':
      case 'H':
      case 'l':
      case 'L':
      case 'T':
      case 'i':
      case 'I':
        put_integer(L, &b, arg++, h.endian, size);
        break;
      case 'x':
        luaL_addchar(&b, '\0');
        break;
      case 'f': {
        float f = static_cast<float>(luaL_checknumber(L, arg++));
        correct_bytes(reinterpret_cast<char*>(&f), size, h.endian);
        luaL_addlstring(&b, reinterpret_cast<char*>(&f), size);
        break;
      }
      case 'd': {
        double d = luaL_checknumber(L, arg++);
        correct_bytes(reinterpret_cast<char*>(&d), size, h.endian);
        luaL_addlstring(&b, reinterpret_cast<char*>(&d), size);
        break;
      }
      case 'c':
      case 's': {
        std::size_t l = 0;
        const char* s = luaL_checklstring(L, arg++, &l);
        if (size == 0) size = l;
        luaL_argcheck(L, l >= size, arg, "string too short");
        luaL_addlstring(&b, s, size);
        if (opt == 's') {
          luaL_addchar(&b, '\0');
          ++size;
        }
        break;
      }
      default:
        control_options(L, opt, &fmt, h);
    }
    total += size;
  }
  luaL_pushresult(&b);
  return 1;
}

int struct_unpack(lua_State* L) {
  Header h;
  const char* fmt = luaL_checkstring(L, 1);
  std::size_t ld = 0;
  const char* data = luaL_checklstring(L, 2, &ld);
  // Unsigned, as Redis's: a negative offset passes this check and fails the
  // length check below.
  const auto start = static_cast<std::size_t>(luaL_optinteger(L, 3, 1));
  luaL_argcheck(L, start > 0, 3, "offset must be 1 or greater");
  std::size_t pos = start - 1;
  int n = 0;
  while (*fmt != '\0') {
    const char opt = *fmt++;
    std::size_t size = opt_size(L, opt, &fmt);
    pos += to_align(pos, h, opt, size);
    luaL_argcheck(L, size <= ld && pos <= ld - size, 2, "data string too short");
    luaL_checkstack(L, 2, "too many results");
    switch (opt) {
      case 'b':
      case 'B':
      case 'h':
      case 'H':
      case 'l':
      case 'L':
      case 'T':
      case 'i':
      case 'I':
        lua_pushnumber(L, get_integer(data + pos, h.endian, std::islower(static_cast<unsigned char>(opt)) != 0, size));
        ++n;
        break;
      case 'x':
        break;
      case 'f': {
        float f;
        std::memcpy(&f, data + pos, size);
        correct_bytes(reinterpret_cast<char*>(&f), sizeof f, h.endian);
        lua_pushnumber(L, f);
        ++n;
        break;
      }
      case 'd': {
        double d;
        std::memcpy(&d, data + pos, size);
        correct_bytes(reinterpret_cast<char*>(&d), sizeof d, h.endian);
        lua_pushnumber(L, d);
        ++n;
        break;
      }
      case 'c':
        if (size == 0) {
          if (n == 0 || !lua_isnumber(L, -1)) luaL_error(L, "format 'c0' needs a previous size");
          size = static_cast<std::size_t>(lua_tonumber(L, -1));
          lua_pop(L, 1);
          --n;
          luaL_argcheck(L, size <= ld && pos <= ld - size, 2, "data string too short");
        }
        lua_pushlstring(L, data + pos, size);
        ++n;
        break;
      case 's': {
        const auto* e = static_cast<const char*>(std::memchr(data + pos, '\0', ld - pos));
        if (e == nullptr) luaL_error(L, "unfinished string in data");
        size = static_cast<std::size_t>(e - (data + pos)) + 1;
        lua_pushlstring(L, data + pos, size - 1);
        ++n;
        break;
      }
      default:
        control_options(L, opt, &fmt, h);
    }
    pos += size;
  }
  lua_pushinteger(L, static_cast<lua_Integer>(pos + 1));
  return n + 1;
}

int struct_size(lua_State* L) {
  Header h;
  const char* fmt = luaL_checkstring(L, 1);
  std::size_t pos = 0;
  while (*fmt != '\0') {
    const char opt = *fmt++;
    const std::size_t size = opt_size(L, opt, &fmt);
    pos += to_align(pos, h, opt, size);
    if (opt == 's') {
      luaL_argerror(L, 1, "option 's' has no fixed size");
    } else if (opt == 'c' && size == 0) {
      luaL_argerror(L, 1, "option 'c0' has no fixed size");
    }
    if (!std::isalnum(static_cast<unsigned char>(opt))) control_options(L, opt, &fmt, h);
    pos += size;
  }
  lua_pushinteger(L, static_cast<lua_Integer>(pos));
  return 1;
}

}  // namespace

int open_struct(lua_State* L) {
  const luaL_Reg fns[] = {{"pack", struct_pack}, {"unpack", struct_unpack}, {"size", struct_size}, {nullptr, nullptr}};
  lua_newtable(L);
  for (const luaL_Reg* f = fns; f->name != nullptr; ++f) {
    lua_pushcfunction(L, f->func);
    lua_setfield(L, -2, f->name);
  }
  return 1;
}

}  // namespace larder::scripting
