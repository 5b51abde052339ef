#pragma once
// CONFIG REWRITE: brings a redis.conf-style file in line with the running
// settings while keeping its comments, blank lines and order.

#include <string>

#include "larder/config/options.h"

namespace larder::config {

// Each directive line takes the current value (a directive given on several
// lines keeps its first line); directives that differ from their default and
// are missing from the file are appended. The file is replaced atomically.
// Throws ConfigError (with the system's reason) when it cannot be written.
void rewrite_config_file(const std::string& path, const Settings& settings);

// Renders a value as one config-line argument that util::split_args reads
// back byte for byte: as it is when plain printable text, otherwise in double
// quotes with \" \\ \n \r \t \a \b and \xHH escapes (like Redis's sdscatrepr),
// so no value can end its line or start another directive.
std::string quote_config_value(const std::string& value);

}  // namespace larder::config
