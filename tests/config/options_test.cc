#include "larder/config/options.h"

#include <catch2/catch.hpp>

using larder::config::apply_config_text;
using larder::config::apply_directive;
using larder::config::ConfigError;
using larder::config::Options;

TEST_CASE("a redis.conf-style file sets directives", "[config]") {
  Options o;
  apply_config_text(o,
                    "# comment\n"
                    "\n"
                    "port 7000\n"
                    "  bind 127.0.0.1 ::1\n"
                    "loglevel \"warning\"\n"
                    "hz 50\n"
                    "proto-max-bulk-len 2mb\n",
                    "test.conf");
  CHECK(o.port == 7000);
  CHECK(o.bind == std::vector<std::string>{"127.0.0.1", "::1"});
  CHECK(o.loglevel == "warning");
  CHECK(o.hz == 50);
  CHECK(o.proto_max_bulk_len == 2 * 1024 * 1024);
}

TEST_CASE("bad settings name the directive and the line", "[config]") {
  Options o;
  auto message_of = [&](const std::string& text) {
    try {
      apply_config_text(o, text, "x.conf");
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(message_of("port 7000\nport abc\n"),
             Catch::Contains("x.conf:2") && Catch::Contains("'port'"));
  CHECK_THAT(message_of("nosuchthing 1\n"), Catch::Contains("nosuchthing"));
  CHECK_THAT(message_of("loglevel loud\n"), Catch::Contains("loglevel"));
  CHECK_THAT(message_of("threads 0\n"), Catch::Contains("threads"));
  CHECK_THAT(message_of("bind \"unterminated\n"), Catch::Contains("x.conf:1"));
  CHECK_THROWS_AS(apply_directive(o, "hz", {"1", "2"}), ConfigError);
}
