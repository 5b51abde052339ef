#include <catch2/catch.hpp>

#include "../support/command_harness.h"

using larder::testing::CommandHarness;

namespace {

std::string bulk(std::string_view s) { return "$" + std::to_string(s.size()) + "\r\n" + std::string(s) + "\r\n"; }

std::string pmessage(std::string_view channel, std::string_view payload) {
  return "*4\r\n" + bulk("pmessage") + bulk("__key*__:*") + bulk(channel) + bulk(payload);
}

// Both messages of one event in database 0, as K and E publish them.
std::string event(std::string_view name, std::string_view key) {
  return pmessage("__keyspace@0__:" + std::string(key), name) + pmessage("__keyevent@0__:" + std::string(name), key);
}

}  // namespace

TEST_CASE("keyspace events are published only as the flags select", "[keyspace-events]") {
  CommandHarness h;
  const auto sub = h.add_client();
  h.run_as(sub, {"PSUBSCRIBE", "__key*__:*"});
  h.run({"SET", "k", "v"});
  CHECK(h.take_pushes(sub).empty());  // off by default
  h.run({"CONFIG", "SET", "notify-keyspace-events", "KEg"});
  h.run({"SET", "k", "v"});
  h.run({"DEL", "k"});
  CHECK(h.take_pushes(sub) == event("del", "k"));  // $ is not selected
  h.run({"CONFIG", "SET", "notify-keyspace-events", "Kl"});
  h.run({"RPUSH", "l", "a"});
  h.run({"LPOP", "l"});
  CHECK(h.take_pushes(sub) == pmessage("__keyspace@0__:l", "rpush") + pmessage("__keyspace@0__:l", "lpop"));
}

TEST_CASE("storage events: new, expired by lookup, keymiss and an emptied collection", "[keyspace-events]") {
  CommandHarness h;
  const auto sub = h.add_client();
  h.run_as(sub, {"PSUBSCRIBE", "__key*__:*"});
  h.run({"CONFIG", "SET", "notify-keyspace-events", "KEAnm"});
  h.run({"SET", "k", "v", "PX", "10"});
  CHECK(h.take_pushes(sub) == event("new", "k") + event("set", "k") + event("expire", "k"));
  h.advance(20);
  h.run({"GET", "k"});
  CHECK(h.take_pushes(sub) == event("expired", "k") + event("keymiss", "k"));
  h.run({"SADD", "s", "a"});
  h.take_pushes(sub);
  h.run({"SREM", "s", "a"});
  CHECK(h.take_pushes(sub) == event("srem", "s") + event("del", "s"));
}

TEST_CASE("maxmemory eviction publishes evicted", "[keyspace-events]") {
  CommandHarness h;
  const auto sub = h.add_client();
  h.run_as(sub, {"PSUBSCRIBE", "__key*__:*"});
  h.run({"SET", "k", "v"});
  h.run({"CONFIG", "SET", "notify-keyspace-events", "Ee"});
  h.run({"CONFIG", "SET", "maxmemory-policy", "allkeys-lru"});
  h.run({"CONFIG", "SET", "maxmemory", "1"});
  h.finish_eviction();
  h.run_posted();
  CHECK(h.take_pushes(sub) == pmessage("__keyevent@0__:evicted", "k"));
  h.run({"CONFIG", "SET", "maxmemory", "0"});
}
