#pragma once
// notify-keyspace-events: Redis's event classes as bits, and the flag string
// that names them ("KEA", "Ex", ...) as Redis parses and prints it.

#include <optional>
#include <string>
#include <string_view>

namespace larder::config {

// Redis 7.0's NOTIFY_* values (server.h).
enum KeyspaceEventClass : int {
  kNotifyKeyspace = 1 << 0,   // K: __keyspace@<db>__:<key> channels
  kNotifyKeyevent = 1 << 1,   // E: __keyevent@<db>__:<event> channels
  kNotifyGeneric = 1 << 2,    // g: DEL, EXPIRE, RENAME, ...
  kNotifyString = 1 << 3,     // $
  kNotifyList = 1 << 4,       // l
  kNotifySet = 1 << 5,        // s
  kNotifyHash = 1 << 6,       // h
  kNotifyZset = 1 << 7,       // z
  kNotifyExpired = 1 << 8,    // x
  kNotifyEvicted = 1 << 9,    // e
  kNotifyStream = 1 << 10,    // t
  kNotifyKeyMiss = 1 << 11,   // m (not part of A)
  kNotifyLoaded = 1 << 12,    // modules only
  kNotifyModule = 1 << 13,    // d
  kNotifyNew = 1 << 14,       // n (not part of A)
  // A: g$lshzxetd
  kNotifyAll = kNotifyGeneric | kNotifyString | kNotifyList | kNotifySet | kNotifyHash | kNotifyZset |
               kNotifyExpired | kNotifyEvicted | kNotifyStream | kNotifyModule,
};

// Redis's keyspaceEventsStringToFlags: nullopt for a character outside
// "Ag$lshzxeKEtmdn".
std::optional<int> parse_keyspace_events(std::string_view flags);
// Redis's keyspaceEventsFlagsToString: the canonical text CONFIG GET shows.
std::string keyspace_events_string(int flags);

}  // namespace larder::config
