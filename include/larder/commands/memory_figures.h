#pragma once
// The memory figures INFO memory, MEMORY STATS and MEMORY DOCTOR report,
// computed in one place as Redis's getMemoryOverheadData computes them, so
// that the three agree.

#include <cstddef>
#include <vector>

#include "larder/commands/command_context.h"

namespace larder::commands {

// What the process holds, read without any shard lock (MEMORY DOCTOR needs
// no more).
struct ProcessMemory {
  std::size_t allocated = 0;
  std::size_t peak = 0;
  std::size_t startup = 0;  // 0: not recorded (util::record_startup_allocated)
  std::size_t rss = 0;
  std::size_t client_buffers = 0;  // what the clients hold (ClientState::memory: buffers, pending replies, MULTI)
  std::size_t clients = 0;
};

ProcessMemory process_memory(const ServerServices& server);

// The process's figures and the keyspace's; call with every shard lock held
// (INFO and MEMORY STATS are kAllShards).
struct MemoryFigures : ProcessMemory {
  struct Db {
    int index;
    std::size_t keys, bucket_bytes;  // bucket_bytes: its tables' bucket arrays
  };
  std::vector<Db> dbs;  // the databases holding keys, in order
  std::size_t keys = 0;
  // Redis's overhead.total: startup memory, client buffers, bucket arrays.
  std::size_t overhead = 0;
  // allocated - overhead.
  std::size_t dataset = 0;
  // What was allocated beyond startup (1 when nothing was, as Redis, which
  // divides by it).
  std::size_t net = 1;
  // dataset as a percentage of net (Redis's float dataset_perc).
  float dataset_perc = 0;
};

MemoryFigures memory_figures(const CommandContext& ctx);

}  // namespace larder::commands
