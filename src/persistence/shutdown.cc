#include "larder/persistence/shutdown.h"

#include <spdlog/spdlog.h>

#include "larder/storage/shard_locks.h"

namespace larder::persistence {

bool save_for_shutdown(storage::Keyspace& keyspace, Persistence& persistence, std::int64_t now_ms, bool save) {
  if (!save && !persistence.bgsave_in_progress()) return true;
  storage::ShardLocks locks(keyspace);
  locks.add_all();
  locks.acquire();
  persistence.cancel_bgsave();
  if (!save) return true;
  spdlog::info("Saving the final RDB snapshot before exiting.");
  if (persistence.save(now_ms)) return true;
  spdlog::warn("Error trying to save the DB before exiting.");
  return false;
}

}  // namespace larder::persistence
