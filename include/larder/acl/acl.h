#pragma once
// ACL users as Redis 7.0 has them: users with flags, SHA-256 password
// digests and selectors (a root one, plus any "(...)" ones), each selector
// with its allowed commands (a bit per command table row), first-args, key
// patterns (%R~ / %W~ / ~) and channel patterns; the rules that change them
// (ACL SETUSER's), their description (ACL LIST / GETUSER), the permission
// check of a command line, and the registry of users with the ACL log.
//
// Command categories come from the command metadata rows (CommandDoc::acl),
// the one source; keys come from the rows' key specs.
//
// Threads: a User is a value; UserSlot is what clients point at and holds the
// current User of one name (replaced whole by ACL SETUSER, so a check reads a
// consistent snapshot). Acl and UserSlot are safe to use from any thread.

#include <atomic>
#include <bitset>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "larder/commands/server_stats.h"

namespace larder::commands {
struct CommandSpec;
}

namespace larder::acl {

// Redis's ACL categories, in its order (ACL CAT, GETUSER's rules).
inline constexpr std::string_view kCategoryNames[] = {
    "keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap", "hyperloglog", "geo",
    "stream", "pubsub", "admin", "fast", "slow", "blocking", "dangerous", "connection", "transaction", "scripting"};
inline constexpr std::size_t kCategoryCount = std::size(kCategoryNames);
// The category's bit, or 0 for an unknown name (case-insensitive).
std::uint32_t category_bit(std::string_view name);
// The categories of a command row, from its metadata ("@write @string @slow").
std::uint32_t command_categories(const commands::CommandSpec& spec);

// The full names of the commands and subcommands in a category (ACL CAT):
// commands by name, each followed by its subcommands.
std::vector<std::string_view> commands_in_category(std::uint32_t bit);

// A bit per command table row (CommandSpec::index), plus Redis's reserved
// last bit, set only by +@all: "may run commands added later".
inline constexpr std::size_t kFutureBit = commands::kMaxCommandRows;
using CommandBits = std::bitset<commands::kMaxCommandRows + 1>;

enum KeyPerm : int { kReadPerm = 1, kWritePerm = 2, kAllPerm = 3 };

struct KeyPattern {
  std::string pattern;
  int perms = kAllPerm;
};

struct Selector {
  bool root = false;
  bool all_keys = false;
  bool all_channels = false;
  bool all_commands = false;  // Redis's SELECTOR_FLAG_ALLCOMMANDS: no bit was cleared since +@all
  CommandBits allowed;
  // Allowed first arguments of otherwise denied commands ("+select|0"), by
  // command row index, in the order given.
  std::map<std::size_t, std::vector<std::string>> first_args;
  std::vector<KeyPattern> keys;
  std::vector<std::string> channels;
};

// Why a rule was refused: Redis's errno values of ACLSetUser().
enum class RuleError {
  kNone,
  kSyntax,           // EINVAL
  kUnknownName,      // ENOENT: command or category
  kKeyAfterAll,      // EEXIST
  kChannelAfterAll,  // EISDIR
  kNoSuchPassword,   // ENODEV
  kBadHash,          // EBADMSG
  kDuplicateUser,    // EALREADY
  kSubcommandArg,    // ECHILD
};
// ACLSetUserStringError()'s text.
std::string_view rule_error_text(RuleError e);

struct User {
  std::string name;
  bool enabled = false;  // "on"; a new user is "off"
  bool nopass = false;
  enum class Sanitize { kUnset, kSkip, kSanitize } sanitize = Sanitize::kUnset;
  std::vector<std::string> passwords;  // SHA-256 hex digests, in the order added
  std::vector<Selector> selectors;     // [0] is the root selector

  explicit User(std::string user_name);

  // Applies one ACL SETUSER rule (binary safe). On error the user may be
  // partly changed: callers apply rules to a copy.
  RuleError apply(std::string_view op);
  // The rules that recreate the user, as ACL LIST prints them after "user <name> ".
  std::string describe() const;
  // True when a password (or nopass) admits `password`; compares digests in
  // constant time.
  bool password_matches(std::string_view password) const;
  // Every command, key and channel allowed by the root selector: the check
  // the dispatcher skips.
  bool unrestricted() const;
};

// acl-pubsub-default: whether new users, new selectors and the "reset" rule
// start with allchannels (else resetchannels), as Redis's
// server.acl_pubsub_default. Any thread; read when a rule is applied.
void set_pubsub_default(bool all_channels);

// Applies one rule to a selector (the selector part of ACLSetUser).
RuleError apply_selector_rule(Selector& s, std::string_view op);
// Redis's ACLDescribeSelectorCommandRules: "+@all -@dangerous -get" or
// "-@all +@read +set". The single commands follow the categories, ordered
// by name (Redis's order is its command dict's, which varies by process).
std::string describe_command_rules(const Selector& s);
// GETUSER's "keys" and "channels" texts.
std::string describe_keys(const Selector& s);
std::string describe_channels(const Selector& s);

// Redis's ACLMergeSelectorArguments: "(+get" "~k)" become one "(+get ~k)".
// Returns nullopt when a "(" is never closed, with `unmatched` its index.
std::optional<std::vector<std::string>> merge_selector_args(std::span<const std::string_view> args,
                                                            std::size_t& unmatched);

// A `user <name> <rules...>` line of the config file (`words` without
// "user"), checked as Redis's ACLAppendUserForLoading checks it: nullopt when
// it may be loaded, else Redis's "Error in user declaration '<word>':
// <reason>" (the word as Redis 7.0 picks it: the rule's place among the
// merged rules, counted in the line). Unknown command and category names pass
// here; loading reports them. `earlier`: the lines before it (a name may
// appear once).
std::optional<std::string> check_config_user(std::span<const std::string> words,
                                             std::span<const std::vector<std::string>> earlier);

enum class Denial { kNone, kCommand, kKey, kChannel, kAuth };
struct CheckResult {
  Denial denial = Denial::kNone;
  std::size_t arg = 0;  // the key or channel argument denied
};
// Redis's ACLCheckAllUserCommandPerm: may `user` run `spec` with `args` (the
// whole command line)? With several selectors, the first that allows wins;
// otherwise the denial is the one Redis picks (command before key/channel,
// then the last argument).
CheckResult check_command(const User& user, const commands::CommandSpec& spec,
                          std::span<const std::string_view> args);
// Redis's ACLUserCheckCmdWithUnrestrictedKeyAccess for reads: whether a
// selector that allows `args` also allows reading every key (allkeys, or a
// "*" pattern with read permission). SORT's BY and GET need it.
bool unrestricted_key_access(const User& user, const commands::CommandSpec& spec,
                             std::span<const std::string_view> args);
// False when a changed user's subscribers must be checked (Redis 7.0.15's
// ACLKillPubsubClientsIfNeeded): `after` has no allchannels selector and
// `before` allowed any channel.
bool channels_kept(const User& before, const User& after);
// Whether `user` still permits a subscriber's subscription to `name` when
// channels_kept() was false (Redis's ACLCheckChannelAgainstList over every
// selector's channels): a pattern subscription must be one of the patterns
// literally, a channel or shard channel must match one.
bool subscription_permitted(const User& user, std::string_view name, bool pattern);

// What a client is authenticated as: the current rules of one user name.
class UserSlot {
 public:
  explicit UserSlot(std::shared_ptr<const User> user) : name_(user->name) { set(std::move(user)); }
  const std::string& name() const { return name_; }
  std::shared_ptr<const User> get() const {
    std::lock_guard lock(mutex_);
    return user_;
  }
  void set(std::shared_ptr<const User> user);
  // The dispatcher's one test: true when every command, key and channel is
  // allowed, so nothing else needs checking.
  bool unrestricted() const { return unrestricted_.load(std::memory_order_relaxed); }
  bool deleted() const { return deleted_.load(std::memory_order_relaxed); }
  // Deletion: the slot denies everything from now on.
  void mark_deleted();

 private:
  const std::string name_;
  mutable std::mutex mutex_;
  std::shared_ptr<const User> user_;
  std::atomic<bool> unrestricted_{false};
  std::atomic<bool> deleted_{false};
};

enum class LogContext { kToplevel, kMulti, kLua };

struct LogEntry {
  std::uint64_t count = 1;
  Denial reason = Denial::kCommand;
  LogContext context = LogContext::kToplevel;
  std::string object;
  std::string username;
  std::int64_t ctime_ms = 0;
  std::string client_info;
};

// The users and the ACL log of one server.
class Acl {
 public:
  Acl();

  // The default user's slot, which new connections start with.
  const std::shared_ptr<UserSlot>& default_slot() const { return default_; }
  // Redis's authRequired(): the default user has a password or is off.
  bool auth_required() const { return auth_required_.load(std::memory_order_relaxed); }
  // requirepass: "" makes the default user nopass, else its one password.
  void set_default_password(std::string_view password);

  std::shared_ptr<UserSlot> find(std::string_view name) const;
  // ACLCheckUserCredentials: the slot when `name` exists, is on and
  // `password` matches; nullptr otherwise.
  std::shared_ptr<UserSlot> authenticate(std::string_view name, std::string_view password) const;

  // Applies `rules` to a copy of the user `name` (a new user if there is
  // none) and stores it when all apply: ACL SETUSER, all or nothing.
  struct SetResult {
    RuleError error = RuleError::kNone;
    std::size_t failed = 0;                // index of the refused rule
    std::shared_ptr<UserSlot> existing;    // the user's slot, when it existed
    std::shared_ptr<const User> before;    // ...and its rules before the change
  };
  SetResult set_user(std::string_view name, std::span<const std::string> rules);
  // Removes the users; returns the removed slots (marked deleted).
  std::vector<std::shared_ptr<UserSlot>> delete_users(std::span<const std::string_view> names);
  // Every user, ordered by name.
  std::vector<std::shared_ptr<UserSlot>> users() const;

  // ACL LOAD from `path`: all or nothing. Returns the error text (Redis's)
  // or nullopt; on success `replaced` receives the slots that no longer
  // exist (every user but default: their clients are disconnected).
  std::optional<std::string> load_file(const std::string& path, std::vector<std::shared_ptr<UserSlot>>& replaced);
  // Redis's ACLLoadConfiguredUsers, at startup: creates the users of the
  // config file's `user` lines (name and rules, as check_config_user took
  // them); `default` is reset first. Returns the error Redis logs, or nullopt.
  std::optional<std::string> load_config_users(std::span<const std::vector<std::string>> lines);
  // ACL SAVE to `path` (through a temporary file and rename). False on I/O error (logged).
  bool save_file(const std::string& path) const;

  // The ACL log, newest first.
  void log(LogEntry entry, std::size_t max_len);
  std::vector<LogEntry> log_entries(std::size_t count) const;
  void reset_log();

 private:
  void refresh_auth_required();

  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<UserSlot>, std::less<>> users_;
  std::shared_ptr<UserSlot> default_;
  std::atomic<bool> auth_required_{false};
  mutable std::mutex log_mutex_;
  std::deque<LogEntry> log_;
};

}  // namespace larder::acl
