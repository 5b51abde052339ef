#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "../support/command_harness.h"
#include "larder/commands/blocking.h"
#include "larder/commands/dispatcher.h"

using larder::testing::CommandHarness;
namespace commands = larder::commands;

namespace {

// Collects what the blocking machinery hands to `client` (its loop, in a server).
std::vector<std::string>& deliveries(CommandHarness& h, std::size_t client) {
  auto box = std::make_shared<std::vector<std::string>>();
  h.link(client, {}, [box](std::string reply) { box->push_back(std::move(reply)); });
  static std::vector<std::shared_ptr<std::vector<std::string>>> keep;
  keep.push_back(box);
  return *box;
}

}  // namespace

TEST_CASE("parse_block_timeout follows Redis's seconds-as-double rules", "[blocking]") {
  std::string out;
  larder::protocol::ReplyBuilder reply(out);
  const std::int64_t now = 1'000'000;
  CHECK(commands::parse_block_timeout("0", now, reply) == 0);
  CHECK(commands::parse_block_timeout("1.5", now, reply) == now + 1500);
  CHECK(commands::parse_block_timeout("0.0001", now, reply) == now + 1);  // rounded up to 1 ms
  CHECK(commands::parse_block_timeout("-0.0001", now, reply) == 0);       // ceil gives -0: forever
  CHECK(commands::parse_block_timeout("0x10", now, reply) == now + 16000);
  CHECK(out.empty());
  CHECK(commands::parse_block_timeout("-1", now, reply) == -1);
  CHECK(out == "-ERR timeout is negative\r\n");
  out.clear();
  CHECK(commands::parse_block_timeout("inf", now, reply) == -1);
  CHECK(out == "-ERR timeout is negative\r\n");
  out.clear();
  CHECK(commands::parse_block_timeout("abc", now, reply) == -1);
  CHECK(out == "-ERR timeout is not a float or out of range\r\n");
  out.clear();
  CHECK(commands::parse_block_timeout(" 1", now, reply) == -1);
  CHECK(commands::parse_block_timeout("nan", now, reply) == -1);
  CHECK(commands::parse_block_timeout("1e15", now, reply) == now + 1'000'000'000'000'000'000);
}

TEST_CASE("a blocked client is served first come first served by the ready-keys pass", "[blocking]") {
  CommandHarness h;
  h.add_client();
  h.add_client();
  auto& got1 = deliveries(h, 1);
  auto& got2 = deliveries(h, 2);
  CHECK(h.run_as(1, {"BLPOP", "q", "0"}).empty());
  CHECK(h.run_as(2, {"BRPOP", "q", "other", "0"}).empty());
  CHECK(h.client(1).blocked != nullptr);
  CHECK(h.services().blocking.blocked_clients() == 2);
  CHECK(h.keyspace().ready_keys().waiters() == 2);
  CHECK(h.run({"INFO", "clients"}).find("blocked_clients:2\r\n") != std::string::npos);
  CHECK(h.run({"CLIENT", "LIST"}).find("flags=b") != std::string::npos);

  CHECK(h.run({"RPUSH", "q", "a", "b", "c"}) == ":3\r\n");
  REQUIRE(got1.size() == 1);
  REQUIRE(got2.size() == 1);
  CHECK(got1[0] == "*2\r\n$1\r\nq\r\n$1\r\na\r\n");
  CHECK(got2[0] == "*2\r\n$1\r\nq\r\n$1\r\nc\r\n");
  CHECK(h.run({"LRANGE", "q", "0", "-1"}) == "*1\r\n$1\r\nb\r\n");
  CHECK(h.services().blocking.blocked_clients() == 0);
  CHECK(h.keyspace().ready_keys().waiters() == 0);

  // The client's loop finishes the command: reply written, call counted.
  std::string out;
  larder::protocol::ReplyBuilder reply(out);
  commands::Dispatcher d(commands::CommandTable::instance(), h.keyspace(), h.services(), *h.services().loop_stats[0]);
  d.finish_blocked(h.client(1), reply, got1[0]);
  CHECK(out == got1[0]);
  CHECK(h.client(1).blocked == nullptr);
  CHECK_FALSE(h.client(1).is_blocked.load());
}

TEST_CASE("cancel, CLIENT UNBLOCK and a push undone in MULTI", "[blocking]") {
  CommandHarness h;
  h.add_client();
  auto& got = deliveries(h, 1);
  CHECK(h.run_as(1, {"BZPOPMIN", "z", "0"}).empty());
  const std::string id = std::to_string(h.client(1).id);

  h.run({"MULTI"});
  h.run({"ZADD", "z", "1", "a"});
  h.run({"ZREM", "z", "a"});
  CHECK(h.run({"EXEC"}) == "*2\r\n:1\r\n:1\r\n");
  CHECK(got.empty());  // the key was signalled, but held nothing by then

  CHECK(h.run({"CLIENT", "UNBLOCK", id, "ERROR"}) == ":1\r\n");
  REQUIRE(got.size() == 1);
  CHECK(got[0] == "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n");
  CHECK(h.run({"CLIENT", "UNBLOCK", id}) == ":0\r\n");  // no longer blocked
  CHECK(h.services().blocking.blocked_clients() == 0);

  h.client(1).blocked.reset();
  CHECK(h.run_as(1, {"BLMOVE", "src", "dst", "LEFT", "RIGHT", "0"}).empty());
  commands::Waiter& w = *h.client(1).blocked->waiter;
  CHECK(h.services().blocking.cancel(h.keyspace(), w));  // as a disconnect does
  CHECK_FALSE(h.services().blocking.cancel(h.keyspace(), w));
  h.run({"RPUSH", "src", "x"});
  CHECK(got.size() == 1);  // nobody is served after cancel
  CHECK(h.run({"LLEN", "src"}) == ":1\r\n");
}

TEST_CASE("inside EXEC a blocking command answers as a timeout", "[blocking]") {
  CommandHarness h;
  h.run({"MULTI"});
  h.run({"BLPOP", "l", "0"});
  h.run({"BLMOVE", "l", "d", "LEFT", "LEFT", "0"});
  h.run({"BZPOPMAX", "z", "0"});
  CHECK(h.run({"EXEC"}) == "*3\r\n*-1\r\n$-1\r\n*-1\r\n");
  CHECK(h.client(0).blocked == nullptr);
}
