#pragma once
// What every event loop shares: startup options, live settings, the command
// table, the keyspace and the server-wide services. Options and the table are
// immutable while serving; the rest guards itself.

#include <atomic>

#include "larder/commands/command_table.h"
#include "larder/commands/server_services.h"
#include "larder/config/live_config.h"
#include "larder/config/options.h"
#include "larder/storage/keyspace.h"

namespace larder::server {

struct ServerContext {
  explicit ServerContext(const config::Settings& settings, const config::Options& opts)
      : options(opts),
        live(settings),
        commands(commands::CommandTable::instance()),
        keyspace(opts.databases),
        services(live) {}

  const config::Options options;  // as started
  config::LiveConfig live;
  const commands::CommandTable& commands;
  storage::Keyspace keyspace;
  commands::ServerServices services;
  std::atomic<bool> shutting_down{false};
};

}  // namespace larder::server
