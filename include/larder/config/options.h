#pragma once
// Configuration, named like redis.conf directives.
//
// Settings holds every directive's value as canonical text, validated on the
// way in. It is filled from an optional redis.conf-style file, then from
// command-line flags of the same names (`--port 7000`), the way redis-server
// treats its arguments; at runtime CONFIG SET changes the mutable ones through
// LiveConfig. Options is the typed view of what only matters at startup.

#include <array>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace larder::config {

// A bad setting; what() names the directive (and the file line, if any).
// directive() and reason() give the parts CONFIG SET reports separately.
class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(const std::string& what) : std::runtime_error(what) {}
  ConfigError(std::string directive, std::string reason)
      : std::runtime_error("'" + directive + "': " + reason),
        directive_(std::move(directive)),
        reason_(std::move(reason)) {}
  const std::string& directive() const { return directive_; }
  const std::string& reason() const { return reason_; }

 private:
  std::string directive_;
  std::string reason_;
};

struct Directive {
  std::string_view name;
  std::string_view default_value;
  bool mutable_at_runtime;
  // Accepted for redis.conf compatibility but without effect (Larder keeps
  // nothing on disk, for instance); setting one logs a warning at startup.
  bool ignored;
  // Takes several words (bind, save). Their canonical text is the words
  // joined by single spaces.
  bool multi_word = false;
  // Settable at runtime only where enable-protected-configs allows it.
  bool protected_config = false;
};

class Settings {
 public:
  Settings();

  // Validates and stores; throws ConfigError naming the directive. With
  // `at_runtime` (CONFIG SET, one argument), directives that can only be set
  // at startup are refused. A multi-word directive's words are, as in Redis:
  // at runtime, its argument cut at each space; otherwise the arguments, or
  // when there is a single non-empty one, it split like a config line.
  void set(std::string_view name, const std::vector<std::string>& args, bool at_runtime = false);
  std::string get(std::string_view name) const;  // "" for an unknown name
  // Directives whose name matches the glob (case-insensitive), name order.
  std::vector<std::pair<std::string, std::string>> matching(std::string_view pattern) const;
  // Ignored directives given a value other than their default.
  std::vector<std::string> ignored_in_use() const;
  // notify-keyspace-events as set: its text hides 'n' next to 'A' (Redis's
  // CONFIG GET), the flags keep it.
  int keyspace_events() const { return keyspace_events_; }
  // The `user <name> <rules...>` lines (users declared in the config file, as
  // Redis has them), each the name and rules as given, in order. Not a
  // directive: CONFIG GET and SET do not know it. set("user", ...) at startup
  // checks one (acl::check_config_user) and appends it.
  const std::vector<std::vector<std::string>>& users() const { return users_; }

  static const std::vector<Directive>& directives();
  // Redis's older names of directives (slaveof, hash-max-ziplist-entries,
  // ...), each read and written as the directive it names.
  static std::vector<std::string_view> alias_names();
  static const Directive* find(std::string_view name);

 private:
  std::map<std::string, std::string, std::less<>> values_;
  int keyspace_events_ = 0;
  bool save_loaded_ = false;  // a `save` line was read (it replaced the default)
  std::vector<std::vector<std::string>> users_;
};

// Parses redis.conf-style text: `directive arg...` lines, `#` comments,
// quoted arguments. Errors name the source and line.
void apply_config_text(Settings& settings, const std::string& text, const std::string& source);

// Typed values that are fixed once the server starts.
struct Options {
  std::vector<std::string> bind;
  int port = 0;      // 0: no plain TCP listener
  int tls_port = 0;  // 0: no TLS listener
  int threads = 1;
  int databases = 16;
  std::string loglevel;
  std::string logfile;
  std::string config_file;  // the file the settings came from, if any

  static Options from(const Settings& settings);
};

// Parsers shared with LiveConfig.
std::int64_t integer_value(const std::string& canonical);
std::vector<std::string> list_value(const std::string& canonical);

// client-output-buffer-limit of one client class; 0 turns a limit off.
struct OutputBufferLimit {
  std::uint64_t hard = 0;
  std::uint64_t soft = 0;
  std::int64_t soft_seconds = 0;
};
enum class ClientClass { kNormal = 0, kReplica = 1, kPubSub = 2 };
// The canonical "normal h s t slave h s t pubsub h s t", indexed by ClientClass.
std::array<OutputBufferLimit, 3> parse_output_buffer_limits(const std::string& canonical);

}  // namespace larder::config
