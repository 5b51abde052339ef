// Blocking pops: BLPOP, BRPOP, BLMPOP, BLMOVE, BRPOPLPUSH, BZPOPMIN,
// BZPOPMAX, BZMPOP. Each serves at once when one of its keys holds
// something, as its non-blocking form would; otherwise it blocks the client
// (CommandContext::block) with a BlockedCommand that serves it from the
// first key made ready. Inside EXEC (may_block false) an empty wait acts as
// a timeout at once, as Redis's CLIENT_DENY_BLOCKING.

#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "larder/commands/blocking.h"
#include "larder/commands/command_table.h"
#include "larder/commands/families.h"
#include "larder/commands/list_ops.h"
#include "larder/commands/zset_ops.h"
#include "larder/protocol/errors.h"
#include "larder/util/numbers.h"
#include "larder/util/siphash.h"
#include "larder/util/strings.h"

namespace larder::commands {

namespace {

using storage::Db;
using storage::ValueType;

// The command's keys without repeats, in order: a waiter is queued once per key.
std::vector<std::string> distinct_keys(std::span<const std::string_view> keys) {
  std::vector<std::string> out;
  std::unordered_set<std::string_view, util::KeyedHash> seen;
  for (std::string_view k : keys) {
    if (seen.insert(k).second) out.emplace_back(k);
  }
  return out;
}

// Blocks the client on `keys`, or answers as a timeout when it may not block.
void block_or_time_out(CommandContext& ctx, std::span<const std::string_view> keys, std::int64_t timeout_at,
                       std::unique_ptr<BlockedCommand> command) {
  if (!ctx.may_block) {
    command->timeout_reply(ctx.reply);
    return;
  }
  ctx.block(distinct_keys(keys), timeout_at, std::move(command));
}

// Parses `numkeys key [key ...] <where> [COUNT count]` from args[first] on, as
// Redis's lmpop/zmpop: numkeys, then where, then COUNT; false after replying.
bool parse_mpop(CommandContext& ctx, std::size_t first, std::string_view left, std::string_view right,
                std::size_t& numkeys, bool& from_left, std::size_t& count) {
  std::int64_t n = 0;
  if (!util::parse_int64(ctx.args[first], n) || n < 1) {
    ctx.reply.error(err::kNumkeysNotPositive);
    return false;
  }
  const std::size_t where = first + 1 + static_cast<std::size_t>(n);
  if (static_cast<std::uint64_t>(n) >= ctx.args.size() || where >= ctx.args.size()) {
    ctx.reply.error(err::kSyntax);
    return false;
  }
  if (util::iequals(util::c_string(ctx.args[where]), left)) {
    from_left = true;
  } else if (util::iequals(util::c_string(ctx.args[where]), right)) {
    from_left = false;
  } else {
    ctx.reply.error(err::kSyntax);
    return false;
  }
  std::int64_t c = -1;
  for (std::size_t j = where + 1; j < ctx.args.size(); ++j) {
    if (c == -1 && util::iequals(util::c_string(ctx.args[j]), "count") && j + 1 < ctx.args.size()) {
      ++j;
      if (!util::parse_int64(ctx.args[j], c) || c < 1) {
        ctx.reply.error(err::kCountNotPositive);
        return false;
      }
    } else {
      ctx.reply.error(err::kSyntax);
      return false;
    }
  }
  numkeys = static_cast<std::size_t>(n);
  count = c == -1 ? 1 : static_cast<std::size_t>(c);
  return true;
}

// ---------------------------------------------------------------------------
// BLPOP, BRPOP, BLMPOP, BLMOVE, BRPOPLPUSH
// ---------------------------------------------------------------------------

using storage::list::End;

class BlockedListPop final : public BlockedCommand {
 public:
  BlockedListPop(End end, std::size_t count, list_ops::PopReply shape, KeyspaceEvents& events)
      : end_(end), count_(count), shape_(shape), events_(events) {}

  bool serve(Db& db, std::string_view key, const config::LiveConfig&, protocol::ReplyBuilder& reply) override {
    return list_ops::pop(db, key, end_, count_, shape_, reply, events_) == list_ops::Result::kServed;
  }
  void timeout_reply(protocol::ReplyBuilder& reply) const override { reply.null_array(); }

 private:
  End end_;
  std::size_t count_;
  list_ops::PopReply shape_;
  KeyspaceEvents& events_;
};

// Serves from the first of `keys` holding a non-empty list, else blocks. As
// Redis's blockingPopGenericCommand.
void blpop_generic(CommandContext& ctx, std::span<const std::string_view> keys, End end, std::size_t count,
                   list_ops::PopReply shape, std::int64_t timeout_at) {
  Db db = ctx.db();
  for (std::string_view key : keys) {
    switch (list_ops::pop(db, key, end, count, shape, ctx.reply, ctx.server.events)) {
      case list_ops::Result::kServed: return;
      case list_ops::Result::kWrongType: ctx.reply.error(err::kWrongType); return;
      case list_ops::Result::kEmpty: break;
    }
  }
  block_or_time_out(ctx, keys, timeout_at, std::make_unique<BlockedListPop>(end, count, shape, ctx.server.events));
}

// BLPOP key [key ...] timeout
void blpop_leftright(CommandContext& ctx, End end) {
  const std::int64_t timeout_at = parse_block_timeout(ctx.args.back(), ctx.now_ms, ctx.reply);
  if (timeout_at < 0) return;
  blpop_generic(ctx, ctx.args.subspan(1, ctx.args.size() - 2), end, 1, list_ops::PopReply::kKeyElement,
                timeout_at);
}

void cmd_blpop(CommandContext& ctx) { blpop_leftright(ctx, End::kHead); }
void cmd_brpop(CommandContext& ctx) { blpop_leftright(ctx, End::kTail); }

// BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]
void cmd_blmpop(CommandContext& ctx) {
  std::size_t numkeys = 0, count = 0;
  bool left = true;
  if (!parse_mpop(ctx, 2, "left", "right", numkeys, left, count)) return;
  const std::int64_t timeout_at = parse_block_timeout(ctx.args[1], ctx.now_ms, ctx.reply);
  if (timeout_at < 0) return;
  blpop_generic(ctx, ctx.args.subspan(3, numkeys), left ? End::kHead : End::kTail, count,
                list_ops::PopReply::kKeyArray, timeout_at);
}

class BlockedListMove final : public BlockedCommand {
 public:
  BlockedListMove(std::string_view dst, End from, End to, KeyspaceEvents& events)
      : dst_(dst), from_(from), to_(to), events_(events) {}

  void add_locks(std::string_view key, storage::ShardLocks& locks) const override {
    locks.add(key);
    locks.add(dst_);
  }
  // A destination of another type answers WRONGTYPE and moves nothing, as
  // Redis's serveClientBlockedOnList.
  bool serve(Db& db, std::string_view key, const config::LiveConfig& config, protocol::ReplyBuilder& reply) override {
    if (const Db::Read src = db.read_for_write(key, ValueType::kList); src.entry == nullptr) return false;
    if (list_ops::move(db, key, dst_, from_, to_, list_ops::limits(config), reply, events_) ==
        list_ops::Result::kWrongType) {
      reply.error(err::kWrongType);
    }
    return true;
  }
  // A null array, as Redis's replyToBlockedClientTimedOut for any list wait.
  void timeout_reply(protocol::ReplyBuilder& reply) const override { reply.null_array(); }

 private:
  std::string dst_;
  End from_, to_;
  KeyspaceEvents& events_;
};

// BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout, as Redis's
// blmoveGenericCommand: a source that exists is LMOVE at once.
void blmove_generic(CommandContext& ctx, End from, End to, std::string_view timeout_arg) {
  const std::int64_t timeout_at = parse_block_timeout(timeout_arg, ctx.now_ms, ctx.reply);
  if (timeout_at < 0) return;
  Db db = ctx.db();
  const Db::Read src = db.read_for_write(ctx.args[1], ValueType::kList);
  if (src.wrong_type) {
    ctx.reply.error(err::kWrongType);
    return;
  }
  if (src.entry != nullptr) {
    if (list_ops::move(db, ctx.args[1], ctx.args[2], from, to, list_ops::limits(ctx.config), ctx.reply,
                       ctx.server.events) ==
        list_ops::Result::kWrongType) {
      ctx.reply.error(err::kWrongType);
    }
    return;
  }
  if (!ctx.may_block) {
    ctx.reply.null();  // inside EXEC: a null bulk, unlike a real timeout
    return;
  }
  ctx.block({std::string(ctx.args[1])}, timeout_at, std::make_unique<BlockedListMove>(ctx.args[2], from, to, ctx.server.events));
}

bool parse_end_or_reply(CommandContext& ctx, std::string_view arg, End& end) {
  if (util::iequals(util::c_string(arg), "left")) {
    end = End::kHead;
  } else if (util::iequals(util::c_string(arg), "right")) {
    end = End::kTail;
  } else {
    ctx.reply.error(err::kSyntax);
    return false;
  }
  return true;
}

void cmd_blmove(CommandContext& ctx) {
  End from = End::kHead, to = End::kHead;
  if (!parse_end_or_reply(ctx, ctx.args[3], from) || !parse_end_or_reply(ctx, ctx.args[4], to)) return;
  blmove_generic(ctx, from, to, ctx.args[5]);
}

void cmd_brpoplpush(CommandContext& ctx) { blmove_generic(ctx, End::kTail, End::kHead, ctx.args[3]); }

// ---------------------------------------------------------------------------
// BZPOPMIN, BZPOPMAX, BZMPOP
// ---------------------------------------------------------------------------

// Writes BZPOPMIN's [key, member, score] for one element popped from the live
// sorted set at `key`.
void reply_bzpop(Db& db, std::string_view key, zset_ops::End end, protocol::ReplyBuilder& reply,
                 KeyspaceEvents& events) {
  const std::optional<zset_ops::Popped> p = zset_ops::pop_one(db, key, end, events);
  reply.array(3);
  reply.bulk(key);
  reply.bulk(p->member);
  reply.real(p->score);
}

class BlockedZpop final : public BlockedCommand {
 public:
  BlockedZpop(zset_ops::End end, std::size_t count, bool multi, KeyspaceEvents& events)
      : end_(end), count_(count), multi_(multi), events_(events) {}

  bool serve(Db& db, std::string_view key, const config::LiveConfig&, protocol::ReplyBuilder& reply) override {
    const Db::Read r = db.read_for_write(key, ValueType::kZset);
    if (r.entry == nullptr) return false;
    if (multi_) {
      zset_ops::pop_reply_zmpop(db, key, end_, count_, reply, events_);
    } else {
      reply_bzpop(db, key, end_, reply, events_);
    }
    return true;
  }
  void timeout_reply(protocol::ReplyBuilder& reply) const override { reply.null_array(); }

 private:
  zset_ops::End end_;
  std::size_t count_;
  bool multi_;  // BZMPOP's reply shape
  KeyspaceEvents& events_;
};

// Serves from the first of `keys` holding a sorted set, else blocks; false
// after a WRONGTYPE reply. As Redis's blockingGenericZpopCommand.
void bzpop_generic(CommandContext& ctx, std::span<const std::string_view> keys, zset_ops::End end,
                   std::size_t count, bool multi, std::int64_t timeout_at) {
  Db db = ctx.db();
  for (std::string_view key : keys) {
    const Db::Read r = db.read_for_write(key, ValueType::kZset);
    if (r.wrong_type) {
      ctx.reply.error(err::kWrongType);
      return;
    }
    if (r.entry == nullptr) continue;
    if (multi) {
      zset_ops::pop_reply_zmpop(db, key, end, count, ctx.reply, ctx.server.events);
    } else {
      reply_bzpop(db, key, end, ctx.reply, ctx.server.events);
    }
    return;
  }
  block_or_time_out(ctx, keys, timeout_at, std::make_unique<BlockedZpop>(end, count, multi, ctx.server.events));
}

// BZPOPMIN key [key ...] timeout
void bzpop_minmax(CommandContext& ctx, zset_ops::End end) {
  const std::int64_t timeout_at = parse_block_timeout(ctx.args.back(), ctx.now_ms, ctx.reply);
  if (timeout_at < 0) return;
  bzpop_generic(ctx, ctx.args.subspan(1, ctx.args.size() - 2), end, 1, false, timeout_at);
}

void cmd_bzpopmin(CommandContext& ctx) { bzpop_minmax(ctx, zset_ops::End::kMin); }
void cmd_bzpopmax(CommandContext& ctx) { bzpop_minmax(ctx, zset_ops::End::kMax); }

// BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]
void cmd_bzmpop(CommandContext& ctx) {
  std::size_t numkeys = 0, count = 0;
  bool min = true;
  if (!parse_mpop(ctx, 2, "min", "max", numkeys, min, count)) return;
  const std::int64_t timeout_at = parse_block_timeout(ctx.args[1], ctx.now_ms, ctx.reply);
  if (timeout_at < 0) return;
  bzpop_generic(ctx, ctx.args.subspan(3, numkeys), min ? zset_ops::End::kMin : zset_ops::End::kMax, count, true,
                timeout_at);
}

}  // namespace

void register_blocking_commands(CommandTable& table) {
  table.add("blpop", cmd_blpop);
  table.add("brpop", cmd_brpop);
  table.add("blmpop", cmd_blmpop);
  table.add("blmove", cmd_blmove);
  table.add("brpoplpush", cmd_brpoplpush);
  table.add("bzpopmin", cmd_bzpopmin);
  table.add("bzpopmax", cmd_bzpopmax);
  table.add("bzmpop", cmd_bzmpop);
}

}  // namespace larder::commands
