#pragma once
// maxmemory-clients (Redis 7's client eviction): when the buffers of all
// clients together reach the limit, the biggest clients are closed until the
// rest hold less. Clients with CLIENT NO-EVICT ON count towards the total
// but are never closed (MONITOR clients are normal ones here, as in Redis).
// Thread-safe: any event loop checks, one pass at a time.

#include <atomic>
#include <cstdint>
#include <mutex>
#include <vector>

#include "larder/commands/client_registry.h"
#include "larder/commands/server_stats.h"

namespace larder::commands {

class ClientEviction {
 public:
  // `loops`: every event loop's stats, whose client_memory gauges add up to
  // the clients' total; filled before serving.
  ClientEviction(ClientRegistry& clients, const std::vector<ServerStats*>& loops) : clients_(clients), loops_(loops) {}

  // Cheap unless the total has reached `limit` (0: no limit); then closes the
  // biggest evictable clients. Called when a client's buffers grew, and by the
  // server cron (a client can stop growing while over the limit).
  void check(std::uint64_t limit);
  // The total the loops' gauges add up to (includes clients being closed).
  std::uint64_t total() const;
  // INFO stats evicted_clients; CONFIG RESETSTAT resets it.
  std::uint64_t evicted() const { return evicted_.load(std::memory_order_relaxed); }
  void reset_stats() { evicted_.store(0, std::memory_order_relaxed); }

 private:
  void evict(std::uint64_t limit);

  ClientRegistry& clients_;
  const std::vector<ServerStats*>& loops_;
  std::mutex pass_;
  std::int64_t last_pass_ms_ = 0;  // under pass_: at most one pass a millisecond
  std::atomic<std::uint64_t> evicted_{0};
};

}  // namespace larder::commands
