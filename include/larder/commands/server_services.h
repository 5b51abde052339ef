#pragma once
// Server-wide facilities that server-level commands use: the client registry,
// per-loop statistics, the slow log, CLIENT PAUSE, live settings and the
// shutdown hook. Owned by the server (or a test harness); every member is safe
// to use from any event-loop thread.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <functional>
#include <string>
#include <vector>

#include "larder/acl/acl.h"
#include "larder/commands/blocking.h"
#include "larder/commands/client_eviction.h"
#include "larder/commands/client_registry.h"
#include "larder/commands/instantaneous_metrics.h"
#include "larder/commands/keyspace_events.h"
#include "larder/commands/pause_state.h"
#include "larder/commands/pubsub.h"
#include "larder/commands/server_stats.h"
#include "larder/commands/slowlog.h"
#include "larder/commands/tracking.h"
#include "larder/config/live_config.h"
#include "larder/persistence/persistence.h"
#include "larder/scripting/scripting.h"
#include "larder/storage/eviction.h"
#include "larder/storage/expiry_sweeper.h"
#include "larder/storage/memory_usage.h"
#include "larder/util/clock.h"

namespace larder::commands {

struct ShutdownRequest {
  bool force = false;  // SHUTDOWN ... FORCE
  bool now = false;    // SHUTDOWN ... NOW
};

struct ServerServices {
  explicit ServerServices(config::LiveConfig& live) : config(live) {
    acl.set_default_password(live.get("requirepass"));
  }

  config::LiveConfig& config;
  // ACL users and the ACL log; the default user follows requirepass.
  acl::Acl acl;
  ClientRegistry clients;
  BlockingRegistry blocking;
  Slowlog slowlog;
  PauseState pause;
  // Pub/Sub and MONITOR: services.pubsub.publish(channel, message) from any
  // command on any loop (see pubsub.h for the lock order).
  PubSub pubsub;
  // CLIENT TRACKING: the keys clients cache and their invalidation.
  Tracking tracking{clients, pubsub};
  // Keyspace notifications: events.notify(class, event, key, db).
  KeyspaceEvents events{config, pubsub};
  // The script cache, the per-loop Lua engines and the running script.
  scripting::Scripting scripting;
  // One per event loop; the vector is filled before serving starts.
  std::vector<ServerStats*> loop_stats;
  // maxmemory-clients: closes the biggest clients when all of them hold too much.
  ClientEviction client_eviction{clients, loop_stats};
  // INFO's instantaneous_* rates, sampled by the server's cron.
  InstantaneousMetrics instantaneous{util::steady_ms()};

  // DEBUG SET-ACTIVE-EXPIRE: whether the background sweeper runs.
  std::atomic<bool> active_expire{true};
  // Active expiry's time and stale-key estimate; written by the sweep.
  storage::ExpiryStats expiry_stats;

  std::int64_t start_time_ms = 0;
  std::string run_id;
  std::string executable;
  std::string config_file;  // empty when started without one
  std::size_t startup_memory = 0;  // allocated bytes when serving began
  // maxmemory eviction; set by the owner once the keyspace exists.
  std::unique_ptr<storage::Evictor> evictor;

  // Memory compared with maxmemory: the keyspace's heap bytes plus what the
  // process had allocated before serving.
  std::size_t used_memory() const { return storage::MemoryUsage::dataset_bytes() + startup_memory; }
  // Evicts for up to `budget` while over maxmemory. True when the memory is
  // within the limit afterwards, eviction made progress and ran out of time
  // (not of keys: Redis's EVICT_RUNNING) or another event loop is evicting;
  // false when a command that needs memory must be refused.
  bool make_room(std::int64_t now_ms, std::chrono::steady_clock::duration budget) {
    const std::uint64_t limit = config.maxmemory();
    if (limit == 0 || used_memory() <= limit) {
      memory_within_limit();
      return true;
    }
    // While clients are paused the dataset stays still: nothing is evicted
    // and nothing refused (Redis's isSafeToPerformEvictions).
    if (pause.mode(now_ms) != PauseState::kNone) return true;
    if (!evictor) {
      memory_over_limit();
      return false;
    }
    auto r = evictor->evict(now_ms, limit, config.eviction(), budget, [this] { return used_memory(); });
    // A deferred call leaves the verdict to the loop that is evicting.
    if (r.under_limit) {
      memory_within_limit();
    } else if (!r.deferred) {
      memory_over_limit();
    }
    return r.under_limit || (r.evicted > 0 && !r.exhausted) || r.deferred;
  }
  // INFO's total_ / current_eviction_exceeded_time, kept by make_room().
  storage::ExceededTime eviction_exceeded;
  void memory_within_limit() {
    if (eviction_exceeded.open()) eviction_exceeded.within(util::steady_us());
  }
  void memory_over_limit() {
    if (!eviction_exceeded.open()) eviction_exceeded.over(util::steady_us());
  }
  // SAVE / BGSAVE / loading; set by the owner once the keyspace exists.
  std::unique_ptr<persistence::Persistence> persistence;
  int tcp_port = 0;
  // Asks the server to shut down; returns false if it refuses.
  std::function<bool(const ShutdownRequest&)> shutdown;
};

// Makes the keyspace stamp entries the way the configured policy reads them.
// The *-tinylfu policies count accesses in their sketches and fill their
// window only while maxmemory is set: without a limit they stamp the LRU
// clock alone (the stamp they share), so an unlimited server pays neither
// the sketches' memory nor the window's lock.
inline void sync_access_policy(const config::LiveConfig& config, storage::Keyspace& keyspace) {
  storage::AccessPolicy& p = keyspace.access_policy();
  storage::AccessMode mode = storage::access_mode_for(config.eviction().policy);
  if (mode == storage::AccessMode::kTinyLfu && config.maxmemory() == 0) mode = storage::AccessMode::kLru;
  p.mode.store(static_cast<int>(mode), std::memory_order_relaxed);
  p.lfu_log_factor.store(config.lfu_log_factor(), std::memory_order_relaxed);
  p.lfu_decay_time.store(config.eviction().lfu_decay_time, std::memory_order_relaxed);
}

// Asks the keyspace for the storage events notify-keyspace-events selects
// (its sink, services.events, is set once before serving); after each change.
inline void sync_key_events(const config::LiveConfig& config, storage::Keyspace& keyspace) {
  keyspace.key_events().want(KeyspaceEvents::storage_events(config.keyspace_events()));
}

}  // namespace larder::commands
