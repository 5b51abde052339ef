#include <catch2/catch.hpp>

#include "../support/command_harness.h"

using larder::testing::CommandHarness;

TEST_CASE("GET and SET", "[strings]") {
  CommandHarness h;
  CHECK(h.run({"GET", "k"}) == "$-1\r\n");
  CHECK(h.run({"SET", "k", "hello"}) == "+OK\r\n");
  CHECK(h.run({"get", "k"}) == "$5\r\nhello\r\n");
  CHECK(h.run({"SET", "k", ""}) == "+OK\r\n");
  CHECK(h.run({"GET", "k"}) == "$0\r\n\r\n");
  CHECK(h.run({"GET"}) == "-ERR wrong number of arguments for 'get' command\r\n");
  CHECK(h.run({"SET", "k"}) == "-ERR wrong number of arguments for 'set' command\r\n");
}

TEST_CASE("SET NX, XX and GET", "[strings]") {
  CommandHarness h;
  CHECK(h.run({"SET", "k", "1", "XX"}) == "$-1\r\n");
  CHECK(h.run({"SET", "k", "1", "NX"}) == "+OK\r\n");
  CHECK(h.run({"SET", "k", "2", "NX"}) == "$-1\r\n");
  CHECK(h.run({"SET", "k", "3", "XX", "GET"}) == "$1\r\n1\r\n");
  CHECK(h.run({"SET", "k", "4", "NX", "GET"}) == "$1\r\n3\r\n");
  CHECK(h.run({"GET", "k"}) == "$1\r\n3\r\n");
  CHECK(h.run({"SET", "new", "v", "GET"}) == "$-1\r\n");
  CHECK(h.run({"SET", "k", "v", "NX", "XX"}) == "-ERR syntax error\r\n");
  CHECK(h.run({"SET", "k", "v", "nx", "nx"}) == "$-1\r\n");  // repeated NX is allowed
}

TEST_CASE("SET expiry options", "[strings]") {
  CommandHarness h;
  CHECK(h.run({"SET", "k", "v", "EX", "10"}) == "+OK\r\n");
  CHECK(h.run({"TTL", "k"}) == ":10\r\n");
  CHECK(h.run({"SET", "k", "v", "PX", "1500"}) == "+OK\r\n");
  CHECK(h.run({"PTTL", "k"}) == ":1500\r\n");
  CHECK(h.run({"SET", "k", "v2", "KEEPTTL"}) == "+OK\r\n");
  CHECK(h.run({"PTTL", "k"}) == ":1500\r\n");
  CHECK(h.run({"SET", "k", "v3"}) == "+OK\r\n");
  CHECK(h.run({"TTL", "k"}) == ":-1\r\n");
  const std::string at = std::to_string(h.now() / 1000 + 100);
  CHECK(h.run({"SET", "k", "v", "EXAT", at}) == "+OK\r\n");
  CHECK(h.run({"SET", "k", "v", "PXAT", std::to_string(h.now() + 5000)}) == "+OK\r\n");
  CHECK(h.run({"PTTL", "k"}) == ":5000\r\n");
  h.advance(5001);
  CHECK(h.run({"GET", "k"}) == "$-1\r\n");

  const std::string invalid = "-ERR invalid expire time in 'set' command\r\n";
  CHECK(h.run({"SET", "k", "v", "EX", "0"}) == invalid);
  CHECK(h.run({"SET", "k", "v", "EX", "-1"}) == invalid);
  CHECK(h.run({"SET", "k", "v", "EX", "9223372036854775807"}) == invalid);
  CHECK(h.run({"SET", "k", "v", "PX", "9223372036854775807"}) == invalid);
  CHECK(h.run({"SET", "k", "v", "EX", "abc"}) ==
        "-ERR value is not an integer or out of range\r\n");
  CHECK(h.run({"SET", "k", "v", "EX"}) == "-ERR syntax error\r\n");
  CHECK(h.run({"SET", "k", "v", "EX", "1", "PX", "1"}) == "-ERR syntax error\r\n");
  CHECK(h.run({"SET", "k", "v", "KEEPTTL", "EX", "1"}) == "-ERR syntax error\r\n");
  CHECK(h.run({"SET", "k", "v", "EX", "1", "KEEPTTL"}) == "-ERR syntax error\r\n");
  CHECK(h.run({"SET", "k", "v", "EX", "5", "EX", "7"}) == "+OK\r\n");
  CHECK(h.run({"TTL", "k"}) == ":7\r\n");
  CHECK(h.run({"SET", "k", "v", "BOGUS"}) == "-ERR syntax error\r\n");
}

TEST_CASE("SETEX, PSETEX and SETNX", "[strings]") {
  CommandHarness h;
  CHECK(h.run({"SETEX", "k", "60", "v"}) == "+OK\r\n");
  CHECK(h.run({"TTL", "k"}) == ":60\r\n");
  CHECK(h.run({"PSETEX", "p", "2500", "v"}) == "+OK\r\n");
  CHECK(h.run({"PTTL", "p"}) == ":2500\r\n");
  CHECK(h.run({"SETEX", "k", "0", "v"}) == "-ERR invalid expire time in 'setex' command\r\n");
  CHECK(h.run({"PSETEX", "k", "-5", "v"}) == "-ERR invalid expire time in 'psetex' command\r\n");
  CHECK(h.run({"SETEX", "k", "x", "v"}) == "-ERR value is not an integer or out of range\r\n");
  CHECK(h.run({"SETNX", "n", "1"}) == ":1\r\n");
  CHECK(h.run({"SETNX", "n", "2"}) == ":0\r\n");
  CHECK(h.run({"GET", "n"}) == "$1\r\n1\r\n");
}

TEST_CASE("keys and values are binary safe", "[strings]") {
  CommandHarness h;
  std::string key("a\0b\r\n", 5);
  std::string value("\xff\x00\r\n", 4);
  CHECK(h.run({"SET", key, value}) == "+OK\r\n");
  CHECK(h.run({"GET", key}) == "$4\r\n" + value + "\r\n");
  CHECK(h.run({"GET", std::string_view("a\0c\r\n", 5)}) == "$-1\r\n");
}
