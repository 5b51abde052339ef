#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <string_view>

#include "../support/command_harness.h"
#include "larder/storage/entry.h"
#include "larder/util/memory.h"
#include "larder/util/slab_heap.h"

using larder::testing::CommandHarness;

namespace {

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("TIME, LASTSAVE and ROLE", "[diagnostics]") {
  CommandHarness h;
  const std::string t = h.run({"TIME"});
  REQUIRE(starts_with(t, "*2\r\n$10\r\n"));
  const long long secs = std::stoll(t.substr(9, 10));
  const long long now = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  CHECK(std::llabs(secs - now) <= 2);
  CHECK(h.run({"TIME", "x"}) == "-ERR wrong number of arguments for 'time' command\r\n");

  CHECK(h.run({"LASTSAVE"}) == ":" + std::to_string(h.services().persistence->last_save_time()) + "\r\n");
  CHECK(h.run({"ROLE"}) == "*3\r\n$6\r\nmaster\r\n:0\r\n*0\r\n");
  CHECK(h.run({"ROLE", "x"}) == "-ERR wrong number of arguments for 'role' command\r\n");
}

TEST_CASE("SLOWLOG GET, LEN, RESET", "[diagnostics]") {
  CommandHarness h;
  CHECK(h.run({"SLOWLOG", "LEN"}) == ":0\r\n");
  CHECK(h.run({"SLOWLOG", "GET"}) == "*0\r\n");
  h.config().set({{"slowlog-log-slower-than", "0"}});
  h.client().names_for_write().name = "me";
  h.run({"SET", "k", "v"});
  const std::string get = h.run({"SLOWLOG", "GET", "1"});
  // The newest entry: the SET (SLOWLOG GET itself is recorded after it runs).
  const std::string time_s = std::to_string(h.now() / 1000);
  CHECK(starts_with(get, "*1\r\n*6\r\n:"));
  CHECK(contains(get, "\r\n:" + time_s + "\r\n:"));
  CHECK(contains(get, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n$15\r\n127.0.0.1:40000\r\n$2\r\nme\r\n"));
  // A command is logged after it ran: LEN does not count itself.
  CHECK(h.run({"SLOWLOG", "LEN"}) == ":2\r\n");  // SET, SLOWLOG GET 1
  CHECK(starts_with(h.run({"SLOWLOG", "GET"}), "*3\r\n"));
  CHECK(starts_with(h.run({"SLOWLOG", "GET", "-1"}), "*4\r\n"));
  CHECK(h.run({"SLOWLOG", "GET", "0"}) == "*0\r\n");
  h.config().set({{"slowlog-log-slower-than", "-1"}});
  CHECK(h.run({"SLOWLOG", "RESET"}) == "+OK\r\n");
  CHECK(h.run({"SLOWLOG", "LEN"}) == ":0\r\n");

  CHECK(h.run({"SLOWLOG", "GET", "-2"}) ==
        "-ERR count should be greater than or equal to -1\r\n");
  CHECK(h.run({"SLOWLOG", "GET", "x"}) ==
        "-ERR count should be greater than or equal to -1\r\n");
  CHECK(h.run({"slowlog", "get", "1", "2"}) ==
        "-ERR unknown subcommand or wrong number of arguments for 'get'. Try SLOWLOG HELP.\r\n");
  CHECK(h.run({"SLOWLOG", "LEN", "x"}) ==
        "-ERR wrong number of arguments for 'slowlog|len' command\r\n");
  CHECK(h.run({"SLOWLOG", "FOO"}) == "-ERR unknown subcommand 'FOO'. Try SLOWLOG HELP.\r\n");
  CHECK(h.run({"SLOWLOG"}) == "-ERR wrong number of arguments for 'slowlog' command\r\n");
  CHECK(starts_with(h.run({"SLOWLOG", "HELP"}),
                    "*12\r\n+SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"));
}

TEST_CASE("LATENCY HISTOGRAM reads the per-command buckets", "[diagnostics]") {
  CommandHarness h;
  // Nothing has run but this one.
  CHECK(h.run({"LATENCY", "HISTOGRAM", "set"}) == "*0\r\n");
  h.run({"SET", "a", "1"});
  h.run({"SET", "a", "2"});
  h.run({"GET", "a"});
  const std::string set = h.run({"LATENCY", "HISTOGRAM", "SET"});
  CHECK(starts_with(set, "*2\r\n$3\r\nset\r\n*4\r\n$5\r\ncalls\r\n:2\r\n$14\r\nhistogram_usec\r\n*"));
  // The last bucket's cumulative count is every call.
  CHECK(set.size() >= 6);
  CHECK(set.substr(set.size() - 4) == ":2\r\n");

  // Unknown names are skipped; a container lists its subcommands that ran.
  h.run({"OBJECT", "ENCODING", "a"});
  const std::string obj = h.run({"LATENCY", "HISTOGRAM", "nosuch", "object", "get"});
  CHECK(starts_with(obj, "*4\r\n$15\r\nobject|encoding\r\n"));
  CHECK(contains(obj, "$3\r\nget\r\n*4\r\n$5\r\ncalls\r\n:1\r\n"));
  CHECK(starts_with(h.run({"LATENCY", "HISTOGRAM", "object|encoding"}),
                    "*2\r\n$15\r\nobject|encoding\r\n"));

  // Without names: every command that ran, sorted.
  const std::string all = h.run({"LATENCY", "HISTOGRAM"});
  CHECK(contains(all, "$3\r\nget\r\n"));
  CHECK(contains(all, "$17\r\nlatency|histogram\r\n"));
  CHECK(all.find("$3\r\nget\r\n") < all.find("$3\r\nset\r\n"));
}

TEST_CASE("LATENCY histogram buckets are cumulative with power-of-two bounds", "[diagnostics]") {
  CommandHarness h;
  auto& counters = h.services().loop_stats[0]->commands[larder::commands::CommandTable::instance()
                                                            .find("get")
                                                            ->index];
  counters.calls.add(6);
  counters.record_latency(0);  // < 1 us
  for (int i = 0; i < 2; ++i) counters.record_latency(4);    // < 8 us
  for (int i = 0; i < 3; ++i) counters.record_latency(1000); // < 1024 us
  CHECK(h.run({"LATENCY", "HISTOGRAM", "get"}) ==
        "*2\r\n$3\r\nget\r\n*4\r\n$5\r\ncalls\r\n:6\r\n$14\r\nhistogram_usec\r\n"
        "*6\r\n:1\r\n:1\r\n:8\r\n:3\r\n:1024\r\n:6\r\n");
}

TEST_CASE("LATENCY without a monitor", "[diagnostics]") {
  CommandHarness h;
  CHECK(h.run({"LATENCY", "LATEST"}) == "*0\r\n");
  CHECK(h.run({"LATENCY", "RESET"}) == ":0\r\n");
  CHECK(h.run({"LATENCY", "RESET", "command", "fork"}) == ":0\r\n");
  CHECK(h.run({"LATENCY", "HISTORY", "command"}) == "*0\r\n");
  CHECK(h.run({"LATENCY", "GRAPH", "command"}) ==
        "-ERR No samples available for event 'command'\r\n");
  CHECK(starts_with(h.run({"LATENCY", "DOCTOR"}), "$"));
  CHECK(h.run({"LATENCY", "LATEST", "x"}) ==
        "-ERR wrong number of arguments for 'latency|latest' command\r\n");
  CHECK(starts_with(h.run({"LATENCY", "HELP"}), "*17\r\n+LATENCY <subcommand>"));
}

TEST_CASE("MEMORY USAGE estimates the entry's heap block", "[diagnostics]") {
  CommandHarness h;
  CHECK(h.run({"MEMORY", "USAGE", "nokey"}) == "$-1\r\n");
  h.run({"SET", "key:000000001", std::string(32, 'v')});
  const std::size_t plain = larder::util::slab_heap::cost(larder::storage::Entry::block_size(13, 32, false)) + 8;
  CHECK(h.run({"MEMORY", "USAGE", "key:000000001"}) == ":" + std::to_string(plain) + "\r\n");
  h.run({"SET", "e", "v", "EX", "100"});
  const std::size_t with_ttl = larder::util::slab_heap::cost(larder::storage::Entry::block_size(1, 1, true)) + 8;
  CHECK(h.run({"MEMORY", "USAGE", "e", "SAMPLES", "0"}) == ":" + std::to_string(with_ttl) + "\r\n");
  h.advance(200'000);
  CHECK(h.run({"MEMORY", "USAGE", "e"}) == "$-1\r\n");
  h.run({"HELLO", "3"});
  CHECK(h.run({"MEMORY", "USAGE", "e"}) == "_\r\n");
  h.run({"HELLO", "2"});

  CHECK(h.run({"MEMORY", "USAGE", "k", "SAMPLES"}) == "-ERR syntax error\r\n");
  CHECK(h.run({"MEMORY", "USAGE", "k", "SAMPLES", "-1"}) == "-ERR syntax error\r\n");
  CHECK(h.run({"MEMORY", "USAGE", "k", "SAMPLES", "x"}) ==
        "-ERR value is not an integer or out of range\r\n");
  CHECK(h.run({"MEMORY", "USAGE", "k", "foo"}) == "-ERR syntax error\r\n");
  CHECK(h.run({"MEMORY", "USAGE"}) ==
        "-ERR wrong number of arguments for 'memory|usage' command\r\n");
  CHECK(h.run({"MEMORY", "FOO"}) == "-ERR unknown subcommand 'FOO'. Try MEMORY HELP.\r\n");
  CHECK(starts_with(h.run({"MEMORY", "HELP"}), "*14\r\n+MEMORY <subcommand>"));
}

TEST_CASE("MEMORY STATS, DOCTOR, PURGE, MALLOC-STATS", "[diagnostics][glibc-malloc]") {
  CommandHarness h;
  h.run({"SET", "a", "1"});
  h.run({"SET", "b", "1"});
  h.client().db = 3;
  h.run({"SET", "c", "1"});
  h.client().db = 0;
  const std::string stats = h.run({"MEMORY", "STATS"});
  // 15 fields and db.0, db.3 (4 more once a startup baseline is recorded,
  // which another test of this process may have done); the last one closes
  // the reply.
  const bool baseline = larder::util::startup_allocated_bytes() > 0;
  CHECK(starts_with(stats, baseline ? "*42\r\n" : "*34\r\n"));
  CHECK(starts_with(stats.substr(3), "\r\n$14\r\npeak.allocated\r\n"));
  const std::size_t rss_at = stats.find("$9\r\nrss.bytes\r\n:");
  REQUIRE(rss_at != std::string::npos);
  // rss.bytes is the last field: only its number follows.
  CHECK(stats.find("\r\n", rss_at + 16) == stats.size() - 2);
  CHECK(contains(stats, "$14\r\npeak.allocated\r\n:"));
  CHECK(contains(stats, "$15\r\ntotal.allocated\r\n:"));
  CHECK(contains(stats, "$4\r\ndb.0\r\n*6\r\n$23\r\noverhead.hashtable.main\r\n:"));
  CHECK(contains(stats, "$4\r\ndb.3\r\n"));
  CHECK(!contains(stats, "$4\r\ndb.1\r\n"));
  CHECK(contains(stats, "$10\r\nkeys.count\r\n:3\r\n"));
  CHECK(contains(stats, "$13\r\nfragmentation\r\n$"));
  CHECK(h.run({"MEMORY", "STATS", "x"}) ==
        "-ERR wrong number of arguments for 'memory|stats' command\r\n");

  // With a startup baseline the dataset fields appear.
  larder::util::record_startup_allocated();
  const std::string with_startup = h.run({"MEMORY", "STATS"});
  CHECK(starts_with(with_startup, "*42\r\n"));
  CHECK(contains(with_startup, "$17\r\nstartup.allocated\r\n:"));
  CHECK(contains(with_startup, "$13\r\ndataset.bytes\r\n:"));
  CHECK(contains(with_startup, "$18\r\nkeys.bytes-per-key\r\n:"));

  CHECK(starts_with(h.run({"MEMORY", "DOCTOR"}), "$"));
  h.run({"HELLO", "3"});
  CHECK(starts_with(h.run({"MEMORY", "DOCTOR"}), "="));
  h.run({"HELLO", "2"});
  CHECK(h.run({"MEMORY", "PURGE"}) == "+OK\r\n");
  CHECK(contains(h.run({"MEMORY", "MALLOC-STATS"}), "<malloc version="));
}

TEST_CASE("DEBUG SLEEP, SET-ACTIVE-EXPIRE, HELP", "[diagnostics]") {
  CommandHarness h(16, {{"enable-debug-command", "yes"}});
  const auto start = std::chrono::steady_clock::now();
  CHECK(h.run({"DEBUG", "SLEEP", "0.05"}) == "+OK\r\n");
  CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(50));
  CHECK(h.run({"DEBUG", "SLEEP", "x"}) == "+OK\r\n");
  CHECK(h.run({"DEBUG", "SLEEP", "-1"}) == "+OK\r\n");
  CHECK(h.run({"DEBUG", "SLEEP", "inf"}) == "+OK\r\n");
  CHECK(h.run({"debug", "sleep"}) ==
        "-ERR unknown subcommand or wrong number of arguments for 'sleep'. Try DEBUG HELP.\r\n");

  CHECK(h.services().active_expire.load());
  CHECK(h.run({"DEBUG", "SET-ACTIVE-EXPIRE", "0"}) == "+OK\r\n");
  CHECK(!h.services().active_expire.load());
  CHECK(h.run({"DEBUG", "set-active-expire", "1"}) == "+OK\r\n");
  CHECK(h.services().active_expire.load());
  CHECK(h.run({"DEBUG", "SET-ACTIVE-EXPIRE", "x"}) == "+OK\r\n");
  CHECK(!h.services().active_expire.load());
  CHECK(h.run({"DEBUG", "SET-ACTIVE-EXPIRE", "2"}) == "+OK\r\n");
  CHECK(h.services().active_expire.load());

  CHECK(h.run({"DEBUG", "FOO"}) ==
        "-ERR unknown subcommand or wrong number of arguments for 'FOO'. Try DEBUG HELP.\r\n");
  CHECK(h.run({"Debug", "populate"}) ==
        "-ERR unknown subcommand or wrong number of arguments for 'populate'. Try DEBUG HELP.\r\n");
  CHECK(h.run({"DEBUG"}) == "-ERR wrong number of arguments for 'debug' command\r\n");
  CHECK(starts_with(h.run({"DEBUG", "HELP"}),
                    "*22\r\n+DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"));
}

TEST_CASE("enable-debug-command: no refuses DEBUG, local admits loopback peers only", "[diagnostics]") {
  constexpr std::string_view kRefused =
      "-ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you "
      "can run it from a local connection, otherwise you need to set this option in the "
      "configuration file, and then restart the server.\r\n";
  SECTION("no (the default)") {
    CommandHarness h;
    CHECK(h.run({"DEBUG", "SLEEP", "0"}) == kRefused);
    CHECK(h.run({"DEBUG", "HELP"}) == kRefused);
    // Arity is checked first, as in Redis.
    CHECK(h.run({"DEBUG"}) == "-ERR wrong number of arguments for 'debug' command\r\n");
    // Refused, not queued: the transaction fails.
    CHECK(h.run({"MULTI"}) == "+OK\r\n");
    CHECK(h.run({"DEBUG", "SLEEP", "0"}) == kRefused);
    CHECK(h.run({"EXEC"}) == "-EXECABORT Transaction discarded because of previous errors.\r\n");
  }
  SECTION("no, before AUTH: the refusal comes before NOAUTH") {
    CommandHarness h(16, {{"requirepass", "secret"}});
    CHECK(h.run({"DEBUG", "SLEEP", "0"}) == kRefused);
  }
  SECTION("local") {
    CommandHarness h(16, {{"enable-debug-command", "local"}});
    CHECK(h.run({"DEBUG", "SLEEP", "0"}) == "+OK\r\n");
    h.client().addr = "::1:40000";
    CHECK(h.run({"DEBUG", "SLEEP", "0"}) == "+OK\r\n");
    h.client().addr = "10.0.0.7:40000";
    CHECK(h.run({"DEBUG", "SLEEP", "0"}) == kRefused);
    h.client().addr = "127.0.0.2:40000";
    CHECK(h.run({"DEBUG", "SLEEP", "0"}) == kRefused);
  }
  SECTION("immutable at runtime") {
    CommandHarness h(16, {{"enable-debug-command", "yes"}});
    CHECK(h.run({"CONFIG", "SET", "enable-debug-command", "no"}) ==
          "-ERR CONFIG SET failed (possibly related to argument 'enable-debug-command') - can't set "
          "immutable config\r\n");
    CHECK(h.run({"CONFIG", "GET", "enable-debug-command"}) ==
          "*2\r\n$20\r\nenable-debug-command\r\n$3\r\nyes\r\n");
    CHECK(h.run({"DEBUG", "SLEEP", "0"}) == "+OK\r\n");
  }
}

TEST_CASE("a command's latency buckets count from its first call and reset with it", "[diagnostics]") {
  using larder::commands::kLatencyBuckets;
  larder::commands::CommandCounters c;
  for (std::size_t b = 0; b < kLatencyBuckets; ++b) CHECK(c.latency(b) == 0);
  c.record_latency(5);               // < 8 us
  c.record_latency(1ull << 50);      // past the last bound: counted in the last bucket
  CHECK(c.latency(3) == 1);
  CHECK(c.latency(kLatencyBuckets - 1) == 1);
  c.calls.add(2);
  c.reset();
  CHECK(c.calls.get() == 0);
  CHECK(c.latency(3) == 0);
  CHECK(c.latency(kLatencyBuckets - 1) == 0);
  // The buckets live outside the rows: a loop's counters for all 512 rows
  // stay small until commands run.
  CHECK(sizeof(larder::commands::ServerStats) < 32 * 1024);
}
