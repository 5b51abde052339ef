#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "../support/command_harness.h"

using larder::testing::CommandHarness;

TEST_CASE("maxmemory evicts sorted sets by their heap bytes, which MEMORY USAGE reports", "[zset][eviction]") {
  CommandHarness h;
  for (int k = 0; k < 40; ++k) {
    std::vector<std::string> args{"ZADD", "k" + std::to_string(k)};
    for (int f = 0; f < 600; ++f) {
      args.push_back(std::to_string(f));
      args.push_back("member" + std::string(14, 'm') + std::to_string(f));
    }
    h.run(std::vector<std::string_view>(args.begin(), args.end()));
  }
  CHECK(h.run({"OBJECT", "ENCODING", "k0"}) == "$8\r\nskiplist\r\n");
  // MEMORY USAGE counts the 600 elements' bytes, not just the entry.
  const std::string usage = h.run({"MEMORY", "USAGE", "k0"});
  REQUIRE(usage.front() == ':');
  CHECK(std::stoll(usage.substr(1)) > 600 * 20);
  const std::size_t used = h.services().used_memory();
  CHECK(h.run({"CONFIG", "SET", "maxmemory-policy", "allkeys-lru"}) == "+OK\r\n");
  // A quarter of the values' memory must go.
  CHECK(h.run({"CONFIG", "SET", "maxmemory", std::to_string(used - 40 * 600 * 20 / 4)}) == "+OK\r\n");
  CHECK(h.run({"SET", "new", "v"}) == "+OK\r\n");
  h.finish_eviction();
  CHECK(h.services().used_memory() <= h.config().maxmemory() + 16 * 1024);
  CHECK(h.run({"INFO", "stats"}).find("evicted_keys:0\r\n") == std::string::npos);
}
