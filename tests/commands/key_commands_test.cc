#include <catch2/catch.hpp>
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "../support/command_harness.h"

using larder::testing::CommandHarness;

namespace {

// prefix + decimal n; built with append (operator+ on a literal and a
// temporary trips GCC 12's -Wrestrict false positive at -O2).
std::string numbered(std::string_view prefix, long n) {
  std::string s(prefix);
  s.append(std::to_string(n));
  return s;
}

}  // namespace

TEST_CASE("DEL and EXISTS count keys", "[keys]") {
  CommandHarness h;
  h.run({"SET", "a", "1"});
  h.run({"SET", "b", "1"});
  CHECK(h.run({"EXISTS", "a", "a", "b", "c"}) == ":3\r\n");
  CHECK(h.run({"DEL", "a", "b", "c", "a"}) == ":2\r\n");
  CHECK(h.run({"EXISTS", "a"}) == ":0\r\n");
  CHECK(h.run({"DEL"}) == "-ERR wrong number of arguments for 'del' command\r\n");
}

TEST_CASE("an expired key is neither found, counted nor deleted", "[keys]") {
  CommandHarness h;
  h.run({"SET", "k", "v", "PX", "100"});
  h.advance(101);
  CHECK(h.run({"EXISTS", "k"}) == ":0\r\n");
  h.run({"SET", "j", "v", "PX", "100"});
  h.advance(101);
  CHECK(h.run({"DEL", "j"}) == ":0\r\n");
  CHECK(h.run({"TTL", "j"}) == ":-2\r\n");
}

TEST_CASE("KEYS filters with a glob", "[keys]") {
  CommandHarness h;
  h.run({"SET", "user:1", "a"});
  h.run({"SET", "user:2", "a"});
  h.run({"SET", "post:1", "a"});
  CHECK(h.run({"KEYS", "post:*"}) == "*1\r\n$6\r\npost:1\r\n");
  CHECK(h.run({"KEYS", "user:?"}).rfind("*2\r\n", 0) == 0);
  CHECK(h.run({"KEYS", "nothing*"}) == "*0\r\n");
}

namespace {

constexpr int kLargeDb = 50000;  // far more than one 50 us step walks

void fill(CommandHarness& h, int n) {
  for (int i = 0; i < n; ++i) h.run({"SET", numbered("key:", i), "v"});
}

// The keys of a KEYS reply; the header must count them.
std::vector<std::string> keys_reply(const std::string& reply) {
  std::vector<std::string> keys;
  std::size_t eol = reply.find("\r\n");
  const std::size_t n = std::stoul(reply.substr(1, eol - 1));
  std::size_t pos = eol + 2;
  while (pos < reply.size()) {
    eol = reply.find("\r\n", pos);
    const std::size_t len = std::stoul(reply.substr(pos + 1, eol - pos - 1));
    keys.push_back(reply.substr(eol + 2, len));
    pos = eol + 2 + len + 2;
  }
  CHECK(keys.size() == n);
  std::sort(keys.begin(), keys.end());
  return keys;
}

}  // namespace

TEST_CASE("KEYS on a large db defers and lets other clients run between its steps", "[keys]") {
  CommandHarness h;
  fill(h, kLargeDb);
  const std::size_t other = h.add_client();
  CHECK(h.run({"KEYS", "*"}).empty());
  REQUIRE(h.deferred());
  int between = 0;
  const std::string reply = h.finish_as(0, [&] {
    CHECK(h.run_as(other, {"GET", numbered("key:", between)}) == "$1\r\nv\r\n");
    h.run_as(other, {"SET", numbered("new:", between), "v"});
    ++between;
  });
  CHECK_FALSE(h.deferred());
  CHECK(between > 10);
  std::vector<std::string> keys = keys_reply(reply);
  CHECK(std::adjacent_find(keys.begin(), keys.end()) == keys.end());  // none twice
  std::erase_if(keys, [](const std::string& k) { return k.rfind("new:", 0) == 0; });
  CHECK(keys.size() == kLargeDb);
  // Counted once, like any call.
  CHECK(h.run({"INFO", "commandstats"}).find("cmdstat_keys:calls=1,") != std::string::npos);
}

TEST_CASE("CLIENT REPLY OFF and SKIP drop a deferred KEYS reply", "[keys]") {
  CommandHarness h;
  fill(h, kLargeDb);
  CHECK(h.run({"CLIENT", "REPLY", "SKIP"}).empty());
  CHECK(h.run({"KEYS", "*"}).empty());
  REQUIRE(h.deferred());
  CHECK(h.finish().empty());
  CHECK(h.run({"PING"}) == "+PONG\r\n");  // SKIP applied to KEYS only

  CHECK(h.run({"CLIENT", "REPLY", "OFF"}).empty());
  CHECK(h.run({"KEYS", "key:1*"}).empty());
  REQUIRE(h.deferred());
  CHECK(h.finish().empty());
  CHECK(h.run({"CLIENT", "REPLY", "ON"}) == "+OK\r\n");
  CHECK(h.run({"INFO", "commandstats"}).find("cmdstat_keys:calls=2,") != std::string::npos);
}

TEST_CASE("a deferred KEYS goes to the slow log once, with its arguments", "[keys]") {
  CommandHarness h;
  fill(h, kLargeDb);
  h.config().set({{"slowlog-log-slower-than", "0"}});
  CHECK(h.run({"SLOWLOG", "RESET"}) == "+OK\r\n");
  CHECK(h.run({"KEYS", "key:*"}).empty());
  REQUIRE(h.deferred());
  CHECK(keys_reply(h.finish()).size() == kLargeDb);
  const std::string log = h.run({"SLOWLOG", "GET"});
  CHECK(log.rfind("*2\r\n", 0) == 0);  // KEYS, and SLOWLOG RESET before it
  CHECK(log.find("*2\r\n$4\r\nKEYS\r\n$5\r\nkey:*\r\n") != std::string::npos);
}

TEST_CASE("KEYS inside MULTI/EXEC runs to completion at EXEC", "[keys]") {
  CommandHarness h;
  fill(h, kLargeDb);
  h.run({"MULTI"});
  CHECK(h.run({"KEYS", "*"}) == "+QUEUED\r\n");
  CHECK(h.run({"SET", "after", "v"}) == "+QUEUED\r\n");
  const std::string reply = h.run({"EXEC"});
  CHECK_FALSE(h.deferred());
  REQUIRE(reply.rfind("*2\r\n", 0) == 0);
  const std::size_t ok = reply.rfind("+OK\r\n");
  REQUIRE(ok == reply.size() - 5);
  CHECK(keys_reply(reply.substr(4, ok - 4)).size() == kLargeDb);
}

TEST_CASE("TTL and PTTL", "[keys]") {
  CommandHarness h;
  CHECK(h.run({"TTL", "missing"}) == ":-2\r\n");
  h.run({"SET", "k", "v"});
  CHECK(h.run({"TTL", "k"}) == ":-1\r\n");
  h.run({"SET", "k", "v", "PX", "1499"});
  CHECK(h.run({"TTL", "k"}) == ":1\r\n");  // rounded like Redis
  CHECK(h.run({"PTTL", "k"}) == ":1499\r\n");
}

TEST_CASE("EXPIRE, PEXPIRE and their conditions", "[keys]") {
  CommandHarness h;
  CHECK(h.run({"EXPIRE", "missing", "10"}) == ":0\r\n");
  h.run({"SET", "k", "v"});
  CHECK(h.run({"EXPIRE", "k", "10", "XX"}) == ":0\r\n");
  CHECK(h.run({"EXPIRE", "k", "10", "GT"}) == ":0\r\n");
  CHECK(h.run({"EXPIRE", "k", "10", "NX"}) == ":1\r\n");
  CHECK(h.run({"EXPIRE", "k", "20", "NX"}) == ":0\r\n");
  CHECK(h.run({"EXPIRE", "k", "5", "GT"}) == ":0\r\n");
  CHECK(h.run({"EXPIRE", "k", "20", "GT"}) == ":1\r\n");
  CHECK(h.run({"EXPIRE", "k", "30", "LT"}) == ":0\r\n");
  CHECK(h.run({"PEXPIRE", "k", "1500", "lt"}) == ":1\r\n");
  CHECK(h.run({"PTTL", "k"}) == ":1500\r\n");
  CHECK(h.run({"EXPIRE", "k", "1", "NX", "XX"}) ==
        "-ERR NX and XX, GT or LT options at the same time are not compatible\r\n");
  CHECK(h.run({"EXPIRE", "k", "1", "GT", "LT"}) ==
        "-ERR GT and LT options at the same time are not compatible\r\n");
  CHECK(h.run({"EXPIRE", "k", "1", "ZZ"}) == "-ERR Unsupported option ZZ\r\n");
  CHECK(h.run({"EXPIRE", "k", "x"}) == "-ERR value is not an integer or out of range\r\n");
  CHECK(h.run({"EXPIRE", "k", "9223372036854775807"}) ==
        "-ERR invalid expire time in 'expire' command\r\n");
  CHECK(h.run({"EXPIRE", "k", "0"}) == ":1\r\n");  // a time not in the future deletes
  CHECK(h.run({"EXISTS", "k"}) == ":0\r\n");
  h.run({"SET", "n", "v"});
  CHECK(h.run({"PEXPIRE", "n", "-1"}) == ":1\r\n");
  CHECK(h.run({"EXISTS", "n"}) == ":0\r\n");
}

TEST_CASE("PERSIST", "[keys]") {
  CommandHarness h;
  CHECK(h.run({"PERSIST", "missing"}) == ":0\r\n");
  h.run({"SET", "k", "v"});
  CHECK(h.run({"PERSIST", "k"}) == ":0\r\n");
  h.run({"EXPIRE", "k", "100"});
  CHECK(h.run({"PERSIST", "k"}) == ":1\r\n");
  CHECK(h.run({"TTL", "k"}) == ":-1\r\n");
  CHECK(h.run({"GET", "k"}) == "$1\r\nv\r\n");
}

TEST_CASE("UNLINK deletes like DEL", "[keys]") {
  CommandHarness h;
  h.run({"SET", "a", "1"});
  h.run({"SET", "b", "1"});
  CHECK(h.run({"UNLINK", "a", "b", "c", "a"}) == ":2\r\n");
  CHECK(h.run({"EXISTS", "a", "b"}) == ":0\r\n");
  CHECK(h.run({"UNLINK"}) == "-ERR wrong number of arguments for 'unlink' command\r\n");
}

TEST_CASE("TYPE", "[keys]") {
  CommandHarness h;
  h.run({"SET", "k", "v"});
  CHECK(h.run({"TYPE", "k"}) == "+string\r\n");
  CHECK(h.run({"TYPE", "missing"}) == "+none\r\n");
  h.run({"SET", "e", "v", "PX", "10"});
  h.advance(11);
  CHECK(h.run({"TYPE", "e"}) == "+none\r\n");
  CHECK(h.run({"TYPE", "a", "b"}) == "-ERR wrong number of arguments for 'type' command\r\n");
}

TEST_CASE("RENAME and RENAMENX", "[keys]") {
  CommandHarness h;
  CHECK(h.run({"RENAME", "missing", "x"}) == "-ERR no such key\r\n");
  CHECK(h.run({"RENAMENX", "missing", "x"}) == "-ERR no such key\r\n");
  CHECK(h.run({"RENAME", "missing", "missing"}) == "-ERR no such key\r\n");
  h.run({"SET", "a", "1", "PX", "5000"});
  CHECK(h.run({"RENAME", "a", "a"}) == "+OK\r\n");
  CHECK(h.run({"RENAMENX", "a", "a"}) == ":0\r\n");
  CHECK(h.run({"RENAME", "a", "b"}) == "+OK\r\n");
  CHECK(h.run({"EXISTS", "a"}) == ":0\r\n");
  CHECK(h.run({"GET", "b"}) == "$1\r\n1\r\n");
  CHECK(h.run({"PTTL", "b"}) == ":5000\r\n");  // the TTL moves with the key
  h.run({"SET", "c", "2"});
  CHECK(h.run({"RENAMENX", "b", "c"}) == ":0\r\n");
  CHECK(h.run({"RENAMENX", "b", "d"}) == ":1\r\n");
  CHECK(h.run({"RENAME", "d", "c"}) == "+OK\r\n");  // overwrites, TTL included
  CHECK(h.run({"GET", "c"}) == "$1\r\n1\r\n");
  CHECK(h.run({"PTTL", "c"}) == ":5000\r\n");
  h.run({"SET", "p", "v"});
  CHECK(h.run({"RENAME", "p", "c"}) == "+OK\r\n");
  CHECK(h.run({"TTL", "c"}) == ":-1\r\n");
  CHECK(h.run({"RENAME", "a"}) == "-ERR wrong number of arguments for 'rename' command\r\n");
  CHECK(h.run({"RENAMENX", "a", "b", "c"}) ==
        "-ERR wrong number of arguments for 'renamenx' command\r\n");
}

TEST_CASE("COPY with DB and REPLACE", "[keys]") {
  CommandHarness h;
  h.run({"SET", "k", "v", "PX", "7000"});
  CHECK(h.run({"COPY", "k", "k"}) == "-ERR source and destination objects are the same\r\n");
  CHECK(h.run({"COPY", "missing", "missing"}) ==
        "-ERR source and destination objects are the same\r\n");
  CHECK(h.run({"COPY", "k", "k", "DB", "0"}) ==
        "-ERR source and destination objects are the same\r\n");
  CHECK(h.run({"COPY", "k", "x", "DB", "16"}) == "-ERR DB index is out of range\r\n");
  CHECK(h.run({"COPY", "k", "x", "DB", "-1"}) == "-ERR DB index is out of range\r\n");
  CHECK(h.run({"COPY", "k", "x", "DB", "abc"}) ==
        "-ERR value is not an integer or out of range\r\n");
  CHECK(h.run({"COPY", "k", "x", "DB", "99999999999"}) ==
        "-ERR value is out of range, value must between -2147483648 and 2147483647\r\n");
  CHECK(h.run({"COPY", "k", "x", "DB"}) == "-ERR syntax error\r\n");
  CHECK(h.run({"COPY", "k", "x", "bogus"}) == "-ERR syntax error\r\n");
  CHECK(h.run({"COPY", "missing", "x"}) == ":0\r\n");
  CHECK(h.run({"COPY", "k", "x"}) == ":1\r\n");
  CHECK(h.run({"PTTL", "x"}) == ":7000\r\n");
  CHECK(h.run({"COPY", "k", "x"}) == ":0\r\n");
  h.run({"SET", "k", "w"});
  CHECK(h.run({"COPY", "k", "x", "replace"}) == ":1\r\n");
  CHECK(h.run({"GET", "x"}) == "$1\r\nw\r\n");
  CHECK(h.run({"TTL", "x"}) == ":-1\r\n");
  CHECK(h.run({"COPY", "k", "k", "DB", "3"}) == ":1\r\n");
  CHECK(h.run({"COPY", "k", "k", "DB", "0", "DB", "3"}) == ":0\r\n");  // the last DB wins
  h.client().db = 3;
  CHECK(h.run({"GET", "k"}) == "$1\r\nw\r\n");
  CHECK(h.run({"COPY", "k"}) == "-ERR wrong number of arguments for 'copy' command\r\n");
}

TEST_CASE("MOVE", "[keys]") {
  CommandHarness h;
  h.run({"SET", "k", "v", "PX", "3000"});
  CHECK(h.run({"MOVE", "k", "abc"}) == "-ERR value is not an integer or out of range\r\n");
  CHECK(h.run({"MOVE", "k", "99999999999"}) ==
        "-ERR value is out of range, value must between -2147483648 and 2147483647\r\n");
  CHECK(h.run({"MOVE", "k", "16"}) == "-ERR DB index is out of range\r\n");
  CHECK(h.run({"MOVE", "missing", "-1"}) == "-ERR DB index is out of range\r\n");
  CHECK(h.run({"MOVE", "k", "0"}) == "-ERR source and destination objects are the same\r\n");
  CHECK(h.run({"MOVE", "missing", "1"}) == ":0\r\n");
  CHECK(h.run({"MOVE", "k", "1"}) == ":1\r\n");
  CHECK(h.run({"EXISTS", "k"}) == ":0\r\n");
  h.run({"SET", "k", "again"});
  CHECK(h.run({"MOVE", "k", "1"}) == ":0\r\n");  // exists there
  h.client().db = 1;
  CHECK(h.run({"GET", "k"}) == "$1\r\nv\r\n");
  CHECK(h.run({"PTTL", "k"}) == ":3000\r\n");
}

TEST_CASE("EXPIREAT, PEXPIREAT, EXPIRETIME and PEXPIRETIME", "[keys]") {
  CommandHarness h;
  const std::int64_t now = h.now();
  const std::string in_10s = std::to_string(now / 1000 + 10);
  CHECK(h.run({"EXPIRETIME", "missing"}) == ":-2\r\n");
  CHECK(h.run({"PEXPIRETIME", "missing"}) == ":-2\r\n");
  h.run({"SET", "k", "v"});
  CHECK(h.run({"EXPIRETIME", "k"}) == ":-1\r\n");
  CHECK(h.run({"PEXPIRETIME", "k"}) == ":-1\r\n");
  CHECK(h.run({"EXPIREAT", "missing", in_10s}) == ":0\r\n");
  CHECK(h.run({"EXPIREAT", "k", in_10s, "XX"}) == ":0\r\n");
  CHECK(h.run({"EXPIREAT", "k", in_10s}) == ":1\r\n");
  CHECK(h.run({"EXPIRETIME", "k"}) == ":" + in_10s + "\r\n");
  CHECK(h.run({"PEXPIRETIME", "k"}) == ":" + in_10s + "000\r\n");
  CHECK(h.run({"PEXPIREAT", "k", "99999999999500", "GT"}) == ":1\r\n");
  CHECK(h.run({"PEXPIRETIME", "k"}) == ":99999999999500\r\n");
  CHECK(h.run({"EXPIRETIME", "k"}) == ":100000000000\r\n");  // rounded like TTL
  CHECK(h.run({"PEXPIREAT", "k", "99999999999000", "GT"}) == ":0\r\n");
  CHECK(h.run({"EXPIREAT", "k", "9223372036854776"}) ==
        "-ERR invalid expire time in 'expireat' command\r\n");
  CHECK(h.run({"EXPIREAT", "k", "-9223372036854776"}) ==
        "-ERR invalid expire time in 'expireat' command\r\n");
  CHECK(h.run({"PEXPIREAT", "k", "9223372036854775807"}) == ":1\r\n");
  CHECK(h.run({"EXPIREAT", "k", "x"}) == "-ERR value is not an integer or out of range\r\n");
  CHECK(h.run({"EXPIREAT", "k", "1", "NX", "XX"}) ==
        "-ERR NX and XX, GT or LT options at the same time are not compatible\r\n");
  CHECK(h.run({"PEXPIREAT", "k", std::to_string(now)}) == ":1\r\n");  // not in the future
  CHECK(h.run({"EXISTS", "k"}) == ":0\r\n");
  h.run({"SET", "k", "v"});
  CHECK(h.run({"EXPIREAT", "k", "1"}) == ":1\r\n");
  CHECK(h.run({"EXISTS", "k"}) == ":0\r\n");
  CHECK(h.run({"EXPIREAT", "k"}) == "-ERR wrong number of arguments for 'expireat' command\r\n");
  CHECK(h.run({"EXPIRETIME"}) == "-ERR wrong number of arguments for 'expiretime' command\r\n");
}

TEST_CASE("CLIENT NO-TOUCH leaves COPY's existing destination unstamped", "[keys]") {
  CommandHarness h;
  h.run({"CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"});
  h.run({"CONFIG", "SET", "lfu-log-factor", "0"});  // every access counts one
  h.run({"SET", "src", "v"});
  h.run({"SET", "dst", "v"});
  CHECK(h.run({"OBJECT", "FREQ", "dst"}) == ":5\r\n");
  h.run({"CLIENT", "NO-TOUCH", "ON"});
  CHECK(h.run({"COPY", "src", "dst"}) == ":0\r\n");
  CHECK(h.run({"OBJECT", "FREQ", "dst"}) == ":5\r\n");
  h.run({"CLIENT", "NO-TOUCH", "OFF"});
  CHECK(h.run({"COPY", "src", "dst"}) == ":0\r\n");
  CHECK(h.run({"OBJECT", "FREQ", "dst"}) == ":6\r\n");
}

TEST_CASE("TOUCH counts live keys and resets their idle time", "[keys]") {
  CommandHarness h;
  h.run({"SET", "a", "1"});  // the default policy, allkeys-tinylfu, stamps the LRU clock
  h.run({"SET", "b", "1"});
  h.advance(5000);
  CHECK(h.run({"OBJECT", "IDLETIME", "a"}) == ":5\r\n");
  CHECK(h.run({"TYPE", "a"}) == "+string\r\n");  // TYPE does not touch
  CHECK(h.run({"OBJECT", "IDLETIME", "a"}) == ":5\r\n");
  CHECK(h.run({"TOUCH", "a", "a", "missing"}) == ":2\r\n");
  CHECK(h.run({"OBJECT", "IDLETIME", "a"}) == ":0\r\n");
  CHECK(h.run({"OBJECT", "IDLETIME", "b"}) == ":5\r\n");
  CHECK(h.run({"TOUCH"}) == "-ERR wrong number of arguments for 'touch' command\r\n");
}

TEST_CASE("RANDOMKEY", "[keys]") {
  CommandHarness h;
  CHECK(h.run({"RANDOMKEY"}) == "$-1\r\n");
  h.run({"SET", "only", "v"});
  CHECK(h.run({"RANDOMKEY"}) == "$4\r\nonly\r\n");
  h.run({"SET", "e", "v", "PX", "10"});
  h.run({"DEL", "only"});
  h.advance(11);
  CHECK(h.run({"RANDOMKEY"}) == "$-1\r\n");
  CHECK(h.run({"RANDOMKEY", "x"}) == "-ERR wrong number of arguments for 'randomkey' command\r\n");
}

TEST_CASE("OBJECT ENCODING and REFCOUNT follow Redis's string encodings", "[keys]") {
  CommandHarness h;
  struct Case {
    const char* value;
    const char* encoding;
    const char* refcount;
  };
  const std::string s44(44, 'x'), s45(45, 'x');
  const Case cases[] = {
      {"0", "$3\r\nint\r\n", ":2147483647\r\n"},
      {"9999", "$3\r\nint\r\n", ":2147483647\r\n"},
      {"10000", "$3\r\nint\r\n", ":1\r\n"},
      {"-5", "$3\r\nint\r\n", ":1\r\n"},
      {"9223372036854775807", "$3\r\nint\r\n", ":1\r\n"},
      {"-9223372036854775808", "$3\r\nint\r\n", ":1\r\n"},
      {"9223372036854775808", "$6\r\nembstr\r\n", ":1\r\n"},
      {"007", "$6\r\nembstr\r\n", ":1\r\n"},
      {"-0", "$6\r\nembstr\r\n", ":1\r\n"},
      {"+5", "$6\r\nembstr\r\n", ":1\r\n"},
      {"", "$6\r\nembstr\r\n", ":1\r\n"},
      {s44.c_str(), "$6\r\nembstr\r\n", ":1\r\n"},
      {s45.c_str(), "$3\r\nraw\r\n", ":1\r\n"},
  };
  for (const Case& c : cases) {
    INFO("value " << c.value);
    h.run({"SET", "k", c.value});
    CHECK(h.run({"OBJECT", "ENCODING", "k"}) == c.encoding);
    CHECK(h.run({"object", "refcount", "k"}) == c.refcount);
  }
  CHECK(h.run({"OBJECT", "ENCODING", "missing"}) == "$-1\r\n");
  CHECK(h.run({"OBJECT", "REFCOUNT", "missing"}) == "$-1\r\n");
  CHECK(h.run({"OBJECT", "IDLETIME", "missing"}) == "$-1\r\n");
  CHECK(h.run({"OBJECT", "FREQ", "missing"}) == "$-1\r\n");
}

TEST_CASE("OBJECT FREQ, HELP and errors", "[keys]") {
  CommandHarness h;
  h.run({"CONFIG", "SET", "maxmemory-policy", "allkeys-lru"});  // FREQ needs an LFU policy
  h.run({"SET", "k", "v"});
  CHECK(h.run({"OBJECT", "FREQ", "k"}) ==
        "-ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note "
        "that when switching between policies at runtime LRU and LFU data will take some time to "
        "adjust.\r\n");
  const std::string help = h.run({"OBJECT", "help"});
  CHECK(help.rfind("*15\r\n+OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"
                   "+ENCODING <key>\r\n",
                   0) == 0);
  CHECK(help.size() > 600);
  CHECK(help.ends_with("+HELP\r\n+    Prints this help.\r\n"));
  CHECK(h.run({"OBJECT"}) == "-ERR wrong number of arguments for 'object' command\r\n");
  CHECK(h.run({"OBJECT", "ENCODING"}) ==
        "-ERR wrong number of arguments for 'object|encoding' command\r\n");
  CHECK(h.run({"OBJECT", "idletime", "a", "b"}) ==
        "-ERR wrong number of arguments for 'object|idletime' command\r\n");
  CHECK(h.run({"OBJECT", "HELP", "x"}) ==
        "-ERR wrong number of arguments for 'object|help' command\r\n");
  CHECK(h.run({"OBJECT", "foo"}) == "-ERR unknown subcommand 'foo'. Try OBJECT HELP.\r\n");
  CHECK(h.run({"OBJECT", "Foo", "k"}) == "-ERR unknown subcommand 'Foo'. Try OBJECT HELP.\r\n");
  CHECK(h.run({"OBJECT", ""}) == "-ERR unknown subcommand ''. Try OBJECT HELP.\r\n");
  const std::string long_name(200, 'z');
  CHECK(h.run({"OBJECT", long_name}) ==
        "-ERR unknown subcommand '" + std::string(128, 'z') + "'. Try OBJECT HELP.\r\n");
}

namespace {

// Splits a SCAN reply into its cursor and keys (bulk strings without CR/LF).
std::pair<std::string, std::vector<std::string>> parse_scan(const std::string& reply) {
  std::vector<std::string> items;
  std::size_t pos = reply.find("\r\n") + 2;  // "*2"
  auto bulk = [&]() {
    std::size_t eol = reply.find("\r\n", pos);
    std::size_t len = std::stoul(reply.substr(pos + 1, eol - pos - 1));
    std::string s = reply.substr(eol + 2, len);
    pos = eol + 2 + len + 2;
    return s;
  };
  std::string cursor = bulk();
  std::size_t eol = reply.find("\r\n", pos);
  std::size_t n = std::stoul(reply.substr(pos + 1, eol - pos - 1));
  pos = eol + 2;
  for (std::size_t i = 0; i < n; ++i) items.push_back(bulk());
  return {cursor, items};
}

std::vector<std::string> scan_all(CommandHarness& h, std::vector<std::string_view> extra) {
  std::vector<std::string> keys;
  std::string cursor = "0";
  do {
    std::vector<std::string_view> args{"SCAN", cursor};
    args.insert(args.end(), extra.begin(), extra.end());
    std::string reply = h.run(args);
    if (h.deferred()) reply += h.finish();  // a large COUNT walks in steps
    auto [next, items] = parse_scan(reply);
    keys.insert(keys.end(), items.begin(), items.end());
    cursor = next;
  } while (cursor != "0");
  std::sort(keys.begin(), keys.end());
  return keys;
}

}  // namespace

TEST_CASE("SCAN iterates the whole db with MATCH, COUNT and TYPE", "[keys][scan]") {
  CommandHarness h;
  CHECK(h.run({"SCAN", "0"}) == "*2\r\n$1\r\n0\r\n*0\r\n");
  std::vector<std::string> all;
  for (int i = 0; i < 300; ++i) {
    all.push_back(numbered((i % 3 == 0 ? "user:" : "post:"), i));
    h.run({"SET", all.back(), "v"});
  }
  h.run({"SET", "", "empty key"});
  h.run({"SET", "dead", "v", "PX", "1"});
  h.advance(2);
  std::vector<std::string> expected = all;
  expected.push_back("");
  std::sort(expected.begin(), expected.end());
  CHECK(scan_all(h, {}) == expected);
  CHECK(scan_all(h, {"COUNT", "1"}) == expected);
  CHECK(scan_all(h, {"count", "1000"}) == expected);
  CHECK(scan_all(h, {"MATCH", "*"}) == expected);  // a lone * matches the empty key
  CHECK(scan_all(h, {"TYPE", "STRING"}) == expected);
  CHECK(scan_all(h, {"TYPE", "list"}).empty());
  CHECK(scan_all(h, {"TYPE", "none"}).empty());
  std::vector<std::string> users = scan_all(h, {"MATCH", "user:*", "COUNT", "7"});
  CHECK(users.size() == 100);
  CHECK(std::all_of(users.begin(), users.end(), [](const std::string& k) { return k.rfind("user:", 0) == 0; }));
  CHECK(scan_all(h, {"MATCH", "*", "MATCH", "nope*"}).empty());  // the last option wins
  // A small db comes back whole with cursor 0 in one call.
  CommandHarness small;
  small.run({"SET", "a", "1"});
  CHECK(small.run({"SCAN", "0"}) == "*2\r\n$1\r\n0\r\n*1\r\n$1\r\na\r\n");
  CHECK(small.run({"SCAN", "0", "MATCH", "b"}) == "*2\r\n$1\r\n0\r\n*0\r\n");
}

TEST_CASE("SCAN cursor and option errors", "[keys][scan]") {
  CommandHarness h;
  h.run({"SET", "a", "1"});
  const std::string whole = "*2\r\n$1\r\n0\r\n*1\r\n$1\r\na\r\n";
  CHECK(h.run({"SCAN", ""}) == whole);  // strtoul() reads "" as 0
  CHECK(h.run({"SCAN", "+0"}) == whole);
  CHECK(h.run({"SCAN", "00"}) == whole);
  CHECK(h.run({"SCAN", "-1"}).rfind("*2\r\n", 0) == 0);
  CHECK(h.run({"SCAN", "-18446744073709551615"}).rfind("*2\r\n", 0) == 0);
  CHECK(h.run({"SCAN", "18446744073709551615"}).rfind("*2\r\n", 0) == 0);
  for (const char* bad : {" 0", "0 ", "x", "0x10", "1.5", "18446744073709551616", "-"}) {
    INFO("cursor '" << bad << "'");
    CHECK(h.run({"SCAN", bad}) == "-ERR invalid cursor\r\n");
  }
  CHECK(h.run({"SCAN", "x", "COUNT", "0"}) == "-ERR invalid cursor\r\n");
  CHECK(h.run({"SCAN", "0", "COUNT", "0"}) == "-ERR syntax error\r\n");
  CHECK(h.run({"SCAN", "0", "COUNT", "-1"}) == "-ERR syntax error\r\n");
  CHECK(h.run({"SCAN", "0", "COUNT", "x"}) == "-ERR value is not an integer or out of range\r\n");
  CHECK(h.run({"SCAN", "0", "COUNT"}) == "-ERR syntax error\r\n");
  CHECK(h.run({"SCAN", "0", "MATCH"}) == "-ERR syntax error\r\n");
  CHECK(h.run({"SCAN", "0", "TYPE"}) == "-ERR syntax error\r\n");
  CHECK(h.run({"SCAN", "0", "bogus", "x"}) == "-ERR syntax error\r\n");
  CHECK(h.run({"SCAN", "0", "COUNT", "9223372036854775807"}) == whole);
  CHECK(h.run({"SCAN"}) == "-ERR wrong number of arguments for 'scan' command\r\n");
}
