#include "larder/server/key_prefetcher.h"

namespace larder::server {

std::size_t KeyPrefetcher::prefetch(std::string_view bytes, int db) {
  std::size_t commands = 0;
  std::size_t keys = 0;
  while (commands < kBatch && !bytes.empty()) {
    if (parser_.parse(bytes) != protocol::ParseStatus::kCommand) break;
    ++commands;
    // Most commands name their (first) key right after the command name.
    if (parser_.args().size() >= 2) hashes_[keys++] = keyspace_.prefetch_shard(parser_.args()[1]);
    bytes.remove_prefix(parser_.consumed());
  }
  parser_.reset();
  for (int stage = 0; stage <= 3; ++stage) {
    for (std::size_t i = 0; i < keys; ++i) keyspace_.prefetch_chain(db, hashes_[i], stage);
  }
  return commands;
}

}  // namespace larder::server
