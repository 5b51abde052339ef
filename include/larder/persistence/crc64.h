#pragma once
// Redis's CRC-64 (Jones polynomial 0xad93d23594c935a9, reflected, no final
// xor): the checksum of RDB files and DUMP payloads. crc64(0, "123456789")
// is 0xe9c6d914c4b8d9ca.

#include <cstdint>
#include <string_view>

namespace larder::persistence {

// Continues `crc` over `data` (start with 0).
std::uint64_t crc64(std::uint64_t crc, std::string_view data);

}  // namespace larder::persistence
