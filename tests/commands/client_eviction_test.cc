#include "larder/commands/client_eviction.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <thread>
#include <vector>

using larder::commands::ClientEviction;
using larder::commands::ClientRegistry;
using larder::commands::ClientState;
using larder::commands::ServerStats;

namespace {

struct Clients {
  ClientRegistry registry;
  std::unique_ptr<ServerStats> stats = std::make_unique<ServerStats>();
  std::vector<ServerStats*> loops{stats.get()};
  ClientEviction eviction{registry, loops};

  ClientState& add(std::size_t bytes) {
    auto c = std::make_shared<ClientState>();
    c->id = registry.next_id();
    c->memory.store(bytes);
    stats->client_memory.add(bytes);
    registry.add(c);
    return *registry.find(c->id);
  }
  // A pass runs at most once a millisecond.
  void check(std::uint64_t limit) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    eviction.check(limit);
  }
};

}  // namespace

TEST_CASE("Client eviction closes the biggest clients until the rest are under the limit", "[client_eviction]") {
  Clients c;
  ClientState& small = c.add(100);
  ClientState& big = c.add(5000);
  ClientState& middle = c.add(2000);
  CHECK(c.eviction.total() == 7100);
  c.check(0);  // no limit
  c.check(7101);
  CHECK(c.eviction.evicted() == 0);
  c.check(3000);  // 7100: the biggest goes, 2100 are left
  CHECK(big.evicted.load());
  CHECK_FALSE(middle.evicted.load());
  CHECK_FALSE(small.evicted.load());
  CHECK(c.eviction.evicted() == 1);
  // Until it is gone the gauge still counts it; the pass does not.
  CHECK(c.eviction.total() == 7100);
  c.check(2100);  // exactly at the limit is over it
  CHECK(middle.evicted.load());
  CHECK_FALSE(small.evicted.load());
  CHECK(c.eviction.evicted() == 2);
  c.eviction.reset_stats();
  CHECK(c.eviction.evicted() == 0);
}

TEST_CASE("Client eviction spares CLIENT NO-EVICT clients, not MONITOR ones", "[client_eviction]") {
  Clients c;
  ClientState& kept = c.add(9000);
  kept.no_evict.store(true);
  ClientState& monitor = c.add(8000);
  monitor.monitor.store(true);  // a normal client for eviction, as in Redis
  ClientState& idle = c.add(0);
  ClientState& normal = c.add(10);
  c.check(1000);
  CHECK_FALSE(kept.evicted.load());
  CHECK(monitor.evicted.load());
  CHECK_FALSE(idle.evicted.load());  // holds nothing: closing it frees nothing
  CHECK(normal.evicted.load());  // still over the limit: every evictable client goes
  CHECK(c.eviction.evicted() == 2);
}
