#include "larder/config/options.h"

#include <catch2/catch.hpp>

#include "larder/config/live_config.h"

using larder::config::apply_config_text;
using larder::config::ConfigError;
using larder::config::LiveConfig;
using larder::config::Options;
using larder::config::Settings;

TEST_CASE("a redis.conf-style file sets directives", "[config]") {
  Settings s;
  apply_config_text(s,
                    "# comment\n"
                    "\n"
                    "port 7000\n"
                    "  bind 127.0.0.1 ::1\n"
                    "loglevel \"WARNING\"\n"
                    "hz 50\n"
                    "proto-max-bulk-len 2mb\n"
                    "save \"\"\n",
                    "test.conf");
  Options o = Options::from(s);
  CHECK(o.port == 7000);
  CHECK(o.bind == std::vector<std::string>{"127.0.0.1", "::1"});
  CHECK(o.loglevel == "warning");
  CHECK(s.get("hz") == "50");
  CHECK(s.get("proto-max-bulk-len") == "2097152");
  CHECK(s.ignored_in_use().empty());
  s.set("appendonly", {"yes"});
  CHECK(s.ignored_in_use() == std::vector<std::string>{"appendonly"});
}

TEST_CASE("bad settings name the directive and the line", "[config]") {
  Settings s;
  auto message_of = [&](const std::string& text) {
    try {
      apply_config_text(s, text, "x.conf");
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(message_of("port 7000\nport abc\n"),
             Catch::Contains("x.conf:2") && Catch::Contains("'port'"));
  CHECK_THAT(message_of("nosuchthing 1\n"), Catch::Contains("nosuchthing"));
  CHECK_THAT(message_of("loglevel loud\n"), Catch::Contains("loglevel"));
  CHECK_THAT(message_of("threads 0\n"), Catch::Contains("threads"));
  CHECK_THAT(message_of("enable-debug-command maybe\n"),
             Catch::Contains("'enable-debug-command'") &&
                 Catch::Contains("argument(s) must be one of the following: no, yes, local"));
  CHECK_THAT(message_of("bind \"unterminated\n"), Catch::Contains("x.conf:1"));
  CHECK_THROWS_AS(s.set("hz", {"1", "2"}), ConfigError);
}

TEST_CASE("CONFIG SET is all or nothing and refuses startup-only directives", "[config]") {
  LiveConfig live{Settings{}};
  CHECK_THROWS_AS(live.set({{"hz", "20"}, {"port", "1"}}), ConfigError);
  CHECK(live.get("hz") == "10");
  CHECK_THROWS_AS(live.set({{"hz", "20"}, {"slowlog-max-len", "x"}}), ConfigError);
  CHECK(live.hz() == 10);
  live.set({{"hz", "20"}, {"requirepass", "secret"}});
  CHECK(live.hz() == 20);
  CHECK(live.get("requirepass") == "secret");
  CHECK(live.matching("slowlog*").size() == 2);
}

TEST_CASE("maxmemory-eviction-tenacity sets the eviction time limit as Redis's", "[config]") {
  using std::chrono::microseconds;
  LiveConfig live{Settings{}};
  CHECK(live.eviction_budget() == microseconds(500));
  live.set({{"maxmemory-eviction-tenacity", "0"}});
  CHECK(live.eviction_budget() == microseconds(0));
  live.set({{"maxmemory-eviction-tenacity", "3"}});
  CHECK(live.eviction_budget() == microseconds(150));
  live.set({{"maxmemory-eviction-tenacity", "11"}});
  CHECK(live.eviction_budget() == microseconds(575));  // (long)(500.0 * pow(1.15, 1)), as Redis
  live.set({{"maxmemory-eviction-tenacity", "100"}});
  CHECK(live.eviction_budget() >= std::chrono::hours(24));
  CHECK_THROWS_AS(live.set({{"maxmemory-eviction-tenacity", "101"}}), ConfigError);
}

TEST_CASE("save takes pairs of integers, as Redis checks them", "[config]") {
  LiveConfig live{Settings{}};
  auto runtime_error = [&](const std::string& value) {
    try {
      live.set({{"save", value}});
    } catch (const ConfigError& e) {
      return e.directive() + ": " + e.reason();
    }
    return std::string("accepted");
  };
  for (const char* bad : {"3600 1\nbind 127.0.0.2\nrequirepass injected", "3600", "3600 1 ", " 3600 1",
                          "3600  1", "0 1", "3600 -1", "3600 x", "3600 1x", "+ 1", "3600\t1"}) {
    CHECK(runtime_error(bad) == "save: Invalid save parameters");
  }
  CHECK(live.get("save").empty());
  // strtoll() rules: leading whitespace and a sign are fine; the output is
  // what Redis's CONFIG GET prints (changes kept in an int).
  live.set({{"save", "0100 01 \t5 +3 3600 99999999999"}});
  CHECK(live.get("save") == "100 1 5 3 3600 1215752191");
  live.set({{"save", ""}});
  CHECK(live.get("save").empty());

  // Lines add up, the first replacing the default; save "" clears them.
  Settings s;
  apply_config_text(s, "save 900 1\nsave 300 10\n", "a.conf");
  CHECK(s.get("save") == "900 1 300 10");
  apply_config_text(s, "save \"60 5\"\n", "a.conf");  // one argument is split like a line
  CHECK(s.get("save") == "900 1 300 10 60 5");
  apply_config_text(s, "save \"\"\n", "a.conf");
  CHECK(s.get("save").empty());
  s.set("save", {"10 2"});  // --save "10 2"
  CHECK(s.get("save") == "10 2");
  s.set("save", {"1 1"});  // and --save "1 1"
  CHECK(s.get("save") == "10 2 1 1");
  for (const char* text : {"save 3600\n", "save \"3600 1\\nbind 127.0.0.2\"\n", "save 3600 1 300\n"}) {
    CHECK_THROWS_WITH(apply_config_text(s, text, "b.conf"),
                      Catch::Contains("b.conf:1") && Catch::Contains("'save': Invalid save parameters"));
  }
}

TEST_CASE("client-output-buffer-limit lines each set their class", "[config][pubsub]") {
  Settings s;
  apply_config_text(s,
                    "client-output-buffer-limit pubsub 1mb 2k 5\n"
                    "client-output-buffer-limit replica 1 2 3 normal 4 5 6\n",
                    "test.conf");
  CHECK(s.get("client-output-buffer-limit") == "normal 4 5 6 slave 1 2 3 pubsub 1048576 2000 5");
  s.set("client-output-buffer-limit", {"PUBSUB 0 0 0"});  // a flag's single argument
  CHECK(s.get("client-output-buffer-limit") == "normal 4 5 6 slave 1 2 3 pubsub 0 0 0");
  CHECK_THROWS_AS(apply_config_text(s, "client-output-buffer-limit pubsub 1 2\n", "test.conf"), ConfigError);
  CHECK_THROWS_AS(apply_config_text(s, "client-output-buffer-limit master 1 2 3\n", "test.conf"), ConfigError);
  LiveConfig live(s);
  const auto normal = live.output_buffer_limit(larder::config::ClientClass::kNormal);
  CHECK(normal.hard == 4);
  CHECK(normal.soft == 5);
  CHECK(normal.soft_seconds == 6);
}

TEST_CASE("user lines are kept in order and checked as Redis checks them", "[config]") {
  Settings s;
  apply_config_text(s, "user alice on >pw ~k* +get\nuser bob off +nosuchcommand\n", "u.conf");
  REQUIRE(s.users().size() == 2);
  CHECK(s.users()[0] == std::vector<std::string>{"alice", "on", ">pw", "~k*", "+get"});
  CHECK(s.get("user").empty());  // not a directive
  CHECK_THROWS_WITH(apply_config_text(s, "hz 10\nuser alice off\n", "u.conf"),
                    Catch::Contains("u.conf:2: 'user': Error in user declaration 'alice': Duplicate user found"));
  Settings t;
  CHECK_THROWS_WITH(apply_config_text(t, "user carol on bogus\n", "u.conf"),
                    Catch::Contains("u.conf:1: 'user': Error in user declaration 'carol': Syntax error"));
  CHECK_THROWS_WITH(apply_config_text(t, "user\n", "u.conf"), Catch::Contains("'user': wrong number of arguments"));
  CHECK(t.users().empty());
  CHECK_THROWS_AS(t.set("user", {"dave", "on"}, /*at_runtime=*/true), ConfigError);
}

TEST_CASE("Redis 7.0's other directives are read and printed as Redis's", "[config]") {
  Settings s;
  apply_config_text(s,
                    "maxmemory-clients 18446744073709551615\n"
                    "unixsocketperm 0770\n"
                    "shutdown-on-sigterm force now NOSAVE\n"
                    "latency-tracking-info-percentiles 0.0000001 12.50 1e2\n"
                    "repl-backlog-size 1\n"
                    "slave-announce-port 7000\n"
                    "replicaof no one\n",
                    "r.conf");
  CHECK(s.get("maxmemory-clients") == "1%");  // 2^64-1 read as a signed size: -1, a percent
  CHECK(s.get("unixsocketperm") == "770");
  CHECK(s.get("shutdown-on-sigterm") == "nosave now force");
  CHECK(s.get("latency-tracking-info-percentiles") == "0 12.5 100");
  CHECK(s.get("repl-backlog-size") == "1");  // CONFIG SET raises it to 16384, a file does not
  LiveConfig live{s};
  live.set({{"repl-backlog-size", "1"}});
  CHECK(live.get("repl-backlog-size") == "16384");
  CHECK(s.get("replica-announce-port") == "7000");
  CHECK(s.get("replicaof").empty());
  CHECK(s.ignored_in_use() == std::vector<std::string>{"repl-backlog-size", "replica-announce-port"});
  auto reason = [&](const std::string& name, const std::vector<std::string>& args) {
    try {
      s.set(name, args);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(reason("maxmemory-clients", {"101%"}) ==
        "'maxmemory-clients': percentage argument must be less or equal to 100");
  CHECK(reason("maxmemory-clients", {"-1"}) == "'maxmemory-clients': argument must be a memory or percent value");
  CHECK(reason("shutdown-on-sigint", {"save", "nosave"}) ==
        "'shutdown-on-sigint': shutdown options SAVE and NOSAVE can't be used simultaneously");
  CHECK(reason("latency-tracking-info-percentiles", {"100.5"}) ==
        "'latency-tracking-info-percentiles': latency-tracking-info-percentiles parameters should sit between "
        "[0.0,100.0]");
  CHECK(reason("unixsocketperm", {"1000"}) == "'unixsocketperm': argument must be between 0 and 777 inclusive");
  CHECK(reason("replicaof", {"host", "99999"}) == "'replicaof': Invalid master port");
  CHECK(reason("slaveof", {"host", "6379"}) == "'slaveof': Larder has no replication: it cannot be a replica");
  CHECK(reason("cluster-enabled", {"yes"}) == "'cluster-enabled': Larder has no cluster mode");
  CHECK(reason("cluster-announce-hostname", {"a_b"}) ==
        "'cluster-announce-hostname': Hostnames may only contain alphanumeric characters, hyphens or dots");
}

TEST_CASE("latency-tracking and min-replicas-to-write reach the live config", "[config]") {
  LiveConfig live{Settings{}};
  CHECK(live.latency_tracking());
  CHECK_FALSE(live.writes_need_replicas());
  live.set({{"latency-tracking", "no"}, {"min-slaves-to-write", "2"}});
  CHECK_FALSE(live.latency_tracking());
  CHECK(live.writes_need_replicas());
  live.set({{"min-replicas-max-lag", "0"}});  // Redis's check needs both
  CHECK_FALSE(live.writes_need_replicas());
}

TEST_CASE("maxmemory-clients resolves as Redis's client eviction limit", "[config]") {
  LiveConfig live{Settings{}};
  CHECK(live.maxmemory_clients() == 0);
  live.set({{"maxmemory-clients", "2mb"}});
  CHECK(live.maxmemory_clients() == 2 * 1024 * 1024);
  live.set({{"maxmemory-clients", "1000"}});
  CHECK(live.maxmemory_clients() == 128 * 1024);  // the floor
  live.set({{"maxmemory-clients", "10%"}});
  CHECK(live.maxmemory_clients() == 0);  // a percentage of no maxmemory: no limit
  live.set({{"maxmemory", "1000000007"}});
  CHECK(live.maxmemory_clients() == 100000000);  // truncated, as Redis
  live.set({{"maxmemory-clients", "0"}});
  CHECK(live.maxmemory_clients() == 0);
}
