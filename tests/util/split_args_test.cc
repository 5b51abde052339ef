#include "larder/util/split_args.h"

#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

using larder::util::split_args;
using namespace std::string_view_literals;

namespace {

using Args = std::vector<std::string>;

std::optional<Args> ok(Args args) { return args; }

}  // namespace

// Unless noted, expectations were checked against redis-server 7.0.15 by
// sending the line as an inline command.

TEST_CASE("split_args: empty and blank input give no arguments", "[split_args]") {
  CHECK(split_args("") == ok({}));
  CHECK(split_args("   ") == ok({}));
  CHECK(split_args(" \t\r\n\v\f ") == ok({}));
}

TEST_CASE("split_args: whitespace separates arguments", "[split_args]") {
  CHECK(split_args("a b c") == ok({"a", "b", "c"}));
  CHECK(split_args("   a   b  ") == ok({"a", "b"}));
  CHECK(split_args("a\tb\nc\rd") == ok({"a", "b", "c", "d"}));
  CHECK(split_args("set key value\r\n") == ok({"set", "key", "value"}));
  CHECK(split_args("abc\\") == ok({"abc\\"}));
}

TEST_CASE("split_args: \\v and \\f are skipped between but kept inside arguments",
          "[split_args]") {
  CHECK(split_args("\va") == ok({"a"}));
  CHECK(split_args("a\vb") == ok({"a\vb"}));
  CHECK(split_args("a\fb c") == ok({"a\fb", "c"}));
  CHECK(split_args("\"a\"\vb") == ok({"a", "b"}));
  CHECK(split_args("'a'\fb") == ok({"a", "b"}));
}

TEST_CASE("split_args: double quotes", "[split_args]") {
  CHECK(split_args("\"a b\" c") == ok({"a b", "c"}));
  CHECK(split_args("\"\"") == ok({""}));
  CHECK(split_args("\"\" x") == ok({"", "x"}));
  CHECK(split_args("\"a'b\"") == ok({"a'b"}));
  CHECK(split_args(R"("a\nb")") == ok({"a\nb"}));
  CHECK(split_args(R"("\z\r\t\b\a")") == ok({"z\r\t\b\a"}));
  CHECK(split_args(R"("\\")") == ok({"\\"}));
  CHECK(split_args(R"("\"")") == ok({"\""}));
  CHECK(split_args(R"("\'")") == ok({"'"}));
}

TEST_CASE("split_args: \\xHH needs exactly two hex digits", "[split_args]") {
  CHECK(split_args(R"("\x41\x4a\x4A")") == ok({"AJJ"}));
  CHECK(split_args(R"("\xff\x00z")") == ok({std::string("\xff\0z", 3)}));
  CHECK(split_args(R"("\x4")") == ok({"x4"}));
  CHECK(split_args(R"("\x4g")") == ok({"x4g"}));
  CHECK(split_args(R"("\xZZ")") == ok({"xZZ"}));
}

TEST_CASE("split_args: single quotes only unescape \\'", "[split_args]") {
  CHECK(split_args("''") == ok({""}));
  CHECK(split_args(R"('a\'b')") == ok({"a'b"}));
  CHECK(split_args(R"('\'')") == ok({"'"}));
  CHECK(split_args(R"('a\\b')") == ok({R"(a\\b)"}));
  CHECK(split_args(R"('a\nb')") == ok({R"(a\nb)"}));
  CHECK(split_args(R"('a"b')") == ok({"a\"b"}));
}

TEST_CASE("split_args: quotes may open mid-argument", "[split_args]") {
  CHECK(split_args("a\"b c\"") == ok({"ab c"}));
  CHECK(split_args("a'b'") == ok({"ab"}));
  CHECK(split_args("x \"a\"") == ok({"x", "a"}));
}

TEST_CASE("split_args: a closing quote must be followed by space or end",
          "[split_args]") {
  CHECK(split_args("\"a\"b") == std::nullopt);
  CHECK(split_args("'a'b") == std::nullopt);
  CHECK(split_args("a\"b c\"d") == std::nullopt);
  CHECK(split_args("x\"a\"y") == std::nullopt);
  CHECK(split_args("\"a\"\"b\"") == std::nullopt);
}

TEST_CASE("split_args: unbalanced quotes are an error", "[split_args]") {
  CHECK(split_args("\"abc") == std::nullopt);
  CHECK(split_args("'abc") == std::nullopt);
  CHECK(split_args("ok \"") == std::nullopt);
  CHECK(split_args(R"("abc\)") == std::nullopt);
  CHECK(split_args(R"("abc\")") == std::nullopt);
  CHECK(split_args(R"('abc\')") == std::nullopt);
}

// Not observable through the server (it splits inline commands on '\n' and
// stores config lines as C strings); follows from sdssplitargs() working on a
// NUL-terminated string.
TEST_CASE("split_args: the line ends at the first NUL byte", "[split_args]") {
  CHECK(split_args("a b\0c d"sv) == ok({"a", "b"}));
  CHECK(split_args("ab\0c"sv) == ok({"ab"}));
  CHECK(split_args("\"ab\0c\""sv) == std::nullopt);
  CHECK(split_args("\0\"unbalanced"sv) == ok({}));
}
