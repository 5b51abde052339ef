#include <catch2/catch.hpp>

#include <string>

#include "../support/command_harness.h"

using larder::testing::CommandHarness;

TEST_CASE("SETBIT grows a string in place, keeping its TTL", "[bitmaps]") {
  CommandHarness h;
  CHECK(h.run({"SET", "k", "a", "EX", "100"}) == "+OK\r\n");
  CHECK(h.run({"SETBIT", "k", "1000", "1"}) == ":0\r\n");
  CHECK(h.run({"STRLEN", "k"}) == ":126\r\n");
  CHECK(h.run({"TTL", "k"}) == ":100\r\n");
  CHECK(h.run({"GETBIT", "k", "1000"}) == ":1\r\n");
  CHECK(h.run({"SETBIT", "k", "1000", "0"}) == ":1\r\n");
  CHECK(h.run({"BITCOUNT", "k"}) == ":3\r\n");  // 'a' is 0x61
  CHECK(h.run({"SETBIT", "new", "0", "1"}) == ":0\r\n");
  CHECK(h.run({"GET", "new"}) == "$1\r\n\x80\r\n");
}

TEST_CASE("a bit offset stays below 8 * proto-max-bulk-len", "[bitmaps]") {
  CommandHarness h(16, {{"proto-max-bulk-len", "1mb"}});
  const std::string err = "-ERR bit offset is not an integer or out of range\r\n";
  CHECK(h.run({"SETBIT", "k", std::to_string(8 * 1024 * 1024), "1"}) == err);
  CHECK(h.run({"BITFIELD", "k", "SET", "u8", "#1048576", "1"}) == err);
  CHECK(h.run({"SETBIT", "k", std::to_string(8 * 1024 * 1024 - 1), "1"}) == ":0\r\n");
  CHECK(h.run({"STRLEN", "k"}) == ":1048576\r\n");
}

TEST_CASE("BITFIELD writes only when an operation changes bits", "[bitmaps]") {
  CommandHarness h;
  CHECK(h.run({"BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "9"}) == "*1\r\n$-1\r\n");
  CHECK(h.run({"GET", "k"}) == std::string("$1\r\n") + '\0' + "\r\n");  // created, padded
  CHECK(h.run({"BITFIELD", "k", "SET", "i8", "0", "-1", "GET", "u8", "0"}) == "*2\r\n:0\r\n:255\r\n");
  CHECK(h.run({"BITFIELD_RO", "k", "GET", "i8", "0"}) == "*1\r\n:-1\r\n");
}
