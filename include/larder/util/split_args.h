#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace larder::util {

// Splits a line into arguments exactly like Redis's sdssplitargs() (inline
// commands, redis.conf lines):
//  - Arguments are separated by whitespace; leading whitespace is anything
//    isspace() accepts, but inside an unquoted argument only ' ', '\t', '\r'
//    and '\n' end it.
//  - "double quotes" understand \xHH (two hex digits) and \n \r \t \b \a;
//    any other escaped byte stands for itself (\" \\ \z -> " \ z).
//  - 'single quotes' understand only \' ; other backslashes are literal.
//  - Quotes may start mid-argument (a"b c" -> `ab c`), but a closing quote
//    must be followed by whitespace or the end of the line.
// Returns nullopt for an unterminated quote or a closing quote followed by
// anything else. Empty or all-whitespace input gives an empty vector. As in
// Redis, which works on C strings, the line ends at its first NUL byte.
std::optional<std::vector<std::string>> split_args(std::string_view line);

}  // namespace larder::util
