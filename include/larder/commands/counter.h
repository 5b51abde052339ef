#pragma once
// INCRBY's arithmetic on an integer kept as text, shared by the string
// INCR family and HINCRBY.

#include <cstdint>
#include <optional>
#include <string_view>

#include "larder/commands/command_context.h"

namespace larder::commands {

// `current` + `incr`, a missing value counting as 0. Replies `not_integer`
// when `current` is not an integer (string2ll), or the overflow error, and
// returns nullopt then.
std::optional<std::int64_t> add_or_reply(CommandContext& ctx, std::optional<std::string_view> current,
                                         std::int64_t incr, std::string_view not_integer);

}  // namespace larder::commands
