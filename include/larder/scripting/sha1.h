#pragma once
// SHA-1 (FIPS 180-4), for script names: EVALSHA and redis.sha1hex.

#include <string>
#include <string_view>

namespace larder::scripting {

// The 40 lower-case hex digits of SHA-1(data).
std::string sha1_hex(std::string_view data);

}  // namespace larder::scripting
