#include "larder/server/fd_limit.h"

#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

namespace larder::server {

namespace {

// Redis's adjustOpenFilesLimit: raises RLIMIT_NOFILE towards maxclients +
// kReservedFds, with its log lines; returns the open files limit now.
rlim_t raise_open_files_limit(rlim_t maxclients) {
  const rlim_t needed = maxclients + kReservedFds;
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == -1) {
    spdlog::warn("Unable to obtain the current NOFILE limit ({}), assuming 1024 and setting the max "
                 "clients configuration accordingly.",
                 std::strerror(errno));
    return 1024;
  }
  if (limit.rlim_cur >= needed) return limit.rlim_cur;
  const rlim_t old = limit.rlim_cur;
  // Unprivileged, the soft limit can rise up to the hard one.
  rlimit raised{needed, std::max(limit.rlim_max, needed)};
  if (setrlimit(RLIMIT_NOFILE, &raised) == 0) {
    spdlog::info("Increased maximum number of open files to {} (it was originally set to {}).", needed, old);
    return needed;
  }
  const int error = errno;
  if (limit.rlim_max > old && limit.rlim_max != RLIM_INFINITY) {
    raised = {limit.rlim_max, limit.rlim_max};
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit.rlim_cur = limit.rlim_max;
  }
  spdlog::warn("You requested maxclients of {} requiring at least {} max file descriptors.", maxclients, needed);
  spdlog::warn("Server can't set maximum open files to {} because of OS error: {}.", needed, std::strerror(error));
  return limit.rlim_cur;
}

}  // namespace

bool fit_maxclients_to_fd_limit(config::Settings& settings) {
  const auto maxclients = static_cast<rlim_t>(config::integer_value(settings.get("maxclients")));
  const rlim_t open_files = raise_open_files_limit(maxclients);
  if (open_files >= maxclients + kReservedFds) return true;
  if (open_files <= kReservedFds) {
    spdlog::critical("Your current 'ulimit -n' of {} is not enough for the server to start. Please "
                     "increase your open file limit to at least {}. Exiting.",
                     open_files, maxclients + kReservedFds);
    return false;
  }
  const rlim_t fitted = open_files - kReservedFds;
  settings.set("maxclients", {std::to_string(fitted)});
  spdlog::warn("Current maximum open files is {}. maxclients has been reduced to {} to compensate for "
               "low ulimit. If you need higher maxclients increase 'ulimit -n'.",
               open_files, fitted);
  return true;
}

std::size_t maxclients_that_fit(std::size_t maxclients) {
  const rlim_t open_files = raise_open_files_limit(maxclients);
  if (open_files >= maxclients + kReservedFds) return 0;
  return open_files > kReservedFds ? static_cast<std::size_t>(open_files - kReservedFds) : 1;
}

}  // namespace larder::server
