#include <catch2/catch.hpp>
#include <string>

#include "../support/command_harness.h"

using larder::testing::CommandHarness;

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
