#include "larder/commands/memory_figures.h"

#include <algorithm>

#include "larder/util/memory.h"

namespace larder::commands {

ProcessMemory process_memory(const ServerServices& server) {
  ProcessMemory m;
  m.allocated = util::allocated_bytes();
  m.peak = std::max(util::peak_allocated_bytes(), m.allocated);
  m.startup = util::startup_allocated_bytes();
  m.rss = util::rss_bytes();
  for (const auto& c : server.clients.snapshot()) {
    m.client_buffers += c->memory.load(std::memory_order_relaxed);
    ++m.clients;
  }
  return m;
}

MemoryFigures memory_figures(const CommandContext& ctx) {
  MemoryFigures m;
  static_cast<ProcessMemory&>(m) = process_memory(ctx.server);
  m.overhead = m.startup + m.client_buffers;
  for (int d = 0; d < ctx.keyspace.databases(); ++d) {
    MemoryFigures::Db db{d, 0, 0};
    for (std::size_t s = 0; s < storage::kShardCount; ++s) {
      const storage::Table* t = ctx.keyspace.shard(s).find_table(d);
      if (t == nullptr) continue;
      db.keys += t->size();
      db.bucket_bytes += t->allocated_buckets() * sizeof(void*);
    }
    if (db.keys == 0) continue;
    m.keys += db.keys;
    m.overhead += db.bucket_bytes;
    m.dbs.push_back(db);
  }
  m.dataset = m.allocated > m.overhead ? m.allocated - m.overhead : 0;
  if (m.allocated > m.startup) m.net = m.allocated - m.startup;
  m.dataset_perc = static_cast<float>(m.dataset) * 100 / static_cast<float>(m.net);
  return m;
}

}  // namespace larder::commands
