#include "larder/config/keyspace_events.h"

#include <catch2/catch.hpp>

#include "larder/config/live_config.h"
#include "larder/config/options.h"

using namespace larder::config;

TEST_CASE("notify-keyspace-events flags parse as Redis's classes", "[config][keyspace-events]") {
  CHECK(parse_keyspace_events("") == 0);
  CHECK(parse_keyspace_events("K") == kNotifyKeyspace);
  CHECK(parse_keyspace_events("E") == kNotifyKeyevent);
  CHECK(parse_keyspace_events("g$lshzxetd") == kNotifyAll);
  CHECK(parse_keyspace_events("A") == kNotifyAll);
  CHECK(parse_keyspace_events("An") == (kNotifyAll | kNotifyNew));
  CHECK(parse_keyspace_events("m") == kNotifyKeyMiss);
  CHECK(parse_keyspace_events("KKxx") == (kNotifyKeyspace | kNotifyExpired));
  CHECK_FALSE(parse_keyspace_events("a").has_value());
  CHECK_FALSE(parse_keyspace_events("KEA ").has_value());
  CHECK_FALSE(parse_keyspace_events("Q").has_value());
}

TEST_CASE("notify-keyspace-events prints Redis's canonical string", "[config][keyspace-events]") {
  auto text = [](std::string_view flags) { return keyspace_events_string(*parse_keyspace_events(flags)); };
  CHECK(text("") == "");
  CHECK(text("EKA") == "AKE");
  CHECK(text("g$lshzxetd") == "A");
  CHECK(text("AKEmn") == "AKEm");  // A hides n, as in Redis
  CHECK(text("Kx$") == "$xK");
  CHECK(text("nE") == "nE");
  CHECK(text("mdtezsg") == "gszetdm");
}

TEST_CASE("notify-keyspace-events as a setting", "[config][keyspace-events]") {
  Settings s;
  CHECK(s.get("notify-keyspace-events") == "");
  CHECK(s.keyspace_events() == 0);
  s.set("notify-keyspace-events", {"EKAn"});
  CHECK(s.get("notify-keyspace-events") == "AKE");
  CHECK(s.keyspace_events() == (kNotifyAll | kNotifyNew | kNotifyKeyspace | kNotifyKeyevent));
  try {
    s.set("notify-keyspace-events", {"KQ"}, true);
    FAIL("accepted a bad class");
  } catch (const ConfigError& e) {
    CHECK(e.reason() == "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
  }
  CHECK(s.get("notify-keyspace-events") == "AKE");
  LiveConfig live(s);
  CHECK(live.keyspace_events() == s.keyspace_events());
  live.set({{"notify-keyspace-events", "Ex"}});
  CHECK(live.keyspace_events() == (kNotifyKeyevent | kNotifyExpired));
  CHECK(live.get("notify-keyspace-events") == "xE");
}
