// larder-server [config-file] [--directive value ...]
// Settings come from the file, then from flags named like its directives.

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <utility>

#include "larder/config/options.h"
#include "larder/server/fd_limit.h"
#include "larder/server/logging.h"
#include "larder/server/ping_check.h"
#include "larder/server/server.h"


namespace {

using larder::config::ConfigError;

// Reads the command line and the config file it names into `options`. The
// parser and its per-directive flags are gone when this returns: they would
// otherwise stay allocated for the life of the server and count in
// used_memory_startup. Returns an exit code when the process is done
// (--help, --version, --ping, a configuration error).
std::optional<int> configure(int argc, char** argv, larder::config::Settings& settings,
                             larder::config::Options& options) {
  CLI::App app{"Larder: an in-memory cache server that speaks the Redis protocol"};
  app.set_version_flag("-v,--version", std::string("larder-server ") + LARDER_VERSION);
  std::string config_file;
  app.add_option("config-file", config_file, "redis.conf-style configuration file")
      ->check(CLI::ExistingFile);
  // One flag per directive; values are validated by the same code as the file.
  std::map<std::string, std::vector<std::string>> flags;
  auto add_flag = [&](const std::string& name, const larder::config::Directive& d) {
    const bool list = d.multi_word;
    app.add_option("--" + name, flags[name], "same as the '" + name + "' directive")
        ->allow_extra_args(list)
        ->expected(list ? 0 : 1, list ? 16 : 1);
  };
  for (const auto& d : larder::config::Settings::directives()) add_flag(std::string(d.name), d);
  for (std::string_view alias : larder::config::Settings::alias_names()) {
    add_flag(std::string(alias), *larder::config::Settings::find(alias));
  }
  // Health check mode (Docker HEALTHCHECK): PING a running server and exit.
  std::string ping_target;
  app.add_option("--ping", ping_target,
                 "send PING to HOST:PORT and exit 0 on +PONG, 1 otherwise (2 s timeout)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (app.count("--ping") > 0) return larder::server::ping_check(ping_target);

  try {
    if (!config_file.empty()) {
      std::ifstream in(config_file);
      std::stringstream text;
      text << in.rdbuf();
      if (!in) throw ConfigError(config_file + ": cannot read the file");
      larder::config::apply_config_text(settings, text.str(), config_file);
    }
    for (const auto& [name, values] : flags) {
      if (app.count("--" + name) == 0) continue;
      try {
        if (name == "save" && values.size() > 1) {
          // Repeated --save flags are lines: an empty one clears, the
          // others add up (the words between are joined).
          std::string words;
          for (const std::string& v : values) {
            if (v.empty()) {
              if (!words.empty()) settings.set(name, {std::exchange(words, {})});
              settings.set(name, {""});
            } else {
              words += (words.empty() ? "" : " ") + v;
            }
          }
          if (!words.empty()) settings.set(name, {words});
        } else {
          settings.set(name, values.empty() ? std::vector<std::string>{""} : values);
        }
      } catch (const ConfigError& e) {
        throw ConfigError(std::string("command line --") + name + ": " + e.what());
      }
    }
    options = larder::config::Options::from(settings);
    options.config_file = config_file;
  } catch (const ConfigError& e) {
    std::cerr << "larder-server: configuration error: " << e.what() << "\n";
    return 1;
  }
  return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
  larder::config::Settings settings;
  larder::config::Options options;
  if (const std::optional<int> done = configure(argc, argv, settings, options)) return *done;

  larder::server::setup_logging(options);
  for (const std::string& name : settings.ignored_in_use()) {
    spdlog::warn("directive '{}' is accepted for compatibility and has no effect in Larder{}", name,
                 name == "io-threads" ? " (its event-loop threads are set by 'threads')" : "");
  }
  if (!larder::server::fit_maxclients_to_fd_limit(settings)) return 1;
  // Told before anything is loaded; `supervised auto` reads back as the mode
  // it found, as in Redis.
  larder::server::Supervision supervision(settings.get("supervised"));
  if (!supervision.mode().empty()) settings.set("supervised", {std::string(supervision.mode())});
  larder::server::Server server(settings, options, std::move(supervision));
  return server.run();
}
