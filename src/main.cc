// larder-server [config-file] [--directive value ...]
// Settings come from the file, then from flags named like its directives.

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "larder/config/options.h"
#include "larder/server/fd_limit.h"
#include "larder/server/logging.h"
#include "larder/server/ping_check.h"
#include "larder/server/server.h"


int main(int argc, char** argv) {
  using larder::config::ConfigError;
  larder::config::Settings settings;

  CLI::App app{"Larder: an in-memory cache server that speaks the Redis protocol"};
  app.set_version_flag("-v,--version", std::string("larder-server ") + LARDER_VERSION);
  std::string config_file;
  app.add_option("config-file", config_file, "redis.conf-style configuration file")
      ->check(CLI::ExistingFile);
  // One flag per directive; values are validated by the same code as the file.
  std::map<std::string, std::vector<std::string>> flags;
  for (const auto& d : larder::config::Settings::directives()) {
    std::string name(d.name);
    const bool list = d.multi_word;
    app.add_option("--" + name, flags[name], "same as the '" + name + "' directive")
        ->allow_extra_args(list)
        ->expected(list ? 0 : 1, list ? 16 : 1);
  }
  // Health check mode (Docker HEALTHCHECK): PING a running server and exit.
  std::string ping_target;
  app.add_option("--ping", ping_target,
                 "send PING to HOST:PORT and exit 0 on +PONG, 1 otherwise (2 s timeout)");
  CLI11_PARSE(app, argc, argv);
  if (app.count("--ping") > 0) return larder::server::ping_check(ping_target);

  larder::config::Options options;
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
        settings.set(name, values.empty() ? std::vector<std::string>{""} : values);
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

  larder::server::setup_logging(options);
  for (const std::string& name : settings.ignored_in_use()) {
    spdlog::warn("directive '{}' is accepted for compatibility and has no effect in Larder", name);
  }
  if (!larder::server::fit_maxclients_to_fd_limit(settings)) return 1;
  larder::server::Server server(settings, options);
  return server.run();
}
