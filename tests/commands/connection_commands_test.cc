#include <catch2/catch.hpp>

#include "../support/command_harness.h"

using larder::testing::CommandHarness;

TEST_CASE("PING, ECHO and QUIT", "[connection]") {
  CommandHarness h;
  CHECK(h.run({"PING"}) == "+PONG\r\n");
  CHECK(h.run({"ping", "hi"}) == "$2\r\nhi\r\n");
  CHECK(h.run({"PING", "a", "b"}) == "-ERR wrong number of arguments for 'ping' command\r\n");
  CHECK(h.run({"ECHO", "x y"}) == "$3\r\nx y\r\n");
  CHECK(h.run({"ECHO"}) == "-ERR wrong number of arguments for 'echo' command\r\n");
  CHECK_FALSE(h.client().close_after_reply);
  CHECK(h.run({"QUIT"}) == "+OK\r\n");
  CHECK(h.client().close_after_reply);
}

TEST_CASE("unknown commands are reported as Redis 7 does", "[connection]") {
  CommandHarness h;
  CHECK(h.run({"FOO"}) == "-ERR unknown command 'FOO', with args beginning with: \r\n");
  CHECK(h.run({"foo", "a", "b c"}) ==
        "-ERR unknown command 'foo', with args beginning with: 'a' 'b c' \r\n");
  std::string long_arg(200, 'x');
  std::string reply = h.run({"foo", long_arg, "y"});
  CHECK(reply == "-ERR unknown command 'foo', with args beginning with: '" +
                     std::string(128, 'x') + "' \r\n");
}

namespace {

std::string hello_reply(const char* agg, int proto, std::uint64_t id) {
  return std::string(agg) +
         "\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:" +
         std::to_string(proto) + "\r\n$2\r\nid\r\n:" + std::to_string(id) +
         "\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n";
}

const std::string kNoAuth = "-NOAUTH Authentication required.\r\n";
const std::string kWrongPass = "-WRONGPASS invalid username-password pair or user is disabled.\r\n";

}  // namespace

TEST_CASE("HELLO switches protocol and describes the server", "[connection]") {
  CommandHarness h;
  const std::uint64_t id = h.client().id;
  CHECK(h.run({"HELLO"}) == hello_reply("*14", 2, id));
  CHECK(h.run({"HELLO", "3"}) == hello_reply("%7", 3, id));
  CHECK(h.client().resp == 3);
  CHECK(h.run({"GET", "nope"}) == "_\r\n");
  CHECK(h.run({"HELLO"}) == hello_reply("%7", 3, id));
  CHECK(h.run({"HELLO", "2"}) == hello_reply("*14", 2, id));
  CHECK(h.client().resp == 2);
  CHECK(h.run({"GET", "nope"}) == "$-1\r\n");
}

TEST_CASE("HELLO errors", "[connection]") {
  CommandHarness h;
  CHECK(h.run({"HELLO", "1"}) == "-NOPROTO unsupported protocol version\r\n");
  CHECK(h.run({"HELLO", "4"}) == "-NOPROTO unsupported protocol version\r\n");
  CHECK(h.run({"HELLO", "x"}) == "-ERR Protocol version is not an integer or out of range\r\n");
  CHECK(h.run({"HELLO", "3", "SETNAME"}) == "-ERR Syntax error in HELLO option 'SETNAME'\r\n");
  CHECK(h.run({"HELLO", "3", "AUTH", "default"}) == "-ERR Syntax error in HELLO option 'AUTH'\r\n");
  CHECK(h.run({"HELLO", "3", "foo"}) == "-ERR Syntax error in HELLO option 'foo'\r\n");
  CHECK(h.run({"HELLO", "3", "SETNAME", "a b"}) ==
        "-ERR Client names cannot contain spaces, newlines or special characters.\r\n");
  // A failed HELLO changes nothing.
  CHECK(h.client().resp == 2);
  CHECK(h.run({"CLIENT", "GETNAME"}) == "$-1\r\n");
}

TEST_CASE("HELLO SETNAME and AUTH", "[connection]") {
  CommandHarness h;
  const std::uint64_t id = h.client().id;
  CHECK(h.run({"HELLO", "3", "SETNAME", "myname"}) == hello_reply("%7", 3, id));
  CHECK(h.run({"CLIENT", "GETNAME"}) == "$6\r\nmyname\r\n");
  CHECK(h.run({"HELLO", "2", "AUTH", "default", "anything"}) == hello_reply("*14", 2, id));
  CHECK(h.run({"HELLO", "2", "AUTH", "nouser", "pw"}) == kWrongPass);

  h.run({"CONFIG", "SET", "requirepass", "s3cret"});
  const std::size_t c = h.add_client();
  CHECK(h.run_as(c, {"HELLO", "3"}) ==
        "-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH "
        "<user> <pass> option can be used to authenticate the client and select the RESP protocol "
        "version at the same time\r\n");
  CHECK(h.run_as(c, {"HELLO", "3", "AUTH", "default", "wrong"}) == kWrongPass);
  CHECK(h.run_as(c, {"GET", "k"}) == kNoAuth);
  CHECK(h.run_as(c, {"HELLO", "3", "AUTH", "default", "s3cret", "SETNAME", "n"}) ==
        hello_reply("%7", 3, h.client(c).id));
  CHECK(h.run_as(c, {"GET", "k"}) == "_\r\n");
  CHECK(h.run_as(c, {"CLIENT", "GETNAME"}) == "$1\r\nn\r\n");
}

TEST_CASE("AUTH without requirepass", "[connection]") {
  CommandHarness h;
  CHECK(h.run({"AUTH", "pw"}) ==
        "-ERR AUTH <password> called without any password configured for the default user. Are you "
        "sure your configuration is correct?\r\n");
  CHECK(h.run({"AUTH", "default", "pw"}) == "+OK\r\n");
  CHECK(h.run({"AUTH", "other", "pw"}) == kWrongPass);
  CHECK(h.run({"AUTH", "a", "b", "c"}) == "-ERR syntax error\r\n");
  CHECK(h.run({"AUTH"}) == "-ERR wrong number of arguments for 'auth' command\r\n");
}

TEST_CASE("AUTH with requirepass and the NOAUTH gate", "[connection]") {
  CommandHarness h;
  h.run({"CONFIG", "SET", "requirepass", "s3cret"});
  const std::size_t c = h.add_client();
  // Existing connections stay authenticated.
  CHECK(h.run({"GET", "k"}) == "$-1\r\n");

  for (auto cmd : std::vector<std::vector<std::string_view>>{
           {"PING"}, {"GET", "k"}, {"SET", "k", "v"}, {"SELECT", "1"}, {"CLIENT", "ID"},
           {"CONFIG", "GET", "hz"}, {"MULTI"}, {"INFO"}, {"ECHO", "x"}, {"WATCH", "k"}}) {
    INFO(cmd[0]);
    CHECK(h.run_as(c, cmd) == kNoAuth);
  }
  CHECK_FALSE(h.client(c).in_multi);
  CHECK(h.run_as(c, {"AUTH", "wrong"}) == kWrongPass);
  CHECK(h.run_as(c, {"AUTH", "default", "wrong"}) == kWrongPass);
  CHECK(h.run_as(c, {"AUTH", "other", "s3cret"}) == kWrongPass);
  CHECK(h.run_as(c, {"PING"}) == kNoAuth);
  CHECK(h.run_as(c, {"AUTH", "s3cret"}) == "+OK\r\n");
  CHECK(h.run_as(c, {"PING"}) == "+PONG\r\n");
  // A failed AUTH afterwards does not log the client out.
  CHECK(h.run_as(c, {"AUTH", "wrong"}) == kWrongPass);
  CHECK(h.run_as(c, {"PING"}) == "+PONG\r\n");
  // RESET logs out.
  CHECK(h.run_as(c, {"RESET"}) == "+RESET\r\n");
  CHECK(h.run_as(c, {"PING"}) == kNoAuth);
  CHECK(h.run_as(c, {"AUTH", "default", "s3cret"}) == "+OK\r\n");
  CHECK(h.run_as(c, {"PING"}) == "+PONG\r\n");

  const std::size_t d = h.add_client();
  CHECK(h.run_as(d, {"QUIT"}) == "+OK\r\n");
  CHECK(h.client(d).close_after_reply);
}

TEST_CASE("EXEC refused before AUTH replies EXECABORT as Redis does", "[connection]") {
  CommandHarness h;
  h.run({"CONFIG", "SET", "requirepass", "s3cret"});
  const std::size_t c = h.add_client();
  CHECK(h.run_as(c, {"EXEC"}) == "-EXECABORT Transaction discarded because of: NOAUTH Authentication required.\r\n");
}

TEST_CASE("SELECT bounds and errors", "[connection]") {
  CommandHarness h;
  CHECK(h.run({"SELECT", "15"}) == "+OK\r\n");
  CHECK(h.client().db == 15);
  h.run({"SET", "k", "15"});
  CHECK(h.run({"SELECT", "16"}) == "-ERR DB index is out of range\r\n");
  CHECK(h.run({"SELECT", "-1"}) == "-ERR DB index is out of range\r\n");
  CHECK(h.run({"SELECT", "x"}) == "-ERR value is not an integer or out of range\r\n");
  CHECK(h.run({"SELECT", "1.5"}) == "-ERR value is not an integer or out of range\r\n");
  CHECK(h.run({"SELECT", ""}) == "-ERR value is not an integer or out of range\r\n");
  CHECK(h.run({"SELECT"}) == "-ERR wrong number of arguments for 'select' command\r\n");
  CHECK(h.client().db == 15);
  CHECK(h.run({"GET", "k"}) == "$2\r\n15\r\n");
  CHECK(h.run({"SELECT", "0"}) == "+OK\r\n");
  CHECK(h.run({"GET", "k"}) == "$-1\r\n");

  CommandHarness small(4);
  CHECK(small.run({"SELECT", "3"}) == "+OK\r\n");
  CHECK(small.run({"SELECT", "4"}) == "-ERR DB index is out of range\r\n");
}

TEST_CASE("SELECT of an index beyond 32 bits has Redis's range error", "[connection]") {
  CommandHarness h;
  const std::string range = "-ERR value is out of range, value must between -2147483648 and 2147483647\r\n";
  CHECK(h.run({"SELECT", "2147483648"}) == range);
  CHECK(h.run({"SELECT", "-99999999999"}) == range);
}

TEST_CASE("RESET returns the connection to its initial state", "[connection]") {
  CommandHarness h;
  h.run({"HELLO", "3", "SETNAME", "n"});
  h.run({"SELECT", "3"});
  h.run({"CLIENT", "NO-EVICT", "on"});
  h.run({"CLIENT", "NO-TOUCH", "on"});
  h.run({"MULTI"});
  CHECK(h.run({"RESET"}) == "+RESET\r\n");
  CHECK(h.client().resp == 2);
  CHECK(h.client().db == 0);
  CHECK_FALSE(h.client().in_multi);
  CHECK(h.client().no_evict);  // Redis 7.0's RESET keeps CLIENT NO-EVICT
  CHECK_FALSE(h.client().no_touch);
  CHECK(h.run({"CLIENT", "GETNAME"}) == "$-1\r\n");
  CHECK(h.run({"RESET", "x"}) == "-ERR wrong number of arguments for 'reset' command\r\n");
}

TEST_CASE("PING and ECHO in RESP3", "[connection]") {
  CommandHarness h;
  h.run({"HELLO", "3"});
  CHECK(h.run({"PING"}) == "+PONG\r\n");
  CHECK(h.run({"PING", "hi"}) == "$2\r\nhi\r\n");
  CHECK(h.run({"ECHO", ""}) == "$0\r\n\r\n");
}
