#include "larder/commands/scan_options.h"

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "larder/protocol/errors.h"
#include "larder/util/numbers.h"
#include "larder/util/strings.h"

namespace larder::commands {

namespace {

// Redis parseScanCursorOrReply(): strtoul() over the whole argument (so "",
// "+5" and "-1" are accepted), no leading space, no overflow.
bool read_cursor(std::string_view arg, std::uint64_t& cursor) {
  const std::string text(arg);  // NUL-terminated; an inner NUL ends it, as in Redis
  if (!text.empty() && std::isspace(static_cast<unsigned char>(text[0]))) return false;
  errno = 0;
  char* end = nullptr;
  const unsigned long long v = std::strtoull(text.c_str(), &end, 10);
  if (*end != '\0' || errno == ERANGE) return false;
  cursor = v;
  return true;
}

bool iequals(std::string_view a, std::string_view b) { return util::iequals(util::c_string(a), b); }

}  // namespace

bool parse_scan_cursor(CommandContext& ctx, std::string_view arg, std::uint64_t& cursor) {
  if (read_cursor(arg, cursor)) return true;
  ctx.reply.error(err::kInvalidCursor);
  return false;
}

bool parse_scan_options(CommandContext& ctx, std::size_t first, bool allow_type, ScanOptions& options) {
  for (std::size_t i = first; i < ctx.args.size(); i += 2) {
    const std::size_t left = ctx.args.size() - i;
    if (iequals(ctx.args[i], "count") && left >= 2) {
      std::int64_t count = 0;
      if (!util::parse_int64(ctx.args[i + 1], count)) {
        ctx.reply.error(err::kNotInteger);
        return false;
      }
      if (count < 1) {
        ctx.reply.error(err::kSyntax);
        return false;
      }
      options.count = static_cast<std::uint64_t>(count);
    } else if (iequals(ctx.args[i], "match") && left >= 2) {
      options.pattern = ctx.args[i + 1];
      if (*options.pattern == "*") options.pattern.reset();
    } else if (allow_type && iequals(ctx.args[i], "type") && left >= 2) {
      options.type = ctx.args[i + 1];
    } else {
      ctx.reply.error(err::kSyntax);
      return false;
    }
  }
  return true;
}

void reply_scan(CommandContext& ctx, std::uint64_t cursor, const std::vector<std::string>& elements) {
  char buf[24];
  const int len = std::snprintf(buf, sizeof buf, "%llu", static_cast<unsigned long long>(cursor));
  ctx.reply.array(2);
  ctx.reply.bulk(std::string_view(buf, static_cast<std::size_t>(len)));
  ctx.reply.array(elements.size());
  for (const std::string& e : elements) ctx.reply.bulk(e);
}

}  // namespace larder::commands
