#include "larder/config/rewrite.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

#include "larder/util/split_args.h"

using larder::config::apply_config_text;
using larder::config::quote_config_value;
using larder::config::rewrite_config_file;
using larder::config::Settings;
using namespace std::string_literals;

TEST_CASE("a quoted value reads back as the same bytes", "[config]") {
  const std::string values[] = {
      "plain", "", "two words", "line\nbind 127.0.0.2", "cr\rlf\n", "tab\there", "\"quoted\"",
      "back\\slash", "it's", "'", "\"", "\\", "\\x41", "#hash", "\x01\x7f\xff\x80", "a\0b"s,
      "\a\b\f\v", " leading and trailing ", "requirepass\ninjected\r\nlogfile /tmp/x"};
  for (const std::string& v : values) {
    const std::string quoted = quote_config_value(v);
    INFO("value: " << v << " quoted: " << quoted);
    // One printable line: no control byte can end it.
    for (unsigned char c : quoted) CHECK((c >= 0x20 && c < 0x7f));
    auto words = larder::util::split_args("requirepass " + quoted);
    REQUIRE(words.has_value());
    CHECK(*words == std::vector<std::string>{"requirepass", v});
  }
  CHECK(quote_config_value("plain") == "plain");
  CHECK(quote_config_value("a\nb\"c\\d\te\x01") == "\"a\\nb\\\"c\\\\d\\te\\x01\"");
}

TEST_CASE("REWRITE writes hostile values so the file reads back the same settings", "[config]") {
  char path[] = "/tmp/larder-rewrite-test-XXXXXX";
  const int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  close(fd);
  { std::ofstream(path) << "# keep me\nrequirepass old\nsave 3600 1\n"; }

  Settings s;
  s.set("requirepass", {"pw\nbind 127.0.0.2\nlogfile /tmp/x\r\n\"q\" \\ 'x'\x01"});
  s.set("dbfilename", {"dump\n\nport 1.rdb"});
  s.set("proc-title-template", {"\"{title}\nhz 400"});
  s.set("save", {"60 5 300 10"});
  s.set("bind", {"127.0.0.1\nrequirepass", "x"});
  rewrite_config_file(path, s, {});

  std::stringstream text;
  text << std::ifstream(path).rdbuf();
  std::remove(path);
  Settings reread;
  apply_config_text(reread, text.str(), path);
  for (const auto& d : Settings::directives()) {
    INFO("directive: " << d.name << "\nfile:\n" << text.str());
    CHECK(reread.get(d.name) == s.get(d.name));
  }
  CHECK(text.str().starts_with("# keep me\n"));
}

TEST_CASE("REWRITE puts users in the file's user lines, in order, and reads them back", "[config]") {
  char path[] = "/tmp/larder-rewrite-test-XXXXXX";
  const int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  close(fd);
  { std::ofstream(path) << "# users\nuser old1 on\nhz 10\nuser old2 off\nuser old3 off\n"; }

  Settings s;
  const std::vector<std::vector<std::string>> users = {{"alice", "on", "~a\"b'c", "(+get", "~k)"},
                                                       {"default", "on", "nopass"}};
  rewrite_config_file(path, s, users);
  std::stringstream text;
  text << std::ifstream(path).rdbuf();
  // The first two lines took alice's and default's places; the third is gone.
  CHECK(text.str() == "# users\nuser alice on \"~a\\\"b'c\" (+get ~k)\nhz 10\nuser default on nopass\n");

  Settings reread;
  apply_config_text(reread, text.str(), path);
  CHECK(reread.users() == users);
  CHECK(reread.get("hz") == "10");

  rewrite_config_file(path, s, {});  // an aclfile keeps the users: no user lines
  std::stringstream after;
  after << std::ifstream(path).rdbuf();
  std::remove(path);
  CHECK(after.str() == "# users\nhz 10\n");
}
