#include <catch2/catch.hpp>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "../support/command_harness.h"
#include "larder/commands/command_docs.h"
#include "larder/commands/command_table.h"

using larder::commands::command_docs;
using larder::commands::CommandSpec;
using larder::commands::CommandTable;
using larder::commands::DocArg;
using larder::commands::KeySpec;
using larder::commands::kProtected;
using larder::commands::kLoadingOk;
using larder::commands::kAllShards;
using larder::commands::kContainer;
using larder::commands::kDenyOom;
using larder::commands::kFast;
using larder::commands::kIncremental;
using larder::commands::kNoAuth;
using larder::commands::kReadOnly;
using larder::commands::kWrite;
using larder::commands::kNoScript;
using larder::commands::kAllowBusy;
using larder::commands::ParsedDoc;
using larder::commands::parse_doc_syntax;
using larder::testing::CommandHarness;

namespace {

std::string bulk(std::string_view s) {
  std::string out = "$";
  out += std::to_string(s.size());
  out += "\r\n";
  out += s;
  out += "\r\n";
  return out;
}

// The first six fields of a COMMAND INFO entry (RESP2), as Redis 7.0 sends
// them: name, arity, flags, first key, last key, step.
std::string info_head(std::string_view name, int arity, std::vector<std::string_view> flags,
                      int first, int last, int step) {
  std::string s = "*10\r\n";
  s += bulk(name);
  s += ":" + std::to_string(arity) + "\r\n*" + std::to_string(flags.size()) + "\r\n";
  for (auto f : flags) s += "+" + std::string(f) + "\r\n";
  s += ":" + std::to_string(first) + "\r\n:" + std::to_string(last) + "\r\n:" +
       std::to_string(step) + "\r\n";
  return s;
}

}  // namespace

TEST_CASE("COMMAND COUNT is the number of top-level rows", "[introspection]") {
  CommandHarness h;
  long n = 0;
  CommandTable::instance().for_each([&](const CommandSpec& s) {
    if (s.name.find('|') == std::string_view::npos) ++n;
  });
  CHECK(h.run({"COMMAND", "COUNT"}) == std::string(":") + std::to_string(n) + "\r\n");
  CHECK(h.run({"command", "count", "x"}) ==
        "-ERR wrong number of arguments for 'command|count' command\r\n");
  // Bare COMMAND lists every top-level command.
  CHECK(h.run({"COMMAND"}).starts_with(std::string("*") + std::to_string(n) + "\r\n"));
}

TEST_CASE("COMMAND INFO matches Redis for GET, SET, MSET, DEL", "[introspection]") {
  CommandHarness h;
  const std::string get = h.run({"COMMAND", "INFO", "get"});
  CHECK(get.starts_with(std::string("*1\r\n") + info_head("get", 2, {"readonly", "fast"}, 1, 1, 1) +
                        "*3\r\n+@read\r\n+@string\r\n+@fast\r\n*0\r\n*1\r\n"));
  // The whole GET entry, byte for byte as redis-server 7.0.15 sends it.
  CHECK(get ==
        std::string("*1\r\n") + info_head("get", 2, {"readonly", "fast"}, 1, 1, 1) +
            "*3\r\n+@read\r\n+@string\r\n+@fast\r\n*0\r\n*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n"
            "+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n"
            "*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n"
            "$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n"
            ":0\r\n*0\r\n");
  CHECK(h.run({"COMMAND", "INFO", "SET"})
            .starts_with(std::string("*1\r\n") + info_head("set", -3, {"write", "denyoom"}, 1, 1, 1)));
  CHECK(h.run({"COMMAND", "INFO", "mset"})
            .starts_with(std::string("*1\r\n") + info_head("mset", -3, {"write", "denyoom"}, 1, -1, 2)));
  CHECK(h.run({"COMMAND", "INFO", "del"})
            .starts_with(std::string("*1\r\n") + info_head("del", -2, {"write"}, 1, -1, 1) +
                         "*3\r\n+@keyspace\r\n+@write\r\n+@slow\r\n*2\r\n$26\r\n"
                         "request_policy:multi_shard\r\n$23\r\nresponse_policy:agg_sum\r\n"));
  // Unknown names are nulls; subcommands by full name.
  CHECK(h.run({"COMMAND", "INFO", "nosuch", "get|x"}) == "*2\r\n$-1\r\n$-1\r\n");
  CHECK(h.run({"COMMAND", "INFO", "command|count"}) ==
        std::string("*1\r\n") + info_head("command|count", 2, {"loading", "stale"}, 0, 0, 0) +
            "*2\r\n+@slow\r\n+@connection\r\n*0\r\n*0\r\n*0\r\n");
}

TEST_CASE("COMMAND GETKEYS and GETKEYSANDFLAGS", "[introspection]") {
  CommandHarness h;
  CHECK(h.run({"COMMAND", "GETKEYS", "SET", "k", "v"}) == "*1\r\n$1\r\nk\r\n");
  CHECK(h.run({"COMMAND", "GETKEYS", "MSET", "a", "1", "b", "2"}) ==
        "*2\r\n$1\r\na\r\n$1\r\nb\r\n");
  CHECK(h.run({"COMMAND", "GETKEYS", "DEL", "a", "b", "c"}) ==
        "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n");
  // MSET's range stops at the last complete pair.
  CHECK(h.run({"COMMAND", "GETKEYS", "mset", "a", "b", "c"}) == "*2\r\n$1\r\na\r\n$1\r\nc\r\n");
  CHECK(h.run({"COMMAND", "GETKEYSANDFLAGS", "set", "k", "v"}) ==
        "*1\r\n*2\r\n$1\r\nk\r\n*2\r\n+OW\r\n+update\r\n");
  CHECK(h.run({"COMMAND", "GETKEYSANDFLAGS", "set", "k", "v", "GET"}) ==
        "*1\r\n*2\r\n$1\r\nk\r\n*3\r\n+RW\r\n+access\r\n+update\r\n");
  CHECK(h.run({"COMMAND", "GETKEYSANDFLAGS", "del", "a"}) ==
        "*1\r\n*2\r\n$1\r\na\r\n*2\r\n+RM\r\n+delete\r\n");

  CHECK(h.run({"COMMAND", "GETKEYS", "nosuch", "a"}) == "-ERR Invalid command specified\r\n");
  CHECK(h.run({"COMMAND", "GETKEYS", "command", "nosuch"}) ==
        "-ERR Invalid command specified\r\n");
  CHECK(h.run({"COMMAND", "GETKEYS", "command|count", "x"}) ==
        "-ERR Invalid command specified\r\n");
  CHECK(h.run({"COMMAND", "GETKEYS", "ping", "x"}) ==
        "-ERR The command has no key arguments\r\n");
  CHECK(h.run({"COMMAND", "GETKEYS", "set", "k"}) ==
        "-ERR Invalid number of arguments specified for command\r\n");
  CHECK(h.run({"COMMAND", "GETKEYS", "get"}) ==
        "-ERR wrong number of arguments for 'command|getkeys' command\r\n");
}

TEST_CASE("COMMAND LIST, DOCS and HELP", "[introspection]") {
  CommandHarness h;
  const std::string all = h.run({"COMMAND", "LIST"});
  CHECK(all.find(bulk("command|getkeys")) != std::string::npos);
  CHECK(all.find(bulk("get")) != std::string::npos);
  CHECK(h.run({"COMMAND", "LIST", "FILTERBY", "PATTERN", "command|c*"}) ==
        std::string("*1\r\n") + bulk("command|count"));
  CHECK(h.run({"COMMAND", "LIST", "FILTERBY", "MODULE", "x"}) == "*0\r\n");
  CHECK(h.run({"COMMAND", "LIST", "FILTERBY", "ACLCAT", "nosuch"}) == "*0\r\n");
  CHECK(h.run({"COMMAND", "LIST", "FILTERBY", "ACLCAT", "STRING"}).find(bulk("get")) !=
        std::string::npos);
  CHECK(h.run({"COMMAND", "LIST", "FILTERBY", "x", "y"}) == "-ERR syntax error\r\n");
  CHECK(h.run({"COMMAND", "LIST", "x"}) == "-ERR syntax error\r\n");

  CHECK(h.run({"COMMAND", "DOCS", "get"}) ==
        "*2\r\n$3\r\nget\r\n*10\r\n$7\r\nsummary\r\n$22\r\nGet the value of a key\r\n"
        "$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n"
        "$4\r\nO(1)\r\n$9\r\narguments\r\n*1\r\n*6\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n"
        "$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n");
  CHECK(h.run({"COMMAND", "DOCS", "nosuch"}) == "*0\r\n");
  CHECK(h.run({"COMMAND", "HELP"}).starts_with(
      "*21\r\n+COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"));
  CHECK(h.run({"COMMAND", "NOSUCH"}) == "-ERR unknown subcommand 'NOSUCH'. Try COMMAND HELP.\r\n");
}

TEST_CASE("the syntax parser builds Redis's argument tree", "[introspection]") {
  const std::vector<DocArg> set = parse_doc_syntax(
      "key value [NX | XX] [GET] [EX seconds | PX milliseconds | KEEPTTL]",
      "nx_xx=condition EX:integer PX:integer GET^6.2.0 seconds_milliseconds_keepttl=expiration");
  REQUIRE(set.size() == 5);
  CHECK(set[0].name == "key");
  CHECK(set[0].type == "key");
  CHECK(set[0].key_spec_index == 0);
  CHECK(set[1].type == "string");
  CHECK(set[2].name == "condition");
  CHECK(set[2].type == "oneof");
  CHECK(set[2].optional);
  REQUIRE(set[2].args.size() == 2);
  CHECK(set[2].args[0].type == "pure-token");
  CHECK(set[2].args[0].name == "nx");
  CHECK(set[3].since == "6.2.0");
  CHECK(set[4].args[0].token == "EX");
  CHECK(set[4].args[0].name == "seconds");
  CHECK(set[4].args[0].type == "integer");

  const auto mset = parse_doc_syntax("key value [key value ...]", "key_value=data");
  REQUIRE(mset.size() == 1);
  CHECK(mset[0].type == "block");
  CHECK(mset[0].multiple);
  CHECK(mset[0].name == "data");
  CHECK(mset[0].args.size() == 2);

  const auto list = parse_doc_syntax("[TYPE <NORMAL | MASTER>] [ID client-id [client-id ...]]",
                                     "client-id:integer");
  REQUIRE(list.size() == 2);
  CHECK(list[0].token == "TYPE");
  CHECK(list[0].type == "oneof");
  CHECK(list[1].type == "block");
  CHECK(list[1].token == "ID");
  REQUIRE(list[1].args.size() == 1);
  CHECK(list[1].args[0].multiple);
  CHECK(list[1].args[0].token.empty());

  const auto multi = parse_doc_syntax("[GET pattern [GET pattern ...]]", "");
  REQUIRE(multi.size() == 1);
  CHECK(multi[0].multiple);
  CHECK(multi[0].multiple_token);
  CHECK(multi[0].optional);

  // ":block" wraps a plain argument in a block of its own (Redis's CONFIG GET).
  const auto wrapped = parse_doc_syntax("parameter [parameter ...]", "parameter:block");
  REQUIRE(wrapped.size() == 1);
  CHECK(wrapped[0].type == "block");
  CHECK(wrapped[0].name == "parameter");
  CHECK(wrapped[0].multiple);
  REQUIRE(wrapped[0].args.size() == 1);
  CHECK(wrapped[0].args[0].type == "string");
  CHECK_FALSE(wrapped[0].args[0].multiple);

  CHECK_THROWS(parse_doc_syntax("key [NX", ""));
  CHECK_THROWS(parse_doc_syntax("key", "nosuch:integer"));
}

TEST_CASE("a metadata row without a registered handler is invisible", "[introspection]") {
  // A command is either registered (its row feeds the table) or does not
  // exist: COMMAND and its subcommands, and the command itself, know nothing
  // of a row whose family has not registered it yet.
  CommandHarness h;
  const CommandTable& table = CommandTable::instance();
  const std::string everything = h.run({"COMMAND"}) + h.run({"COMMAND", "INFO"}) +
                                 h.run({"COMMAND", "DOCS"}) + h.run({"COMMAND", "LIST"});
  long top_level_rows = 0;
  for (const ParsedDoc& row : command_docs()) {
    const std::string_view name = row.doc->name;
    const CommandSpec* spec = table.find_full_name(name);
    const std::size_t bar = name.find('|');
    if (spec != nullptr) {
      INFO(name);
      CHECK(spec->doc == &row);
      CHECK(spec->arity == row.doc->arity);
      if (bar == std::string_view::npos) ++top_level_rows;
      continue;
    }
    INFO("unregistered row " << name);
    CHECK(everything.find(bulk(name)) == std::string::npos);
    CHECK(h.run({"COMMAND", "INFO", name}) == "*1\r\n$-1\r\n");
    CHECK(h.run({"COMMAND", "DOCS", name}) == "*0\r\n");
    CHECK(h.run({"COMMAND", "LIST", "FILTERBY", "PATTERN", name}) == "*0\r\n");
    if (bar == std::string_view::npos) {
      CHECK(h.run({"COMMAND", "GETKEYS", name, "k", "v"}) == "-ERR Invalid command specified\r\n");
      CHECK(h.run({name, "k", "v"}).starts_with("-ERR unknown command '" + std::string(name) + "'"));
    } else {
      const std::string_view sub = name.substr(bar + 1);
      CHECK(h.run({"COMMAND", "GETKEYS", name.substr(0, bar), sub, "k"}) ==
            "-ERR Invalid command specified\r\n");
      CHECK(h.run({name.substr(0, bar), sub, "k"}).starts_with("-ERR unknown"));
    }
  }
  CHECK(h.run({"COMMAND", "COUNT"}) == ":" + std::to_string(top_level_rows) + "\r\n");
}

TEST_CASE("registration takes arity, flags and key specs from the metadata row", "[introspection]") {
  const CommandTable& table = CommandTable::instance();
  const CommandSpec* get = table.find("get");
  REQUIRE(get != nullptr);
  CHECK(get->arity == 2);
  CHECK(get->flags == (kReadOnly | kFast));
  REQUIRE(get->doc->key_specs.size() == 1);
  CHECK(get->doc->key_specs[0].index == 1);
  // Redis's CLIENT ID is not fast; the flags are the row's.
  CHECK(table.find_full_name("client|id")->flags == (kNoScript | kLoadingOk));
  CHECK(table.find("client")->flags == kContainer);
  CHECK(table.find("set")->flags == (kWrite | kDenyOom));
  CHECK(table.find("auth")->flags == (kFast | kNoAuth | kNoScript | kAllowBusy | kLoadingOk));
  CHECK(table.find("keys")->flags == (kReadOnly | kAllShards | kIncremental));
  CHECK(table.find("debug")->flags == (kProtected | kAllShards | kNoScript | kLoadingOk));

  auto handler = [](larder::commands::CommandContext&) {};
  CommandTable t;
  CHECK_THROWS_AS(t.add("nosuch", handler), std::logic_error);
  CHECK_THROWS_AS(t.add("get", handler, kWrite), std::logic_error);
  CHECK_THROWS_AS(t.add("client|id", handler), std::logic_error);  // before its container
  t.add("GET", handler);
  CHECK(t.find("get")->name == "get");
  CHECK_THROWS_AS(t.add("get", handler), std::logic_error);
  t.add("client", handler);
  t.add("client|id", handler);
  CHECK(t.find_full_name("client|id") != nullptr);
}

TEST_CASE("the metadata rows are consistent with Redis's derived facts", "[introspection]") {
  for (const ParsedDoc& row : command_docs()) {
    INFO(row.doc->name);
    // Redis adds movablekeys exactly where the legacy range misses keys.
    const bool movable =
        std::find(row.flags.begin(), row.flags.end(), "movablekeys") != row.flags.end();
    CHECK(movable == row.legacy_keys.movable);
    // COMMAND GETKEYSANDFLAGS knows variable key flags for SET and BITFIELD only.
    for (const KeySpec& ks : row.key_specs) CHECK((!ks.variable_flags || row.doc->name == "set" || row.doc->name == "bitfield"));
  }
}
