#include <catch2/catch.hpp>

#include "../support/command_harness.h"

using larder::testing::CommandHarness;

namespace {

const std::string kNullArray = "*-1\r\n";
const std::string kExecAbort = "-EXECABORT Transaction discarded because of previous errors.\r\n";

// Client 0 watches k (set to "v"); `other` runs as client 1; then client 0
// runs MULTI / SET k mine / EXEC and returns EXEC's reply.
template <class Other>
std::string watch_then(CommandHarness& h, Other other) {
  h.add_client();
  REQUIRE(h.run({"SET", "k", "v"}) == "+OK\r\n");
  REQUIRE(h.run({"WATCH", "k"}) == "+OK\r\n");
  other(h);
  REQUIRE(h.run({"MULTI"}) == "+OK\r\n");
  REQUIRE(h.run({"SET", "k", "mine"}) == "+QUEUED\r\n");
  return h.run({"EXEC"});
}

}  // namespace

TEST_CASE("MULTI queues, EXEC runs in order, DISCARD drops", "[transaction]") {
  CommandHarness h;
  CHECK(h.run({"MULTI"}) == "+OK\r\n");
  CHECK(h.run({"SET", "a", "1"}) == "+QUEUED\r\n");
  CHECK(h.run({"INCR", "a"}) == "+QUEUED\r\n");
  CHECK(h.run({"GET", "a"}) == "+QUEUED\r\n");
  CHECK(h.run({"PING"}) == "+QUEUED\r\n");
  CHECK(h.run({"GET", "a"}) == "+QUEUED\r\n");
  // Nothing ran yet.
  CHECK(h.run_as(0, {"EXEC"}) == "*5\r\n+OK\r\n:2\r\n$1\r\n2\r\n+PONG\r\n$1\r\n2\r\n");
  CHECK(h.run({"GET", "a"}) == "$1\r\n2\r\n");
  CHECK(h.run({"EXEC"}) == "-ERR EXEC without MULTI\r\n");
  CHECK(h.run({"DISCARD"}) == "-ERR DISCARD without MULTI\r\n");

  CHECK(h.run({"MULTI"}) == "+OK\r\n");
  CHECK(h.run({"EXEC"}) == "*0\r\n");

  CHECK(h.run({"MULTI"}) == "+OK\r\n");
  CHECK(h.run({"SET", "a", "changed"}) == "+QUEUED\r\n");
  CHECK(h.run({"DISCARD"}) == "+OK\r\n");
  CHECK(h.run({"GET", "a"}) == "$1\r\n2\r\n");
  CHECK(h.run({"EXEC"}) == "-ERR EXEC without MULTI\r\n");
}

TEST_CASE("queued commands are not visible to other clients before EXEC", "[transaction]") {
  CommandHarness h;
  h.add_client();
  h.run({"MULTI"});
  h.run({"SET", "a", "1"});
  CHECK(h.run_as(1, {"GET", "a"}) == "$-1\r\n");
  CHECK(h.run({"EXEC"}) == "*1\r\n+OK\r\n");
  CHECK(h.run_as(1, {"GET", "a"}) == "$1\r\n1\r\n");
}

TEST_CASE("a queue-time error makes EXEC reply EXECABORT", "[transaction]") {
  CommandHarness h;
  SECTION("unknown command") {
    CHECK(h.run({"MULTI"}) == "+OK\r\n");
    CHECK(h.run({"SET", "a", "1"}) == "+QUEUED\r\n");
    CHECK(h.run({"NOSUCH", "x"}) == "-ERR unknown command 'NOSUCH', with args beginning with: 'x' \r\n");
    CHECK(h.run({"SET", "b", "1"}) == "+QUEUED\r\n");
    CHECK(h.run({"EXEC"}) == kExecAbort);
  }
  SECTION("wrong arity") {
    CHECK(h.run({"MULTI"}) == "+OK\r\n");
    CHECK(h.run({"SET", "a", "1"}) == "+QUEUED\r\n");
    CHECK(h.run({"GET"}) == "-ERR wrong number of arguments for 'get' command\r\n");
    CHECK(h.run({"EXEC"}) == kExecAbort);
  }
  SECTION("unknown subcommand") {
    CHECK(h.run({"MULTI"}) == "+OK\r\n");
    CHECK(h.run({"SET", "a", "1"}) == "+QUEUED\r\n");
    CHECK(h.run({"CLIENT", "NOSUCH"}) == "-ERR unknown subcommand 'NOSUCH'. Try CLIENT HELP.\r\n");
    CHECK(h.run({"EXEC"}) == kExecAbort);
  }
  // Nothing ran and the transaction is over.
  CHECK(h.run({"GET", "a"}) == "$-1\r\n");
  CHECK(h.run({"GET", "b"}) == "$-1\r\n");
  CHECK(h.run({"EXEC"}) == "-ERR EXEC without MULTI\r\n");
  CHECK_FALSE(h.client().in_multi);
}

TEST_CASE("EXEC with arguments inside MULTI aborts the transaction at once", "[transaction]") {
  // Redis 7.0: rejectCommand() on EXEC discards the transaction and replies
  // EXECABORT with the error's text.
  CommandHarness h;
  h.run({"MULTI"});
  h.run({"SET", "a", "1"});
  CHECK(h.run({"EXEC", "x"}) ==
        "-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command\r\n");
  CHECK(h.run({"EXEC"}) == "-ERR EXEC without MULTI\r\n");
  CHECK(h.run({"GET", "a"}) == "$-1\r\n");
}

TEST_CASE("runtime errors inside EXEC do not stop the other commands", "[transaction]") {
  CommandHarness h;
  h.run({"SET", "s", "notanumber"});
  h.run({"MULTI"});
  h.run({"INCR", "s"});
  h.run({"SET", "t", "1"});
  h.run({"INCRBY", "t", "x"});
  h.run({"SELECT", "99"});
  h.run({"GET", "t"});
  CHECK(h.run({"EXEC"}) ==
        "*5\r\n-ERR value is not an integer or out of range\r\n+OK\r\n"
        "-ERR value is not an integer or out of range\r\n-ERR DB index is out of range\r\n$1\r\n1\r\n");
  CHECK(h.run({"GET", "t"}) == "$1\r\n1\r\n");
}

TEST_CASE("nested MULTI and WATCH inside MULTI are errors that do not abort", "[transaction]") {
  CommandHarness h;
  h.run({"MULTI"});
  h.run({"SET", "a", "1"});
  CHECK(h.run({"MULTI"}) == "-ERR MULTI calls can not be nested\r\n");
  CHECK(h.run({"WATCH", "a"}) == "-ERR WATCH inside MULTI is not allowed\r\n");
  CHECK(h.run({"SET", "b", "2"}) == "+QUEUED\r\n");
  CHECK(h.run({"EXEC"}) == "*2\r\n+OK\r\n+OK\r\n");
  CHECK(h.run({"GET", "b"}) == "$1\r\n2\r\n");
}

TEST_CASE("SELECT inside MULTI switches the database for later queued commands", "[transaction]") {
  CommandHarness h;
  h.run({"MULTI"});
  h.run({"SELECT", "1"});
  h.run({"SET", "k", "db1"});
  h.run({"SELECT", "0"});
  CHECK(h.run({"EXEC"}) == "*3\r\n+OK\r\n+OK\r\n+OK\r\n");
  CHECK(h.run({"GET", "k"}) == "$-1\r\n");
  h.run({"SELECT", "1"});
  CHECK(h.run({"GET", "k"}) == "$3\r\ndb1\r\n");
}

TEST_CASE("another client's write to a WATCHed key makes EXEC return a null array", "[transaction]") {
  CommandHarness h;
  std::string reply;
  SECTION("SET") {
    reply = watch_then(h, [](CommandHarness& x) { CHECK(x.run_as(1, {"SET", "k", "theirs"}) == "+OK\r\n"); });
  }
  SECTION("SET of the same value") {
    reply = watch_then(h, [](CommandHarness& x) { x.run_as(1, {"SET", "k", "v"}); });
  }
  SECTION("DEL") {
    reply = watch_then(h, [](CommandHarness& x) { CHECK(x.run_as(1, {"DEL", "k"}) == ":1\r\n"); });
  }
  SECTION("EXPIRE") {
    reply = watch_then(h, [](CommandHarness& x) { CHECK(x.run_as(1, {"EXPIRE", "k", "100"}) == ":1\r\n"); });
  }
  SECTION("FLUSHDB") {
    reply = watch_then(h, [](CommandHarness& x) { CHECK(x.run_as(1, {"FLUSHDB"}) == "+OK\r\n"); });
  }
  SECTION("FLUSHALL") {
    reply = watch_then(h, [](CommandHarness& x) { CHECK(x.run_as(1, {"FLUSHALL"}) == "+OK\r\n"); });
  }
  SECTION("SWAPDB") {
    reply = watch_then(h, [](CommandHarness& x) {
      x.run_as(1, {"SELECT", "1"});
      x.run_as(1, {"SET", "k", "db1"});
      CHECK(x.run_as(1, {"SWAPDB", "0", "1"}) == "+OK\r\n");
    });
  }
  CHECK(reply == kNullArray);
  CHECK(h.run({"GET", "k"}) != "$4\r\nmine\r\n");
  // The watches are gone after EXEC: a new transaction goes through.
  h.run_as(1, {"SET", "k", "again"});
  h.run({"MULTI"});
  h.run({"SET", "k", "mine"});
  CHECK(h.run({"EXEC"}) == "*1\r\n+OK\r\n");
}

TEST_CASE("reads and writes elsewhere do not abort a WATCH", "[transaction]") {
  CommandHarness h;
  std::string reply = watch_then(h, [](CommandHarness& x) {
    x.run_as(1, {"GET", "k"});
    x.run_as(1, {"EXISTS", "k"});
    x.run_as(1, {"SET", "other", "1"});
    x.run_as(1, {"SELECT", "2"});
    x.run_as(1, {"SET", "k", "other db"});
    x.run_as(1, {"DEL", "k"});
  });
  CHECK(reply == "*1\r\n+OK\r\n");
  CHECK(h.run({"GET", "k"}) == "$4\r\nmine\r\n");
}

TEST_CASE("a WATCHed key that expires before EXEC aborts it", "[transaction]") {
  CommandHarness h;
  h.run({"SET", "k", "v", "PX", "100"});
  h.run({"WATCH", "k"});
  h.advance(200);
  h.run({"MULTI"});
  h.run({"SET", "other", "x"});
  CHECK(h.run({"EXEC"}) == kNullArray);
  CHECK(h.run({"GET", "other"}) == "$-1\r\n");
}

TEST_CASE("a WATCHed key with a TTL that has not expired does not abort", "[transaction]") {
  CommandHarness h;
  h.run({"SET", "k", "v", "PX", "1000"});
  h.run({"WATCH", "k"});
  h.advance(500);
  h.run({"MULTI"});
  h.run({"GET", "k"});
  CHECK(h.run({"EXEC"}) == "*1\r\n$1\r\nv\r\n");
}

TEST_CASE("UNWATCH forgets the watched keys", "[transaction]") {
  CommandHarness h;
  h.add_client();
  h.run({"SET", "k", "v"});
  h.run({"WATCH", "k"});
  h.run_as(1, {"SET", "k", "w"});
  CHECK(h.run({"UNWATCH"}) == "+OK\r\n");
  h.run({"MULTI"});
  h.run({"SET", "k", "mine"});
  CHECK(h.run({"EXEC"}) == "*1\r\n+OK\r\n");
  CHECK(h.run({"UNWATCH", "x"}) == "-ERR wrong number of arguments for 'unwatch' command\r\n");
  CHECK(h.run({"WATCH"}) == "-ERR wrong number of arguments for 'watch' command\r\n");
}

TEST_CASE("DISCARD forgets the watched keys", "[transaction]") {
  CommandHarness h;
  h.add_client();
  h.run({"WATCH", "k"});
  h.run({"MULTI"});
  CHECK(h.run({"DISCARD"}) == "+OK\r\n");
  h.run_as(1, {"SET", "k", "w"});
  h.run({"MULTI"});
  h.run({"GET", "k"});
  CHECK(h.run({"EXEC"}) == "*1\r\n$1\r\nw\r\n");
}

TEST_CASE("WATCH of a missing key aborts when another client creates it", "[transaction]") {
  CommandHarness h;
  h.add_client();
  CHECK(h.run({"WATCH", "fresh"}) == "+OK\r\n");
  h.run_as(1, {"SET", "fresh", "1"});
  h.run({"MULTI"});
  h.run({"SET", "fresh", "2"});
  CHECK(h.run({"EXEC"}) == kNullArray);
  CHECK(h.run({"GET", "fresh"}) == "$1\r\n1\r\n");
}

TEST_CASE("the client's own changes inside the transaction do not abort it", "[transaction]") {
  CommandHarness h;
  h.run({"SET", "k", "1"});
  h.run({"WATCH", "k"});
  h.run({"MULTI"});
  h.run({"INCR", "k"});
  h.run({"DEL", "k"});
  h.run({"SET", "k", "7"});
  CHECK(h.run({"EXEC"}) == "*3\r\n:2\r\n:1\r\n+OK\r\n");
  CHECK(h.run({"GET", "k"}) == "$1\r\n7\r\n");
}

TEST_CASE("the client's own change between WATCH and MULTI aborts", "[transaction]") {
  CommandHarness h;
  h.run({"SET", "k", "1"});
  h.run({"WATCH", "k"});
  h.run({"SET", "k", "2"});
  h.run({"MULTI"});
  h.run({"GET", "k"});
  CHECK(h.run({"EXEC"}) == kNullArray);
}

TEST_CASE("EXEC abort is a RESP3 null after HELLO 3", "[transaction]") {
  CommandHarness h;
  h.add_client();
  REQUIRE(h.run({"HELLO", "3"}).rfind("%7\r\n", 0) == 0);
  h.run({"WATCH", "k"});
  h.run_as(1, {"SET", "k", "x"});
  h.run({"MULTI"});
  h.run({"GET", "k"});
  CHECK(h.run({"EXEC"}) == "_\r\n");
}

TEST_CASE("RESET leaves MULTI and drops the watches", "[transaction]") {
  CommandHarness h;
  h.add_client();
  h.run({"WATCH", "k"});
  h.run({"MULTI"});
  h.run({"SET", "x", "1"});
  CHECK(h.run({"RESET"}) == "+RESET\r\n");
  CHECK(h.run({"EXEC"}) == "-ERR EXEC without MULTI\r\n");
  CHECK(h.run({"GET", "x"}) == "$-1\r\n");
  h.run_as(1, {"SET", "k", "z"});
  h.run({"MULTI"});
  h.run({"GET", "k"});
  CHECK(h.run({"EXEC"}) == "*1\r\n$1\r\nz\r\n");
}
