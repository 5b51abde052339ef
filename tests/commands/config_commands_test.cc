#include <catch2/catch.hpp>

#include "../support/command_harness.h"

using larder::testing::CommandHarness;

TEST_CASE("CONFIG GET single names, globs and several patterns", "[config]") {
  CommandHarness h;
  CHECK(h.run({"CONFIG", "GET", "hz"}) == "*2\r\n$2\r\nhz\r\n$2\r\n10\r\n");
  CHECK(h.run({"CONFIG", "GET", "databases"}) == "*2\r\n$9\r\ndatabases\r\n$2\r\n16\r\n");
  CHECK(h.run({"CONFIG", "GET", "nosuch"}) == "*0\r\n");
  CHECK(h.run({"CONFIG", "GET", "maxmemory-polic?"}) ==
        "*2\r\n$16\r\nmaxmemory-policy\r\n$15\r\nallkeys-tinylfu\r\n");
  const std::string mm = h.run({"CONFIG", "GET", "maxmemory*"});
  CHECK(mm.find("$9\r\nmaxmemory\r\n$1\r\n0\r\n") != std::string::npos);
  CHECK(mm.find("$16\r\nmaxmemory-policy\r\n$15\r\nallkeys-tinylfu\r\n") != std::string::npos);
  CHECK(h.run({"CONFIG", "GET", "slowlog-*"}) ==
        "*4\r\n$23\r\nslowlog-log-slower-than\r\n$5\r\n10000\r\n$15\r\nslowlog-max-len\r\n$3\r\n128\r\n");
  CHECK(h.run({"CONFIG", "GET", "h?"}) == "*2\r\n$2\r\nhz\r\n$2\r\n10\r\n");
  // Several patterns; a name matched twice appears once.
  CHECK(h.run({"CONFIG", "GET", "hz", "timeout", "hz*"}) ==
        "*4\r\n$2\r\nhz\r\n$2\r\n10\r\n$7\r\ntimeout\r\n$1\r\n0\r\n");
  CHECK(h.run({"CONFIG", "GET", "hz", "nosuch"}) == "*2\r\n$2\r\nhz\r\n$2\r\n10\r\n");
  CHECK(h.run({"CONFIG", "GET"}) == "-ERR wrong number of arguments for 'config|get' command\r\n");
  const std::string all = h.run({"CONFIG", "GET", "*"});
  CHECK(all.find("$11\r\nrequirepass\r\n$0\r\n\r\n") != std::string::npos);
  CHECK(all.find("$4\r\nbind\r\n$9\r\n127.0.0.1\r\n") != std::string::npos);
  h.run({"HELLO", "3"});
  CHECK(h.run({"CONFIG", "GET", "hz"}) == "%1\r\n$2\r\nhz\r\n$2\r\n10\r\n");
}

TEST_CASE("CONFIG GET echoes the name as asked for an exact match", "[config]") {
  CommandHarness h;
  CHECK(h.run({"CONFIG", "GET", "HZ"}) == "*2\r\n$2\r\nHZ\r\n$2\r\n10\r\n");
}

TEST_CASE("CONFIG SET several pairs, all or nothing", "[config]") {
  CommandHarness h;
  CHECK(h.run({"CONFIG", "SET", "hz", "20", "slowlog-max-len", "5"}) == "+OK\r\n");
  CHECK(h.config().hz() == 20);
  CHECK(h.config().slowlog_max_len() == 5);
  CHECK(h.run({"CONFIG", "GET", "hz"}) == "*2\r\n$2\r\nhz\r\n$2\r\n20\r\n");
  CHECK(h.run({"config", "set", "HZ", "21"}) == "+OK\r\n");
  CHECK(h.config().hz() == 21);

  // A bad value anywhere changes nothing.
  CHECK(h.run({"CONFIG", "SET", "hz", "30", "maxclients", "abc"}) ==
        "-ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument couldn't be "
        "parsed into an integer\r\n");
  CHECK(h.config().hz() == 21);
  CHECK(h.run({"CONFIG", "SET", "hz", "30", "databases", "3"}) ==
        "-ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config\r\n");
  CHECK(h.config().hz() == 21);
  CHECK(h.run({"CONFIG", "SET", "hz", "30", "nosuch", "1"}) ==
        "-ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'\r\n");
  CHECK(h.config().hz() == 21);
  CHECK(h.run({"CONFIG", "SET", "hz", "abc"}) ==
        "-ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an "
        "integer\r\n");
  CHECK(h.run({"CONFIG", "SET", "hz"}) == "-ERR wrong number of arguments for 'config|set' command\r\n");
  CHECK(h.config().hz() == 21);
}

TEST_CASE("CONFIG SET duplicate and odd argument errors are Redis's", "[config]") {
  CommandHarness h;
  CHECK(h.run({"CONFIG", "SET", "hz", "10", "hz", "11"}) ==
        "-ERR CONFIG SET failed (possibly related to argument 'hz') - duplicate parameter\r\n");
  CHECK(h.run({"CONFIG", "SET", "hz", "5", "timeout"}) == "-ERR syntax error\r\n");
  CHECK(h.config().hz() == 10);
}

TEST_CASE("CONFIG SET requirepass gates new connections only", "[config]") {
  CommandHarness h;
  CHECK(h.run({"CONFIG", "SET", "requirepass", "pw"}) == "+OK\r\n");
  CHECK(h.services().acl.auth_required());
  CHECK(h.run({"PING"}) == "+PONG\r\n");
  const std::size_t c = h.add_client();
  CHECK(h.run_as(c, {"PING"}) == "-NOAUTH Authentication required.\r\n");
  CHECK(h.run_as(c, {"AUTH", "pw"}) == "+OK\r\n");
  CHECK(h.run({"CONFIG", "SET", "requirepass", ""}) == "+OK\r\n");
  const std::size_t d = h.add_client();
  CHECK(h.run_as(d, {"PING"}) == "+PONG\r\n");
}

TEST_CASE("CONFIG RESETSTAT zeroes INFO counters", "[config]") {
  CommandHarness h;
  h.run({"SET", "a", "1"});
  h.run({"GET", "a"});
  h.run({"GET", "nope"});
  h.run({"NOSUCH"});
  std::string before = h.run({"INFO", "stats"});
  CHECK(before.find("\r\nkeyspace_hits:1\r\n") != std::string::npos);
  CHECK(before.find("\r\nkeyspace_misses:1\r\n") != std::string::npos);
  CHECK(before.find("\r\ntotal_error_replies:1\r\n") != std::string::npos);
  CHECK(h.run({"CONFIG", "RESETSTAT"}) == "+OK\r\n");
  std::string after = h.run({"INFO", "stats"});
  CHECK(after.find("\r\nkeyspace_hits:0\r\n") != std::string::npos);
  CHECK(after.find("\r\nkeyspace_misses:0\r\n") != std::string::npos);
  CHECK(after.find("\r\ntotal_error_replies:0\r\n") != std::string::npos);
  CHECK(h.run({"INFO", "commandstats"}).find("cmdstat_get:") == std::string::npos);
  CHECK(h.run({"CONFIG", "RESETSTAT", "x"}) ==
        "-ERR wrong number of arguments for 'config|resetstat' command\r\n");
}

TEST_CASE("CONFIG REWRITE without a config file, HELP and errors", "[config]") {
  CommandHarness h;
  CHECK(h.run({"CONFIG", "REWRITE"}) == "-ERR The server is running without a config file\r\n");
  CHECK(h.run({"CONFIG"}) == "-ERR wrong number of arguments for 'config' command\r\n");
  CHECK(h.run({"CONFIG", "NOSUCH"}) == "-ERR unknown subcommand 'NOSUCH'. Try CONFIG HELP.\r\n");
  CHECK(h.run({"CONFIG", "HELP"}).rfind("*11\r\n+CONFIG <subcommand>", 0) == 0);
}
