// List family (non-blocking): LPUSH, RPUSH, LPUSHX, RPUSHX, LPOP, RPOP, LLEN,
// LRANGE, LINDEX, LSET, LINSERT, LREM, LTRIM, LPOS, LMOVE, RPOPLPUSH, LMPOP.
// The encodings are storage::list's business; pops and moves are list_ops,
// which the blocking commands share. Argument checks come in Redis's order.

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "larder/commands/command_table.h"
#include "larder/commands/families.h"
#include "larder/commands/list_ops.h"
#include "larder/protocol/errors.h"
#include "larder/storage/list_value.h"
#include "larder/util/numbers.h"
#include "larder/util/strings.h"

namespace larder::commands {

namespace list_ops {

using storage::Db;
using storage::ValueType;
namespace list = storage::list;

storage::list::Limits limits(const config::LiveConfig& config) { return {config.list_max_listpack_size()}; }

std::string_view pop_event(list::End end) { return end == list::End::kHead ? "lpop" : "rpop"; }
std::string_view push_event(list::End end) { return end == list::End::kHead ? "lpush" : "rpush"; }

Result pop(Db& db, std::string_view key, list::End end, std::size_t count, PopReply shape,
           protocol::ReplyBuilder& reply, KeyspaceEvents& events) {
  Db::Writer w = db.write(key, ValueType::kList);
  if (w.wrong_type()) return Result::kWrongType;
  if (!w) return Result::kEmpty;
  const std::size_t len = list::size(w.entry());
  const std::size_t n = std::min(count, len);
  if (shape == PopReply::kKeyElement || shape == PopReply::kKeyArray) {
    reply.array(2);
    reply.bulk(key);
  }
  if (shape == PopReply::kArray || shape == PopReply::kKeyArray) reply.array(n);
  const bool head = end == list::End::kHead;
  std::size_t left = n;
  list::walk(w.entry(), head ? 0 : len - 1, head, [&](std::string_view item) {
    reply.bulk(item);
    return --left > 0;
  });
  list::erase(w, head ? 0 : len - n, n);
  events.notify(config::kNotifyList, pop_event(end), key, db.index());
  return Result::kServed;  // an emptied list goes with the writer (del)
}

Result move(Db& db, std::string_view src, std::string_view dst, list::End from, list::End to,
            const list::Limits& limits, protocol::ReplyBuilder& reply, KeyspaceEvents& events) {
  // Redis's order: the push to dst (after "new"), the pop from src, then
  // "del" when the source is left empty (the source writer ends last).
  Db::Writer w = db.write(src, ValueType::kList);
  if (w.wrong_type()) return Result::kWrongType;
  if (!w) return Result::kEmpty;
  if (db.read_for_write(dst, ValueType::kList).wrong_type) return Result::kWrongType;
  const std::size_t len = list::size(w.entry());
  const std::size_t index = from == list::End::kHead ? 0 : len - 1;
  const std::string value(list::at(w.entry(), index));
  list::erase(w, index, 1);
  if (src == dst) {
    list::push(w, to, value, limits);
  } else {
    Db::Writer d = db.write(dst, ValueType::kList, Db::Create::kYes);
    list::push(d, to, value, limits);
  }
  events.notify(config::kNotifyList, push_event(to), dst, db.index());
  events.notify(config::kNotifyList, pop_event(from), src, db.index());
  reply.bulk(value);
  return Result::kServed;
}

}  // namespace list_ops

namespace {

using storage::Db;
using storage::ValueType;
namespace list = storage::list;
using list::End;

// LEFT / RIGHT (Redis's getListPositionFromObjectOrReply).
bool parse_end_or_reply(CommandContext& ctx, std::string_view arg, End& end) {
  if (util::iequals(arg, "left")) {
    end = End::kHead;
  } else if (util::iequals(arg, "right")) {
    end = End::kTail;
  } else {
    ctx.reply.error(err::kSyntax);
    return false;
  }
  return true;
}

// [LR]PUSH key element... ; with only_existing [LR]PUSHX.
void push_generic(CommandContext& ctx, End end, bool only_existing) {
  Db db = ctx.db();
  Db::Writer w = db.write(ctx.args[1], ValueType::kList, only_existing ? Db::Create::kNo : Db::Create::kYes);
  if (!ctx.writable_or_reply(w)) return;
  if (!w) {
    ctx.reply.integer(0);
    return;
  }
  const list::Limits lim = list_ops::limits(ctx.config);
  for (std::size_t i = 2; i < ctx.args.size(); ++i) list::push(w, end, ctx.args[i], lim);
  ctx.notify(config::kNotifyList, list_ops::push_event(end), ctx.args[1]);
  ctx.reply.integer(static_cast<std::int64_t>(list::size(w.entry())));
}

void cmd_lpush(CommandContext& ctx) { push_generic(ctx, End::kHead, false); }
void cmd_rpush(CommandContext& ctx) { push_generic(ctx, End::kTail, false); }
void cmd_lpushx(CommandContext& ctx) { push_generic(ctx, End::kHead, true); }
void cmd_rpushx(CommandContext& ctx) { push_generic(ctx, End::kTail, true); }

// [LR]POP key [count]
void pop_generic(CommandContext& ctx, End end) {
  if (ctx.args.size() > 3) {
    ctx.reply_arity_error();
    return;
  }
  const bool has_count = ctx.args.size() == 3;
  std::int64_t count = 1;
  if (has_count) {
    if (!util::parse_int64(ctx.args[2], count) || count < 0) {
      ctx.reply.error(err::kMustBePositive);
      return;
    }
  }
  Db db = ctx.db();
  if (has_count && count == 0) {
    const Db::Read r = db.read_for_write(ctx.args[1], ValueType::kList);
    if (r.wrong_type) {
      ctx.reply.error(err::kWrongType);
    } else if (r.entry == nullptr) {
      ctx.reply.null_array();
    } else {
      ctx.reply.array(0);
    }
    return;
  }
  const auto shape = has_count ? list_ops::PopReply::kArray : list_ops::PopReply::kElement;
  switch (list_ops::pop(db, ctx.args[1], end, static_cast<std::size_t>(count), shape, ctx.reply, ctx.server.events)) {
    case list_ops::Result::kServed: return;
    case list_ops::Result::kWrongType: ctx.reply.error(err::kWrongType); return;
    case list_ops::Result::kEmpty:
      if (has_count) {
        ctx.reply.null_array();
      } else {
        ctx.reply.null();
      }
      return;
  }
}

void cmd_lpop(CommandContext& ctx) { pop_generic(ctx, End::kHead); }
void cmd_rpop(CommandContext& ctx) { pop_generic(ctx, End::kTail); }

void cmd_llen(CommandContext& ctx) {
  Db db = ctx.db();
  const storage::Entry* e = nullptr;
  if (!ctx.read_or_reply(db, ctx.args[1], ValueType::kList, e)) return;
  ctx.reply.integer(e != nullptr ? static_cast<std::int64_t>(list::size(*e)) : 0);
}

void cmd_lrange(CommandContext& ctx) {
  std::int64_t start = 0;
  std::int64_t end = 0;
  if (!ctx.parse_int64_or_reply(ctx.args[2], start) || !ctx.parse_int64_or_reply(ctx.args[3], end)) return;
  Db db = ctx.db();
  const storage::Entry* e = nullptr;
  if (!ctx.read_or_reply(db, ctx.args[1], ValueType::kList, e)) return;
  if (e == nullptr) {
    ctx.reply.array(0);
    return;
  }
  const auto len = static_cast<std::int64_t>(list::size(*e));
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (start > end || start >= len) {
    ctx.reply.array(0);
    return;
  }
  if (end >= len) end = len - 1;
  auto left = static_cast<std::size_t>(end - start + 1);
  ctx.reply.array(left);
  list::walk(*e, static_cast<std::size_t>(start), true, [&](std::string_view item) {
    ctx.reply.bulk(item);
    return --left > 0;
  });
}

void cmd_lindex(CommandContext& ctx) {
  Db db = ctx.db();
  const storage::Entry* e = nullptr;
  if (!ctx.read_or_reply(db, ctx.args[1], ValueType::kList, e)) return;
  if (e == nullptr) {
    ctx.reply.null();
    return;
  }
  std::int64_t index = 0;
  if (!ctx.parse_int64_or_reply(ctx.args[2], index)) return;
  const auto len = static_cast<std::int64_t>(list::size(*e));
  if (index < 0) index += len;
  if (index < 0 || index >= len) {
    ctx.reply.null();
    return;
  }
  ctx.reply.bulk(list::at(*e, static_cast<std::size_t>(index)));
}

void cmd_lset(CommandContext& ctx) {
  Db db = ctx.db();
  Db::Writer w = db.write(ctx.args[1], ValueType::kList);
  if (!ctx.writable_or_reply(w)) return;
  if (!w) {
    ctx.reply.error(err::kNoSuchKey);
    return;
  }
  std::int64_t index = 0;
  if (!ctx.parse_int64_or_reply(ctx.args[2], index)) return;
  const auto len = static_cast<std::int64_t>(list::size(w.entry()));
  if (index < 0) index += len;
  if (index < 0 || index >= len) {
    ctx.reply.error(err::kIndexOutOfRange);
    return;
  }
  list::set(w, static_cast<std::size_t>(index), ctx.args[3], list_ops::limits(ctx.config));
  ctx.notify(config::kNotifyList, "lset", ctx.args[1]);
  ctx.reply.ok();
}

void cmd_linsert(CommandContext& ctx) {
  bool after = false;
  if (util::iequals(ctx.args[2], "after")) {
    after = true;
  } else if (!util::iequals(ctx.args[2], "before")) {
    ctx.reply.error(err::kSyntax);
    return;
  }
  Db db = ctx.db();
  Db::Writer w = db.write(ctx.args[1], ValueType::kList);
  if (!ctx.writable_or_reply(w)) return;
  if (!w) {
    ctx.reply.integer(0);
    return;
  }
  if (!list::insert(w, ctx.args[3], after, ctx.args[4], list_ops::limits(ctx.config))) {
    ctx.reply.integer(-1);
    return;
  }
  ctx.notify(config::kNotifyList, "linsert", ctx.args[1]);
  ctx.reply.integer(static_cast<std::int64_t>(list::size(w.entry())));
}

void cmd_lrem(CommandContext& ctx) {
  std::int64_t count = 0;
  if (!ctx.parse_int64_or_reply(ctx.args[2], count)) return;
  Db db = ctx.db();
  Db::Writer w = db.write(ctx.args[1], ValueType::kList);
  if (!ctx.writable_or_reply(w)) return;
  if (!w) {
    ctx.reply.integer(0);
    return;
  }
  const std::size_t removed = list::remove(w, count, ctx.args[3]);
  if (removed > 0) ctx.notify(config::kNotifyList, "lrem", ctx.args[1]);
  ctx.reply.integer(static_cast<std::int64_t>(removed));
}

void cmd_ltrim(CommandContext& ctx) {
  std::int64_t start = 0;
  std::int64_t end = 0;
  if (!ctx.parse_int64_or_reply(ctx.args[2], start) || !ctx.parse_int64_or_reply(ctx.args[3], end)) return;
  Db db = ctx.db();
  Db::Writer w = db.write(ctx.args[1], ValueType::kList);
  if (!ctx.writable_or_reply(w)) return;
  if (!w) {
    ctx.reply.ok();
    return;
  }
  const auto len = static_cast<std::int64_t>(list::size(w.entry()));
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  std::int64_t ltrim = len;
  std::int64_t rtrim = 0;
  if (start <= end && start < len) {
    if (end >= len) end = len - 1;
    ltrim = start;
    rtrim = len - end - 1;
  }
  list::erase(w, static_cast<std::size_t>(len - rtrim), static_cast<std::size_t>(rtrim));
  list::erase(w, 0, static_cast<std::size_t>(ltrim));
  w.mark_changed();  // Redis signals the key even when nothing was trimmed
  ctx.notify(config::kNotifyList, "ltrim", ctx.args[1]);
  ctx.reply.ok();
}

// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
void cmd_lpos(CommandContext& ctx) {
  std::int64_t rank = 1;
  std::int64_t count = -1;  // -1: no COUNT
  std::int64_t maxlen = 0;
  for (std::size_t j = 3; j < ctx.args.size(); ++j) {
    const std::string_view opt = ctx.args[j];
    const bool more = j + 1 < ctx.args.size();
    if (more && util::iequals(opt, "rank")) {
      if (!ctx.parse_int64_or_reply(ctx.args[++j], rank)) return;
      if (rank == 0) {
        ctx.reply.error(err::kLposRankZero);
        return;
      }
    } else if (more && util::iequals(opt, "count")) {
      if (!util::parse_int64(ctx.args[++j], count) || count < 0) {
        ctx.reply.error(err::kLposCountNegative);
        return;
      }
    } else if (more && util::iequals(opt, "maxlen")) {
      if (!util::parse_int64(ctx.args[++j], maxlen) || maxlen < 0) {
        ctx.reply.error(err::kLposMaxlenNegative);
        return;
      }
    } else {
      ctx.reply.error(err::kSyntax);
      return;
    }
  }
  Db db = ctx.db();
  const storage::Entry* e = nullptr;
  if (!ctx.read_or_reply(db, ctx.args[1], ValueType::kList, e)) return;
  if (e == nullptr) {
    if (count != -1) {
      ctx.reply.array(0);
    } else {
      ctx.reply.null();
    }
    return;
  }
  const std::string_view element = ctx.args[2];
  const auto len = static_cast<std::int64_t>(list::size(*e));
  const bool forward = rank > 0;
  // Redis negates a negative rank in a long: LONG_MIN stays negative, so that
  // every match counts and COUNT's bound wraps; the unsigned arithmetic below
  // reproduces that.
  const std::int64_t want_rank = forward || rank == INT64_MIN ? rank : -rank;
  std::int64_t index = 0;
  std::int64_t matches = 0;
  std::vector<std::int64_t> found;
  list::walk(*e, forward ? 0 : static_cast<std::size_t>(len - 1), forward, [&](std::string_view item) {
    if (maxlen != 0 && index >= maxlen) return false;
    if (item == element && ++matches >= want_rank) {
      found.push_back(forward ? index : len - index - 1);
      const auto served = static_cast<std::int64_t>(static_cast<std::uint64_t>(matches) -
                                                    static_cast<std::uint64_t>(want_rank) + 1);
      if (count == -1 || (count != 0 && served >= count)) return false;
    }
    ++index;
    return true;
  });
  if (count == -1) {
    if (found.empty()) {
      ctx.reply.null();
    } else {
      ctx.reply.integer(found.front());
    }
    return;
  }
  ctx.reply.array(found.size());
  for (std::int64_t i : found) ctx.reply.integer(i);
}

void reply_move(CommandContext& ctx, End from, End to) {
  Db db = ctx.db();
  switch (list_ops::move(db, ctx.args[1], ctx.args[2], from, to, list_ops::limits(ctx.config), ctx.reply,
                         ctx.server.events)) {
    case list_ops::Result::kServed: return;
    case list_ops::Result::kWrongType: ctx.reply.error(err::kWrongType); return;
    case list_ops::Result::kEmpty: ctx.reply.null(); return;
  }
}

void cmd_lmove(CommandContext& ctx) {
  End from = End::kHead;
  End to = End::kHead;
  if (!parse_end_or_reply(ctx, ctx.args[3], from) || !parse_end_or_reply(ctx, ctx.args[4], to)) return;
  reply_move(ctx, from, to);
}

void cmd_rpoplpush(CommandContext& ctx) { reply_move(ctx, End::kTail, End::kHead); }

// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]
void cmd_lmpop(CommandContext& ctx) {
  std::int64_t numkeys = 0;
  if (!util::parse_int64(ctx.args[1], numkeys) || numkeys < 1) {
    ctx.reply.error(err::kNumkeysNotPositive);
    return;
  }
  const std::size_t argc = ctx.args.size();
  if (static_cast<std::uint64_t>(numkeys) >= argc - 2) {
    ctx.reply.error(err::kSyntax);
    return;
  }
  const std::size_t where_idx = 2 + static_cast<std::size_t>(numkeys);
  End end = End::kHead;
  if (!parse_end_or_reply(ctx, ctx.args[where_idx], end)) return;
  std::int64_t count = -1;
  for (std::size_t j = where_idx + 1; j < argc; ++j) {
    if (count == -1 && j + 1 < argc && util::iequals(ctx.args[j], "count")) {
      if (!util::parse_int64(ctx.args[++j], count) || count < 1) {
        ctx.reply.error(err::kCountNotPositive);
        return;
      }
    } else {
      ctx.reply.error(err::kSyntax);
      return;
    }
  }
  if (count == -1) count = 1;
  Db db = ctx.db();
  for (std::size_t k = 2; k < where_idx; ++k) {
    switch (list_ops::pop(db, ctx.args[k], end, static_cast<std::size_t>(count), list_ops::PopReply::kKeyArray,
                          ctx.reply, ctx.server.events)) {
      case list_ops::Result::kServed: return;
      case list_ops::Result::kWrongType: ctx.reply.error(err::kWrongType); return;
      case list_ops::Result::kEmpty: break;
    }
  }
  ctx.reply.null_array();
}

}  // namespace

void register_list_commands(CommandTable& table) {
  table.add("lpush", cmd_lpush);
  table.add("rpush", cmd_rpush);
  table.add("lpushx", cmd_lpushx);
  table.add("rpushx", cmd_rpushx);
  table.add("lpop", cmd_lpop);
  table.add("rpop", cmd_rpop);
  table.add("llen", cmd_llen);
  table.add("lrange", cmd_lrange);
  table.add("lindex", cmd_lindex);
  table.add("lset", cmd_lset);
  table.add("linsert", cmd_linsert);
  table.add("lrem", cmd_lrem);
  table.add("ltrim", cmd_ltrim);
  table.add("lpos", cmd_lpos);
  table.add("lmove", cmd_lmove);
  table.add("rpoplpush", cmd_rpoplpush);
  table.add("lmpop", cmd_lmpop);
}

}  // namespace larder::commands
