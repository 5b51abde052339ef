#pragma once
// The declarative command table: one row per command with Redis's arity
// convention (positive = exact, negative = minimum, the name counted), flags,
// key positions and handler. Arity and unknown commands are checked in one
// place, execute(), which also takes the shard locks the row's keys need.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "larder/commands/command_context.h"
#include "larder/storage/shard_locks.h"

namespace larder::commands {

enum CommandFlag : std::uint32_t {
  kWrite = 1u << 0,
  kReadOnly = 1u << 1,
  kFast = 1u << 2,
  kAllShards = 1u << 3,  // touches the whole keyspace: every shard is locked (see kIncremental)
  kNoAuth = 1u << 4,       // may run before the client has authenticated
  kContainer = 1u << 5,    // has subcommands, registered as "name|sub" rows
  kRunsInMulti = 1u << 6,  // runs at once inside MULTI instead of queueing
  kDenyOom = 1u << 7,      // may grow memory: refused with OOM over maxmemory
  // Works in short steps, letting other clients run in between: outside EXEC
  // the dispatcher locks nothing for it, its handler locks one shard at a time
  // and may defer (CommandContext::may_defer); inside EXEC it is locked as its
  // other flags say and runs to completion.
  kIncremental = 1u << 8,
};

using Handler = void (*)(CommandContext&);

// A subcommand is a row of its own named "container|sub" (Redis's fullname),
// with arity and key positions counted from the container's name.
struct CommandSpec {
  std::string_view name;  // lower case
  int arity;
  std::uint32_t flags;
  int first_key;  // 0 when the command has no key arguments
  int last_key;   // negative counts from the end: -1 is the last argument
  int key_step;
  Handler handler;
  std::size_t index = 0;  // position in the table, set by add(); for statistics
};

class CommandTable {
 public:
  // The table with every command family registered.
  static const CommandTable& instance();

  void add(const CommandSpec& spec);
  // Case-insensitive lookup; nullptr for an unknown name.
  const CommandSpec* find(std::string_view name) const;
  const CommandSpec* find_subcommand(const CommandSpec& container, std::string_view sub) const;
  // A full name as Redis's lookupCommandBySds takes it: "get" or "client|list".
  const CommandSpec* find_full_name(std::string_view name) const;
  // Every row, subcommands included, in no particular order.
  template <class Visit>
  void for_each(Visit&& visit) const {
    for (const auto& [name, spec] : by_name_) visit(spec);
  }

  // What a command line resolves to: the row it names (its subcommand for a
  // container), and Redis's error text when it cannot run (unknown command or
  // subcommand, wrong arity). `spec` is set whenever a row was named.
  struct Resolution {
    const CommandSpec* spec = nullptr;
    std::string error;
  };
  Resolution resolve(std::span<const std::string_view> args) const;
  // Locks the shards of the keys `spec` names in `args`.
  static void add_key_locks(const CommandSpec& spec, std::span<const std::string_view> args,
                            storage::ShardLocks& locks);

 private:
  struct NameHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, CommandSpec, NameHash, std::equal_to<>> by_name_;
};

}  // namespace larder::commands
