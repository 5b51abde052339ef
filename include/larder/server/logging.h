#pragma once
// Logging through spdlog, configured like Redis's loglevel/logfile directives.

#include <spdlog/spdlog.h>

#include <string>

#include "larder/config/options.h"

namespace larder::server {

// Redis's level names: debug, verbose, notice, warning.
spdlog::level::level_enum log_level(const std::string& redis_level);
// Installs the default logger: `logfile` or standard error, at `loglevel`.
void setup_logging(const config::Options& options);

}  // namespace larder::server
