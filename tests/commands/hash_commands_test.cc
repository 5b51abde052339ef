#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "../support/command_harness.h"

using larder::testing::CommandHarness;

TEST_CASE("HSET, HGET, HGETALL and the empty hash that is never kept", "[hash]") {
  CommandHarness h;
  CHECK(h.run({"HSET", "h", "a", "1", "b", "2"}) == ":2\r\n");
  CHECK(h.run({"HSET", "h", "a", "3"}) == ":0\r\n");
  CHECK(h.run({"HGET", "h", "a"}) == "$1\r\n3\r\n");
  CHECK(h.run({"HGETALL", "h"}) == "*4\r\n$1\r\na\r\n$1\r\n3\r\n$1\r\nb\r\n$1\r\n2\r\n");
  CHECK(h.run({"HSET", "h", "x"}) == "-ERR wrong number of arguments for 'hset' command\r\n");
  CHECK(h.run({"HDEL", "h", "a", "b", "c"}) == ":2\r\n");
  CHECK(h.run({"EXISTS", "h"}) == ":0\r\n");
  h.run({"HELLO", "3"});
  CHECK(h.run({"HGETALL", "nope"}) == "%0\r\n");
}

TEST_CASE("hashes switch encoding at their configured limits", "[hash]") {
  CommandHarness h;
  CHECK(h.run({"CONFIG", "SET", "hash-max-listpack-entries", "4", "hash-max-listpack-value", "8"}) == "+OK\r\n");
  h.run({"HSET", "h", "a", "1", "b", "2", "c", "3", "d", "4"});
  CHECK(h.run({"OBJECT", "ENCODING", "h"}) == "$8\r\nlistpack\r\n");
  h.run({"HSET", "h", "e", "5"});
  CHECK(h.run({"OBJECT", "ENCODING", "h"}) == "$9\r\nhashtable\r\n");
  CHECK(h.run({"HLEN", "h"}) == ":5\r\n");
  h.run({"HSET", "v", "f", "123456789"});
  CHECK(h.run({"OBJECT", "ENCODING", "v"}) == "$9\r\nhashtable\r\n");
  CHECK(h.run({"HGET", "v", "f"}) == "$9\r\n123456789\r\n");
}

TEST_CASE("HINCRBY and HINCRBYFLOAT", "[hash]") {
  CommandHarness h;
  CHECK(h.run({"HINCRBY", "h", "n", "5"}) == ":5\r\n");
  CHECK(h.run({"HINCRBY", "h", "n", "9223372036854775807"}) ==
        "-ERR increment or decrement would overflow\r\n");
  CHECK(h.run({"HINCRBYFLOAT", "h", "n", "0.5"}) == "$3\r\n5.5\r\n");
  CHECK(h.run({"HINCRBY", "h", "n", "1"}) == "-ERR hash value is not an integer\r\n");
  CHECK(h.run({"HINCRBYFLOAT", "h", "f", "inf"}) == "-ERR value is NaN or Infinity\r\n");
  CHECK(h.run({"HINCRBYFLOAT", "h", "g", "1.5e3"}) == "$4\r\n1500\r\n");
  CHECK(h.run({"EXISTS", "missing"}) == ":0\r\n");
  CHECK(h.run({"HINCRBY", "missing", "f", "x"}) == "-ERR value is not an integer or out of range\r\n");
  CHECK(h.run({"EXISTS", "missing"}) == ":0\r\n");
}

TEST_CASE("hash commands on other types answer WRONGTYPE, and GET on a hash too", "[hash]") {
  CommandHarness h;
  h.run({"SET", "s", "v"});
  const std::string wrong = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
  CHECK(h.run({"HSET", "s", "a", "1"}) == wrong);
  CHECK(h.run({"HGET", "s", "a"}) == wrong);
  CHECK(h.run({"HLEN", "s"}) == wrong);
  h.run({"HSET", "h", "a", "1"});
  CHECK(h.run({"GET", "h"}) == wrong);
  CHECK(h.run({"APPEND", "h", "x"}) == wrong);
  CHECK(h.run({"TYPE", "h"}) == "+hash\r\n");
  CHECK(h.run({"SET", "h", "now a string"}) == "+OK\r\n");
  CHECK(h.run({"TYPE", "h"}) == "+string\r\n");
}

TEST_CASE("HSCAN returns every field of a big hash across calls", "[hash]") {
  CommandHarness h;
  for (int i = 0; i < 1000; ++i) h.run({"HSET", "h", "f" + std::to_string(i), "v"});
  std::string cursor = "0";
  std::size_t pairs = 0;
  int calls = 0;
  do {
    const std::string reply = h.run({"HSCAN", "h", cursor, "COUNT", "50"});
    // *2\r\n$<n>\r\n<cursor>\r\n*<m>\r\n...
    const std::size_t c_at = reply.find("\r\n", 4) + 2;
    cursor = reply.substr(c_at, reply.find("\r\n", c_at) - c_at);
    const std::size_t m_at = reply.find('*', c_at) + 1;
    pairs += std::stoul(reply.substr(m_at, reply.find("\r\n", m_at) - m_at)) / 2;
    ++calls;
  } while (cursor != "0");
  CHECK(pairs >= 1000);
  CHECK(calls > 1);
}

TEST_CASE("maxmemory evicts hashes and sets by their real heap bytes", "[hash][eviction]") {
  CommandHarness h;
  for (int k = 0; k < 40; ++k) {
    std::vector<std::string> args{"HSET", "h" + std::to_string(k)};
    for (int f = 0; f < 600; ++f) {
      args.push_back("field" + std::to_string(f));
      args.push_back(std::string(20, 'v'));
    }
    h.run(std::vector<std::string_view>(args.begin(), args.end()));
    h.run({"SADD", "s" + std::to_string(k), "a", "b", "c" + std::to_string(k)});
  }
  CHECK(h.run({"OBJECT", "ENCODING", "h0"}) == "$9\r\nhashtable\r\n");
  const std::size_t used = h.services().used_memory();
  CHECK(h.run({"CONFIG", "SET", "maxmemory-policy", "allkeys-lru"}) == "+OK\r\n");
  // A quarter of the hashes' memory must go.
  CHECK(h.run({"CONFIG", "SET", "maxmemory", std::to_string(used - 40 * 600 * 30 / 4)}) == "+OK\r\n");
  CHECK(h.run({"SET", "new", "v"}) == "+OK\r\n");
  h.finish_eviction();
  CHECK(h.services().used_memory() <= h.config().maxmemory() + 16 * 1024);
  CHECK(h.run({"INFO", "stats"}).find("evicted_keys:0\r\n") == std::string::npos);
}
