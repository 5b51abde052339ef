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

TEST_CASE("over maxmemory with noeviction, writes get OOM and reads still work", "[server][eviction]") {
  CommandHarness h;
  CHECK(h.run({"SET", "k", "v"}) == "+OK\r\n");
  CHECK(h.run({"CONFIG", "SET", "maxmemory-policy", "noeviction"}) == "+OK\r\n");
  CHECK(h.run({"CONFIG", "SET", "maxmemory", "1"}) == "+OK\r\n");
  CHECK(h.run({"SET", "k2", "v"}) == "-OOM command not allowed when used memory > 'maxmemory'.\r\n");
  CHECK(h.run({"GET", "k"}) == "$1\r\nv\r\n");
  CHECK(h.run({"MULTI"}) == "+OK\r\n");
  CHECK(h.run({"INCR", "n"}) == "-OOM command not allowed when used memory > 'maxmemory'.\r\n");
  CHECK(h.run({"EXEC"}) == "-EXECABORT Transaction discarded because of previous errors.\r\n");
  CHECK(h.run({"DEL", "k"}) == ":1\r\n");  // not denyoom: frees memory
}

TEST_CASE("over maxmemory with an eviction policy, writes evict instead", "[server][eviction]") {
  CommandHarness h;
  for (int i = 0; i < 2000; ++i) h.run({"SET", "k" + std::to_string(i), std::string(100, 'x')});
  CHECK(h.run({"CONFIG", "SET", "maxmemory-policy", "allkeys-lru"}) == "+OK\r\n");
  CHECK(h.run({"CONFIG", "SET", "maxmemory", std::to_string(h.services().used_memory() - 50'000)}) == "+OK\r\n");
  // The other keys idle longer, so "new" is not an LRU victim when the write's
  // own eviction (1 ms budget, short of the goal on a slow build) leaves the
  // rest to finish_eviction(); with every stamp equal it could be.
  h.advance(2000);
  CHECK(h.run({"SET", "new", "v"}) == "+OK\r\n");
  h.finish_eviction();
  // Eviction runs before the write, which then adds its own few bytes.
  CHECK(h.services().used_memory() <= h.config().maxmemory() + 16 * 1024);
  CHECK(h.run({"INFO", "stats"}).find("evicted_keys:0\r\n") == std::string::npos);
  CHECK(h.run({"GET", "new"}) == "$1\r\nv\r\n");
}

TEST_CASE("the default policy, allkeys-tinylfu, answers OBJECT as a stock Redis and counts only under a limit",
          "[server][eviction]") {
  using larder::storage::AccessMode;
  CommandHarness h;
  CHECK(h.run({"CONFIG", "GET", "maxmemory-policy"}) ==
        "*2\r\n$16\r\nmaxmemory-policy\r\n$15\r\nallkeys-tinylfu\r\n");
  h.run({"SET", "k", "v"});
  h.advance(3000);
  CHECK(h.run({"OBJECT", "IDLETIME", "k"}) == ":3\r\n");
  CHECK(h.run({"OBJECT", "FREQ", "k"}).rfind("-ERR An LFU maxmemory policy is not selected", 0) == 0);
  // No limit: the LRU stamp alone (no sketch, no window); a limit turns them on.
  CHECK(h.keyspace().access_policy().current() == AccessMode::kLru);
  CHECK(h.run({"CONFIG", "SET", "maxmemory", "10mb"}) == "+OK\r\n");
  CHECK(h.keyspace().access_policy().current() == AccessMode::kTinyLfu);
  CHECK(h.run({"OBJECT", "IDLETIME", "k"}) == ":3\r\n");
  CHECK(h.run({"CONFIG", "SET", "maxmemory", "0"}) == "+OK\r\n");
  CHECK(h.keyspace().access_policy().current() == AccessMode::kLru);
}

TEST_CASE("OBJECT FREQ answers under an LFU policy", "[server][eviction]") {
  CommandHarness h;
  CHECK(h.run({"CONFIG", "SET", "maxmemory-policy", "allkeys-lru"}) == "+OK\r\n");
  h.run({"SET", "k", "v"});
  CHECK(h.run({"OBJECT", "FREQ", "k"}).rfind("-ERR An LFU maxmemory policy is not selected", 0) == 0);
  CHECK(h.run({"CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"}) == "+OK\r\n");
  h.run({"SET", "f", "v"});
  CHECK(h.run({"OBJECT", "FREQ", "f"}) == ":5\r\n");  // Redis's initial counter
  CHECK(h.run({"OBJECT", "IDLETIME", "f"}).rfind("-ERR An LFU maxmemory policy is selected", 0) == 0);
}

TEST_CASE("INFO keyspace_prefixes shows hit ratios per key prefix", "[server]") {
  CommandHarness h;
  h.run({"SET", "user:1", "a"});
  h.run({"GET", "user:1"});
  h.run({"GET", "user:1"});
  h.run({"GET", "user:2"});
  h.run({"GET", "search:x"});
  std::string info = h.run({"INFO", "keyspace_prefixes"});
  CHECK(info.find("prefix_user:hits=2,misses=1,hit_ratio=0.6667\r\n") != std::string::npos);
  CHECK(info.find("prefix_search:hits=0,misses=1,hit_ratio=0.0000\r\n") != std::string::npos);
}
