#include <catch2/catch.hpp>

#include "../support/command_harness.h"

using larder::testing::CommandHarness;

TEST_CASE("DBSIZE, FLUSHDB and FLUSHALL", "[server]") {
  CommandHarness h;
  CHECK(h.run({"DBSIZE"}) == ":0\r\n");
  h.run({"SET", "a", "1"});
  h.run({"SET", "b", "1"});
  CHECK(h.run({"DBSIZE"}) == ":2\r\n");
  h.client().db = 1;
  h.run({"SET", "c", "1"});
  CHECK(h.run({"DBSIZE"}) == ":1\r\n");
  CHECK(h.run({"FLUSHDB"}) == "+OK\r\n");
  CHECK(h.run({"DBSIZE"}) == ":0\r\n");
  h.client().db = 0;
  CHECK(h.run({"DBSIZE"}) == ":2\r\n");
  CHECK(h.run({"FLUSHDB", "BOGUS"}) == "-ERR syntax error\r\n");
  CHECK(h.run({"FLUSHALL", "ASYNC"}) == "+OK\r\n");
  CHECK(h.run({"DBSIZE"}) == ":0\r\n");
  CHECK(h.run({"FLUSHALL", "sync", "x"}) == "-ERR syntax error\r\n");
}
