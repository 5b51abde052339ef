#include <catch2/catch.hpp>

#include "../support/command_harness.h"

using larder::testing::CommandHarness;

namespace {

std::string bulk(std::string_view s) { return "$" + std::to_string(s.size()) + "\r\n" + std::string(s) + "\r\n"; }

// `>2 invalidate [keys]` as a RESP3 client gets it.
std::string invalidate(std::initializer_list<std::string_view> keys) {
  std::string s = ">2\r\n" + bulk("invalidate") + "*" + std::to_string(keys.size()) + "\r\n";
  for (auto k : keys) s += bulk(k);
  return s;
}

}  // namespace

TEST_CASE("Default mode invalidates the keys a client read, once", "[tracking]") {
  CommandHarness h;
  const auto w = h.add_client();
  h.run({"HELLO", "3"});
  CHECK(h.run({"CLIENT", "TRACKING", "ON"}) == "+OK\r\n");
  h.run_as(w, {"SET", "k", "v"});
  CHECK(h.run({"MGET", "k", "other"}) == "*2\r\n" + bulk("v") + "_\r\n");
  CHECK(h.services().tracking.keys() == 2);
  CHECK(h.services().tracking.items() == 2);
  CHECK(h.services().tracking.clients() == 1);
  h.run_as(w, {"SET", "k", "v2"});
  CHECK(h.take_pushes(0) == invalidate({"k"}));
  h.run_as(w, {"SET", "k", "v3"});  // forgotten: read again first
  CHECK(h.take_pushes(0).empty());
  CHECK(h.services().tracking.keys() == 1);
  // Its own write: the reply first, then the invalidation.
  CHECK(h.run({"SET", "other", "x"}) == "+OK\r\n" + invalidate({"other"}));
  CHECK(h.services().tracking.keys() == 0);
  CHECK(h.services().tracking.items() == 0);
}

TEST_CASE("Writes without a change and other clients' reads send nothing", "[tracking]") {
  CommandHarness h;
  const auto w = h.add_client();
  h.run({"HELLO", "3"});
  h.run({"CLIENT", "TRACKING", "ON"});
  h.run_as(w, {"SADD", "s", "a"});
  h.run({"SISMEMBER", "s", "a"});
  h.run_as(w, {"SADD", "s", "a"});
  h.run_as(w, {"SMEMBERS", "s"});
  CHECK(h.take_pushes(0).empty());
  h.run_as(w, {"SREM", "s", "a"});
  CHECK(h.take_pushes(0) == invalidate({"s"}));
}

TEST_CASE("Lazy expiry invalidates, after the reply of the read that found it", "[tracking]") {
  CommandHarness h;
  h.run({"HELLO", "3"});
  h.run({"CLIENT", "TRACKING", "ON"});
  h.run({"SET", "k", "v", "PX", "100"});
  h.run({"GET", "k"});
  h.advance(200);
  CHECK(h.run({"GET", "k"}) == "_\r\n" + invalidate({"k"}));
}

TEST_CASE("OPTIN tracks only after CLIENT CACHING YES, for one command", "[tracking]") {
  CommandHarness h;
  const auto w = h.add_client();
  h.run({"HELLO", "3"});
  h.run({"CLIENT", "TRACKING", "ON", "OPTIN"});
  h.run({"GET", "a"});
  CHECK(h.run({"CLIENT", "CACHING", "YES"}) == "+OK\r\n");
  h.run({"GET", "b"});
  h.run({"GET", "c"});
  h.run_as(w, {"MSET", "a", "1", "b", "2", "c", "3"});
  CHECK(h.take_pushes(0) == invalidate({"b"}));
}

TEST_CASE("NOLOOP drops a client's own invalidations", "[tracking]") {
  CommandHarness h;
  const auto w = h.add_client();
  h.run({"HELLO", "3"});
  h.run({"CLIENT", "TRACKING", "ON", "NOLOOP"});
  h.run({"GET", "k"});
  CHECK(h.run({"SET", "k", "v"}) == "+OK\r\n");
  h.run({"GET", "k"});
  h.run_as(w, {"DEL", "k"});
  CHECK(h.take_pushes(0) == invalidate({"k"}));
}

TEST_CASE("BCAST sends the keys of a command under each prefix in one message", "[tracking]") {
  CommandHarness h;
  const auto w = h.add_client();
  h.run({"HELLO", "3"});
  h.run({"CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "u:"});
  CHECK(h.services().tracking.prefixes() == 1);
  h.run_as(w, {"MSET", "u:2", "x", "v:1", "y", "u:1", "z"});
  CHECK(h.take_pushes(0) == invalidate({"u:1", "u:2"}));
  h.run({"CLIENT", "TRACKING", "OFF"});
  CHECK(h.services().tracking.prefixes() == 0);
  h.run_as(w, {"SET", "u:3", "x"});
  CHECK(h.take_pushes(0).empty());
}

TEST_CASE("FLUSHALL sends a null invalidation and empties the table", "[tracking]") {
  CommandHarness h;
  const auto w = h.add_client();
  h.run({"HELLO", "3"});
  h.run({"CLIENT", "TRACKING", "ON"});
  h.run({"GET", "k"});
  h.run_as(w, {"FLUSHALL"});
  CHECK(h.take_pushes(0) == ">2\r\n" + bulk("invalidate") + "_\r\n");
  CHECK(h.services().tracking.keys() == 0);
  CHECK(h.run({"FLUSHDB"}) == "+OK\r\n>2\r\n" + bulk("invalidate") + "_\r\n");
}

TEST_CASE("REDIRECT to a RESP2 subscriber sends __redis__:invalidate messages", "[tracking]") {
  CommandHarness h;
  const auto sub = h.add_client();
  const auto w = h.add_client();
  h.run_as(sub, {"SUBSCRIBE", "__redis__:invalidate"});
  const std::string id = std::to_string(h.client(sub).id);
  CHECK(h.run({"CLIENT", "TRACKING", "ON", "REDIRECT", id}) == "+OK\r\n");
  CHECK(h.run({"CLIENT", "GETREDIR"}) == ":" + id + "\r\n");
  h.run({"GET", "k"});
  h.run_as(w, {"SET", "k", "v"});
  CHECK(h.take_pushes(sub) == "*3\r\n" + bulk("message") + bulk("__redis__:invalidate") + "*1\r\n" + bulk("k"));
  CHECK(h.take_pushes(0).empty());
}

TEST_CASE("A redirect gone is reported to a RESP3 client", "[tracking]") {
  CommandHarness h;
  const auto target = h.add_client();
  const auto w = h.add_client();
  h.run({"HELLO", "3"});
  const std::uint64_t id = h.client(target).id;
  h.run({"CLIENT", "TRACKING", "ON", "REDIRECT", std::to_string(id)});
  h.run({"GET", "k"});
  h.services().clients.remove(id);
  h.run_as(w, {"SET", "k", "v"});
  CHECK(h.take_pushes(0) == ">2\r\n" + bulk("tracking-redir-broken") + ":" + std::to_string(id) + "\r\n");
  CHECK(h.run({"CLIENT", "LIST", "ID", std::to_string(h.client(0).id)}).find("flags=tR ") != std::string::npos);
}

TEST_CASE("tracking-table-max-keys invalidates keys before the next command", "[tracking]") {
  CommandHarness h;
  h.run({"HELLO", "3"});
  h.run({"CONFIG", "SET", "tracking-table-max-keys", "1"});
  h.run({"CLIENT", "TRACKING", "ON"});
  h.run({"MGET", "a", "b", "c"});
  CHECK(h.services().tracking.keys() == 3);
  const std::string out = h.run({"PING"});
  // Two invalidations, then PONG (Redis's order: they go before the command).
  CHECK(out.ends_with("+PONG\r\n"));
  CHECK(out.starts_with(">2\r\n"));
  CHECK(h.services().tracking.keys() == 1);
  CHECK(h.run({"CONFIG", "SET", "tracking-table-max-keys", "-1"}).starts_with("-ERR CONFIG SET failed"));
}

TEST_CASE("Reads inside MULTI and scripts are tracked", "[tracking]") {
  CommandHarness h;
  const auto w = h.add_client();
  h.run({"HELLO", "3"});
  h.run({"CLIENT", "TRACKING", "ON"});
  h.run({"MULTI"});
  h.run({"GET", "a"});
  h.run({"EXEC"});
  h.run({"EVAL", "return redis.call('get', KEYS[1])", "1", "b"});
  h.run_as(w, {"MSET", "a", "1", "b", "2"});
  CHECK(h.take_pushes(0) == invalidate({"a"}) + invalidate({"b"}));
}

TEST_CASE("CLIENT TRACKING option errors are Redis's", "[tracking]") {
  CommandHarness h;
  CHECK(h.run({"CLIENT", "TRACKING", "on", "PREFIX", "x"}) ==
        "-ERR PREFIX option requires BCAST mode to be enabled\r\n");
  CHECK(h.run({"CLIENT", "TRACKING", "on", "REDIRECT", "12345"}) ==
        "-ERR The client ID you want redirect to does not exist\r\n");
  CHECK(h.run({"CLIENT", "CACHING", "yes"}) ==
        "-ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode "
        "enabled\r\n");
  // Redis 7.0 replies the error for an overlap past the first prefix, then +OK.
  CHECK(h.run({"CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a", "PREFIX", "b", "PREFIX", "bc"}) ==
        "-ERR Prefix 'b' overlaps with another provided prefix 'bc'. Prefixes for a single client must not "
        "overlap.\r\n+OK\r\n");
  CHECK(h.run({"CLIENT", "TRACKING", "on"}) ==
        "-ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then "
        "re-enabling it with a different mode.\r\n");
}

TEST_CASE("Eviction invalidates the keys it removes", "[tracking][eviction]") {
  CommandHarness h;
  const auto reader = h.add_client();
  h.run_as(reader, {"HELLO", "3"});
  h.run_as(reader, {"CLIENT", "TRACKING", "ON"});
  const std::string value(4000, 'v');
  for (int k = 0; k < 200; ++k) {
    const std::string key = "k" + std::to_string(k);
    h.run({"SET", key, value});
    h.run_as(reader, {"GET", key});
  }
  h.take_pushes(reader);
  CHECK(h.services().tracking.keys() == 200);
  const std::size_t used = h.services().used_memory();
  CHECK(h.run({"CONFIG", "SET", "maxmemory", std::to_string(used - 100 * 4000)}) == "+OK\r\n");
  h.run({"PING"});
  h.finish_eviction();
  h.run_posted();
  // Every evicted key was tracked: one invalidation each, and forgotten.
  const std::string pushes = h.take_pushes(reader);
  std::size_t invalidations = 0;
  for (auto at = pushes.find("invalidate"); at != std::string::npos; at = pushes.find("invalidate", at + 1)) {
    ++invalidations;
  }
  const std::size_t left = std::stoul(h.run({"DBSIZE"}).substr(1));
  CHECK(left < 200);
  CHECK(invalidations == 200 - left);
  CHECK(h.services().tracking.keys() == left);
}
