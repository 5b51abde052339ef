#include <catch2/catch.hpp>

#include "../support/command_harness.h"

using larder::testing::CommandHarness;

namespace {

std::string bulk(std::string_view s) { return "$" + std::to_string(s.size()) + "\r\n" + std::string(s) + "\r\n"; }

std::string confirm(std::string_view verb, std::string_view name, int count, char agg = '*') {
  return std::string(1, agg) + "3\r\n" + bulk(verb) + bulk(name) + ":" + std::to_string(count) + "\r\n";
}

std::string message(std::string_view channel, std::string_view payload, char agg = '*') {
  return std::string(1, agg) + "3\r\n" + bulk("message") + bulk(channel) + bulk(payload);
}

}  // namespace

TEST_CASE("SUBSCRIBE and PUBLISH deliver to every subscriber", "[pubsub]") {
  CommandHarness h;
  const auto b = h.add_client();
  const auto p = h.add_client();
  CHECK(h.run({"SUBSCRIBE", "c1", "c2", "c1"}) ==
        confirm("subscribe", "c1", 1) + confirm("subscribe", "c2", 2) + confirm("subscribe", "c1", 2));
  CHECK(h.run_as(b, {"SUBSCRIBE", "c1"}) == confirm("subscribe", "c1", 1));
  CHECK(h.run_as(p, {"PUBLISH", "c1", "hello"}) == ":2\r\n");
  CHECK(h.take_pushes(0) == message("c1", "hello"));
  CHECK(h.take_pushes(b) == message("c1", "hello"));
  CHECK(h.run_as(p, {"PUBLISH", "c2", "x"}) == ":1\r\n");
  CHECK(h.run_as(p, {"PUBLISH", "none", "x"}) == ":0\r\n");
  CHECK(h.take_pushes(0) == message("c2", "x"));
  CHECK(h.take_pushes(b).empty());
  CHECK(h.run_as(p, {"PUBSUB", "NUMSUB", "c1", "c2", "zz"}) ==
        "*6\r\n" + bulk("c1") + ":2\r\n" + bulk("c2") + ":1\r\n" + bulk("zz") + ":0\r\n");
  CHECK(h.run_as(p, {"PUBSUB", "CHANNELS", "c2*"}) == "*1\r\n" + bulk("c2"));
}

TEST_CASE("RESP2 subscribed mode allows only the pub/sub commands", "[pubsub]") {
  CommandHarness h;
  h.run({"SUBSCRIBE", "c"});
  CHECK(h.run({"GET", "x"}) ==
        "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are "
        "allowed in this context\r\n");
  CHECK(h.run({"CLIENT", "LIST"}).find("Can't execute 'client|list'") != std::string::npos);
  CHECK(h.run({"PING"}) == "*2\r\n" + bulk("pong") + bulk(""));
  CHECK(h.run({"PING", "hi"}) == "*2\r\n" + bulk("pong") + bulk("hi"));
  CHECK(h.run({"UNSUBSCRIBE"}) == confirm("unsubscribe", "c", 0));
  CHECK(h.run({"GET", "x"}) == "$-1\r\n");
  CHECK(h.run({"UNSUBSCRIBE"}) == "*3\r\n" + bulk("unsubscribe") + "$-1\r\n:0\r\n");
}

TEST_CASE("RESP3 gets push frames and may run any command", "[pubsub]") {
  CommandHarness h;
  const auto p = h.add_client();
  h.run({"HELLO", "3"});
  CHECK(h.run({"SUBSCRIBE", "c"}) == confirm("subscribe", "c", 1, '>'));
  CHECK(h.run({"GET", "x"}) == "_\r\n");
  CHECK(h.run({"PING"}) == "+PONG\r\n");
  h.run_as(p, {"PUBLISH", "c", "m"});
  CHECK(h.take_pushes(0) == message("c", "m", '>'));
  // Publishing to itself: the message comes before the reply, as from Redis.
  CHECK(h.run({"PUBLISH", "c", "self"}) == message("c", "self", '>') + ":1\r\n");
  CHECK(h.take_pushes(0).empty());
  CHECK(h.run({"UNSUBSCRIBE", "c", "d"}) == confirm("unsubscribe", "c", 0, '>') + confirm("unsubscribe", "d", 0, '>'));
}

TEST_CASE("patterns match with the glob matcher and count once each", "[pubsub]") {
  CommandHarness h;
  const auto p = h.add_client();
  CHECK(h.run({"PSUBSCRIBE", "news.*", "news.*", "n?ws.[a-c]*"}) ==
        confirm("psubscribe", "news.*", 1) + confirm("psubscribe", "news.*", 1) +
            confirm("psubscribe", "n?ws.[a-c]*", 2));
  CHECK(h.run_as(p, {"PUBSUB", "NUMPAT"}) == ":2\r\n");
  CHECK(h.run_as(p, {"PUBLISH", "news.art", "x"}) == ":2\r\n");
  // One message per matching pattern, in no particular order (as Redis's dict).
  const std::string m1 = "*4\r\n" + bulk("pmessage") + bulk("news.*") + bulk("news.art") + bulk("x");
  const std::string m2 = "*4\r\n" + bulk("pmessage") + bulk("n?ws.[a-c]*") + bulk("news.art") + bulk("x");
  const std::string got = h.take_pushes(0);
  CHECK((got == m1 + m2 || got == m2 + m1));
  CHECK(h.run({"PUNSUBSCRIBE"}) == confirm("punsubscribe", "news.*", 1) + confirm("punsubscribe", "n?ws.[a-c]*", 0));
  CHECK(h.run_as(p, {"PUBSUB", "NUMPAT"}) == ":0\r\n");
}

TEST_CASE("shard channels are a namespace of their own", "[pubsub]") {
  CommandHarness h;
  const auto p = h.add_client();
  CHECK(h.run({"SUBSCRIBE", "c"}) == confirm("subscribe", "c", 1));
  CHECK(h.run({"SSUBSCRIBE", "c", "s"}) == confirm("ssubscribe", "c", 1) + confirm("ssubscribe", "s", 2));
  CHECK(h.run_as(p, {"SPUBLISH", "c", "m"}) == ":1\r\n");
  CHECK(h.take_pushes(0) == "*3\r\n" + bulk("smessage") + bulk("c") + bulk("m"));
  CHECK(h.run_as(p, {"PUBSUB", "SHARDNUMSUB", "s"}) == "*2\r\n" + bulk("s") + ":1\r\n");
  CHECK(h.run({"UNSUBSCRIBE"}) == confirm("unsubscribe", "c", 0));
  // Still in pub/sub mode while shard subscriptions remain.
  CHECK(h.run({"GET", "x"}).substr(0, 20) == "-ERR Can't execute '");
  CHECK(h.run({"SUNSUBSCRIBE", "s", "zz"}) == confirm("sunsubscribe", "s", 1) + confirm("sunsubscribe", "zz", 1));
  h.run({"SUNSUBSCRIBE"});
  CHECK(h.run({"GET", "x"}) == "$-1\r\n");
  h.run_as(p, {"MULTI"});
  h.run_as(p, {"SSUBSCRIBE", "x"});
  CHECK(h.run_as(p, {"EXEC"}) == "*1\r\n-ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client\r\n");
}

TEST_CASE("RESET and CLIENT LIST", "[pubsub]") {
  CommandHarness h;
  const auto p = h.add_client();
  h.run({"SUBSCRIBE", "a", "b"});
  h.run({"PSUBSCRIBE", "x*"});
  h.run({"SSUBSCRIBE", "s"});
  const std::string list = h.run_as(p, {"CLIENT", "LIST", "TYPE", "pubsub"});
  CHECK(list.find("flags=P db=0 sub=2 psub=1 ssub=1") != std::string::npos);
  CHECK(h.run_as(p, {"CLIENT", "LIST", "TYPE", "normal"}).find("flags=P") == std::string::npos);
  CHECK(h.run({"RESET"}) == "+RESET\r\n");
  CHECK(h.run_as(p, {"PUBLISH", "a", "m"}) == ":0\r\n");
  CHECK(h.run_as(p, {"PUBSUB", "CHANNELS"}) == "*0\r\n");
  CHECK(h.run_as(p, {"CLIENT", "LIST", "TYPE", "pubsub"}) == "$0\r\n\r\n");
}

TEST_CASE("client-output-buffer-limit: Redis's syntax, merged per class", "[pubsub][config]") {
  CommandHarness h;
  CHECK(h.run({"CONFIG", "GET", "client-output-buffer-limit"}) ==
        "*2\r\n" + bulk("client-output-buffer-limit") +
            bulk("normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"));
  CHECK(h.run({"CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 2k 5 replica 1 2 3"}) == "+OK\r\n");
  CHECK(h.run({"CONFIG", "GET", "client-output-buffer-limit"}) ==
        "*2\r\n" + bulk("client-output-buffer-limit") + bulk("normal 0 0 0 slave 1 2 3 pubsub 1048576 2000 5"));
  const std::string prefix =
      "-ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - ";
  CHECK(h.run({"CONFIG", "SET", "client-output-buffer-limit", "pubsub 1 2"}) ==
        prefix + "Wrong number of arguments in buffer limit configuration.\r\n");
  CHECK(h.run({"CONFIG", "SET", "client-output-buffer-limit", "master 1 2 3"}) ==
        prefix + "Invalid client class specified in buffer limit configuration.\r\n");
  CHECK(h.run({"CONFIG", "SET", "client-output-buffer-limit", "normal 1 2 3.5"}) ==
        prefix + "Error in hard, soft or soft_seconds setting in buffer limit configuration.\r\n");
  const auto limit = h.config().output_buffer_limit(larder::config::ClientClass::kPubSub);
  CHECK(limit.hard == 1048576);
  CHECK(limit.soft == 2000);
  CHECK(limit.soft_seconds == 5);
}
