#pragma once
// INCRBY's and INCRBYFLOAT's arithmetic on a number kept as text, shared by
// the string commands and HINCRBY / HINCRBYFLOAT.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "larder/commands/command_context.h"

namespace larder::commands {

// `current` + `incr`, a missing value counting as 0. Replies `not_integer`
// when `current` is not an integer (string2ll), or the overflow error, and
// returns nullopt then.
std::optional<std::int64_t> add_or_reply(CommandContext& ctx, std::optional<std::string_view> current,
                                         std::int64_t incr, std::string_view not_integer);

// `current` + `incr` in long double, as the text INCRBYFLOAT stores and
// replies (util::format_long_double_human), a missing value counting as 0.
// Replies `not_float` when `current` is not a number (string2ld), or the
// NaN/Infinity error, and returns nullopt then.
std::optional<std::string> add_float_or_reply(CommandContext& ctx, std::optional<std::string_view> current,
                                              long double incr, std::string_view not_float);

}  // namespace larder::commands
