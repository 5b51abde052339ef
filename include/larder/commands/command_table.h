#pragma once
// The command table: the registered commands, each a CommandSpec made from
// its metadata row (command_docs.h: arity with Redis's convention, positive =
// exact, negative = minimum, the name counted; Redis flags; key specs) and
// the handler and Larder-only flags its family file registers. Unknown
// commands and arity are checked in one place, resolve(); add_key_locks()
// finds the shards a command line's keys need.

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
  // From the row's Redis flags ("write", "readonly", "fast", "no_auth",
  // "denyoom") and its subcommand rows (kContainer).
  kWrite = 1u << 0,
  kReadOnly = 1u << 1,
  kFast = 1u << 2,
  kNoAuth = 1u << 4,     // may run before the client has authenticated
  kContainer = 1u << 5,  // has subcommands, registered as "name|sub" rows
  kDenyOom = 1u << 7,    // may grow memory: refused with OOM over maxmemory
  kNoScript = 1u << 20,   // "noscript": refused inside scripts
  kAllowBusy = 1u << 21,  // "allow_busy": runs while a script is busy
  kLoadingOk = 1u << 22,  // "loading": runs while the dataset is loading
  kNoMulti = 1u << 23,    // "no_multi": refused inside MULTI
  kSkipSlowlog = 1u << 24,  // "skip_slowlog": never in the slow log (EXEC)

  // Larder-only behaviour, which Redis has no flag for: given to add().
  kAllShards = 1u << 3,    // touches the whole keyspace: every shard is locked (see kIncremental)
  kRunsInMulti = 1u << 6,  // runs at once inside MULTI instead of queueing
  // Works in short steps, letting other clients run in between: outside EXEC
  // the dispatcher locks nothing for it, its handler locks one shard at a time
  // and may defer (CommandContext::may_defer); inside EXEC it is locked as its
  // other flags say and runs to completion.
  kIncremental = 1u << 8,
  // Redis's CMD_PROTECTED (not shown by COMMAND INFO): refused unless
  // enable-debug-command allows it.
  kProtected = 1u << 9,
  // A script (EVAL, FCALL...): its declared keys' shards and the script lock
  // (ShardLocks::add_script); it locks any other key's shard as it meets it.
  kScriptLocks = 1u << 10,
  // Redis's CMD_MAY_REPLICATE (PUBLISH, PFCOUNT, EVAL...; not shown by
  // COMMAND INFO): refused where writes are, in read-only scripts, on a
  // MONITOR client and under CLIENT PAUSE WRITE.
  kMayReplicate = 1u << 11,
};
inline constexpr std::uint32_t kLarderOnlyFlags =
    kAllShards | kRunsInMulti | kIncremental | kProtected | kScriptLocks | kMayReplicate;

using Handler = void (*)(CommandContext&);
struct ParsedDoc;  // command_docs.h

// A subcommand is a row of its own named "container|sub" (Redis's fullname),
// with arity and key positions counted from the container's name.
struct CommandSpec {
  std::string_view name;  // full name, lower case (the row's)
  int arity;              // the row's
  std::uint32_t flags;    // CommandFlag bits
  Handler handler;
  const ParsedDoc* doc;   // its metadata row, never null: key specs, COMMAND INFO/DOCS
  std::size_t index = 0;  // position in the table; for statistics
};

class CommandTable {
 public:
  // The table with every command family registered.
  static const CommandTable& instance();

  // Registers `full_name` ("get", "client|list"; a container before its
  // subcommands) with its handler; arity, Redis flags and key specs come from
  // its metadata row, `larder_flags` may hold only kLarderOnlyFlags bits.
  // Throws std::logic_error for a name without a row, a name registered
  // twice, a subcommand without its container and other flags: startup bugs.
  void add(std::string_view full_name, Handler handler, std::uint32_t larder_flags = 0);
  // Case-insensitive lookup of a command as a command line names it: nullptr
  // for an unknown name and for a subcommand's full name ("config|get"), as
  // Redis's lookupCommand.
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
  // Marks the shards of the keys `spec`'s key specs find in `args` (the
  // whole command line); every shard for kAllShards, and for a line the specs
  // find invalid (bad numkeys...), whose keys are then unknown.
  static void add_key_locks(const CommandSpec& spec, std::span<const std::string_view> args,
                            storage::ShardLocks& locks);

 private:
  // Any row by its full name, lower or upper case.
  const CommandSpec* lookup(std::string_view name) const;

  struct NameHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, CommandSpec, NameHash, std::equal_to<>> by_name_;
};

}  // namespace larder::commands
