#pragma once
// What SHUTDOWN and the exit signals do with persistence, as Redis 7.0's
// prepareForShutdown: stop a background save, then save when asked.

#include <cstdint>

#include "larder/persistence/persistence.h"

namespace larder::persistence {

// Locks every shard itself (the caller holds none). False when the save
// failed (logged).
bool save_for_shutdown(storage::Keyspace& keyspace, Persistence& persistence, std::int64_t now_ms, bool save);

}  // namespace larder::persistence
