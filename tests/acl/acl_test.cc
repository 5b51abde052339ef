#include <catch2/catch.hpp>

#include "larder/acl/acl.h"
#include "larder/commands/command_table.h"
#include "larder/util/sha256.h"

#include "../support/command_harness.h"

using larder::acl::Acl;
using larder::acl::check_command;
using larder::acl::Denial;
using larder::acl::RuleError;
using larder::acl::User;
using larder::commands::CommandTable;
using larder::testing::CommandHarness;

namespace {

User user_with(std::initializer_list<std::string_view> rules) {
  User u("u");
  for (std::string_view r : rules) REQUIRE(u.apply(r) == RuleError::kNone);
  return u;
}

Denial check(const User& u, std::vector<std::string_view> args) {
  const auto resolved = CommandTable::instance().resolve(args);
  REQUIRE(resolved.spec != nullptr);
  return check_command(u, *resolved.spec, args).denial;
}

}  // namespace

TEST_CASE("SHA-256 digests", "[acl]") {
  CHECK(larder::util::sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(larder::util::sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(larder::util::sha256_hex(std::string(1000, 'a')) ==
        "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
}

TEST_CASE("rules describe themselves as Redis writes them", "[acl]") {
  CHECK(User("u").describe() == "off resetchannels -@all");
  CHECK(user_with({"on", "nopass", "~*", "&*", "+@all"}).describe() == "on nopass ~* &* +@all");
  CHECK(user_with({"+@all", "-@dangerous", "-get"}).describe() == "off resetchannels +@all -@dangerous -get");
  CHECK(user_with({"+get", "+set", "~a", "%R~b", "%W~c", "%RW~d", "&x"}).describe() ==
        "off ~a %R~b %W~c ~d resetchannels &x -@all +get +set");
  CHECK(user_with({"+select|0", "+select|1"}).describe() == "off resetchannels -@all +select|0 +select|1");
  CHECK(user_with({"+config", "-config|set"}).describe() == "off resetchannels -@all +config -config|set");
  CHECK(user_with({">pw", "(+get ~k)"}).describe() ==
        "off #" + larder::util::sha256_hex("pw") + " resetchannels -@all (~k resetchannels -@all +get)");
  CHECK(user_with({"on", ">p", "reset"}).describe() == "off sanitize-payload resetchannels -@all");
}

TEST_CASE("refused rules name Redis's reasons", "[acl]") {
  User u("u");
  CHECK(u.apply("+nosuch") == RuleError::kUnknownName);
  CHECK(u.apply("+@nosuch") == RuleError::kUnknownName);
  CHECK(u.apply("bogus") == RuleError::kSyntax);
  CHECK(u.apply("%") == RuleError::kSyntax);
  CHECK(u.apply("%RR~k") == RuleError::kSyntax);
  CHECK(u.apply("~a b") == RuleError::kSyntax);
  CHECK(u.apply("#abc") == RuleError::kBadHash);
  CHECK(u.apply("<nothere") == RuleError::kNoSuchPassword);
  CHECK(u.apply("+config|set|x") == RuleError::kSubcommandArg);
  CHECK(u.apply("-select|0") == RuleError::kUnknownName);
  REQUIRE(u.apply("allkeys") == RuleError::kNone);
  CHECK(u.apply("~x") == RuleError::kKeyAfterAll);
  REQUIRE(u.apply("allchannels") == RuleError::kNone);
  CHECK(u.apply("&x") == RuleError::kChannelAfterAll);
}

TEST_CASE("commands, first args and categories", "[acl]") {
  const User u = user_with({"+@string", "-append", "+client|id", "+select|0", "allkeys"});
  CHECK(check(u, {"get", "k"}) == Denial::kNone);
  CHECK(check(u, {"APPEND", "k", "v"}) == Denial::kCommand);
  CHECK(check(u, {"hget", "k", "f"}) == Denial::kCommand);
  CHECK(check(u, {"client", "id"}) == Denial::kNone);
  CHECK(check(u, {"client", "list"}) == Denial::kCommand);
  CHECK(check(u, {"select", "0"}) == Denial::kNone);
  CHECK(check(u, {"select", "1"}) == Denial::kCommand);
  CHECK(check(u, {"auth", "a", "b"}) == Denial::kNone);  // no_auth commands are never denied
}

TEST_CASE("key patterns follow the key specs' read and write flags", "[acl]") {
  const User u = user_with({"+@all", "%R~r*", "%W~w*", "~a*"});
  CHECK(check(u, {"get", "r1"}) == Denial::kNone);
  CHECK(check(u, {"get", "w1"}) == Denial::kKey);
  CHECK(check(u, {"set", "w1", "v"}) == Denial::kNone);
  CHECK(check(u, {"set", "w1", "v", "get"}) == Denial::kKey);
  CHECK(check(u, {"set", "r1", "v"}) == Denial::kKey);
  CHECK(check(u, {"copy", "r1", "w1"}) == Denial::kNone);
  CHECK(check(u, {"copy", "w1", "r1"}) == Denial::kKey);
  CHECK(check(u, {"mset", "a1", "x", "b", "y"}) == Denial::kKey);
  CHECK(check(u, {"exists", "r1", "w1", "a1"}) == Denial::kNone);
  const auto resolved = CommandTable::instance().resolve(std::vector<std::string_view>{"mget", "a", "b", "zz"});
  const std::vector<std::string_view> args{"mget", "a", "b", "zz"};
  CHECK(check_command(u, *resolved.spec, args).arg == 2);
}

TEST_CASE("channels: PUBLISH and SUBSCRIBE match, PSUBSCRIBE compares literally", "[acl]") {
  const User u = user_with({"+@all", "allkeys", "&news.*"});
  CHECK(check(u, {"publish", "news.a", "m"}) == Denial::kNone);
  CHECK(check(u, {"publish", "sport", "m"}) == Denial::kChannel);
  CHECK(check(u, {"subscribe", "news.a", "news.b"}) == Denial::kNone);
  CHECK(check(u, {"psubscribe", "news.*"}) == Denial::kNone);
  CHECK(check(u, {"psubscribe", "news.a*"}) == Denial::kChannel);
  CHECK(check(u, {"unsubscribe", "x"}) == Denial::kNone);
}

TEST_CASE("channels_kept: only allchannels after, or no channels before, skips the subscriber check", "[acl]") {
  using larder::acl::channels_kept;
  const User none = user_with({"resetchannels"});
  const User all = user_with({"allchannels"});
  const User some = user_with({"&news.*"});
  CHECK(channels_kept(some, all));
  CHECK(channels_kept(none, some));
  CHECK(channels_kept(none, none));
  CHECK_FALSE(channels_kept(all, some));
  CHECK_FALSE(channels_kept(all, none));
  CHECK_FALSE(channels_kept(some, some));  // same patterns: Redis still checks
  CHECK_FALSE(channels_kept(user_with({"(&x)"}), none));
  CHECK(channels_kept(some, user_with({"(&*)"})));
}

TEST_CASE("selectors: the first that allows wins", "[acl]") {
  const User u = user_with({"+set", "~w*", "(+get ~r*)"});
  CHECK(check(u, {"get", "r1"}) == Denial::kNone);
  CHECK(check(u, {"set", "w1", "v"}) == Denial::kNone);
  CHECK(check(u, {"set", "r1", "v"}) == Denial::kKey);
  CHECK(check(u, {"del", "w1"}) == Denial::kCommand);
}

TEST_CASE("merged selector arguments", "[acl]") {
  std::size_t unmatched = 0;
  const std::vector<std::string_view> args{"on", "(+get", "~a)", "(+set)"};
  auto merged = larder::acl::merge_selector_args(args, unmatched);
  REQUIRE(merged);
  CHECK(*merged == std::vector<std::string>{"on", "(+get ~a)", "(+set)"});
  const std::vector<std::string_view> open{"on", "(+get", "~a"};
  CHECK_FALSE(larder::acl::merge_selector_args(open, unmatched));
  CHECK(unmatched == 1);
}

TEST_CASE("users through the dispatcher: AUTH, NOPERM, ACL LOG, DELUSER", "[acl]") {
  CommandHarness h;
  CHECK(h.run({"ACL", "SETUSER", "r", "on", ">pw", "+get", "~k*"}) == "+OK\r\n");
  const std::size_t c = h.add_client();
  CHECK(h.run_as(c, {"AUTH", "r", "bad"}) ==
        "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
  CHECK(h.run_as(c, {"AUTH", "r", "pw"}) == "+OK\r\n");
  CHECK(h.run_as(c, {"ACL", "WHOAMI"}) == "-NOPERM this user has no permissions to run the 'acl|whoami' command\r\n");
  CHECK(h.run_as(c, {"GET", "k1"}) == "$-1\r\n");
  CHECK(h.run_as(c, {"GET", "x"}) ==
        "-NOPERM this user has no permissions to access one of the keys used as arguments\r\n");
  const std::string log = h.run({"ACL", "LOG", "1"});
  CHECK(log.find("$6\r\nreason\r\n$3\r\nkey\r\n") != std::string::npos);
  CHECK(log.find("$6\r\nobject\r\n$1\r\nx\r\n") != std::string::npos);
  CHECK(log.find("user=r") != std::string::npos);
  CHECK(h.run({"ACL", "DELUSER", "r"}) == ":1\r\n");
  CHECK(h.run_as(c, {"GET", "k1"}).rfind("-NOPERM", 0) == 0);
}

TEST_CASE("the default user follows requirepass", "[acl]") {
  Acl acl;
  CHECK_FALSE(acl.auth_required());
  acl.set_default_password("pw");
  CHECK(acl.auth_required());
  CHECK(acl.authenticate("default", "pw") != nullptr);
  CHECK(acl.authenticate("default", "px") == nullptr);
  acl.set_default_password("");
  CHECK_FALSE(acl.auth_required());
  CHECK(acl.authenticate("default", "anything") != nullptr);
  CHECK(acl.default_slot()->unrestricted());
}
