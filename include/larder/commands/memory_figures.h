#pragma once
// The memory figures INFO memory, MEMORY STATS and MEMORY DOCTOR report,
// computed in one place as Redis's getMemoryOverheadData computes them, so
// that the three agree. Call with every shard lock held (the three commands
// are kAllShards).

#include <cstddef>
#include <vector>

#include "larder/commands/command_context.h"

namespace larder::commands {

struct MemoryFigures {
  std::size_t allocated = 0;
  std::size_t peak = 0;
  std::size_t startup = 0;  // 0: not recorded (util::record_startup_allocated)
  std::size_t rss = 0;
  std::size_t client_buffers = 0;  // the clients' query and reply buffers
  std::size_t clients = 0;
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
  // dataset as a percentage of what was allocated beyond startup (Redis's
  // float dataset_perc).
  float dataset_perc = 0;
};

MemoryFigures memory_figures(const CommandContext& ctx);

}  // namespace larder::commands
