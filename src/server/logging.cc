#include "larder/server/logging.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>

namespace larder::server {

spdlog::level::level_enum log_level(const std::string& redis_level) {
  if (redis_level == "debug" || redis_level == "verbose") return spdlog::level::debug;
  if (redis_level == "notice") return spdlog::level::info;
  return spdlog::level::warn;  // warning
}

void setup_logging(const config::Options& options) {
  std::shared_ptr<spdlog::logger> logger;
  if (options.logfile.empty()) {
    logger = spdlog::stderr_color_mt("larder");
  } else {
    logger = spdlog::basic_logger_mt("larder", options.logfile);
  }
  logger->set_pattern("%P:%t %d %b %Y %H:%M:%S.%e %^%l%$ %v");
  logger->set_level(log_level(options.loglevel));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

}  // namespace larder::server
