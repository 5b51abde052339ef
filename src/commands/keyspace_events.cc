#include "larder/commands/keyspace_events.h"

#include <string>

namespace larder::commands {

namespace {

using config::KeyspaceEventClass;
using storage::KeyEvent;

struct StorageEvent {
  KeyEvent event;
  int type;
  std::string_view name;
};
constexpr StorageEvent kStorageEvents[] = {
    {KeyEvent::kNew, config::kNotifyNew, "new"},
    {KeyEvent::kExpired, config::kNotifyExpired, "expired"},
    {KeyEvent::kEvicted, config::kNotifyEvicted, "evicted"},
    {KeyEvent::kMiss, config::kNotifyKeyMiss, "keymiss"},
    {KeyEvent::kEmptied, config::kNotifyGeneric, "del"},
};

}  // namespace

void KeyspaceEvents::key_event(KeyEvent event, int db, std::string_view key) {
  for (const StorageEvent& e : kStorageEvents) {
    if (e.event == event) notify(e.type, e.name, key, db);
  }
}

unsigned KeyspaceEvents::storage_events(int flags) {
  if ((flags & (config::kNotifyKeyspace | config::kNotifyKeyevent)) == 0) return 0;
  unsigned mask = 0;
  for (const StorageEvent& e : kStorageEvents) {
    if ((flags & e.type) != 0) mask |= static_cast<unsigned>(e.event);
  }
  return mask;
}

void KeyspaceEvents::publish(std::string_view event, std::string_view key, int db) {
  const int flags = config_.keyspace_events();
  const std::string at = "@" + std::to_string(db) + "__:";
  if (flags & config::kNotifyKeyspace) {
    std::string channel = "__keyspace" + at;
    channel.append(key);
    pubsub_.publish(channel, event);
  }
  if (flags & config::kNotifyKeyevent) {
    std::string channel = "__keyevent" + at;
    channel.append(event);
    pubsub_.publish(channel, key);
  }
}

}  // namespace larder::commands
