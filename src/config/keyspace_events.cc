#include "larder/config/keyspace_events.h"

#include <utility>

namespace larder::config {

std::optional<int> parse_keyspace_events(std::string_view flags) {
  int out = 0;
  for (char c : flags) {
    switch (c) {
      case 'A': out |= kNotifyAll; break;
      case 'g': out |= kNotifyGeneric; break;
      case '$': out |= kNotifyString; break;
      case 'l': out |= kNotifyList; break;
      case 's': out |= kNotifySet; break;
      case 'h': out |= kNotifyHash; break;
      case 'z': out |= kNotifyZset; break;
      case 'x': out |= kNotifyExpired; break;
      case 'e': out |= kNotifyEvicted; break;
      case 'K': out |= kNotifyKeyspace; break;
      case 'E': out |= kNotifyKeyevent; break;
      case 't': out |= kNotifyStream; break;
      case 'm': out |= kNotifyKeyMiss; break;
      case 'd': out |= kNotifyModule; break;
      case 'n': out |= kNotifyNew; break;
      default: return std::nullopt;
    }
  }
  return out;
}

std::string keyspace_events_string(int flags) {
  std::string out;
  if ((flags & kNotifyAll) == kNotifyAll) {
    out += 'A';  // A hides n, as in Redis
  } else {
    constexpr std::pair<int, char> kClasses[] = {
        {kNotifyGeneric, 'g'}, {kNotifyString, '$'}, {kNotifyList, 'l'},    {kNotifySet, 's'},
        {kNotifyHash, 'h'},    {kNotifyZset, 'z'},   {kNotifyExpired, 'x'}, {kNotifyEvicted, 'e'},
        {kNotifyStream, 't'},  {kNotifyModule, 'd'}, {kNotifyNew, 'n'},
    };
    for (auto [bit, c] : kClasses) {
      if (flags & bit) out += c;
    }
  }
  if (flags & kNotifyKeyspace) out += 'K';
  if (flags & kNotifyKeyevent) out += 'E';
  if (flags & kNotifyKeyMiss) out += 'm';
  return out;
}

}  // namespace larder::config
