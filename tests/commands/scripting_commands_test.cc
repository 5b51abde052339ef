#include <catch2/catch.hpp>

#include <string>

#include "../support/command_harness.h"
#include "larder/scripting/lua_engine.h"

using larder::testing::CommandHarness;

namespace {

std::string eval(CommandHarness& h, std::string_view body) { return h.run({"EVAL", body, "0"}); }

}  // namespace

TEST_CASE("Lua values become RESP2 replies as Redis converts them", "[scripting]") {
  CommandHarness h;
  CHECK(eval(h, "return 1") == ":1\r\n");
  CHECK(eval(h, "return 3.99") == ":3\r\n");    // truncated
  CHECK(eval(h, "return -3.99") == ":-3\r\n");
  CHECK(eval(h, "return 'x'") == "$1\r\nx\r\n");
  CHECK(eval(h, "return true") == ":1\r\n");
  CHECK(eval(h, "return false") == "$-1\r\n");
  CHECK(eval(h, "return nil") == "$-1\r\n");
  CHECK(eval(h, "return {1, 'a', nil, 3}") == "*2\r\n:1\r\n$1\r\na\r\n");  // cut at the first nil
  CHECK(eval(h, "return {ok = 'fine'}") == "+fine\r\n");
  CHECK(eval(h, "return {err = 'MY oops'}") == "-MY oops\r\n");
  CHECK(eval(h, "return redis.error_reply('x')") == "-ERR x\r\n");
  CHECK(eval(h, "return {double = 1.5}") == "$3\r\n1.5\r\n");
  CHECK(eval(h, "return {map = {a = 1}}") == "*2\r\n$1\r\na\r\n:1\r\n");
}

TEST_CASE("RESP3 callers get doubles, maps, sets and booleans", "[scripting]") {
  CommandHarness h;
  h.run({"HELLO", "3"});
  CHECK(eval(h, "return {double = 1.5}") == ",1.5\r\n");
  CHECK(eval(h, "return {map = {a = 1}}") == "%1\r\n$1\r\na\r\n:1\r\n");
  CHECK(eval(h, "return {set = {a = true}}") == "~1\r\n$1\r\na\r\n");
  CHECK(eval(h, "return false") == "_\r\n");  // setresp 2: false is a null
  CHECK(eval(h, "redis.setresp(3) return false") == "#f\r\n");
  CHECK(eval(h, "redis.setresp(3) return true") == "#t\r\n");
}

TEST_CASE("command replies become Lua values", "[scripting]") {
  CommandHarness h;
  h.run({"SET", "s", "x"});
  CHECK(eval(h, "return type(redis.call('get', 'nokey'))") == "$7\r\nboolean\r\n");
  CHECK(eval(h, "return redis.call('set', 'k', 'v')['ok']") == "$2\r\nOK\r\n");
  CHECK(eval(h, "return redis.pcall('incr', 's')['err']") ==
        "$43\r\nERR value is not an integer or out of range\r\n");
  CHECK(eval(h, "redis.setresp(3) return redis.call('hgetall', 'nokey')['map'] ~= nil") == ":1\r\n");
  CHECK(eval(h, "return redis.call('incr', 's')").rfind("-ERR value is not an integer or out of range script: ", 0) == 0);
}

TEST_CASE("the sandbox refuses globals and protects tables", "[scripting]") {
  CommandHarness h;
  CHECK(eval(h, "x = 1").find("Attempt to modify a readonly table") != std::string::npos);
  CHECK(eval(h, "return os").find("Script attempted to access nonexistent global variable 'os'") !=
        std::string::npos);
  CHECK(eval(h, "redis.call = nil").find("Attempt to modify a readonly table") != std::string::npos);
  CHECK(eval(h, "rawset(_G, 'x', 1)").rfind("-ERR Attempt to modify a readonly table script:", 0) == 0);
  CHECK(eval(h, "return loadstring('return 2')()") == ":2\r\n");
  // KEYS and ARGV are fresh for each call.
  CHECK(h.run({"EVAL", "KEYS[2] = 'left' return #KEYS", "1", "k"}) == ":2\r\n");
  CHECK(h.run({"EVAL", "return #KEYS", "1", "k"}) == ":1\r\n");
}

TEST_CASE("EVALSHA finds scripts EVAL or SCRIPT LOAD cached", "[scripting]") {
  CommandHarness h;
  CHECK(h.run({"SCRIPT", "LOAD", "return 1"}) == "$40\r\ne0e1f9fabfc9d4800c877a703b823ac0578ff8db\r\n");
  CHECK(h.run({"EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0"}) == ":1\r\n");
  CHECK(h.run({"SCRIPT", "FLUSH"}) == "+OK\r\n");
  CHECK(h.run({"EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0"}) ==
        "-NOSCRIPT No matching script. Please use EVAL.\r\n");
}

TEST_CASE("shebang flags parse as Redis parses them", "[scripting]") {
  using larder::scripting::parse_shebang;
  unsigned flags = 0;
  std::size_t offset = 0;
  CHECK(parse_shebang("return 1", flags, offset).empty());
  CHECK(flags == larder::scripting::kEvalCompat);
  CHECK(parse_shebang("#!lua flags=no-writes,allow-oom\nreturn 1", flags, offset).empty());
  CHECK(flags == (larder::scripting::kNoWrites | larder::scripting::kAllowOom));
  CHECK(offset == 31);
  CHECK(parse_shebang("#!lua flags=nope\nx", flags, offset) == "ERR Unexpected flag in script shebang: nope");
  CHECK(parse_shebang("#!js\nx", flags, offset) == "ERR Unexpected engine in script shebang: #!js");
  CHECK(parse_shebang("#!lua", flags, offset) == "ERR Invalid script shebang");
}

TEST_CASE("functions load, list and run", "[scripting]") {
  CommandHarness h;
  CHECK(h.run({"FUNCTION", "LOAD", "#!lua name=lib\nredis.register_function('f', function(k, a) return #k + #a end)"}) ==
        "$3\r\nlib\r\n");
  CHECK(h.run({"FCALL", "f", "1", "k", "a", "b"}) == ":3\r\n");
  CHECK(h.run({"FCALL", "g", "0"}) == "-ERR Function not found\r\n");
  CHECK(h.run({"FUNCTION", "DELETE", "lib"}) == "+OK\r\n");
  CHECK(h.run({"FCALL", "f", "0"}) == "-ERR Function not found\r\n");
}
