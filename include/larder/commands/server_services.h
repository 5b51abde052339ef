#pragma once
// Server-wide facilities that server-level commands use: the client registry,
// per-loop statistics, the slow log, CLIENT PAUSE, live settings and the
// shutdown hook. Owned by the server (or a test harness); every member is safe
// to use from any event-loop thread.

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "larder/commands/client_registry.h"
#include "larder/commands/pause_state.h"
#include "larder/commands/server_stats.h"
#include "larder/commands/slowlog.h"
#include "larder/config/live_config.h"

namespace larder::commands {

struct ShutdownRequest {
  bool force = false;  // SHUTDOWN ... FORCE
  bool now = false;    // SHUTDOWN ... NOW
};

struct ServerServices {
  explicit ServerServices(config::LiveConfig& live) : config(live) {}

  config::LiveConfig& config;
  ClientRegistry clients;
  Slowlog slowlog;
  PauseState pause;
  // One per event loop; the vector is filled before serving starts.
  std::vector<ServerStats*> loop_stats;

  // DEBUG SET-ACTIVE-EXPIRE: whether the background sweeper runs.
  std::atomic<bool> active_expire{true};

  std::int64_t start_time_ms = 0;
  std::string run_id;
  std::string executable;
  std::string config_file;  // empty when started without one
  std::size_t startup_memory = 0;  // allocated bytes when serving began
  int tcp_port = 0;
  // Asks the server to shut down; returns false if it refuses.
  std::function<bool(const ShutdownRequest&)> shutdown;
};

}  // namespace larder::commands
