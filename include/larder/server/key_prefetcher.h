#pragma once
// Looks ahead in a connection's read buffer: parses the next commands of a
// pipelined batch and asks the keyspace to bring their first key's shard
// fields, table, bucket and entries into the cache, so that the lookups, run
// one after another, overlap their memory misses. A hint only: it never
// changes what a command does.
// Single-owner keyspace only (storage::Keyspace::single_owner()).

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "larder/protocol/resp_parser.h"
#include "larder/storage/keyspace.h"

namespace larder::server {

class KeyPrefetcher {
 public:
  static constexpr std::size_t kBatch = 16;

  explicit KeyPrefetcher(storage::Keyspace& keyspace) : keyspace_(keyspace) {}

  // Prefetches the keys of up to kBatch complete commands at the start of
  // `bytes` (database `db`); returns how many complete commands it saw.
  std::size_t prefetch(std::string_view bytes, int db);

 private:
  storage::Keyspace& keyspace_;
  protocol::RespParser parser_;
  std::array<std::uint64_t, kBatch> hashes_{};
};

}  // namespace larder::server
