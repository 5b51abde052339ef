#pragma once
// Wall-clock reading used for expiry deadlines (absolute unix ms, as EXPIREAT
// and PXAT need). Read once per command; storage code takes `now` as a
// parameter, which is how tests move time.

#include <chrono>
#include <cstdint>

namespace larder::util {

inline std::int64_t unix_time_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace larder::util
