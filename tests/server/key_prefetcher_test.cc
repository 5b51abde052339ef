#include "larder/server/key_prefetcher.h"

#include <catch2/catch.hpp>
#include <string>

#include "larder/storage/db.h"

using larder::server::KeyPrefetcher;
using larder::storage::Db;
using larder::storage::Keyspace;
using larder::storage::kNoExpire;

namespace {
std::string get(const std::string& key) {
  return "*2\r\n$3\r\nGET\r\n$" + std::to_string(key.size()) + "\r\n" + key + "\r\n";
}
}  // namespace

TEST_CASE("KeyPrefetcher counts the complete commands ahead and changes nothing", "[prefetch]") {
  Keyspace keyspace(2);
  keyspace.set_single_owner(true);
  Db db(keyspace, 0, 1000);
  for (int i = 0; i < 100; ++i) db.set("k:" + std::to_string(i), "v", kNoExpire);
  KeyPrefetcher prefetcher(keyspace);

  std::string bytes = get("k:1") + get("k:2") + "PING\r\n" + get("missing");
  CHECK(prefetcher.prefetch(bytes, 0) == 4);
  // A partial command at the end is not counted, and does not confuse the next call.
  CHECK(prefetcher.prefetch(bytes + "*2\r\n$3\r\nGET\r\n$4\r\nk:", 0) == 4);
  CHECK(prefetcher.prefetch("*2\r\n$3\r\nGET\r\n", 1) == 0);
  CHECK(prefetcher.prefetch(get("k:3"), 1) == 1);

  std::string many;
  for (int i = 0; i < 40; ++i) many += get("k:" + std::to_string(i));
  CHECK(prefetcher.prefetch(many, 0) == KeyPrefetcher::kBatch);

  CHECK(db.find_for_read("k:1") != nullptr);
  CHECK(db.find_for_read("missing") == nullptr);
}
