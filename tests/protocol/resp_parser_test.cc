#include "larder/protocol/resp_parser.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using larder::protocol::ParserLimits;
using larder::protocol::ParseStatus;
using larder::protocol::RespParser;

namespace {

using Commands = std::vector<std::vector<std::string>>;

// Feeds `stream` to a parser as a connection would: bytes arrive in pieces cut
// at `cuts`, every complete command is consumed, partial ones are retried.
// Returns the commands parsed, or the error text as a one-element command.
Commands feed(const std::string& stream, const std::vector<std::size_t>& cuts,
              ParserLimits limits = {}) {
  RespParser parser(limits);
  Commands out;
  std::string buffer;
  std::size_t from = 0;
  auto drain = [&]() -> bool {
    while (!buffer.empty()) {
      ParseStatus s = parser.parse(buffer);
      if (s == ParseStatus::kIncomplete) return true;
      if (s == ParseStatus::kError) {
        out.push_back({"error", std::string(parser.error())});
        return false;
      }
      if (!parser.args().empty()) {
        out.emplace_back(parser.args().begin(), parser.args().end());
      }
      buffer.erase(0, parser.consumed());
    }
    return true;
  };
  std::vector<std::size_t> points = cuts;
  points.push_back(stream.size());
  for (std::size_t to : points) {
    buffer.append(stream, from, to - from);
    from = to;
    if (!drain()) break;
  }
  return out;
}

Commands feed_whole(const std::string& stream, ParserLimits limits = {}) {
  return feed(stream, {}, limits);
}

}  // namespace

TEST_CASE("every split point of a stream parses the same", "[parser]") {
  using namespace std::string_literals;
  const std::string bytes =
      "*3\r\n$3\r\nSET\r\n$4\r\nk\0ey\r\n$0\r\n\r\n"s
      "PING\r\n"
      "\r\n"
      "set 'a b' \"c\\nd\"\n"
      "*1\r\n$4\r\nPING\r\n"
      "*0\r\n"
      "*2\r\n$3\r\nGET\r\n$10\r\n0123456789\r\n";
  const Commands expected = feed_whole(bytes);
  REQUIRE(expected.size() == 5);
  CHECK(expected[0] == std::vector<std::string>{"SET", std::string("k\0ey", 4), ""});
  CHECK(expected[1] == std::vector<std::string>{"PING"});
  CHECK(expected[2] == std::vector<std::string>{"set", "a b", "c\nd"});
  CHECK(expected[4] == std::vector<std::string>{"GET", "0123456789"});

  for (std::size_t cut = 1; cut < bytes.size(); ++cut) {
    INFO("single cut at " << cut);
    CHECK(feed(bytes, {cut}) == expected);
  }
  for (std::size_t a = 1; a < bytes.size(); a += 3) {
    for (std::size_t b = a + 1; b < bytes.size(); b += 5) {
      INFO("cuts at " << a << " and " << b);
      CHECK(feed(bytes, {a, b}) == expected);
    }
  }
  std::vector<std::size_t> every_byte;
  for (std::size_t i = 1; i < bytes.size(); ++i) every_byte.push_back(i);
  CHECK(feed(bytes, every_byte) == expected);
}

TEST_CASE("malformed requests produce Redis's protocol errors", "[parser]") {
  auto error_of = [](const std::string& s) {
    Commands c = feed_whole(s);
    REQUIRE_FALSE(c.empty());
    REQUIRE(c.back().size() == 2);
    CHECK(c.back()[0] == "error");
    return c.back()[1];
  };
  CHECK(error_of("*abc\r\n") == "ERR Protocol error: invalid multibulk length");
  CHECK(error_of("*1\r\nfoo\r\n") == "ERR Protocol error: expected '$', got 'f'");
  CHECK(error_of("*1\r\n$-5\r\n") == "ERR Protocol error: invalid bulk length");
  CHECK(error_of("*1\r\n$abc\r\n") == "ERR Protocol error: invalid bulk length");
  CHECK(error_of("*1\r\n$600000000\r\n") == "ERR Protocol error: invalid bulk length");
  CHECK(error_of("*2147483648\r\n") == "ERR Protocol error: invalid multibulk length");
  CHECK(error_of("set \"a b\n") == "ERR Protocol error: unbalanced quotes in request");
  CHECK(error_of("set 'a'b\n") == "ERR Protocol error: unbalanced quotes in request");
}

TEST_CASE("limits are enforced without waiting for the declared bytes", "[parser]") {
  ParserLimits small{.max_bulk_bytes = 10, .max_array_elements = 4, .max_inline_bytes = 32};
  CHECK(feed_whole("*1\r\n$11\r\n", small).back()[1] == "ERR Protocol error: invalid bulk length");
  CHECK(feed_whole("*5\r\n", small).back()[1] == "ERR Protocol error: invalid multibulk length");
  CHECK(feed_whole(std::string(40, 'a'), small).back()[1] ==
        "ERR Protocol error: too big inline request");
  CHECK(feed_whole("*1" + std::string(40, '1'), small).back()[1] ==
        "ERR Protocol error: too big mbulk count string");
  CHECK(feed_whole("*1\r\n$" + std::string(40, '1'), small).back()[1] ==
        "ERR Protocol error: too big bulk count string");
  // Within limits, an incomplete command just waits.
  CHECK(feed_whole("*4\r\n$10\r\n01234", small).empty());
  CHECK(feed_whole(std::string(20, 'a'), small).empty());
}

TEST_CASE("before AUTH, more than 10 arguments or a bulk over 16384 bytes fail", "[parser]") {
  const ParserLimits unauth{.unauthenticated = true};
  CHECK(feed_whole("*11\r\n", unauth).back()[1] == "ERR Protocol error: unauthenticated multibulk length");
  CHECK(feed_whole("*1\r\n$16385\r\n", unauth).back()[1] ==
        "ERR Protocol error: unauthenticated bulk length");
  // Redis checks the general limits first.
  CHECK(feed_whole("*1\r\n$-2\r\n", unauth).back()[1] == "ERR Protocol error: invalid bulk length");
  // At the caps, a command waits for its bytes; without the flag, no caps.
  CHECK(feed_whole("*10\r\n$16384\r\n", unauth).empty());
  CHECK(feed_whole("*11\r\n$16385\r\n", ParserLimits{}).empty());
  // The flag applies to headers parsed after it is set (a connection clears
  // it once AUTH succeeds).
  RespParser parser(unauth);
  CHECK(parser.parse("*1\r\n$4\r\nAUTH\r\n") == ParseStatus::kCommand);
  parser.set_unauthenticated(false);
  CHECK(parser.parse("*11\r\n") == ParseStatus::kIncomplete);
}

TEST_CASE("a huge declared array does not allocate up front", "[parser]") {
  RespParser parser;
  std::string s = "*1048576\r\n$1\r\na\r\n";
  CHECK(parser.parse(s) == ParseStatus::kIncomplete);
  CHECK(parser.consumed() == 0);
}

TEST_CASE("arrays may declare up to INT_MAX elements, as in Redis", "[parser]") {
  RespParser parser;
  CHECK(parser.parse("*2147483647\r\n$4\r\nPING\r\n") == ParseStatus::kIncomplete);
  parser.reset();
  CHECK(parser.parse("*2147483648\r\n") == ParseStatus::kError);
  CHECK(parser.error() == "ERR Protocol error: invalid multibulk length");

  std::string del = "*1048578\r\n$3\r\nDEL\r\n";
  for (int i = 0; i < 1048577; ++i) del += "$1\r\nk\r\n";
  Commands c = feed_whole(del);
  REQUIRE(c.size() == 1);
  CHECK(c[0].size() == 1048578);
}

TEST_CASE("a NUL byte hides the end of a length or inline line", "[parser]") {
  using namespace std::string_literals;
  // Redis looks for the line end with strchr(): nothing is parsed, and the
  // line waits until the buffer outgrows the limit.
  for (const std::string& s : {"*1\0\r\n$4\r\nPING\r\n"s, "*1\r\n$4\0\r\nPING\r\n"s,
                               "PING\0\r\nPING\r\n"s, "PING\r\n*3\0\r\n"s}) {
    Commands whole = feed_whole(s);
    CHECK(whole.size() == (s.starts_with("PING\r\n") ? 1u : 0u));
    // The same, arriving a byte at a time.
    std::vector<std::size_t> cuts;
    for (std::size_t i = 1; i < s.size(); ++i) cuts.push_back(i);
    CHECK(feed(s, cuts) == whole);
  }
  ParserLimits small{.max_inline_bytes = 32};
  const std::string more(40, 'A');
  CHECK(feed_whole("*1\0\r\n"s + more, small).back()[1] ==
        "ERR Protocol error: too big mbulk count string");
  CHECK(feed_whole("*1\r\n$4\0\r\n"s + more, small).back()[1] ==
        "ERR Protocol error: too big bulk count string");
  CHECK(feed_whole("PING\0\r\n"s + more, small).back()[1] ==
        "ERR Protocol error: too big inline request");
  // Inside a bulk payload a NUL is data.
  CHECK(feed_whole("*1\r\n$3\r\na\0b\r\n"s) == Commands{{"a\0b"s}});
}

TEST_CASE("a first line longer than Redis reads it whole is refused even when complete", "[parser]") {
  // Redis refuses once more than 64 KiB are buffered without the line's end,
  // after a first read of 16 KiB and a second of 64 KiB: the end of an inline
  // line or array header must be among the first 80 KiB.
  const std::size_t window = 64 * 1024 + 16 * 1024;
  CHECK(feed_whole(std::string(window - 2, 'A') + "\r\n").size() == 1);
  CHECK(feed_whole(std::string(100000, 'A') + "\r\n").back()[1] ==
        "ERR Protocol error: too big inline request");
  CHECK(feed_whole(std::string(window - 1, 'A') + "\r\n").back()[1] ==
        "ERR Protocol error: too big inline request");
  CHECK(feed_whole("*" + std::string(100000, '1') + "\r\n").back()[1] ==
        "ERR Protocol error: too big mbulk count string");
  // Shorter ones are parsed (and refused for their value), as are bulk length
  // lines that arrive whole.
  CHECK(feed_whole("*1\r\n$" + std::string(100000, '1') + "\r\n").back()[1] ==
        "ERR Protocol error: invalid bulk length");
  CHECK(feed_whole("*" + std::string(70000, '1') + "\r\n").back()[1] ==
        "ERR Protocol error: invalid multibulk length");
}

TEST_CASE("blank and empty commands are consumed with no arguments", "[parser]") {
  RespParser parser;
  CHECK(parser.parse("\r\n") == ParseStatus::kCommand);
  CHECK(parser.args().empty());
  CHECK(parser.consumed() == 2);
  CHECK(parser.parse("   \n") == ParseStatus::kCommand);
  CHECK(parser.args().empty());
  CHECK(parser.parse("*-1\r\n") == ParseStatus::kCommand);
  CHECK(parser.args().empty());
  CHECK(parser.consumed() == 5);
}
