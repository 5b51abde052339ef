#pragma once
// Keyspace notifications (Redis's notify.c): events about keys published on
// __keyspace@<db>__:<key> (message: the event) and __keyevent@<db>__:<event>
// (message: the key), as notify-keyspace-events selects.
//
// Commands call notify() with Redis's event name and class after each change,
// in Redis's order; storage reports what it does by itself (new keys, expiry,
// eviction, read misses, collections emptied by a write) through
// storage::KeyEventSink. Both may run with shard locks held: publishing only
// takes PubSub's locks, which come after them (pubsub.h).

#include <string_view>

#include "larder/commands/pubsub.h"
#include "larder/config/keyspace_events.h"
#include "larder/config/live_config.h"
#include "larder/storage/key_events.h"
#include "larder/storage/keyspace.h"

namespace larder::commands {

class KeyspaceEvents final : public storage::KeyEventSink {
 public:
  KeyspaceEvents(const config::LiveConfig& config, PubSub& pubsub) : config_(config), pubsub_(pubsub) {}

  // Redis's notifyKeyspaceEvent. Disabled (the default) it costs one relaxed
  // load. Any thread, shard locks held or not.
  void notify(int type, std::string_view event, std::string_view key, int db) {
    if ((config_.keyspace_events() & type) != 0) publish(event, key, db);
  }

  void key_event(storage::KeyEvent event, int db, std::string_view key) override;

  // The storage events that notify-keyspace-events `flags` asks for.
  static unsigned storage_events(int flags);

 private:
  void publish(std::string_view event, std::string_view key, int db);

  const config::LiveConfig& config_;
  PubSub& pubsub_;
};

}  // namespace larder::commands
