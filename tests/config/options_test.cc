#include "larder/config/options.h"

#include <catch2/catch.hpp>

#include "larder/config/live_config.h"

using larder::config::apply_config_text;
using larder::config::ConfigError;
using larder::config::LiveConfig;
using larder::config::Options;
using larder::config::Settings;

TEST_CASE("a redis.conf-style file sets directives", "[config]") {
  Settings s;
  apply_config_text(s,
                    "# comment\n"
                    "\n"
                    "port 7000\n"
                    "  bind 127.0.0.1 ::1\n"
                    "loglevel \"WARNING\"\n"
                    "hz 50\n"
                    "proto-max-bulk-len 2mb\n"
                    "save \"\"\n",
                    "test.conf");
  Options o = Options::from(s);
  CHECK(o.port == 7000);
  CHECK(o.bind == std::vector<std::string>{"127.0.0.1", "::1"});
  CHECK(o.loglevel == "warning");
  CHECK(s.get("hz") == "50");
  CHECK(s.get("proto-max-bulk-len") == "2097152");
  CHECK(s.ignored_in_use().empty());
  s.set("appendonly", {"yes"});
  CHECK(s.ignored_in_use() == std::vector<std::string>{"appendonly"});
}

TEST_CASE("bad settings name the directive and the line", "[config]") {
  Settings s;
  auto message_of = [&](const std::string& text) {
    try {
      apply_config_text(s, text, "x.conf");
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
  CHECK_THAT(message_of("enable-debug-command maybe\n"),
             Catch::Contains("'enable-debug-command'") &&
                 Catch::Contains("argument(s) must be one of the following: no, yes, local"));
  CHECK_THAT(message_of("bind \"unterminated\n"), Catch::Contains("x.conf:1"));
  CHECK_THROWS_AS(s.set("hz", {"1", "2"}), ConfigError);
}

TEST_CASE("CONFIG SET is all or nothing and refuses startup-only directives", "[config]") {
  LiveConfig live{Settings{}};
  CHECK_THROWS_AS(live.set({{"hz", "20"}, {"port", "1"}}), ConfigError);
  CHECK(live.get("hz") == "10");
  CHECK_THROWS_AS(live.set({{"hz", "20"}, {"slowlog-max-len", "x"}}), ConfigError);
  CHECK(live.hz() == 10);
  live.set({{"hz", "20"}, {"requirepass", "secret"}});
  CHECK(live.hz() == 20);
  CHECK(live.requires_password());
  CHECK(live.password_matches("secret"));
  CHECK_FALSE(live.password_matches("other"));
  CHECK(live.matching("slowlog*").size() == 2);
}
