#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "../support/command_harness.h"

using larder::testing::CommandHarness;

namespace {

const std::string kWrongType = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
const std::string kSyntaxErr = "-ERR syntax error\r\n";
const std::string kNotInt = "-ERR value is not an integer or out of range\r\n";

// A flat aggregate reply ('*' or '~') of bulk strings.
struct Members {
  char type = 0;
  std::vector<std::string> items;
  std::vector<std::string> sorted() const {
    auto s = items;
    std::sort(s.begin(), s.end());
    return s;
  }
  std::set<std::string> distinct() const { return {items.begin(), items.end()}; }
};

Members parse_members(const std::string& reply) {
  Members m;
  m.type = reply.at(0);
  std::size_t pos = reply.find("\r\n");
  const long n = std::stol(reply.substr(1, pos - 1));
  pos += 2;
  for (long i = 0; i < n; ++i) {
    REQUIRE(reply.at(pos) == '$');
    const std::size_t eol = reply.find("\r\n", pos);
    const std::size_t len = std::stoul(reply.substr(pos + 1, eol - pos - 1));
    m.items.push_back(reply.substr(eol + 2, len));
    pos = eol + 2 + len + 2;
  }
  REQUIRE(pos == reply.size());
  return m;
}

// [cursor, [members...]] of a SCAN reply.
std::pair<std::string, std::vector<std::string>> parse_scan(const std::string& reply) {
  REQUIRE(reply.rfind("*2\r\n$", 0) == 0);
  std::size_t eol = reply.find("\r\n", 4);
  const std::size_t len = std::stoul(reply.substr(5, eol - 5));
  std::string cursor = reply.substr(eol + 2, len);
  return {cursor, parse_members(reply.substr(eol + 2 + len + 2)).items};
}

std::string bulk(const std::string& s) { return "$" + std::to_string(s.size()) + "\r\n" + s + "\r\n"; }

std::string array_of(char type, const std::vector<std::string>& items) {
  std::string out = type + std::to_string(items.size()) + "\r\n";
  for (const auto& s : items) out += bulk(s);
  return out;
}

std::string encoding(CommandHarness& h, std::string_view key) { return h.run({"OBJECT", "ENCODING", key}); }
const std::string kIntset = "$6\r\nintset\r\n";
const std::string kHashtable = "$9\r\nhashtable\r\n";

// SADD key m... for many members.
std::string sadd(CommandHarness& h, const std::string& key, const std::vector<std::string>& members) {
  std::vector<std::string_view> args{"SADD", key};
  for (const auto& m : members) args.push_back(m);
  return h.run(args);
}

std::vector<std::string> range_members(int from, int to, const std::string& prefix = "") {
  std::vector<std::string> out;
  for (int i = from; i <= to; ++i) out.push_back(prefix + std::to_string(i));
  return out;
}

}  // namespace

TEST_CASE("SADD, SREM, SCARD, SISMEMBER and SMISMEMBER", "[set]") {
  CommandHarness h;
  CHECK(h.run({"SADD", "s", "a", "b", "c"}) == ":3\r\n");
  CHECK(h.run({"SADD", "s", "a", "d", "d"}) == ":1\r\n");
  CHECK(h.run({"SCARD", "s"}) == ":4\r\n");
  CHECK(h.run({"SCARD", "missing"}) == ":0\r\n");
  CHECK(h.run({"SISMEMBER", "s", "a"}) == ":1\r\n");
  CHECK(h.run({"SISMEMBER", "s", "z"}) == ":0\r\n");
  CHECK(h.run({"SISMEMBER", "missing", "a"}) == ":0\r\n");
  CHECK(h.run({"SMISMEMBER", "s", "a", "z", "d"}) == "*3\r\n:1\r\n:0\r\n:1\r\n");
  CHECK(h.run({"SMISMEMBER", "missing", "a", "b"}) == "*2\r\n:0\r\n:0\r\n");
  CHECK(h.run({"SREM", "s", "a", "z", "a"}) == ":1\r\n");
  CHECK(h.run({"SREM", "missing", "a"}) == ":0\r\n");
  CHECK(parse_members(h.run({"SMEMBERS", "s"})).sorted() == std::vector<std::string>{"b", "c", "d"});
  CHECK(h.run({"SMEMBERS", "missing"}) == "*0\r\n");
  CHECK(h.run({"TYPE", "s"}) == "+set\r\n");

  // Binary-safe members.
  const std::string bin("\x00\r\n\xff", 4);
  CHECK(h.run({"SADD", "b", bin, ""}) == ":2\r\n");
  CHECK(h.run({"SISMEMBER", "b", bin}) == ":1\r\n");
  CHECK(h.run({"SISMEMBER", "b", ""}) == ":1\r\n");
  CHECK(h.run({"SISMEMBER", "b", std::string_view("\x00", 1)}) == ":0\r\n");

  CHECK(h.run({"SADD", "s"}) == "-ERR wrong number of arguments for 'sadd' command\r\n");
  CHECK(h.run({"SREM", "s"}) == "-ERR wrong number of arguments for 'srem' command\r\n");
  CHECK(h.run({"SISMEMBER", "s"}) == "-ERR wrong number of arguments for 'sismember' command\r\n");
  CHECK(h.run({"SMISMEMBER", "s"}) == "-ERR wrong number of arguments for 'smismember' command\r\n");
  CHECK(h.run({"SCARD"}) == "-ERR wrong number of arguments for 'scard' command\r\n");
}

TEST_CASE("intset members read as string2ll and reply ascending", "[set]") {
  CommandHarness h;
  CHECK(h.run({"SADD", "i", "3", "-1", "9223372036854775807", "-9223372036854775808", "0", "3"}) == ":5\r\n");
  CHECK(encoding(h, "i") == kIntset);
  CHECK(h.run({"SMEMBERS", "i"}) ==
        array_of('*', {"-9223372036854775808", "-1", "0", "3", "9223372036854775807"}));
  CHECK(h.run({"SISMEMBER", "i", "03"}) == ":0\r\n");
  CHECK(h.run({"SISMEMBER", "i", "+3"}) == ":0\r\n");
  CHECK(h.run({"SISMEMBER", "i", "-0"}) == ":0\r\n");
  CHECK(h.run({"SISMEMBER", "i", "9223372036854775808"}) == ":0\r\n");
  CHECK(h.run({"SREM", "i", "03", "3.0"}) == ":0\r\n");
  CHECK(h.run({"SREM", "i", "3"}) == ":1\r\n");
  CHECK(encoding(h, "i") == kIntset);
}

TEST_CASE("intset converts to hashtable on a non-integer and past set-max-intset-entries", "[set]") {
  CommandHarness h;
  CHECK(h.run({"SADD", "s", "1", "2"}) == ":2\r\n");
  CHECK(encoding(h, "s") == kIntset);
  CHECK(h.run({"SADD", "s", "01"}) == ":1\r\n");  // not canonical: a string member
  CHECK(encoding(h, "s") == kHashtable);
  CHECK(h.run({"SREM", "s", "01"}) == ":1\r\n");
  CHECK(encoding(h, "s") == kHashtable);  // never converted back
  CHECK(h.run({"SISMEMBER", "s", "1"}) == ":1\r\n");
  CHECK(parse_members(h.run({"SMEMBERS", "s"})).sorted() == std::vector<std::string>{"1", "2"});

  CHECK(h.run({"SADD", "n", "x"}) == ":1\r\n");  // created by a string member
  CHECK(encoding(h, "n") == kHashtable);

  CHECK(h.run({"CONFIG", "SET", "set-max-intset-entries", "4"}) == "+OK\r\n");
  CHECK(sadd(h, "m", range_members(1, 4)) == ":4\r\n");
  CHECK(encoding(h, "m") == kIntset);
  CHECK(h.run({"SADD", "m", "4"}) == ":0\r\n");
  CHECK(encoding(h, "m") == kIntset);
  CHECK(h.run({"SADD", "m", "5"}) == ":1\r\n");
  CHECK(encoding(h, "m") == kHashtable);
  CHECK(h.run({"SCARD", "m"}) == ":5\r\n");
  CHECK(parse_members(h.run({"SMEMBERS", "m"})).sorted() == range_members(1, 5));
}

TEST_CASE("sets are deleted when they become empty", "[set]") {
  CommandHarness h;
  for (const char* member : {"1", "a"}) {  // both encodings
    CHECK(h.run({"SADD", "s", member}) == ":1\r\n");
    CHECK(h.run({"EXPIRE", "s", "100"}) == ":1\r\n");
    CHECK(h.run({"SREM", "s", member, "other"}) == ":1\r\n");
    CHECK(h.run({"EXISTS", "s"}) == ":0\r\n");
    CHECK(h.run({"SADD", "s", member}) == ":1\r\n");
    CHECK(h.run({"TTL", "s"}) == ":-1\r\n");  // a fresh key
    CHECK(h.run({"SPOP", "s"}) == bulk(member));
    CHECK(h.run({"EXISTS", "s"}) == ":0\r\n");
    CHECK(h.run({"SADD", "s", member, "2"}) == ":2\r\n");
    CHECK(parse_members(h.run({"SPOP", "s", "2"})).sorted().size() == 2);
    CHECK(h.run({"EXISTS", "s"}) == ":0\r\n");
    CHECK(h.run({"SADD", "s", member}) == ":1\r\n");
    CHECK(h.run({"SMOVE", "s", "d", member}) == ":1\r\n");
    CHECK(h.run({"EXISTS", "s"}) == ":0\r\n");
    CHECK(h.run({"DEL", "d"}) == ":1\r\n");
  }
  CHECK(h.run({"SPOP", "s"}) == "$-1\r\n");
  CHECK(h.run({"SPOP", "s", "3"}) == "*0\r\n");
  CHECK(h.run({"DBSIZE"}) == ":0\r\n");
}

TEST_CASE("set commands reply WRONGTYPE on other types", "[set]") {
  CommandHarness h;
  CHECK(h.run({"SET", "str", "v"}) == "+OK\r\n");
  CHECK(h.run({"SADD", "s", "1"}) == ":1\r\n");
  const std::vector<std::vector<std::string_view>> commands = {
      {"SADD", "str", "a"},        {"SREM", "str", "a"},           {"SMEMBERS", "str"},
      {"SISMEMBER", "str", "a"},   {"SMISMEMBER", "str", "a"},     {"SCARD", "str"},
      {"SPOP", "str"},             {"SPOP", "str", "1"},           {"SRANDMEMBER", "str"},
      {"SRANDMEMBER", "str", "2"}, {"SMOVE", "str", "s", "1"},     {"SMOVE", "s", "str", "1"},
      {"SINTER", "s", "str"},      {"SINTER", "missing", "str"},   {"SINTERCARD", "2", "missing", "str"},
      {"SINTERSTORE", "d", "missing", "str"},                      {"SUNION", "missing", "str"},
      {"SUNIONSTORE", "d", "s", "str"},                            {"SDIFF", "missing", "str"},
      {"SDIFFSTORE", "d", "s", "str"},                             {"SSCAN", "str", "0"},
      {"SSCAN", "str", "0", "COUNT", "0"},
  };
  for (const auto& c : commands) {
    INFO(c[0] << " " << c[1]);
    CHECK(h.run(c) == kWrongType);
  }
  CHECK(h.run({"EXISTS", "d"}) == ":0\r\n");
  CHECK(h.run({"GET", "str"}) == "$1\r\nv\r\n");
  CHECK(h.run({"SMEMBERS", "s"}) == "*1\r\n$1\r\n1\r\n");
  // A missing source makes SMOVE reply 0 before any type is checked.
  CHECK(h.run({"SMOVE", "missing", "str", "1"}) == ":0\r\n");
  // The destination of a STORE may hold any type.
  CHECK(h.run({"SUNIONSTORE", "str", "s"}) == ":1\r\n");
  CHECK(h.run({"TYPE", "str"}) == "+set\r\n");
}

TEST_CASE("SMOVE", "[set]") {
  CommandHarness h;
  CHECK(h.run({"SADD", "a", "1", "2", "x"}) == ":3\r\n");
  CHECK(h.run({"SMOVE", "a", "a", "1"}) == ":1\r\n");
  CHECK(h.run({"SMOVE", "a", "a", "9"}) == ":0\r\n");
  CHECK(h.run({"SMOVE", "a", "b", "9"}) == ":0\r\n");
  CHECK(h.run({"EXISTS", "b"}) == ":0\r\n");
  CHECK(h.run({"SMOVE", "a", "b", "1"}) == ":1\r\n");
  CHECK(encoding(h, "b") == kIntset);
  CHECK(h.run({"SMOVE", "a", "c", "x"}) == ":1\r\n");
  CHECK(encoding(h, "c") == kHashtable);
  CHECK(h.run({"SADD", "b", "2"}) == ":1\r\n");
  CHECK(h.run({"SMOVE", "a", "b", "2"}) == ":1\r\n");  // already there: still moved out
  CHECK(h.run({"EXISTS", "a"}) == ":0\r\n");
  CHECK(h.run({"SMEMBERS", "b"}) == "*2\r\n$1\r\n1\r\n$1\r\n2\r\n");
  CHECK(h.run({"SMOVE", "b"}) == "-ERR wrong number of arguments for 'smove' command\r\n");
}

TEST_CASE("SINTER, SUNION and SDIFF", "[set]") {
  CommandHarness h;
  CHECK(h.run({"SADD", "i1", "5", "1", "3", "7"}) == ":4\r\n");
  CHECK(h.run({"SADD", "i2", "3", "5", "9"}) == ":3\r\n");
  CHECK(h.run({"SADD", "h", "3", "5", "x"}) == ":3\r\n");
  CHECK(h.run({"SINTER", "i1", "i2"}) == array_of('*', {"3", "5"}));
  CHECK(h.run({"SINTER", "i1", "i2", "h"}) == array_of('*', {"3", "5"}));
  CHECK(h.run({"SINTER", "i1", "i1"}) == array_of('*', {"1", "3", "5", "7"}));
  CHECK(h.run({"SINTER", "i1", "missing"}) == "*0\r\n");
  CHECK(parse_members(h.run({"SINTER", "h"})).sorted() == std::vector<std::string>{"3", "5", "x"});
  CHECK(h.run({"SUNION", "i1", "i2", "missing"}) == array_of('*', {"1", "3", "5", "7", "9"}));
  CHECK(parse_members(h.run({"SUNION", "i1", "h"})).sorted() ==
        std::vector<std::string>{"1", "3", "5", "7", "x"});
  CHECK(h.run({"SUNION", "missing"}) == "*0\r\n");
  CHECK(h.run({"SDIFF", "i1", "i2"}) == array_of('*', {"1", "7"}));
  CHECK(h.run({"SDIFF", "i1", "missing", "h"}) == array_of('*', {"1", "7"}));
  CHECK(h.run({"SDIFF", "h", "i1"}) == array_of('*', {"x"}));
  CHECK(h.run({"SDIFF", "i1", "i2", "i1"}) == "*0\r\n");
  CHECK(h.run({"SDIFF", "missing", "i1"}) == "*0\r\n");
  // A hashtable of integers yields a sorted intset-like reply (a fresh set).
  CHECK(h.run({"SREM", "h", "x"}) == ":1\r\n");
  CHECK(h.run({"SUNION", "h"}) == array_of('*', {"3", "5"}));

  CHECK(h.run({"SINTERCARD", "2", "i1", "i2"}) == ":2\r\n");
  CHECK(h.run({"SINTERCARD", "2", "i1", "i2", "LIMIT", "1"}) == ":1\r\n");
  CHECK(h.run({"SINTERCARD", "2", "i1", "i2", "limit", "0"}) == ":2\r\n");
  CHECK(h.run({"SINTERCARD", "1", "i1", "LIMIT", "10"}) == ":4\r\n");
  CHECK(h.run({"SINTERCARD", "2", "i1", "missing"}) == ":0\r\n");
  CHECK(h.run({"SINTERCARD", "0", "i1"}) == "-ERR numkeys should be greater than 0\r\n");
  CHECK(h.run({"SINTERCARD", "x", "i1"}) == "-ERR numkeys should be greater than 0\r\n");
  CHECK(h.run({"SINTERCARD", "3", "i1", "i2"}) ==
        "-ERR Number of keys can't be greater than number of args\r\n");
  CHECK(h.run({"SINTERCARD", "1", "i1", "LIMIT", "-1"}) == "-ERR LIMIT can't be negative\r\n");
  CHECK(h.run({"SINTERCARD", "1", "i1", "LIMIT", "x"}) == "-ERR LIMIT can't be negative\r\n");
  CHECK(h.run({"SINTERCARD", "1", "i1", "LIMIT"}) == kSyntaxErr);
  CHECK(h.run({"SINTERCARD", "1", "i1", "FOO", "1"}) == kSyntaxErr);
  CHECK(h.run({"SET", "str", "v"}) == "+OK\r\n");
  CHECK(h.run({"SINTERCARD", "1", "str", "LIMIT", "-1"}) == "-ERR LIMIT can't be negative\r\n");
}

TEST_CASE("SINTERSTORE, SUNIONSTORE and SDIFFSTORE", "[set]") {
  CommandHarness h;
  CHECK(h.run({"SADD", "i1", "5", "1", "3"}) == ":3\r\n");
  CHECK(h.run({"SADD", "i2", "3", "70000", "9"}) == ":3\r\n");
  CHECK(h.run({"SADD", "h", "3", "x"}) == ":2\r\n");

  CHECK(h.run({"SUNIONSTORE", "d", "i1", "i2"}) == ":5\r\n");
  CHECK(encoding(h, "d") == kIntset);
  CHECK(h.run({"SMEMBERS", "d"}) == array_of('*', {"1", "3", "5", "9", "70000"}));
  CHECK(h.run({"SUNIONSTORE", "d", "d", "h"}) == ":6\r\n");  // the destination is a source
  CHECK(encoding(h, "d") == kHashtable);
  CHECK(parse_members(h.run({"SMEMBERS", "d"})).sorted() ==
        std::vector<std::string>{"1", "3", "5", "70000", "9", "x"});

  CHECK(h.run({"EXPIRE", "d", "100"}) == ":1\r\n");
  CHECK(h.run({"SINTERSTORE", "d", "i1", "h"}) == ":1\r\n");
  CHECK(h.run({"TTL", "d"}) == ":-1\r\n");
  CHECK(encoding(h, "d") == kIntset);  // built as a fresh set from the hashtable's "3"
  CHECK(h.run({"SMEMBERS", "d"}) == array_of('*', {"3"}));

  CHECK(h.run({"SDIFFSTORE", "d", "h", "i1"}) == ":1\r\n");
  CHECK(encoding(h, "d") == kHashtable);
  CHECK(h.run({"SMEMBERS", "d"}) == array_of('*', {"x"}));

  // Empty results delete the destination, whatever it held.
  CHECK(h.run({"SINTERSTORE", "d", "i1", "missing"}) == ":0\r\n");
  CHECK(h.run({"EXISTS", "d"}) == ":0\r\n");
  CHECK(h.run({"SET", "d", "v"}) == "+OK\r\n");
  CHECK(h.run({"SDIFFSTORE", "d", "i1", "i1"}) == ":0\r\n");
  CHECK(h.run({"EXISTS", "d"}) == ":0\r\n");
  CHECK(h.run({"SET", "d", "v"}) == "+OK\r\n");
  CHECK(h.run({"SUNIONSTORE", "d", "missing"}) == ":0\r\n");
  CHECK(h.run({"EXISTS", "d"}) == ":0\r\n");
  CHECK(h.run({"SINTERSTORE", "d", "i1", "i2"}) == ":1\r\n");
  CHECK(h.run({"SINTERSTORE", "d", "i1", "x", "i2"}) == ":0\r\n");
  CHECK(h.run({"EXISTS", "d"}) == ":0\r\n");
  CHECK(h.run({"SDIFFSTORE", "d"}) == "-ERR wrong number of arguments for 'sdiffstore' command\r\n");
}

TEST_CASE("STORE results are encoded as Redis builds them", "[set]") {
  CommandHarness h;
  CHECK(h.run({"CONFIG", "SET", "set-max-intset-entries", "3"}) == "+OK\r\n");
  CHECK(h.run({"SADD", "a", "1", "2", "3"}) == ":3\r\n");
  CHECK(h.run({"SADD", "b", "4"}) == ":1\r\n");
  CHECK(h.run({"SUNIONSTORE", "u", "a", "b"}) == ":4\r\n");
  CHECK(encoding(h, "u") == kHashtable);  // past the limit
  CHECK(h.run({"SDIFFSTORE", "d", "u", "b"}) == ":3\r\n");
  CHECK(encoding(h, "d") == kIntset);  // walks u, keeps 3 members

  // SDIFF's second algorithm adds the whole first set before removing: a
  // string member in it leaves a hashtable even when only integers remain.
  CHECK(h.run({"CONFIG", "SET", "set-max-intset-entries", "512"}) == "+OK\r\n");
  CHECK(sadd(h, "big", range_members(1, 9)) == ":9\r\n");
  CHECK(h.run({"SADD", "big", "x"}) == ":1\r\n");
  CHECK(h.run({"SADD", "s1", "x"}) == ":1\r\n");
  CHECK(h.run({"SADD", "s2", "1"}) == ":1\r\n");
  CHECK(h.run({"SDIFFSTORE", "r", "big", "s1", "s2"}) == ":8\r\n");  // 30/2 > 12: algorithm 2
  CHECK(encoding(h, "r") == kHashtable);
  CHECK(h.run({"SDIFFSTORE", "r", "big", "s1"}) == ":9\r\n");  // 20/2 <= 11: algorithm 1
  CHECK(encoding(h, "r") == kIntset);
  CHECK(h.run({"SMEMBERS", "r"}) == array_of('*', range_members(1, 9)));
}

TEST_CASE("set replies in RESP3", "[set]") {
  CommandHarness h;
  REQUIRE(h.run({"HELLO", "3"}).rfind("%", 0) == 0);
  CHECK(h.run({"SADD", "s", "3", "1", "2"}) == ":3\r\n");
  CHECK(h.run({"SMEMBERS", "s"}) == array_of('~', {"1", "2", "3"}));
  CHECK(h.run({"SMEMBERS", "missing"}) == "~0\r\n");
  CHECK(h.run({"SINTER", "s", "missing"}) == "~0\r\n");
  CHECK(h.run({"SUNION", "s"}) == array_of('~', {"1", "2", "3"}));
  CHECK(h.run({"SDIFF", "missing"}) == "~0\r\n");
  CHECK(h.run({"SMISMEMBER", "s", "1", "9"}) == "*2\r\n:1\r\n:0\r\n");
  CHECK(h.run({"SRANDMEMBER", "s", "5"}) == array_of('*', {"1", "2", "3"}));
  CHECK(h.run({"SRANDMEMBER", "s", "0"}) == "*0\r\n");
  CHECK(h.run({"SRANDMEMBER", "missing", "3"}) == "*0\r\n");
  CHECK(h.run({"SRANDMEMBER", "missing"}) == "_\r\n");
  CHECK(h.run({"SPOP", "missing"}) == "_\r\n");
  CHECK(h.run({"SPOP", "missing", "2"}) == "~0\r\n");
  CHECK(h.run({"SPOP", "s", "0"}) == "~0\r\n");
  CHECK(parse_members(h.run({"SPOP", "s", "1"})).type == '~');
  CHECK(parse_members(h.run({"SPOP", "s", "5"})).type == '~');
  CHECK(h.run({"SSCAN", "missing", "0"}) == "*2\r\n$1\r\n0\r\n*0\r\n");
}

TEST_CASE("SPOP and SRANDMEMBER argument errors", "[set]") {
  CommandHarness h;
  CHECK(h.run({"SADD", "s", "1", "2", "3"}) == ":3\r\n");
  const std::string positive = "-ERR value is out of range, must be positive\r\n";
  CHECK(h.run({"SPOP", "s", "-1"}) == positive);
  CHECK(h.run({"SPOP", "s", "x"}) == positive);
  CHECK(h.run({"SPOP", "missing", "-1"}) == positive);
  CHECK(h.run({"SPOP", "s", "1", "2"}) == kSyntaxErr);
  CHECK(h.run({"SRANDMEMBER", "s", "x"}) == kNotInt);
  CHECK(h.run({"SRANDMEMBER", "s", "9223372036854775808"}) == kNotInt);
  CHECK(h.run({"SRANDMEMBER", "s", "-9223372036854775808"}) ==
        "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n");
  CHECK(h.run({"SRANDMEMBER", "missing", "x"}) == kNotInt);
  CHECK(h.run({"SRANDMEMBER", "s", "1", "2"}) == kSyntaxErr);
  CHECK(h.run({"SPOP"}) == "-ERR wrong number of arguments for 'spop' command\r\n");
  CHECK(h.run({"SCARD", "s"}) == ":3\r\n");
}

TEST_CASE("SRANDMEMBER properties on both encodings", "[set]") {
  CommandHarness h;
  const auto ints = range_members(1, 60);
  const auto strings = range_members(1, 60, "m");
  for (const auto* members : {&ints, &strings}) {
    REQUIRE(sadd(h, "s", *members) == ":60\r\n");
    const std::set<std::string> all(members->begin(), members->end());
    // Positive counts: distinct members, min(count, size) of them; every
    // strategy (1, whole set, copy and drop, draw until distinct).
    for (int count : {1, 5, 19, 20, 21, 40, 59, 60, 61, 1000}) {
      for (int round = 0; round < 5; ++round) {
        const Members m = parse_members(h.run({"SRANDMEMBER", "s", std::to_string(count)}));
        CHECK(m.type == '*');
        CHECK(m.items.size() == static_cast<std::size_t>(std::min(count, 60)));
        CHECK(m.distinct().size() == m.items.size());
        for (const auto& item : m.items) CHECK(all.count(item) == 1);
      }
    }
    // Negative counts may repeat; over many draws every member shows up.
    // Over RandomDraws::kDeferredDraws the draws are streamed in steps.
    for (const char* count : {"-1000", "-3000"}) {
      std::string reply = h.run({"SRANDMEMBER", "s", count});
      CHECK(h.deferred() == (std::string_view(count) == "-3000"));
      if (h.deferred()) reply += h.finish();
      const Members m = parse_members(reply);
      CHECK(m.items.size() == static_cast<std::size_t>(-std::stoi(count)));
      CHECK(m.distinct() == all);
    }
    const std::string one = h.run({"SRANDMEMBER", "s"});
    CHECK(all.count(one.substr(one.find("\r\n") + 2, one.size() - one.find("\r\n") - 4)) == 1);
    CHECK(h.run({"SCARD", "s"}) == ":60\r\n");  // nothing removed
    REQUIRE(h.run({"DEL", "s"}) == ":1\r\n");
  }
}

TEST_CASE("SPOP properties on both encodings", "[set]") {
  CommandHarness h;
  const auto ints = range_members(1, 50);
  const auto strings = range_members(1, 50, "m");
  for (const auto* members : {&ints, &strings}) {
    // Counts covering popping one by one, rebuilding from the kept members
    // (remaining*5 <= count) and popping everything.
    for (int count : {1, 7, 40, 42, 49, 50, 80}) {
      REQUIRE(sadd(h, "s", *members) == ":50\r\n");
      REQUIRE(h.run({"EXPIRE", "s", "1000"}) == ":1\r\n");
      const Members popped = parse_members(h.run({"SPOP", "s", std::to_string(count)}));
      CHECK(popped.type == '*');
      const std::size_t n = static_cast<std::size_t>(std::min(count, 50));
      REQUIRE(popped.items.size() == n);
      CHECK(popped.distinct().size() == n);
      std::set<std::string> left;
      if (n < 50) {
        left = parse_members(h.run({"SMEMBERS", "s"})).distinct();
        CHECK(h.run({"TTL", "s"}) == ":1000\r\n");
      } else {
        CHECK(h.run({"EXISTS", "s"}) == ":0\r\n");
      }
      CHECK(left.size() == 50 - n);
      std::set<std::string> together = left;
      together.insert(popped.items.begin(), popped.items.end());
      CHECK(together == std::set<std::string>(members->begin(), members->end()));
      h.run({"DEL", "s"});
    }
    REQUIRE(sadd(h, "s", *members) == ":50\r\n");
    std::set<std::string> seen;
    for (int i = 0; i < 50; ++i) {
      const std::string r = h.run({"SPOP", "s"});
      REQUIRE(r[0] == '$');
      seen.insert(r.substr(r.find("\r\n") + 2, r.size() - r.find("\r\n") - 4));
    }
    CHECK(seen.size() == 50);
    CHECK(h.run({"EXISTS", "s"}) == ":0\r\n");
  }
}

TEST_CASE("SPOP of most of a hashtable of integers leaves an intset, as in Redis", "[set]") {
  CommandHarness h;
  CHECK(sadd(h, "s", range_members(1, 30)) == ":30\r\n");
  CHECK(h.run({"SADD", "s", "x"}) == ":1\r\n");
  CHECK(h.run({"SREM", "s", "x"}) == ":1\r\n");
  CHECK(encoding(h, "s") == kHashtable);
  CHECK(parse_members(h.run({"SPOP", "s", "28"})).items.size() == 28);  // 2*5 <= 28
  CHECK(encoding(h, "s") == kIntset);
  CHECK(h.run({"SCARD", "s"}) == ":2\r\n");
  // SPOP of the whole set replies it as a fresh set: ascending integers.
  CHECK(sadd(h, "t", {"5", "x", "1"}) == ":3\r\n");
  CHECK(h.run({"SREM", "t", "x"}) == ":1\r\n");
  CHECK(h.run({"SPOP", "t", "2"}) == array_of('*', {"1", "5"}));
}

TEST_CASE("SSCAN", "[set]") {
  CommandHarness h;
  CHECK(h.run({"SADD", "i", "3", "1", "2", "10"}) == ":4\r\n");
  // An intset comes back whole with cursor 0, whatever the cursor and count.
  CHECK(h.run({"SSCAN", "i", "0"}) == "*2\r\n$1\r\n0\r\n" + array_of('*', {"1", "2", "3", "10"}));
  CHECK(h.run({"SSCAN", "i", "7", "COUNT", "1"}) == "*2\r\n$1\r\n0\r\n" + array_of('*', {"1", "2", "3", "10"}));
  CHECK(h.run({"SSCAN", "i", "0", "MATCH", "1*"}) == "*2\r\n$1\r\n0\r\n" + array_of('*', {"1", "10"}));
  CHECK(h.run({"SSCAN", "missing", "0", "COUNT", "0"}) == "*2\r\n$1\r\n0\r\n*0\r\n");
  CHECK(h.run({"SSCAN", "missing", "x"}) == "-ERR invalid cursor\r\n");
  CHECK(h.run({"SSCAN", "i", "0", "COUNT", "0"}) == kSyntaxErr);
  CHECK(h.run({"SSCAN", "i", "0", "COUNT", "x"}) == kNotInt);
  CHECK(h.run({"SSCAN", "i", "0", "TYPE", "set"}) == kSyntaxErr);
  CHECK(h.run({"SSCAN", "i", "0", "MATCH"}) == kSyntaxErr);

  // A hashtable is walked with its cursor until the cursor comes back to 0.
  const auto members = range_members(1, 1000, "member:");
  REQUIRE(sadd(h, "h", members) == ":1000\r\n");
  for (const char* count : {"1", "10", "100"}) {
    std::set<std::string> seen;
    std::string cursor = "0";
    int calls = 0;
    do {
      auto [next, items] = parse_scan(h.run({"SSCAN", "h", cursor, "COUNT", count}));
      seen.insert(items.begin(), items.end());
      cursor = next;
      ++calls;
      REQUIRE(calls < 5000);
    } while (cursor != "0");
    CHECK(seen == std::set<std::string>(members.begin(), members.end()));
  }
  std::set<std::string> matched;
  std::string cursor = "0";
  do {
    auto [next, items] = parse_scan(h.run({"SSCAN", "h", cursor, "MATCH", "member:1?", "COUNT", "50"}));
    matched.insert(items.begin(), items.end());
    cursor = next;
  } while (cursor != "0");
  CHECK(matched == std::set<std::string>{"member:10", "member:11", "member:12", "member:13", "member:14",
                                         "member:15", "member:16", "member:17", "member:18", "member:19"});
}

TEST_CASE("big sets: union, store and members", "[set]") {
  CommandHarness h;
  const auto a = range_members(1, 20000, "a");
  auto b = range_members(10001, 30000, "a");
  REQUIRE(sadd(h, "a", a) == ":20000\r\n");
  REQUIRE(sadd(h, "b", b) == ":20000\r\n");
  CHECK(h.run({"SUNIONSTORE", "u", "a", "b"}) == ":30000\r\n");
  CHECK(h.run({"SCARD", "u"}) == ":30000\r\n");
  CHECK(parse_members(h.run({"SMEMBERS", "u"})).distinct().size() == 30000);
  CHECK(h.run({"SINTERCARD", "2", "a", "b"}) == ":10000\r\n");
  CHECK(h.run({"SINTERSTORE", "i", "a", "b"}) == ":10000\r\n");
  CHECK(h.run({"SDIFFSTORE", "d", "u", "i"}) == ":20000\r\n");
  CHECK(h.run({"SINTERCARD", "2", "d", "i"}) == ":0\r\n");
  CHECK(h.run({"SISMEMBER", "d", "a1"}) == ":1\r\n");
  CHECK(h.run({"SISMEMBER", "d", "a10001"}) == ":0\r\n");
  CHECK(parse_members(h.run({"SUNION", "i", "d"})).distinct().size() == 30000);
}
