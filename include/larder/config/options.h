#pragma once
// Server settings, named like redis.conf directives. Loaded from an optional
// redis.conf-style file, then overridden by command-line flags of the same
// names (`--port 7000`), the way redis-server treats its arguments.

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace larder::config {

struct Options {
  std::vector<std::string> bind{"127.0.0.1"};
  int port = 6379;
  int threads = 1;  // event-loop threads; see README "Threads"
  int hz = 10;      // background task frequency (expiry sweeps)
  std::string loglevel = "notice";
  std::string logfile;  // empty: standard error
  std::uint64_t proto_max_bulk_len = 512ull * 1024 * 1024;
  int databases = 16;
  std::string config_file;  // the file the settings came from, if any
};

// A bad setting; what() names the directive (and the file line, if any).
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Applies one directive with its arguments to `options`; throws ConfigError.
void apply_directive(Options& options, const std::string& name, const std::vector<std::string>& args);

// Parses redis.conf-style text: `directive arg...` lines, `#` comments,
// quoted arguments. Errors name the file and line.
void apply_config_text(Options& options, const std::string& text, const std::string& source);

// Names of every supported directive, in documentation order.
const std::vector<std::string>& directive_names();

}  // namespace larder::config
