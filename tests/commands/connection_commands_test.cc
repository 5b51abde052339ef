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
