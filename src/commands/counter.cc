#include "larder/commands/counter.h"

#include <cmath>

#include "larder/protocol/errors.h"
#include "larder/util/numbers.h"

namespace larder::commands {

std::optional<std::int64_t> add_or_reply(CommandContext& ctx, std::optional<std::string_view> current,
                                         std::int64_t incr, std::string_view not_integer) {
  std::int64_t value = 0;
  if (current && !util::parse_int64(*current, value)) {
    ctx.reply.error(not_integer);
    return std::nullopt;
  }
  if (util::add_overflows(value, incr)) {
    ctx.reply.error(err::kIncrOverflow);
    return std::nullopt;
  }
  return value + incr;
}

std::optional<std::string> add_float_or_reply(CommandContext& ctx, std::optional<std::string_view> current,
                                              long double incr, std::string_view not_float) {
  long double value = 0;
  if (current && !util::parse_long_double(*current, value)) {
    ctx.reply.error(not_float);
    return std::nullopt;
  }
  value += incr;
  if (std::isnan(value) || std::isinf(value)) {
    ctx.reply.error(err::kNanOrInfinity);
    return std::nullopt;
  }
  return util::format_long_double_human(value);
}

}  // namespace larder::commands
