#include <catch2/catch.hpp>

#include <string>

#include "../support/command_harness.h"
#include "larder/commands/pause_state.h"

using larder::commands::PauseState;
using larder::testing::CommandHarness;

namespace {

std::string bulk_body(const std::string& reply) {
  // "$<n>\r\n<body>\r\n" -> body
  auto start = reply.find("\r\n");
  REQUIRE(reply.size() >= start + 4);
  return reply.substr(start + 2, reply.size() - start - 4);
}

std::string field(const std::string& line, const std::string& name) {
  auto pos = line.find(" " + name + "=");
  if (line.rfind(name + "=", 0) == 0) pos = static_cast<std::size_t>(-1);
  const std::size_t begin = pos + name.size() + 2;
  const std::size_t end = line.find_first_of(" \n", begin);
  return line.substr(begin, end - begin);
}

}  // namespace

TEST_CASE("CLIENT ID, SETNAME, GETNAME", "[client]") {
  CommandHarness h;
  h.add_client();
  CHECK(h.run({"CLIENT", "ID"}) == ":" + std::to_string(h.client(0).id) + "\r\n");
  CHECK(h.run_as(1, {"client", "id"}) == ":" + std::to_string(h.client(1).id) + "\r\n");
  CHECK(h.client(1).id > h.client(0).id);
  CHECK(h.run({"CLIENT", "GETNAME"}) == "$-1\r\n");
  CHECK(h.run({"CLIENT", "SETNAME", "alpha"}) == "+OK\r\n");
  CHECK(h.run({"CLIENT", "GETNAME"}) == "$5\r\nalpha\r\n");
  CHECK(h.run_as(1, {"CLIENT", "GETNAME"}) == "$-1\r\n");
  const std::string bad = "-ERR Client names cannot contain spaces, newlines or special characters.\r\n";
  CHECK(h.run({"CLIENT", "SETNAME", "a b"}) == bad);
  CHECK(h.run({"CLIENT", "SETNAME", "a\nb"}) == bad);
  CHECK(h.run({"CLIENT", "SETNAME", "\xc3\xa9"}) == bad);
  CHECK(h.run({"CLIENT", "GETNAME"}) == "$5\r\nalpha\r\n");
  CHECK(h.run({"CLIENT", "SETNAME", ""}) == "+OK\r\n");
  CHECK(h.run({"CLIENT", "GETNAME"}) == "$-1\r\n");
  CHECK(h.run({"CLIENT", "SETNAME"}) == "-ERR wrong number of arguments for 'client|setname' command\r\n");
  CHECK(h.run({"CLIENT", "ID", "x"}) == "-ERR wrong number of arguments for 'client|id' command\r\n");
  CHECK(h.run({"CLIENT"}) == "-ERR wrong number of arguments for 'client' command\r\n");
  CHECK(h.run({"CLIENT", "NOSUCH"}) == "-ERR unknown subcommand 'NOSUCH'. Try CLIENT HELP.\r\n");
}

TEST_CASE("CLIENT LIST and CLIENT INFO", "[client]") {
  CommandHarness h;
  h.add_client();
  h.run_as(1, {"CLIENT", "SETNAME", "second"});
  h.run_as(1, {"SELECT", "4"});
  const std::string list = bulk_body(h.run({"CLIENT", "LIST"}));
  // One line per client, ordered by id, each ending in "\n".
  REQUIRE(std::count(list.begin(), list.end(), '\n') == 2);
  const std::string first = list.substr(0, list.find('\n'));
  const std::string second = list.substr(list.find('\n') + 1);
  CHECK(first.rfind("id=" + std::to_string(h.client(0).id) + " addr=127.0.0.1:40000 laddr=127.0.0.1:6379 fd=", 0) == 0);
  CHECK(field(second, "name") == "second");
  CHECK(field(second, "db") == "4");
  CHECK(field(second, "flags") == "N");
  CHECK(field(second, "multi") == "-1");
  CHECK(field(second, "cmd") == "select");
  CHECK(field(second, "resp") == "2");
  // The caller's own line names the command running now, as in Redis.
  CHECK(field(first, "cmd") == "client|list");

  const std::string info = bulk_body(h.run({"CLIENT", "INFO"}));
  CHECK(info.back() == '\n');
  CHECK(field(info, "id") == std::to_string(h.client(0).id));
  CHECK(field(info, "cmd") == "client|info");

  // Field order of Redis 7.0, then Redis 7.2's lib-name and lib-ver.
  std::string names;
  std::size_t pos = 0;
  while (pos < first.size()) {
    std::size_t eq = first.find('=', pos);
    names += first.substr(pos, eq - pos) + ",";
    std::size_t sp = first.find(' ', eq);
    if (sp == std::string::npos) break;
    pos = sp + 1;
  }
  CHECK(names ==
        "id,addr,laddr,fd,name,age,idle,flags,db,sub,psub,ssub,multi,qbuf,qbuf-free,argv-mem,multi-mem,rbs,"
        "rbp,obl,oll,omem,tot-mem,events,cmd,user,redir,resp,lib-name,lib-ver,");

  CHECK(bulk_body(h.run({"CLIENT", "LIST", "ID", std::to_string(h.client(1).id)})) == second);
  CHECK(h.run({"CLIENT", "LIST", "TYPE", "pubsub"}) == "$0\r\n\r\n");
  CHECK(h.run({"CLIENT", "LIST", "TYPE", "bogus"}) == "-ERR Unknown client type 'bogus'\r\n");
  CHECK(h.run({"CLIENT", "LIST", "ID", "abc"}) == "-ERR Invalid client ID\r\n");
  CHECK(h.run({"CLIENT", "LIST", "bogus"}) == "-ERR syntax error\r\n");
}

TEST_CASE("CLIENT LIST of a client in MULTI", "[client]") {
  CommandHarness h;
  h.add_client();
  h.run_as(1, {"MULTI"});
  h.run_as(1, {"SET", "a", "1"});
  h.run_as(1, {"GET", "a"});
  const std::string line = bulk_body(h.run({"CLIENT", "LIST", "ID", std::to_string(h.client(1).id)}));
  CHECK(field(line, "flags") == "x");
  CHECK(field(line, "multi") == "2");
  CHECK(field(line, "cmd") == "get");  // Redis names the last queued command
}

TEST_CASE("CLIENT LIST ID accepts ids that match no client", "[client]") {
  CommandHarness h;
  CHECK(h.run({"CLIENT", "LIST", "ID", "0"}) == "$0\r\n\r\n");
  CHECK(h.run({"CLIENT", "LIST", "ID", "999999"}) == "$0\r\n\r\n");
}

TEST_CASE("CLIENT KILL by ID, ADDR, old form and SKIPME", "[client]") {
  CommandHarness h;
  const std::size_t other = h.add_client();
  int closes = 0;
  h.link(other, [&closes] { ++closes; });
  const std::string other_id = std::to_string(h.client(other).id);
  const std::string my_id = std::to_string(h.client(0).id);

  CHECK(h.run({"CLIENT", "KILL", "ID", "99999"}) == ":0\r\n");
  CHECK(closes == 0);
  CHECK(h.run({"CLIENT", "KILL", "ID", other_id}) == ":1\r\n");
  CHECK(closes == 1);
  CHECK(h.run({"CLIENT", "KILL", "ADDR", h.client(other).addr}) == ":1\r\n");
  CHECK(closes == 2);
  CHECK(h.run({"CLIENT", "KILL", h.client(other).addr}) == "+OK\r\n");
  CHECK(closes == 3);
  CHECK(h.run({"CLIENT", "KILL", "1.2.3.4:5"}) == "-ERR No such client\r\n");
  CHECK(h.run({"CLIENT", "KILL", "ADDR", "1.2.3.4:5"}) == ":0\r\n");
  CHECK(h.run({"CLIENT", "KILL", "ID", "0"}) == "-ERR client-id should be greater than 0\r\n");
  CHECK(h.run({"CLIENT", "KILL", "ID", "abc"}) == "-ERR client-id should be greater than 0\r\n");
  CHECK(h.run({"CLIENT", "KILL", "FOO", "bar"}) == "-ERR syntax error\r\n");
  CHECK(h.run({"CLIENT", "KILL", "SKIPME", "maybe"}) == "-ERR syntax error\r\n");
  CHECK(h.run({"CLIENT", "KILL", "TYPE", "bogus"}) == "-ERR Unknown client type 'bogus'\r\n");
  CHECK(h.run({"CLIENT", "KILL", "USER", "bob"}) == "-ERR No such user 'bob'\r\n");
  CHECK(closes == 3);

  // SKIPME defaults to yes: killing oneself by filter needs SKIPME no.
  CHECK(h.run({"CLIENT", "KILL", "ID", my_id}) == ":0\r\n");
  CHECK_FALSE(h.client(0).close_after_reply);
  CHECK(h.run({"CLIENT", "KILL", "ID", my_id, "SKIPME", "no"}) == ":1\r\n");
  CHECK(h.client(0).close_after_reply);
  h.client(0).close_after_reply = false;
  // USER default matches every connection, SKIPME yes leaves the caller.
  CHECK(h.run({"CLIENT", "KILL", "USER", "default"}) == ":1\r\n");
  CHECK(closes == 4);
  CHECK_FALSE(h.client(0).close_after_reply);
}

TEST_CASE("CLIENT SETINFO, NO-EVICT and NO-TOUCH", "[client]") {
  CommandHarness h;
  CHECK(h.run({"CLIENT", "SETINFO", "LIB-NAME", "redis-py"}) == "+OK\r\n");
  CHECK(h.run({"CLIENT", "SETINFO", "lib-ver", "5.0.1"}) == "+OK\r\n");
  CHECK(h.run({"CLIENT", "SETINFO", "bogus", "x"}) == "-ERR Unrecognized option 'bogus'\r\n");
  CHECK(h.run({"CLIENT", "SETINFO", "lib-name", "a b"}) ==
        "-ERR lib-name cannot contain spaces, newlines or special characters.\r\n");
  const std::string info = bulk_body(h.run({"CLIENT", "INFO"}));
  CHECK(field(info, "lib-name") == "redis-py");
  CHECK(field(info, "lib-ver") == "5.0.1");

  CHECK(h.run({"CLIENT", "NO-EVICT", "on"}) == "+OK\r\n");
  CHECK(h.client().no_evict);
  CHECK(h.run({"CLIENT", "NO-TOUCH", "ON"}) == "+OK\r\n");
  CHECK(h.client().no_touch);
  CHECK(field(bulk_body(h.run({"CLIENT", "INFO"})), "flags") == "eT");
  CHECK(h.run({"CLIENT", "NO-EVICT", "off"}) == "+OK\r\n");
  CHECK(h.run({"CLIENT", "NO-TOUCH", "off"}) == "+OK\r\n");
  CHECK_FALSE(h.client().no_evict);
  CHECK_FALSE(h.client().no_touch);
  CHECK(h.run({"CLIENT", "NO-EVICT", "maybe"}) == "-ERR syntax error\r\n");
  CHECK(h.run({"CLIENT", "NO-TOUCH", "maybe"}) == "-ERR syntax error\r\n");
}

TEST_CASE("CLIENT REPLY ON, OFF and SKIP", "[client]") {
  CommandHarness h;
  h.run({"SET", "a", "1"});
  CHECK(h.run({"CLIENT", "REPLY", "OFF"}).empty());
  CHECK(h.run({"GET", "a"}).empty());
  CHECK(h.run({"NOSUCH"}).empty());
  CHECK(h.run({"SET", "b", "2"}).empty());
  CHECK(h.run({"CLIENT", "REPLY", "ON"}) == "+OK\r\n");
  CHECK(h.run({"GET", "b"}) == "$1\r\n2\r\n");

  CHECK(h.run({"CLIENT", "REPLY", "SKIP"}).empty());
  CHECK(h.run({"GET", "a"}).empty());
  CHECK(h.run({"GET", "a"}) == "$1\r\n1\r\n");

  CHECK(h.run({"CLIENT", "REPLY", "SKIP"}).empty());
  CHECK(h.run({"CLIENT", "REPLY", "SKIP"}).empty());
  CHECK(h.run({"GET", "a"}).empty());
  CHECK(h.run({"GET", "a"}) == "$1\r\n1\r\n");

  CHECK(h.run({"CLIENT", "REPLY", "bogus"}) == "-ERR syntax error\r\n");
  CHECK(h.run({"CLIENT", "REPLY"}) == "-ERR wrong number of arguments for 'client|reply' command\r\n");
}

TEST_CASE("CLIENT PAUSE and UNPAUSE", "[client]") {
  CommandHarness h;
  auto& pause = h.services().pause;
  CHECK(h.run({"CLIENT", "PAUSE", "300", "WRITE"}) == "+OK\r\n");
  CHECK(pause.mode(h.now()) == PauseState::kWrite);
  h.advance(299);
  CHECK(pause.mode(h.now()) == PauseState::kWrite);
  h.advance(1);
  CHECK(pause.mode(h.now()) == PauseState::kNone);

  CHECK(h.run({"CLIENT", "PAUSE", "1000", "WRITE"}) == "+OK\r\n");
  CHECK(h.run({"CLIENT", "UNPAUSE"}) == "+OK\r\n");
  CHECK(pause.mode(h.now()) == PauseState::kNone);
  CHECK(h.run({"CLIENT", "PAUSE", "1000"}) == "+OK\r\n");
  CHECK(pause.mode(h.now()) == PauseState::kAll);
  h.advance(1000);
  CHECK(h.run({"CLIENT", "PAUSE", "1000", "all"}) == "+OK\r\n");
  CHECK(pause.mode(h.now()) == PauseState::kAll);
  h.advance(1000);

  CHECK(h.run({"CLIENT", "PAUSE", "abc"}) == "-ERR timeout is not an integer or out of range\r\n");
  CHECK(h.run({"CLIENT", "PAUSE", "-1"}) == "-ERR timeout is negative\r\n");
  CHECK(h.run({"CLIENT", "PAUSE", "10", "bogus"}) == "-ERR CLIENT PAUSE mode must be WRITE or ALL\r\n");
  CHECK(h.run({"CLIENT", "PAUSE"}) == "-ERR wrong number of arguments for 'client|pause' command\r\n");
  CHECK(pause.mode(h.now()) == PauseState::kNone);
}

TEST_CASE("CLIENT PAUSE with too many arguments has Redis's error", "[client]") {
  CommandHarness h;
  CHECK(h.run({"CLIENT", "PAUSE", "10", "WRITE", "x"}) ==
        "-ERR unknown subcommand or wrong number of arguments for 'PAUSE'. Try CLIENT HELP.\r\n");
}

TEST_CASE("CLIENT HELP", "[client]") {
  CommandHarness h;
  const std::string help = h.run({"CLIENT", "HELP"});
  CHECK(help.rfind("*54\r\n+CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n", 0) == 0);
  CHECK(help.find("\r\n+SETINFO <option> <value>\r\n") != std::string::npos);
  CHECK(help.find("\r\n+NO-TOUCH (ON|OFF)\r\n") != std::string::npos);
  CHECK(help.find("\r\n+TRACKINGINFO\r\n") != std::string::npos);
  const std::string tail = "\r\n+HELP\r\n+    Prints this help.\r\n";
  REQUIRE(help.size() > tail.size());
  CHECK(help.substr(help.size() - tail.size()) == tail);
  CHECK(h.run({"CLIENT", "HELP", "x"}) == "-ERR wrong number of arguments for 'client|help' command\r\n");
}
