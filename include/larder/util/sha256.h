#pragma once
// SHA-256 (FIPS 180-4), for ACL passwords, which Redis stores as hex digests.

#include <string>
#include <string_view>

namespace larder::util {

// The 64 lower-case hex digits of SHA-256(data).
std::string sha256_hex(std::string_view data);

}  // namespace larder::util
