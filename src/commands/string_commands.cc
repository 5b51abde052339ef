// String family: GET, SET, SETEX, PSETEX, SETNX.

#include <cctype>
#include <string>

#include "larder/commands/command_table.h"
#include "larder/commands/families.h"
#include "larder/protocol/errors.h"
#include "larder/util/numbers.h"

namespace larder::commands {

namespace {

using storage::kNoExpire;

// SET's option flags, as Redis's parseExtendedStringArgumentsOrReply names them.
enum SetFlag : unsigned {
  kNx = 1u << 0,
  kXx = 1u << 1,
  kGet = 1u << 2,
  kKeepTtl = 1u << 3,
  kEx = 1u << 4,
  kPx = 1u << 5,
  kExAt = 1u << 6,
  kPxAt = 1u << 7,
};
constexpr unsigned kAnyExpire = kEx | kPx | kExAt | kPxAt;

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  }
  return true;
}

// Converts SET's expire argument to an absolute unix time in ms; replies the
// error and returns false when it is not a positive integer or overflows.
bool expire_at_or_reply(CommandContext& ctx, std::string_view arg, unsigned flags,
                        std::int64_t& when) {
  std::int64_t v = 0;
  if (!util::parse_int64(arg, v)) {
    ctx.reply.error(err::kNotInteger);
    return false;
  }
  const bool seconds = flags & (kEx | kExAt);
  if (v <= 0 || (seconds && v > INT64_MAX / 1000)) {
    ctx.reply_invalid_expire();
    return false;
  }
  if (seconds) v *= 1000;
  if ((flags & (kEx | kPx)) && __builtin_add_overflow(v, ctx.now_ms, &v)) {
    ctx.reply_invalid_expire();
    return false;
  }
  when = v;
  return true;
}

// The one path behind SET, SETEX, PSETEX and SETNX. `expire_arg` is empty when
// the command sets no expiry. Replies with `ok`/`aborted` semantics of Redis.
enum class SetReply { kOk, kInteger };

void set_generic(CommandContext& ctx, unsigned flags, std::string_view key, std::string_view value,
                 const std::string_view* expire_arg, SetReply style) {
  std::int64_t when = kNoExpire;
  if (expire_arg != nullptr && !expire_at_or_reply(ctx, *expire_arg, flags, when)) return;

  storage::Db db = ctx.db();
  const storage::Entry* current = db.find_for_write(key);
  if (flags & kGet) {
    if (current != nullptr) {
      ctx.reply.bulk(current->value());
    } else {
      ctx.reply.null();
    }
  }
  if (((flags & kNx) && current != nullptr) || ((flags & kXx) && current == nullptr)) {
    if (style == SetReply::kInteger) {
      ctx.reply.integer(0);
    } else if (!(flags & kGet)) {
      ctx.reply.null();
    }
    return;
  }
  db.set(key, value, when, (flags & kKeepTtl) != 0);
  if (style == SetReply::kInteger) {
    ctx.reply.integer(1);
  } else if (!(flags & kGet)) {
    ctx.reply.ok();
  }
}

void cmd_get(CommandContext& ctx) {
  const storage::Entry* e = ctx.db().find_for_read(ctx.args[1]);
  if (e == nullptr) {
    ctx.reply.null();
  } else {
    ctx.reply.bulk(e->value());
  }
}

// SET key value [NX|XX] [GET] [EX s|PX ms|EXAT s|PXAT ms|KEEPTTL]
void cmd_set(CommandContext& ctx) {
  unsigned flags = 0;
  const std::string_view* expire_arg = nullptr;
  const std::size_t argc = ctx.args.size();
  for (std::size_t j = 3; j < argc; ++j) {
    std::string_view opt = ctx.args[j];
    const bool has_next = j + 1 < argc;
    // An option is refused when a conflicting one was already given.
    auto expire_option = [&](unsigned flag) {
      if ((flags & (kAnyExpire & ~flag)) || (flags & kKeepTtl) || !has_next) return false;
      flags |= flag;
      expire_arg = &ctx.args[++j];
      return true;
    };
    bool accepted;
    if (iequals(opt, "nx")) {
      accepted = !(flags & kXx);
      flags |= kNx;
    } else if (iequals(opt, "xx")) {
      accepted = !(flags & kNx);
      flags |= kXx;
    } else if (iequals(opt, "get")) {
      accepted = true;
      flags |= kGet;
    } else if (iequals(opt, "keepttl")) {
      accepted = !(flags & kAnyExpire);
      flags |= kKeepTtl;
    } else if (iequals(opt, "ex")) {
      accepted = expire_option(kEx);
    } else if (iequals(opt, "px")) {
      accepted = expire_option(kPx);
    } else if (iequals(opt, "exat")) {
      accepted = expire_option(kExAt);
    } else if (iequals(opt, "pxat")) {
      accepted = expire_option(kPxAt);
    } else {
      accepted = false;
    }
    if (!accepted) {
      ctx.reply.error(err::kSyntax);
      return;
    }
  }
  set_generic(ctx, flags, ctx.args[1], ctx.args[2], expire_arg, SetReply::kOk);
}

void cmd_setex(CommandContext& ctx) {
  set_generic(ctx, kEx, ctx.args[1], ctx.args[3], &ctx.args[2], SetReply::kOk);
}

void cmd_psetex(CommandContext& ctx) {
  set_generic(ctx, kPx, ctx.args[1], ctx.args[3], &ctx.args[2], SetReply::kOk);
}

void cmd_setnx(CommandContext& ctx) {
  set_generic(ctx, kNx, ctx.args[1], ctx.args[2], nullptr, SetReply::kInteger);
}

}  // namespace

void register_string_commands(CommandTable& table) {
  table.add({"get", 2, kReadOnly | kFast, 1, 1, 1, cmd_get});
  table.add({"set", -3, kWrite, 1, 1, 1, cmd_set});
  table.add({"setex", 4, kWrite, 1, 1, 1, cmd_setex});
  table.add({"psetex", 4, kWrite, 1, 1, 1, cmd_psetex});
  table.add({"setnx", 3, kWrite | kFast, 1, 1, 1, cmd_setnx});
}

}  // namespace larder::commands
