#include <catch2/catch.hpp>

#include "../support/command_harness.h"
#include "larder/commands/monitor.h"

using larder::testing::CommandHarness;

TEST_CASE("MONITOR shows commands as Redis does", "[monitor]") {
  CommandHarness h;
  const auto a = h.add_client();
  CHECK(h.run({"MONITOR"}) == "+OK\r\n");
  CHECK(h.run({"MONITOR"}).empty());  // ignored, no reply
  h.run_as(a, {"SET", "k", std::string_view("v\0\"\\\n\x7f\xc3", 7)});
  h.run_as(a, {"AUTH", "pw"});
  h.run_as(a, {"HELLO", "2", "AUTH", "default", "pw", "SETNAME", "x"});
  h.run_as(a, {"CONFIG", "GET", "port"});  // admin: not shown
  h.run_as(a, {"NOSUCH"});                // refused: not shown
  h.run_as(a, {"SELECT", "3"});
  h.run_as(a, {"MULTI"});
  h.run_as(a, {"GET", "k"});
  h.run_as(a, {"EXEC"});
  const std::string pushed = h.take_pushes(0);
  std::vector<std::string> lines;
  for (std::size_t at = 0; at < pushed.size();) {
    const std::size_t end = pushed.find("\r\n", at);
    const std::string line = pushed.substr(at, end - at);
    REQUIRE(line.size() > 19);
    CHECK(line[0] == '+');
    CHECK(line[11] == '.');
    lines.push_back(line.substr(19));  // after "+1700000000.123456 "
    at = end + 2;
  }
  const std::string addr = h.client(a).addr;
  CHECK(lines == std::vector<std::string>{
                     "[0 " + addr + "] \"SET\" \"k\" \"v\\x00\\\"\\\\\\n\\x7f\\xc3\"",
                     "[0 " + addr + "] \"AUTH\" \"(redacted)\"",
                     "[0 " + addr + "] \"HELLO\" \"2\" \"AUTH\" \"(redacted)\" \"(redacted)\" \"SETNAME\" \"x\"",
                     "[3 " + addr + "] \"SELECT\" \"3\"",
                     "[3 " + addr + "] \"MULTI\"",
                     "[3 " + addr + "] \"GET\" \"k\"",
                     "[3 " + addr + "] \"EXEC\"",
                 });
  CHECK(h.run({"GET", "k"}) == "-ERR Replica can't interact with the keyspace\r\n");
  CHECK(h.run_as(a, {"CLIENT", "LIST"}).find("flags=O ") != std::string::npos);
  h.run({"RESET"});
  h.take_pushes(0);
  h.run_as(a, {"PING"});
  CHECK(h.take_pushes(0).empty());
}

TEST_CASE("monitor_line formats as Redis's replicationFeedMonitors", "[monitor]") {
  const std::vector<std::string_view> args{"set", "a b", "\t"};
  const std::vector<std::uint32_t> redacted{};
  CHECK(larder::commands::monitor_line(1700000000012345, 5, "127.0.0.1:5000", args, redacted) ==
        "+1700000000.012345 [5 127.0.0.1:5000] \"set\" \"a b\" \"\\t\"\r\n");
}
