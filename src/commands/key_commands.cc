// Generic key family: DEL, EXISTS, KEYS, TTL, PTTL, EXPIRE, PEXPIRE, PERSIST.

#include <string>
#include <strings.h>
#include <vector>

#include "larder/commands/command_table.h"
#include "larder/commands/families.h"
#include "larder/protocol/errors.h"
#include "larder/util/numbers.h"

namespace larder::commands {

namespace {

using storage::kNoExpire;

bool iequals(std::string_view a, const char* lower) {
  return a.size() == std::char_traits<char>::length(lower) &&
         strncasecmp(a.data(), lower, a.size()) == 0;
}

void cmd_del(CommandContext& ctx) {
  storage::Db db = ctx.db();
  std::int64_t deleted = 0;
  for (std::size_t i = 1; i < ctx.args.size(); ++i) deleted += db.erase(ctx.args[i]) ? 1 : 0;
  ctx.reply.integer(deleted);
}

void cmd_exists(CommandContext& ctx) {
  storage::Db db = ctx.db();
  std::int64_t found = 0;
  for (std::size_t i = 1; i < ctx.args.size(); ++i) found += db.find_for_write(ctx.args[i]) ? 1 : 0;
  ctx.reply.integer(found);
}

void cmd_keys(CommandContext& ctx) {
  std::vector<std::string> keys;
  ctx.db().keys(ctx.args[1], keys);
  ctx.reply.array(keys.size());
  for (const std::string& k : keys) ctx.reply.bulk(k);
}

// TTL and PTTL: -2 missing, -1 no expiry, else the remaining time.
void ttl_generic(CommandContext& ctx, bool in_ms) {
  const storage::Entry* e = ctx.db().find_for_write(ctx.args[1]);
  if (e == nullptr) {
    ctx.reply.integer(-2);
    return;
  }
  if (!e->has_expire()) {
    ctx.reply.integer(-1);
    return;
  }
  std::int64_t ttl = e->expire_at() - ctx.now_ms;
  if (ttl < 0) ttl = 0;
  ctx.reply.integer(in_ms ? ttl : (ttl + 500) / 1000);
}

void cmd_ttl(CommandContext& ctx) { ttl_generic(ctx, false); }
void cmd_pttl(CommandContext& ctx) { ttl_generic(ctx, true); }

enum ExpireCondition : unsigned { kNx = 1, kXx = 2, kGt = 4, kLt = 8 };

// EXPIRE / PEXPIRE key time [NX|XX|GT|LT]; a time not in the future deletes.
void expire_generic(CommandContext& ctx, bool in_seconds) {
  unsigned cond = 0;
  for (std::size_t j = 3; j < ctx.args.size(); ++j) {
    std::string_view opt = ctx.args[j];
    if (iequals(opt, "nx")) {
      cond |= kNx;
    } else if (iequals(opt, "xx")) {
      cond |= kXx;
    } else if (iequals(opt, "gt")) {
      cond |= kGt;
    } else if (iequals(opt, "lt")) {
      cond |= kLt;
    } else {
      ctx.reply.error("ERR Unsupported option " + std::string(opt));
      return;
    }
  }
  if ((cond & kNx) && (cond & (kXx | kGt | kLt))) {
    ctx.reply.error(err::kExpireNxConflict);
    return;
  }
  if ((cond & kGt) && (cond & kLt)) {
    ctx.reply.error(err::kExpireGtLtConflict);
    return;
  }

  std::int64_t when = 0;
  if (!util::parse_int64(ctx.args[2], when)) {
    ctx.reply.error(err::kNotInteger);
    return;
  }
  const bool overflows = in_seconds ? (when > INT64_MAX / 1000 || when < INT64_MIN / 1000 ||
                                        when * 1000 > INT64_MAX - ctx.now_ms)
                                     : when > INT64_MAX - ctx.now_ms;
  if (overflows) {
    ctx.reply_invalid_expire();
    return;
  }
  if (in_seconds) when *= 1000;
  when += ctx.now_ms;

  storage::Db db = ctx.db();
  const storage::Entry* e = db.find_for_write(ctx.args[1]);
  if (e == nullptr) {
    ctx.reply.integer(0);
    return;
  }
  const std::int64_t current = e->expire_at();
  const bool refused = ((cond & kNx) && current != kNoExpire) ||
                       ((cond & kXx) && current == kNoExpire) ||
                       ((cond & kGt) && (current == kNoExpire || when <= current)) ||
                       ((cond & kLt) && current != kNoExpire && when >= current);
  if (refused) {
    ctx.reply.integer(0);
    return;
  }
  if (when <= ctx.now_ms) {
    db.erase(ctx.args[1]);
  } else {
    db.set_expire(ctx.args[1], when);
  }
  ctx.reply.integer(1);
}

void cmd_expire(CommandContext& ctx) { expire_generic(ctx, true); }
void cmd_pexpire(CommandContext& ctx) { expire_generic(ctx, false); }

void cmd_persist(CommandContext& ctx) {
  storage::Db db = ctx.db();
  const storage::Entry* e = db.find_for_write(ctx.args[1]);
  if (e == nullptr || !e->has_expire()) {
    ctx.reply.integer(0);
    return;
  }
  db.set_expire(ctx.args[1], kNoExpire);
  ctx.reply.integer(1);
}

}  // namespace

void register_key_commands(CommandTable& table) {
  table.add({"del", -2, kWrite, 1, -1, 1, cmd_del});
  table.add({"exists", -2, kReadOnly | kFast, 1, -1, 1, cmd_exists});
  table.add({"keys", 2, kReadOnly | kAllShards, 0, 0, 0, cmd_keys});
  table.add({"ttl", 2, kReadOnly | kFast, 1, 1, 1, cmd_ttl});
  table.add({"pttl", 2, kReadOnly | kFast, 1, 1, 1, cmd_pttl});
  table.add({"expire", -3, kWrite | kFast, 1, 1, 1, cmd_expire});
  table.add({"pexpire", -3, kWrite | kFast, 1, 1, 1, cmd_pexpire});
  table.add({"persist", 2, kWrite | kFast, 1, 1, 1, cmd_persist});
}

}  // namespace larder::commands
