#pragma once
// What every event loop shares: settings, the command table and the keyspace.
// Settings and the table are immutable while serving; the keyspace guards
// itself with per-shard locks.

#include <atomic>

#include "larder/commands/command_table.h"
#include "larder/config/live_config.h"
#include "larder/config/options.h"
#include "larder/storage/keyspace.h"

namespace larder::server {

struct ServerContext {
  explicit ServerContext(const config::Options& opts)
      : options(opts), live(opts), commands(commands::CommandTable::instance()), keyspace(opts.databases) {}

  const config::Options options;  // as started
  config::LiveConfig live;
  const commands::CommandTable& commands;
  storage::Keyspace keyspace;
  std::atomic<bool> shutting_down{false};
};

}  // namespace larder::server
