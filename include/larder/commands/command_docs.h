#pragma once
// The one source of command metadata: a CommandDoc row per command and
// subcommand, keyed by the full name ("get", "client|list"), with everything
// Redis 7.0's COMMAND INFO and COMMAND DOCS report. CommandTable::add() takes
// a command's arity, Redis flags and key specs from its row; COMMAND INFO,
// DOCS, LIST and GETKEYS print the rows of registered commands only, so a row
// whose command is not registered yet is invisible.
//
// The rows live in src/commands/command_docs/<family>_docs.cc, one file per
// src/commands/<family>_commands.cc that registers them (hash_docs.cc and
// set_docs.cc hold the rows of families still to come).
//
// Each command is one compact CommandDoc row of string literals. The argument
// tree is not written out: `syntax` is the syntax line as Redis documents it
// ("key value [NX | XX] [GET] [EX seconds | PX milliseconds]") and `hints`
// adds what the line cannot say, as space-separated items "<key><op><value>"
// where <key> is an argument's token if it has one, otherwise its default
// name (a pure token's lower-cased token, a group's token lower-cased or its
// children's names joined with '_'), and <op> is one of
//   =  rename          ("nx_xx=condition")
//   :  type            ("EX:integer", "cursor:integer", "key1:key"); ":block"
//                      on a plain argument wraps it in a block of the same
//                      name that takes its optional/multiple flags (CONFIG GET)
//   @  key_spec_index  ("destination@1")
//   ^  since           ("GET^6.2.0")
//   !  deprecated_since
// The item is split at its last operator character, so names such as
// "ip:port" need no escaping.

#include <array>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "larder/commands/key_specs.h"

namespace larder::commands {

struct CommandDoc {
  std::string_view name{};   // full name, lower case
  int arity = 0;             // Redis's: positive exact, negative minimum, the name counted
  std::string_view flags{};  // Redis's command flags as COMMAND INFO prints them: "write denyoom fast"
  std::string_view acl{};    // ACL categories: "@write @string @fast"
  std::string_view tips{};   // command tips: "nondeterministic_output"
  // "FLAGS | begin_search | find_keys [| notes]", e.g.
  // "RW access update | index 1 | range 0 1 0" or "RO | keyword STREAMS 1 | keynum 0 1 1".
  std::array<std::string_view, 4> key_specs{};
  std::string_view summary;
  std::string_view since;
  std::string_view group;
  std::string_view complexity;
  std::string_view doc_flags;  // "deprecated", "syscmd"
  std::string_view deprecated_since;
  std::string_view replaced_by;
  std::string_view history;  // one "<version> <text>" per line
  std::string_view syntax;
  std::string_view hints;
};

// One node of COMMAND DOCS' argument tree.
struct DocArg {
  std::string name;
  std::string type;  // key string integer double pattern unix-time pure-token oneof block
  std::string token;
  std::string since;
  std::string deprecated_since;
  int key_spec_index = -1;
  bool optional = false;
  bool multiple = false;
  bool multiple_token = false;
  std::vector<DocArg> args;  // children of oneof and block
  bool pinned_token = false;  // parser only: written "<TOKEN name>", its token stays its own
};

// A CommandDoc with its strings split and its syntax parsed. The lists view
// arrays shared by all rows, which live as long as the process.
struct ParsedDoc {
  const CommandDoc* doc = nullptr;
  std::span<const std::string_view> flags, acl, tips, doc_flags;
  std::span<const KeySpec> key_specs;
  std::span<const std::pair<std::string_view, std::string_view>> history;
  LegacyKeyRange legacy_keys;  // COMMAND INFO's first, last, step
  bool container = false;      // has subcommand rows ("name|sub")

  // COMMAND DOCS' argument tree, parsed from the row on each call (the rows'
  // trees would hold ~400 KB for the life of the server, counted against
  // maxmemory, for a command clients send once per connection at most).
  std::vector<DocArg> arguments() const;
};

// Every row, parsed, sorted by name. The first call parses the table
// and throws DocSyntaxError on a malformed row.
std::span<const ParsedDoc> command_docs();
// The parsed row of a full name (case-insensitive), or nullptr.
const ParsedDoc* find_command_doc(std::string_view full_name);

std::vector<DocArg> parse_doc_syntax(std::string_view syntax, std::string_view hints);

// The rows of each src/commands/command_docs/<family>_docs.cc.
std::span<const CommandDoc> connection_doc_rows();
std::span<const CommandDoc> client_doc_rows();
std::span<const CommandDoc> string_doc_rows();
std::span<const CommandDoc> key_doc_rows();
std::span<const CommandDoc> transaction_doc_rows();
std::span<const CommandDoc> server_doc_rows();
std::span<const CommandDoc> info_doc_rows();
std::span<const CommandDoc> config_doc_rows();
std::span<const CommandDoc> introspection_doc_rows();
std::span<const CommandDoc> diagnostics_doc_rows();
std::span<const CommandDoc> hash_doc_rows();
std::span<const CommandDoc> set_doc_rows();
std::span<const CommandDoc> zset_doc_rows();
std::span<const CommandDoc> list_doc_rows();
std::span<const CommandDoc> bitmap_doc_rows();
std::span<const CommandDoc> hyperloglog_doc_rows();
std::span<const CommandDoc> geo_doc_rows();
std::span<const CommandDoc> sort_doc_rows();
std::span<const CommandDoc> pubsub_doc_rows();
std::span<const CommandDoc> monitor_doc_rows();
std::span<const CommandDoc> stream_doc_rows();
std::span<const CommandDoc> scripting_doc_rows();
std::span<const CommandDoc> persistence_doc_rows();
std::span<const CommandDoc> dump_doc_rows();
std::span<const CommandDoc> acl_doc_rows();
std::span<const CommandDoc> tracking_doc_rows();
std::span<const CommandDoc> replication_doc_rows();

}  // namespace larder::commands
