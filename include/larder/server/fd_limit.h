#pragma once
// Fits maxclients to the process's open files limit, as Redis's
// adjustOpenFilesLimit: kReservedFds descriptors are kept for the server's own
// use (listeners, event loops, log file).

#include <cstddef>

#include "larder/config/options.h"

namespace larder::server {

inline constexpr std::size_t kReservedFds = 32;  // Redis's CONFIG_MIN_RESERVED_FDS

// Raises RLIMIT_NOFILE towards maxclients + kReservedFds; if the limit stays
// lower, lowers "maxclients" in `settings` to limit - kReservedFds and logs
// Redis's warnings. Returns false (after logging) when not even one client fits.
bool fit_maxclients_to_fd_limit(config::Settings& settings);
// CONFIG SET maxclients (Redis's updateMaxclients): raises the limit the same
// way; 0 when `maxclients` clients fit, else how many would.
std::size_t maxclients_that_fit(std::size_t maxclients);

}  // namespace larder::server
