#pragma once
// CONFIG REWRITE: brings a redis.conf-style file in line with the running
// settings while keeping its comments, blank lines and order.

#include <string>
#include <vector>

#include "larder/config/options.h"

namespace larder::config {

// Each directive line takes the current value (a directive given on several
// lines keeps its first line); directives that differ from their default and
// are missing from the file are appended. The file is replaced atomically.
// `users`: the users to write as `user` lines, each its words (name, then
// rules), in place of the file's own `user` lines (Redis's
// rewriteConfigUserOption: every user when no aclfile is set, none when one is).
// Throws ConfigError (with the system's reason) when it cannot be written.
void rewrite_config_file(const std::string& path, const Settings& settings,
                         const std::vector<std::vector<std::string>>& users);

// Renders a value as one config-line argument that util::split_args reads
// back byte for byte: as it is when plain printable text, otherwise in double
// quotes with \" \\ \n \r \t \a \b and \xHH escapes (like Redis's sdscatrepr),
// so no value can end its line or start another directive.
std::string quote_config_value(const std::string& value);

}  // namespace larder::config
