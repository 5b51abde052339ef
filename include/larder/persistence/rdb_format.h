#pragma once
// Constants of Redis's RDB format (rdb.h of Redis 7.0): value type bytes,
// opcodes, length encodings. Shared by RdbWriter and RdbReader.

#include <cstdint>

namespace larder::persistence::rdb {

// The version Larder writes and the newest it reads (Redis 7.0).
inline constexpr int kVersion = 10;

// Value types.
inline constexpr std::uint8_t kTypeString = 0;
inline constexpr std::uint8_t kTypeList = 1;
inline constexpr std::uint8_t kTypeSet = 2;
inline constexpr std::uint8_t kTypeZset = 3;
inline constexpr std::uint8_t kTypeHash = 4;
inline constexpr std::uint8_t kTypeZset2 = 5;  // binary double scores
inline constexpr std::uint8_t kTypeModulePre = 6;
inline constexpr std::uint8_t kTypeModule2 = 7;
inline constexpr std::uint8_t kTypeHashZipmap = 9;
inline constexpr std::uint8_t kTypeListZiplist = 10;
inline constexpr std::uint8_t kTypeSetIntset = 11;
inline constexpr std::uint8_t kTypeZsetZiplist = 12;
inline constexpr std::uint8_t kTypeHashZiplist = 13;
inline constexpr std::uint8_t kTypeListQuicklist = 14;
inline constexpr std::uint8_t kTypeStreamListpacks = 15;
inline constexpr std::uint8_t kTypeHashListpack = 16;
inline constexpr std::uint8_t kTypeZsetListpack = 17;
inline constexpr std::uint8_t kTypeListQuicklist2 = 18;
inline constexpr std::uint8_t kTypeStreamListpacks2 = 19;
inline constexpr std::uint8_t kTypeSetListpack = 20;  // Redis 7.2 (RDB 11); read only

// Opcodes.
inline constexpr std::uint8_t kOpFunction2 = 245;
inline constexpr std::uint8_t kOpFunctionPre = 246;  // Redis 7.0 release candidates
inline constexpr std::uint8_t kOpModuleAux = 247;
inline constexpr std::uint8_t kOpIdle = 248;
inline constexpr std::uint8_t kOpFreq = 249;
inline constexpr std::uint8_t kOpAux = 250;
inline constexpr std::uint8_t kOpResizeDb = 251;
inline constexpr std::uint8_t kOpExpireTimeMs = 252;
inline constexpr std::uint8_t kOpExpireTime = 253;
inline constexpr std::uint8_t kOpSelectDb = 254;
inline constexpr std::uint8_t kOpEof = 255;

// Quicklist 2 node containers.
inline constexpr std::uint64_t kQuicklistNodePlain = 1;
inline constexpr std::uint64_t kQuicklistNodePacked = 2;

}  // namespace larder::persistence::rdb
