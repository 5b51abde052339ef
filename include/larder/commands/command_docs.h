#pragma once
// Documentation metadata of every command, as Redis 7's COMMAND INFO and
// COMMAND DOCS report it, keyed by the full name ("get", "client|list").
//
// Each command is one compact CommandDoc row of string literals. The argument
// tree is not written out: `syntax` is the syntax line as Redis documents it
// ("key value [NX | XX] [GET] [EX seconds | PX milliseconds]") and `hints`
// adds what the line cannot say, as space-separated items "<key><op><value>"
// where <key> is an argument's token if it has one, otherwise its default
// name (a pure token's lower-cased token, a group's token lower-cased or its
// children's names joined with '_'), and <op> is one of
//   =  rename          ("nx_xx=condition")
//   :  type            ("EX:integer", "cursor:integer", "key1:key")
//   @  key_spec_index  ("destination@1")
//   ^  since           ("GET^6.2.0")
//   !  deprecated_since
// The item is split at its last operator character, so names such as
// "ip:port" need no escaping.

#include <array>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace larder::commands {

struct CommandDoc {
  std::string_view name{};   // full name, lower case
  std::string_view flags{};  // Redis's command flags: "write denyoom fast"
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
};

struct KeySpec {
  enum class Begin { kIndex, kKeyword, kUnknown };
  enum class Find { kRange, kKeynum, kUnknown };
  std::vector<std::string_view> flags;  // "RW", "access", ... as Redis prints them
  std::string_view notes;
  Begin begin = Begin::kUnknown;
  int index = 0;  // kIndex
  std::string_view keyword;  // kKeyword
  int startfrom = 0;
  Find find = Find::kUnknown;
  int lastkey = 0, keystep = 1, limit = 0;  // kRange
  int keynumidx = 0, firstkey = 0;          // kKeynum (keystep shared)

  bool has_flag(std::string_view f) const;
};

// A CommandDoc with its strings split and its syntax parsed.
struct ParsedDoc {
  const CommandDoc* doc = nullptr;
  std::vector<std::string_view> flags, acl, tips, doc_flags;
  std::vector<KeySpec> key_specs;
  std::vector<std::pair<std::string_view, std::string_view>> history;
  std::vector<DocArg> args;
  // Redis's legacy (first, last, step) key range derived from the key specs;
  // all zero when there is none.
  int first_key = 0, last_key = 0, key_step = 0;
};

// Thrown by the parsers on a malformed row (a bug in the table).
struct DocSyntaxError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Every row of the table.
std::span<const CommandDoc> command_docs();
// The parsed row of a full name (case-insensitive), or nullptr.
const ParsedDoc* find_command_doc(std::string_view full_name);

std::vector<DocArg> parse_doc_syntax(std::string_view syntax, std::string_view hints);
KeySpec parse_key_spec(std::string_view text);

}  // namespace larder::commands
