// Stream family: XADD, XLEN, XRANGE, XREVRANGE, XDEL, XTRIM, XSETID, XREAD
// (blocking too), the consumer groups (XGROUP, XREADGROUP, XACK, XPENDING,
// XCLAIM, XAUTOCLAIM) and XINFO, as Redis 7.0's t_stream.c: argument checks
// in its order, its error texts and reply shapes. Storage is
// storage::StreamValue. A blocked XREAD / XREADGROUP waits through the
// blocking registry (blocking.h) with a BlockedStreamRead; XADD signals its
// key ready, and deleting or overwriting a stream does too (storage::Db), so
// XREADGROUP waiters learn that their stream or group is gone.

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "larder/commands/blocking.h"
#include "larder/commands/command_table.h"
#include "larder/commands/families.h"
#include "larder/protocol/errors.h"
#include "larder/storage/stream_value.h"
#include "larder/util/numbers.h"
#include "larder/util/strings.h"

namespace larder::commands {

namespace {

using storage::Db;
using storage::Entry;
using storage::StreamId;
using storage::StreamValue;
using storage::ValueType;
using Group = StreamValue::Group;
using Consumer = StreamValue::Consumer;
using Nack = StreamValue::Nack;

constexpr std::string_view kInvalidId = "ERR Invalid stream ID specified as stream command argument";
constexpr std::string_view kAddTooSmall =
    "ERR The ID specified in XADD is equal or smaller than the target stream top item";
constexpr std::string_view kGroupGone = "NOGROUP the consumer group this client was blocked on no longer exists";
constexpr std::string_view kStreamGone = "UNBLOCKED the stream key no longer exists";
// XREAD's COUNT while blocked when none was given (XREAD_BLOCKED_DEFAULT_COUNT).
constexpr std::int64_t kBlockedDefaultCount = 1000;

bool is(std::string_view arg, std::string_view word) { return util::iequals(util::c_string(arg), word); }

// ---------------------------------------------------------------------------
// IDs

// Redis's string2ull: string2ll for non-negative values, else strtoull
// (which takes leading blanks and a sign).
bool string2ull(const char* s, std::uint64_t& out) {
  std::int64_t ll = 0;
  if (util::parse_int64(s, ll)) {
    if (ll < 0) return false;
    out = static_cast<std::uint64_t>(ll);
    return true;
  }
  errno = 0;
  char* end = nullptr;
  out = std::strtoull(s, &end, 10);
  return errno != EINVAL && errno != ERANGE && *s != '\0' && *end == '\0';
}

// Redis's streamGenericParseIDOrReply without the reply: "-", "+" (unless
// strict), "ms" (seq = missing_seq), "ms-seq", and "ms-*" when seq_given is
// asked for (then *seq_given is false).
bool parse_id(std::string_view arg, StreamId& id, bool strict, std::uint64_t missing_seq, bool* seq_given) {
  char buf[128];
  if (arg.size() > sizeof(buf) - 1) return false;
  std::memcpy(buf, arg.data(), arg.size());
  buf[arg.size()] = '\0';
  if (strict && (buf[0] == '-' || buf[0] == '+') && buf[1] == '\0') return false;
  if (seq_given != nullptr) *seq_given = true;
  if (buf[0] == '-' && buf[1] == '\0') {
    id = {};
    return true;
  }
  if (buf[0] == '+' && buf[1] == '\0') {
    id = StreamId::max();
    return true;
  }
  char* dash = std::strchr(buf, '-');
  if (dash != nullptr) *dash = '\0';
  std::uint64_t ms = 0, seq = missing_seq;
  if (!string2ull(buf, ms)) return false;
  if (dash != nullptr) {
    if (seq_given != nullptr && dash[1] == '*' && dash[2] == '\0') {
      seq = 0;
      *seq_given = false;
    } else if (!string2ull(dash + 1, seq)) {
      return false;
    }
  }
  id = {ms, seq};
  return true;
}

bool parse_id_or_reply(CommandContext& ctx, std::string_view arg, StreamId& id, bool strict,
                       std::uint64_t missing_seq = 0, bool* seq_given = nullptr) {
  if (parse_id(arg, id, strict, missing_seq, seq_given)) return true;
  ctx.reply.error(kInvalidId);
  return false;
}

// An XRANGE bound: an ID, or "(" + a strict ID for an exclusive one.
bool parse_interval_or_reply(CommandContext& ctx, std::string_view arg, StreamId& id, bool& exclusive,
                             std::uint64_t missing_seq) {
  exclusive = arg.size() > 1 && arg[0] == '(';
  if (exclusive) return parse_id_or_reply(ctx, arg.substr(1), id, true, missing_seq);
  return parse_id_or_reply(ctx, arg, id, false, missing_seq);
}

// ---------------------------------------------------------------------------
// Replies

void reply_id(protocol::ReplyBuilder& reply, StreamId id) {
  char buf[2 * util::kInt64BufSize + 1];
  const int n = std::snprintf(buf, sizeof(buf), "%llu-%llu", static_cast<unsigned long long>(id.ms),
                              static_cast<unsigned long long>(id.seq));
  reply.bulk(std::string_view(buf, static_cast<std::size_t>(n)));
}

void reply_entry(protocol::ReplyBuilder& reply, const StreamValue::EntryView& e) {
  reply.array(2);
  reply_id(reply, e.id);
  reply.array(e.fv.size());
  for (const std::string& s : e.fv) reply.bulk(s);
}

// Writes `n` entries gathered in `body` as an array.
void reply_array_of(protocol::ReplyBuilder& reply, std::size_t n, const std::string& body) {
  reply.array(n);
  reply.raw(body);
}

// Entries start..end (count 0: all) as an array, as Redis's
// streamReplyWithRange without a group; returns how many.
std::size_t reply_range(protocol::ReplyBuilder& reply, const StreamValue& s, StreamId start, StreamId end,
                        std::size_t count, bool rev) {
  std::string body;
  protocol::ReplyBuilder sub(body);
  sub.set_protocol(reply.protocol());
  std::size_t n = 0;
  s.range(start, end, rev, [&](const StreamValue::EntryView& e) {
    reply_entry(sub, e);
    ++n;
    return count == 0 || n < count;
  });
  reply_array_of(reply, n, body);
  return n;
}

// The one entry `id` as [id, fields], or nothing; true when written.
bool reply_one(protocol::ReplyBuilder& reply, const StreamValue& s, StreamId id) {
  bool found = false;
  s.range(id, id, false, [&](const StreamValue::EntryView& e) {
    reply_entry(reply, e);
    found = true;
    return false;
  });
  return found;
}

// XREADGROUP's delivery of new entries from `start` on, as Redis's
// streamReplyWithRange with a group: moves the group's last ID and read
// counter, and (unless noack) records each entry as pending for `consumer`.
void reply_group_range(protocol::ReplyBuilder& reply, StreamValue& s, StreamId start, std::size_t count, Group& g,
                       Consumer& consumer, bool noack, std::int64_t now) {
  std::string body;
  protocol::ReplyBuilder sub(body);
  sub.set_protocol(reply.protocol());
  std::size_t n = 0;
  s.range(start, StreamId::max(), false, [&](const StreamValue::EntryView& e) {
    if (e.id > g.last_id) {
      if (g.entries_read != StreamValue::kInvalidEntriesRead && !s.has_tombstones_from(e.id)) {
        ++g.entries_read;
      } else if (s.entries_added() != 0) {
        g.entries_read = s.estimate_distance(e.id);
      }
      g.last_id = e.id;
    }
    reply_entry(sub, e);
    if (!noack) {
      auto [it, inserted] = g.pel.try_emplace(e.id, Nack{now, 1, &consumer});
      if (!inserted) {
        it->second.consumer->pel.erase(e.id);
        it->second = Nack{now, 1, &consumer};
      }
      consumer.pel[e.id] = &it->second;
    }
    ++n;
    return count == 0 || n < count;
  });
  reply_array_of(reply, n, body);
}

// XREADGROUP with an ID: the consumer's own pending entries after `start`,
// as Redis's streamReplyWithRangeFromConsumerPEL (a deleted entry is
// [id, null]).
void reply_consumer_history(protocol::ReplyBuilder& reply, const StreamValue& s, StreamId start, std::size_t count,
                            Consumer& consumer, std::int64_t now) {
  std::string body;
  protocol::ReplyBuilder sub(body);
  sub.set_protocol(reply.protocol());
  std::size_t n = 0;
  for (auto it = consumer.pel.lower_bound(start); it != consumer.pel.end() && (count == 0 || n < count); ++it) {
    if (!reply_one(sub, s, it->first)) {
      sub.array(2);
      reply_id(sub, it->first);
      sub.null_array();
    } else {
      it->second->delivery_time = now;
      ++it->second->delivery_count;
    }
    ++n;
  }
  reply_array_of(reply, n, body);
}

// ---------------------------------------------------------------------------
// Lookups

const StreamValue& stream_of(const Entry& e) { return *static_cast<const StreamValue*>(e.object()); }
StreamValue& stream_of(Db::Writer& w) { return static_cast<StreamValue&>(w.object()); }

// Stores an empty stream at `key` when it is missing (XADD, XGROUP CREATE
// MKSTREAM); a key of another type is left alone.
void create_if_missing(Db& db, std::string_view key) {
  const Db::Read r = db.read_for_write(key, ValueType::kStream);
  if (r.entry == nullptr && !r.wrong_type) db.store(key, ValueType::kStream, std::make_unique<StreamValue>());
}

std::string nogroup_error(std::string_view key, std::string_view group) {
  return "NOGROUP No such key '" + std::string(util::c_string(key)) + "' or consumer group '" +
         std::string(util::c_string(group)) + "'";
}

// ---------------------------------------------------------------------------
// XADD, XTRIM

struct TrimArgs {
  enum Strategy { kNone, kMaxlen, kMinid } strategy = kNone;
  bool approx = false;
  std::int64_t maxlen = 0;
  StreamId minid;
  std::int64_t limit = 0;
  bool nomkstream = false;
  bool id_given = false, seq_given = true;
  StreamId id;
};

// Redis's streamParseAddOrTrimArgsOrReply: the position of XADD's ID (or
// where XTRIM's options ended), or 0 after replying.
std::size_t parse_add_or_trim(CommandContext& ctx, TrimArgs& a, bool xadd) {
  const auto& args = ctx.args;
  std::size_t i = 2;
  bool limit_given = false;
  for (; i < args.size(); ++i) {
    const std::size_t more = args.size() - 1 - i;
    const std::string_view opt = args[i];
    if (xadd && util::c_string(opt) == "*") break;
    if ((is(opt, "maxlen") || is(opt, "minid")) && more > 0) {
      if (a.strategy != TrimArgs::kNone) {
        ctx.reply.error("ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
        return 0;
      }
      const bool maxlen = is(opt, "maxlen");
      a.approx = false;
      const std::string_view next = util::c_string(args[i + 1]);
      if (more >= 2 && next == "~") {
        a.approx = true;
        ++i;
      } else if (more >= 2 && next == "=") {
        ++i;
      }
      if (maxlen) {
        if (!ctx.parse_int64_or_reply(args[i + 1], a.maxlen)) return 0;
        if (a.maxlen < 0) {
          ctx.reply.error("ERR The MAXLEN argument must be >= 0.");
          return 0;
        }
      } else if (!parse_id_or_reply(ctx, args[i + 1], a.minid, true)) {
        return 0;
      }
      ++i;
      a.strategy = maxlen ? TrimArgs::kMaxlen : TrimArgs::kMinid;
    } else if (is(opt, "limit") && more > 0) {
      if (!ctx.parse_int64_or_reply(args[i + 1], a.limit)) return 0;
      if (a.limit < 0) {
        ctx.reply.error("ERR The LIMIT argument must be >= 0.");
        return 0;
      }
      limit_given = true;
      ++i;
    } else if (xadd && is(opt, "nomkstream")) {
      a.nomkstream = true;
    } else if (xadd) {
      if (!parse_id_or_reply(ctx, opt, a.id, true, 0, &a.seq_given)) return 0;
      a.id_given = true;
      break;
    } else {
      ctx.reply.error(err::kSyntax);
      return 0;
    }
  }
  // Redis tests LIMIT's value here (LIMIT 0 passes) and its presence below.
  if (a.limit != 0 && a.strategy == TrimArgs::kNone) {
    ctx.reply.error("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy");
    return 0;
  }
  if (!xadd && a.strategy == TrimArgs::kNone) {
    ctx.reply.error("ERR syntax error, XTRIM must be called with a trimming strategy");
    return 0;
  }
  if (limit_given) {
    if (!a.approx) {
      ctx.reply.error("ERR syntax error, LIMIT cannot be used without the special ~ option");
      return 0;
    }
  } else {
    // At most 100 nodes' worth, as Redis: 10000 when stream-node-max-entries
    // is 0, never over a million.
    const std::uint64_t entries = ctx.config.stream_node_max_entries();
    a.limit = !a.approx ? 0 : entries == 0 ? 10000 : entries >= 10000 ? 1000000 : static_cast<std::int64_t>(100 * entries);
  }
  return i;
}

std::uint64_t trim(StreamValue& s, const TrimArgs& a) {
  switch (a.strategy) {
    case TrimArgs::kMaxlen: return s.trim_maxlen(static_cast<std::uint64_t>(a.maxlen), a.approx, a.limit);
    case TrimArgs::kMinid: return s.trim_minid(a.minid, a.approx, a.limit);
    case TrimArgs::kNone: break;
  }
  return 0;
}

// XADD key [NOMKSTREAM] [<MAXLEN | MINID> [= | ~] threshold [LIMIT count]] <* | id> field value [...]
void cmd_xadd(CommandContext& ctx) {
  TrimArgs a;
  const std::size_t idpos = parse_add_or_trim(ctx, a, true);
  if (idpos == 0) return;
  const std::size_t field_pos = idpos + 1;
  if (ctx.args.size() < field_pos + 2 || (ctx.args.size() - field_pos) % 2 == 1) {
    ctx.reply_arity_error();
    return;
  }
  if (a.id_given && a.seq_given && a.id.zero()) {
    ctx.reply.error("ERR The ID specified in XADD must be greater than 0-0");
    return;
  }
  Db db = ctx.db();
  if (!a.nomkstream) create_if_missing(db, ctx.args[1]);
  Db::Writer w = db.write(ctx.args[1], ValueType::kStream);
  if (!ctx.writable_or_reply(w)) return;
  if (!w) {
    ctx.reply.null();
    return;
  }
  w.set_signal(Db::Writer::Signal::kNone);  // until the entry is added
  StreamValue& s = stream_of(w);
  const StreamId last = s.last_id();
  if (last == StreamId::max()) {
    ctx.reply.error("ERR The stream has exhausted the last possible ID, unable to add more items");
    return;
  }
  StreamId id;
  if (!a.id_given) {
    const auto now = static_cast<std::uint64_t>(ctx.now_ms);
    if (now > last.ms) {
      id = {now, 0};
    } else {
      id = last;
      id.increment();
    }
  } else if (a.seq_given) {
    id = a.id;
  } else if (last.ms == a.id.ms) {
    if (last.seq == ~std::uint64_t{0}) {
      ctx.reply.error("ERR Elements are too large to be stored");  // Redis 7.0's errno quirk
      return;
    }
    id = {last.ms, last.seq + 1};
  } else {
    id = a.id;
  }
  if (id <= last) {
    ctx.reply.error(kAddTooSmall);
    return;
  }
  s.append(id, ctx.args.subspan(field_pos), {ctx.config.stream_node_max_bytes(), ctx.config.stream_node_max_entries()});
  w.set_signal(Db::Writer::Signal::kModified);
  reply_id(ctx.reply, id);
  ctx.notify(config::kNotifyStream, "xadd", ctx.args[1]);
  if (trim(s, a) > 0) ctx.notify(config::kNotifyStream, "xtrim", ctx.args[1]);
  ctx.keyspace.ready_keys().signal(db.index(), ctx.args[1]);
}

// XTRIM key <MAXLEN | MINID> [= | ~] threshold [LIMIT count]
void cmd_xtrim(CommandContext& ctx) {
  TrimArgs a;
  if (parse_add_or_trim(ctx, a, false) == 0) return;
  Db db = ctx.db();
  Db::Writer w = db.write(ctx.args[1], ValueType::kStream);
  if (!ctx.writable_or_reply(w)) return;
  if (!w) {
    ctx.reply.integer(0);
    return;
  }
  const std::uint64_t deleted = trim(stream_of(w), a);
  if (deleted == 0) w.set_signal(Db::Writer::Signal::kNone);
  if (deleted > 0) ctx.notify(config::kNotifyStream, "xtrim", ctx.args[1]);
  ctx.reply.integer(static_cast<std::int64_t>(deleted));
}

// ---------------------------------------------------------------------------
// XLEN, XRANGE, XREVRANGE, XDEL, XSETID

void cmd_xlen(CommandContext& ctx) {
  Db db = ctx.db();
  const Entry* e = nullptr;
  if (!ctx.read_or_reply(db, ctx.args[1], ValueType::kStream, e)) return;
  ctx.reply.integer(e == nullptr ? 0 : static_cast<std::int64_t>(stream_of(*e).length()));
}

// XRANGE key start end [COUNT count]; XREVRANGE key end start [COUNT count]
void xrange_generic(CommandContext& ctx, bool rev) {
  StreamId start, end;
  bool start_ex = false, end_ex = false;
  if (!parse_interval_or_reply(ctx, ctx.args[rev ? 3 : 2], start, start_ex, 0)) return;
  if (start_ex && !start.increment()) {
    ctx.reply.error("ERR invalid start ID for the interval");
    return;
  }
  if (!parse_interval_or_reply(ctx, ctx.args[rev ? 2 : 3], end, end_ex, ~std::uint64_t{0})) return;
  if (end_ex && !end.decrement()) {
    ctx.reply.error("ERR invalid end ID for the interval");
    return;
  }
  std::int64_t count = -1;
  for (std::size_t j = 4; j < ctx.args.size(); ++j) {
    if (is(ctx.args[j], "count") && j + 1 < ctx.args.size()) {
      if (!ctx.parse_int64_or_reply(ctx.args[++j], count)) return;
      if (count < 0) count = 0;
    } else {
      ctx.reply.error(err::kSyntax);
      return;
    }
  }
  Db db = ctx.db();
  const Entry* e = nullptr;
  if (!ctx.read_or_reply(db, ctx.args[1], ValueType::kStream, e)) return;
  if (e == nullptr) {
    ctx.reply.array(0);
    return;
  }
  if (count == 0) {
    ctx.reply.null_array();
    return;
  }
  reply_range(ctx.reply, stream_of(*e), start, end, count == -1 ? 0 : static_cast<std::size_t>(count), rev);
}

void cmd_xrange(CommandContext& ctx) { xrange_generic(ctx, false); }
void cmd_xrevrange(CommandContext& ctx) { xrange_generic(ctx, true); }

// XDEL key id [id ...]
void cmd_xdel(CommandContext& ctx) {
  Db db = ctx.db();
  Db::Writer w = db.write(ctx.args[1], ValueType::kStream);
  if (!ctx.writable_or_reply(w)) return;
  if (!w) {
    ctx.reply.integer(0);
    return;
  }
  std::vector<StreamId> ids(ctx.args.size() - 2);
  for (std::size_t j = 2; j < ctx.args.size(); ++j) {
    if (!parse_id_or_reply(ctx, ctx.args[j], ids[j - 2], true)) return;
  }
  StreamValue& s = stream_of(w);
  std::int64_t deleted = 0;
  for (StreamId id : ids) {
    if (!s.erase(id)) continue;
    if (id > s.max_deleted_id()) s.set_max_deleted_id(id);
    ++deleted;
  }
  if (deleted == 0) w.set_signal(Db::Writer::Signal::kNone);
  if (deleted > 0) ctx.notify(config::kNotifyStream, "xdel", ctx.args[1]);
  ctx.reply.integer(deleted);
}

// XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]
void cmd_xsetid(CommandContext& ctx) {
  StreamId id, max_deleted;
  std::int64_t entries_added = -1;
  if (!parse_id_or_reply(ctx, ctx.args[2], id, true)) return;
  for (std::size_t i = 3; i < ctx.args.size();) {
    const bool more = i + 1 < ctx.args.size();
    if (is(ctx.args[i], "entriesadded") && more) {
      if (!ctx.parse_int64_or_reply(ctx.args[i + 1], entries_added)) return;
      if (entries_added < 0) {
        ctx.reply.error("ERR entries_added must be positive");
        return;
      }
    } else if (is(ctx.args[i], "maxdeletedid") && more) {
      if (!parse_id_or_reply(ctx, ctx.args[i + 1], max_deleted, true)) return;
      if (id < max_deleted) {
        ctx.reply.error("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id");
        return;
      }
    } else {
      ctx.reply.error(err::kSyntax);
      return;
    }
    i += 2;
  }
  Db db = ctx.db();
  Db::Writer w = db.write(ctx.args[1], ValueType::kStream);
  if (!ctx.writable_or_reply(w)) return;
  if (!w) {
    ctx.reply.error(err::kNoSuchKey);
    return;
  }
  w.set_signal(Db::Writer::Signal::kNone);  // Redis does not signal XSETID
  StreamValue& s = stream_of(w);
  if (s.length() > 0) {
    if (id < *s.edge_id(false)) {
      ctx.reply.error("ERR The ID specified in XSETID is smaller than the target stream top item");
      return;
    }
    if (entries_added != -1 && s.length() > static_cast<std::uint64_t>(entries_added)) {
      ctx.reply.error("ERR The entries_added specified in XSETID is smaller than the target stream length");
      return;
    }
  }
  s.set_last_id(id);
  w.set_signal(Db::Writer::Signal::kDirty);
  if (entries_added != -1) s.set_entries_added(static_cast<std::uint64_t>(entries_added));
  if (!max_deleted.zero()) s.set_max_deleted_id(max_deleted);
  ctx.notify(config::kNotifyStream, "xsetid", ctx.args[1]);
  ctx.reply.ok();
}

// ---------------------------------------------------------------------------
// XREAD, XREADGROUP

// A blocked XREAD / XREADGROUP: served from the first of its keys that
// gets an entry past the ID it waits for (XREADGROUP: past its group's last
// delivered ID), as Redis's serveClientsBlockedOnStreamKey.
class BlockedStreamRead final : public BlockedCommand {
 public:
  BlockedStreamRead(std::map<std::string, StreamId, std::less<>> after, std::size_t count,
                    std::optional<std::string> group, std::string consumer, bool noack, KeyspaceEvents& events)
      : events_(events),
        after_(std::move(after)),
        count_(count),
        group_(std::move(group)),
        consumer_(std::move(consumer)),
        noack_(noack) {}

  bool serve(Db& db, std::string_view key, const config::LiveConfig&, protocol::ReplyBuilder& reply) override {
    if (!group_) {
      // XREAD: a key gone or of another type has nothing yet.
      const Db::Read r = db.read_for_write(key, ValueType::kStream);
      if (r.entry == nullptr) return false;
      const StreamValue& s = stream_of(*r.entry);
      StreamId start = after_.find(key)->second;
      if (s.last_id() <= start) return false;
      start.increment();
      reply_header(key, reply);
      reply_range(reply, s, start, StreamId::max(), count_, false);
      return true;
    }
    Db::Writer w = db.write(key, ValueType::kStream);
    if (!w) {
      reply.error(kStreamGone);
      return true;
    }
    w.set_signal(Db::Writer::Signal::kDirty);  // a group's reads are not signalled, as in Redis
    StreamValue& s = stream_of(w);
    Group* g = s.find_group(*group_);
    if (g == nullptr) {
      reply.error(kGroupGone);
      return true;
    }
    StreamId start = g->last_id;
    if (s.last_id() <= start) return false;
    start.increment();
    reply_header(key, reply);
    bool created = false;
    Consumer& c = g->consumer(consumer_, db.now(), &created);
    if (created) events_.notify(config::kNotifyStream, "xgroup-createconsumer", key, db.index());
    c.seen_time = db.now();
    reply_group_range(reply, s, start, count_, *g, c, noack_, db.now());
    return true;
  }
  void timeout_reply(protocol::ReplyBuilder& reply) const override { reply.null_array(); }

 private:
  // One stream's [key, entries] in a reply of its own.
  static void reply_header(std::string_view key, protocol::ReplyBuilder& reply) {
    if (reply.protocol() == 2) {
      reply.array(1);
      reply.array(2);
    } else {
      reply.map(1);
    }
    reply.bulk(key);
  }

  KeyspaceEvents& events_;
  std::map<std::string, StreamId, std::less<>> after_;
  std::size_t count_;
  std::optional<std::string> group_;  // none for XREAD
  std::string consumer_;
  bool noack_;
};

// XREAD [COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]
// XREADGROUP GROUP group consumer [COUNT count] [BLOCK milliseconds] [NOACK] STREAMS key [key ...] id [id ...]
void xread_generic(CommandContext& ctx, bool xreadgroup) {
  const auto& args = ctx.args;
  std::int64_t timeout_at = -1;  // -1: no BLOCK
  std::int64_t count = 0;
  std::size_t streams_arg = 0, nstreams = 0;
  bool noack = false;
  std::optional<std::string_view> group, consumer;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::size_t more = args.size() - i - 1;
    const std::string_view o = args[i];
    if (is(o, "block") && more > 0) {
      if (ctx.in_script) {
        ctx.reply.error("ERR " + std::string(args[0]) + " command is not allowed with BLOCK option from scripts");
        return;
      }
      ++i;
      std::int64_t ms = 0;
      if (!util::parse_int64(args[i], ms)) {
        ctx.reply.error("ERR timeout is not an integer or out of range");
        return;
      }
      if (ms < 0) {
        ctx.reply.error("ERR timeout is negative");
        return;
      }
      timeout_at = ms == 0 ? 0 : (ms > INT64_MAX - ctx.now_ms ? INT64_MAX : ctx.now_ms + ms);
    } else if (is(o, "count") && more > 0) {
      if (!ctx.parse_int64_or_reply(args[++i], count)) return;
      if (count < 0) count = 0;
    } else if (is(o, "streams") && more > 0) {
      streams_arg = i + 1;
      nstreams = args.size() - streams_arg;
      if (nstreams % 2 != 0) {
        // The same text for XREADGROUP, as Redis 7.0's.
        ctx.reply.error("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.");
        return;
      }
      nstreams /= 2;
      break;
    } else if (is(o, "group") && more >= 2) {
      if (!xreadgroup) {
        ctx.reply.error("ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
        return;
      }
      group = args[i + 1];
      consumer = args[i + 2];
      i += 2;
    } else if (is(o, "noack")) {
      if (!xreadgroup) {
        ctx.reply.error("ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.");
        return;
      }
      noack = true;
    } else {
      ctx.reply.error(err::kSyntax);
      return;
    }
  }
  if (streams_arg == 0) {
    ctx.reply.error(err::kSyntax);
    return;
  }
  if (xreadgroup && !group) {
    ctx.reply.error("ERR Missing GROUP option for XREADGROUP");
    return;
  }

  // IDs, checked against each key (and group) in order. ">" is the max ID.
  Db db = ctx.db();
  std::vector<StreamId> ids(nstreams);
  for (std::size_t k = 0; k < nstreams; ++k) {
    const std::string_view key = args[streams_arg + k];
    const std::string_view arg = args[streams_arg + nstreams + k];
    const Db::Read r = db.read(key, ValueType::kStream);
    if (r.wrong_type) {
      ctx.reply.error(err::kWrongType);
      return;
    }
    if (group && (r.entry == nullptr || stream_of(*r.entry).find_group(*group) == nullptr)) {
      ctx.reply.error("NOGROUP No such key '" + std::string(util::c_string(key)) + "' or consumer group '" +
                      std::string(util::c_string(*group)) + "' in XREADGROUP with GROUP option");
      return;
    }
    if (util::c_string(arg) == "$") {
      if (xreadgroup) {
        ctx.reply.error(
            "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this "
            "consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just "
            "return an empty result set.");
        return;
      }
      ids[k] = r.entry != nullptr ? stream_of(*r.entry).last_id() : StreamId{};
      continue;
    }
    if (util::c_string(arg) == ">") {
      if (!xreadgroup) {
        ctx.reply.error(
            "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> "
            "option.");
        return;
      }
      ids[k] = StreamId::max();
      continue;
    }
    if (!parse_id_or_reply(ctx, arg, ids[k], true)) return;
  }

  // Serve at once what can be served.
  std::string body;
  protocol::ReplyBuilder sub(body);
  sub.set_protocol(ctx.reply.protocol());
  std::size_t served = 0;
  const auto n = static_cast<std::size_t>(count);
  for (std::size_t k = 0; k < nstreams; ++k) {
    const std::string_view key = args[streams_arg + k];
    StreamId start = ids[k];
    if (!group) {
      // XREAD only reads: no write handle, so WATCH sees a read. Redis looks
      // each key up again here (lookupKeyRead): a second hit or miss.
      const Db::Read r = db.read(key, ValueType::kStream);
      if (r.entry == nullptr) continue;
      const StreamValue& s = stream_of(*r.entry);
      if (s.length() == 0 || *s.edge_id(false) <= start) continue;
      ++served;
      start.increment();
      if (sub.protocol() == 2) sub.array(2);
      sub.bulk(key);
      reply_range(sub, s, start, StreamId::max(), n, false);
      continue;
    }
    Db::Writer w = db.write(key, ValueType::kStream);
    w.count_read();  // Redis looks each key up again here (lookupKeyRead)
    if (!w) continue;
    w.set_signal(Db::Writer::Signal::kNone);  // a group's reads are not signalled, as in Redis
    StreamValue& s = stream_of(w);
    Group* g = s.find_group(*group);
    const bool history = start != StreamId::max();
    bool serve = history;
    if (!history && s.length() > 0 && *s.edge_id(false) > g->last_id) {
      serve = true;
      start = g->last_id;
    }
    if (!serve) continue;  // the consumer is made only when served, as Redis's
    w.set_signal(Db::Writer::Signal::kDirty);
    bool created = false;
    Consumer& c = g->consumer(*consumer, ctx.now_ms, &created);
    if (created) ctx.notify(config::kNotifyStream, "xgroup-createconsumer", key);
    c.seen_time = ctx.now_ms;
    ++served;
    start.increment();
    if (sub.protocol() == 2) sub.array(2);
    sub.bulk(key);
    if (history) {
      reply_consumer_history(sub, s, start, n, c, ctx.now_ms);
    } else {
      reply_group_range(sub, s, start, n, *g, c, noack, ctx.now_ms);
    }
  }
  if (served > 0) {
    if (ctx.reply.protocol() == 2) {
      ctx.reply.array(served);
    } else {
      ctx.reply.map(served);
    }
    ctx.reply.raw(body);
    return;
  }
  if (timeout_at == -1 || !ctx.may_block) {
    ctx.reply.null_array();
    return;
  }
  std::map<std::string, StreamId, std::less<>> after;
  std::vector<std::string> keys;
  for (std::size_t k = 0; k < nstreams; ++k) {
    auto [it, inserted] = after.emplace(std::string(args[streams_arg + k]), ids[k]);
    if (inserted) keys.push_back(it->first);
  }
  ctx.block(std::move(keys), timeout_at,
            std::make_unique<BlockedStreamRead>(std::move(after),
                                                count != 0 ? static_cast<std::size_t>(count) : kBlockedDefaultCount,
                                                group ? std::optional<std::string>(*group) : std::nullopt,
                                                consumer ? std::string(*consumer) : std::string(), noack,
                                                ctx.server.events));
}

void cmd_xread(CommandContext& ctx) { xread_generic(ctx, false); }
void cmd_xreadgroup(CommandContext& ctx) { xread_generic(ctx, true); }

// ---------------------------------------------------------------------------
// XGROUP

void reply_subcommand_syntax(CommandContext& ctx) {
  ctx.reply.error("ERR unknown subcommand or wrong number of arguments for '" +
                  std::string(util::c_string(ctx.args[1])) + "'. Try XGROUP HELP.");
}

bool parse_entries_read_or_reply(CommandContext& ctx, std::string_view arg, std::int64_t& out) {
  if (!ctx.parse_int64_or_reply(arg, out)) return false;
  if (out < 0 && out != StreamValue::kInvalidEntriesRead) {
    ctx.reply.error("ERR value for ENTRIESREAD must be positive or -1");
    return false;
  }
  return true;
}

// The common start of the XGROUP subcommands but HELP, as Redis's
// xgroupCommand: the stream (required unless MKSTREAM) and, for `need_group`,
// the group. False after replying.
bool xgroup_lookup(CommandContext& ctx, Db::Writer& w, bool mkstream, bool need_group, Group** g) {
  if (!ctx.writable_or_reply(w)) return false;
  if (w) w.set_signal(Db::Writer::Signal::kNone);  // a group's changes are not signalled, as in Redis
  if (!w && !mkstream) {
    ctx.reply.error(
        "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the "
        "MKSTREAM option to create an empty stream automatically.");
    return false;
  }
  *g = w ? stream_of(w).find_group(ctx.args[3]) : nullptr;
  if (need_group && *g == nullptr) {
    ctx.reply.error("NOGROUP No such consumer group '" + std::string(util::c_string(ctx.args[3])) +
                    "' for key name '" + std::string(util::c_string(ctx.args[2])) + "'");
    return false;
  }
  return true;
}

// XGROUP CREATE key group <id | $> [MKSTREAM] [ENTRIESREAD entries-read]
// The options after CREATE's and SETID's ID, parsed before the key is looked
// up, as Redis's xgroupCommand. MKSTREAM only for CREATE (`mkstream` set).
// False after replying.
bool parse_xgroup_options(CommandContext& ctx, bool* mkstream, std::int64_t& entries_read) {
  entries_read = StreamValue::kInvalidEntriesRead;
  for (std::size_t i = 5; i < ctx.args.size();) {
    if (mkstream != nullptr && is(ctx.args[i], "mkstream")) {
      *mkstream = true;
      ++i;
    } else if (is(ctx.args[i], "entriesread") && i + 1 < ctx.args.size()) {
      if (!parse_entries_read_or_reply(ctx, ctx.args[i + 1], entries_read)) return false;
      i += 2;
    } else {
      reply_subcommand_syntax(ctx);
      return false;
    }
  }
  return true;
}

void cmd_xgroup_create(CommandContext& ctx) {
  bool mkstream = false;
  std::int64_t entries_read = 0;
  if (!parse_xgroup_options(ctx, &mkstream, entries_read)) return;
  Db db = ctx.db();
  Group* g = nullptr;
  {
    Db::Writer w = db.write(ctx.args[2], ValueType::kStream);
    if (!xgroup_lookup(ctx, w, mkstream, false, &g)) return;
  }
  if (ctx.args.size() > 8) {
    reply_subcommand_syntax(ctx);
    return;
  }
  StreamId id;
  const Db::Read r = db.read_for_write(ctx.args[2], ValueType::kStream);
  if (util::c_string(ctx.args[4]) == "$") {
    if (r.entry != nullptr) id = stream_of(*r.entry).last_id();
  } else if (!parse_id_or_reply(ctx, ctx.args[4], id, true)) {
    return;
  }
  create_if_missing(db, ctx.args[2]);
  Db::Writer w = db.write(ctx.args[2], ValueType::kStream);
  w.set_signal(Db::Writer::Signal::kNone);
  StreamValue& s = stream_of(w);
  if (s.find_group(ctx.args[3]) != nullptr) {
    ctx.reply.error("BUSYGROUP Consumer Group name already exists");
    return;
  }
  s.create_group(ctx.args[3], id, entries_read);
  w.set_signal(Db::Writer::Signal::kDirty);
  ctx.notify(config::kNotifyStream, "xgroup-create", ctx.args[2]);
  ctx.reply.ok();
}

// XGROUP SETID key group <id | $> [ENTRIESREAD entries-read]
void cmd_xgroup_setid(CommandContext& ctx) {
  std::int64_t entries_read = 0;
  if (!parse_xgroup_options(ctx, nullptr, entries_read)) return;
  Db db = ctx.db();
  Db::Writer w = db.write(ctx.args[2], ValueType::kStream);
  Group* g = nullptr;
  if (!xgroup_lookup(ctx, w, false, true, &g)) return;
  if (ctx.args.size() != 5 && ctx.args.size() != 7) {
    reply_subcommand_syntax(ctx);
    return;
  }
  StreamId id;
  if (util::c_string(ctx.args[4]) == "$") {
    id = stream_of(w).last_id();
  } else if (!parse_id_or_reply(ctx, ctx.args[4], id, false)) {
    return;
  }
  g->last_id = id;
  g->entries_read = entries_read;
  w.set_signal(Db::Writer::Signal::kDirty);
  ctx.notify(config::kNotifyStream, "xgroup-setid", ctx.args[2]);
  ctx.reply.ok();
}

// XGROUP DESTROY key group: wakes the group's blocked readers (NOGROUP).
void cmd_xgroup_destroy(CommandContext& ctx) {
  Db db = ctx.db();
  Db::Writer w = db.write(ctx.args[2], ValueType::kStream);
  Group* g = nullptr;
  if (!xgroup_lookup(ctx, w, false, false, &g)) return;
  if (g == nullptr) {
    ctx.reply.integer(0);
    return;
  }
  stream_of(w).destroy_group(ctx.args[3]);
  w.set_signal(Db::Writer::Signal::kDirty);
  ctx.notify(config::kNotifyStream, "xgroup-destroy", ctx.args[2]);
  ctx.reply.integer(1);
  ctx.keyspace.ready_keys().signal(db.index(), ctx.args[2]);
}

// XGROUP CREATECONSUMER key group consumer
void cmd_xgroup_createconsumer(CommandContext& ctx) {
  Db db = ctx.db();
  Db::Writer w = db.write(ctx.args[2], ValueType::kStream);
  Group* g = nullptr;
  if (!xgroup_lookup(ctx, w, false, true, &g)) return;
  bool created = false;
  stream_of(w);  // marks the value changed
  g->consumer(ctx.args[4], ctx.now_ms, &created);
  if (created) {
    w.set_signal(Db::Writer::Signal::kDirty);
    ctx.notify(config::kNotifyStream, "xgroup-createconsumer", ctx.args[2]);
  }
  ctx.reply.integer(created ? 1 : 0);
}

// XGROUP DELCONSUMER key group consumer: the consumer's pending count.
void cmd_xgroup_delconsumer(CommandContext& ctx) {
  Db db = ctx.db();
  Db::Writer w = db.write(ctx.args[2], ValueType::kStream);
  Group* g = nullptr;
  if (!xgroup_lookup(ctx, w, false, true, &g)) return;
  stream_of(w);
  const std::int64_t pending = g->erase_consumer(ctx.args[4]);
  if (pending >= 0) {
    w.set_signal(Db::Writer::Signal::kDirty);
    ctx.notify(config::kNotifyStream, "xgroup-delconsumer", ctx.args[2]);
  }
  ctx.reply.integer(pending < 0 ? 0 : pending);
}

constexpr std::string_view kXgroupHelp[] = {
    "XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CREATE <key> <groupname> <id|$> [option]",
    "    Create a new consumer group. Options are:",
    "    * MKSTREAM",
    "      Create the empty stream if it does not exist.",
    "    * ENTRIESREAD entries_read",
    "      Set the group's entries_read counter (internal use).",
    "CREATECONSUMER <key> <groupname> <consumer>",
    "    Create a new consumer in the specified group.",
    "DELCONSUMER <key> <groupname> <consumer>",
    "    Remove the specified consumer.",
    "DESTROY <key> <groupname>",
    "    Remove the specified group.",
    "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
    "    Set the current group ID and entries_read counter.",
    "HELP",
    "    Prints this help.",
};

void cmd_xgroup_help(CommandContext& ctx) { ctx.reply.simple_lines(kXgroupHelp); }

// ---------------------------------------------------------------------------
// XACK, XPENDING, XCLAIM, XAUTOCLAIM

// XACK key group id [id ...]
void cmd_xack(CommandContext& ctx) {
  Db db = ctx.db();
  Db::Writer w = db.write(ctx.args[1], ValueType::kStream);
  w.count_read();  // Redis's lookupKeyRead
  if (!ctx.writable_or_reply(w)) return;
  if (w) w.set_signal(Db::Writer::Signal::kNone);  // acks are not signalled, as in Redis
  Group* g = w ? stream_of(w).find_group(ctx.args[2]) : nullptr;
  if (g == nullptr) {
    ctx.reply.integer(0);
    return;
  }
  std::vector<StreamId> ids(ctx.args.size() - 3);
  for (std::size_t j = 3; j < ctx.args.size(); ++j) {
    if (!parse_id_or_reply(ctx, ctx.args[j], ids[j - 3], true)) return;
  }
  std::int64_t acked = 0;
  for (StreamId id : ids) acked += g->ack(id) ? 1 : 0;
  if (acked > 0) w.set_signal(Db::Writer::Signal::kDirty);
  ctx.reply.integer(acked);
}

// XPENDING key group [[IDLE min-idle-time] start end count [consumer]]
void cmd_xpending(CommandContext& ctx) {
  const auto& args = ctx.args;
  const bool summary = args.size() == 3;
  if (args.size() != 3 && (args.size() < 6 || args.size() > 9)) {
    ctx.reply.error(err::kSyntax);
    return;
  }
  StreamId start, end;
  std::int64_t count = 0, minidle = 0;
  std::optional<std::string_view> consumer_name;
  if (args.size() >= 6) {
    std::size_t at = 3;
    if (is(args[3], "idle")) {
      if (!ctx.parse_int64_or_reply(args[4], minidle)) return;
      if (args.size() < 8) {
        ctx.reply.error(err::kSyntax);
        return;
      }
      at += 2;
    }
    if (!ctx.parse_int64_or_reply(args[at + 2], count)) return;
    if (count < 0) count = 0;
    bool ex = false;
    if (!parse_interval_or_reply(ctx, args[at], start, ex, 0)) return;
    if (ex && !start.increment()) {
      ctx.reply.error("ERR invalid start ID for the interval");
      return;
    }
    if (!parse_interval_or_reply(ctx, args[at + 1], end, ex, ~std::uint64_t{0})) return;
    if (ex && !end.decrement()) {
      ctx.reply.error("ERR invalid end ID for the interval");
      return;
    }
    if (at + 3 < args.size()) consumer_name = args[at + 3];
  }
  Db db = ctx.db();
  const Entry* e = nullptr;
  if (!ctx.read_or_reply(db, args[1], ValueType::kStream, e)) return;
  const Group* g = e != nullptr ? stream_of(*e).find_group(args[2]) : nullptr;
  if (g == nullptr) {
    ctx.reply.error(nogroup_error(args[1], args[2]));
    return;
  }
  if (summary) {
    ctx.reply.array(4);
    ctx.reply.integer(static_cast<std::int64_t>(g->pel.size()));
    if (g->pel.empty()) {
      ctx.reply.null();
      ctx.reply.null();
      ctx.reply.null_array();
      return;
    }
    reply_id(ctx.reply, g->pel.begin()->first);
    reply_id(ctx.reply, g->pel.rbegin()->first);
    std::size_t n = 0;
    for (const auto& [name, c] : g->consumers) n += c.pel.empty() ? 0 : 1;
    ctx.reply.array(n);
    for (const auto& [name, c] : g->consumers) {
      if (c.pel.empty()) continue;
      ctx.reply.array(2);
      ctx.reply.bulk(name);
      char buf[util::kInt64BufSize];
      ctx.reply.bulk(std::string_view(buf, util::format_int64(static_cast<std::int64_t>(c.pel.size()), buf)));
    }
    return;
  }
  std::string body;
  protocol::ReplyBuilder sub(body);
  sub.set_protocol(ctx.reply.protocol());
  std::size_t n = 0;
  const std::int64_t now = ctx.now_ms;
  auto emit = [&](StreamId id, const Nack& nack) {
    if (minidle != 0 && now - nack.delivery_time < minidle) return;
    ++n;
    --count;
    sub.array(4);
    reply_id(sub, id);
    sub.bulk(nack.consumer->name);
    const std::int64_t elapsed = now - nack.delivery_time;
    sub.integer(elapsed < 0 ? 0 : elapsed);
    sub.integer(static_cast<std::int64_t>(nack.delivery_count));
  };
  if (consumer_name) {
    auto c = g->consumers.find(*consumer_name);
    if (c == g->consumers.end()) {
      ctx.reply.array(0);
      return;
    }
    for (auto it = c->second.pel.lower_bound(start); count > 0 && it != c->second.pel.end() && it->first <= end;
         ++it) {
      emit(it->first, *it->second);
    }
  } else {
    for (auto it = g->pel.lower_bound(start); count > 0 && it != g->pel.end() && it->first <= end; ++it) {
      emit(it->first, it->second);
    }
  }
  reply_array_of(ctx.reply, n, body);
}

// Gives pending entry `id` (its Nack `nack`) to consumer `to`.
void transfer(Consumer& to, StreamId id, Nack& nack) {
  if (nack.consumer == &to) return;
  if (nack.consumer != nullptr) nack.consumer->pel.erase(id);
  to.pel[id] = &nack;
  nack.consumer = &to;
}

// XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME unix-time-milliseconds]
//   [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID lastid]
void cmd_xclaim(CommandContext& ctx) {
  const auto& args = ctx.args;
  Db db = ctx.db();
  Db::Writer w = db.write(args[1], ValueType::kStream);
  w.count_read();  // Redis's lookupKeyRead
  if (!ctx.writable_or_reply(w)) return;
  if (w) w.set_signal(Db::Writer::Signal::kDirty);  // claims are not signalled, as in Redis
  Group* g = w ? stream_of(w).find_group(args[2]) : nullptr;
  if (g == nullptr) {
    ctx.reply.error(nogroup_error(args[1], args[2]));
    return;
  }
  StreamValue& s = stream_of(w);
  std::int64_t minidle = 0;
  if (!util::parse_int64(args[4], minidle)) {
    ctx.reply.error("ERR Invalid min-idle-time argument for XCLAIM");
    return;
  }
  if (minidle < 0) minidle = 0;
  std::vector<StreamId> ids;
  std::size_t j = 5;
  for (; j < args.size(); ++j) {
    StreamId id;
    if (!parse_id(args[j], id, true, 0, nullptr)) break;
    ids.push_back(id);
  }
  const std::int64_t now = ctx.now_ms;
  std::int64_t retrycount = -1, deliverytime = -1;
  bool force = false, justid = false;
  StreamId last_id;
  for (; j < args.size(); ++j) {
    const bool more = j + 1 < args.size();
    const std::string_view opt = args[j];
    auto option_int = [&](std::string_view what, std::int64_t& out) {
      if (util::parse_int64(args[++j], out)) return true;
      ctx.reply.error("ERR Invalid " + std::string(what) + " option argument for XCLAIM");
      return false;
    };
    if (is(opt, "force")) {
      force = true;
    } else if (is(opt, "justid")) {
      justid = true;
    } else if (is(opt, "idle") && more) {
      if (!option_int("IDLE", deliverytime)) return;
      // As Redis's, the difference wraps (IDLE -2^63).
      deliverytime = static_cast<std::int64_t>(static_cast<std::uint64_t>(now) - static_cast<std::uint64_t>(deliverytime));
    } else if (is(opt, "time") && more) {
      if (!option_int("TIME", deliverytime)) return;
    } else if (is(opt, "retrycount") && more) {
      if (!option_int("RETRYCOUNT", retrycount)) return;
    } else if (is(opt, "lastid") && more) {
      if (!parse_id_or_reply(ctx, args[++j], last_id, true)) return;
    } else {
      ctx.reply.error("ERR Unrecognized XCLAIM option '" + std::string(util::c_string(opt)) + "'");
      return;
    }
  }
  if (last_id > g->last_id) g->last_id = last_id;
  if (deliverytime == -1 || deliverytime < 0 || deliverytime > now) deliverytime = now;

  std::string body;
  protocol::ReplyBuilder sub(body);
  sub.set_protocol(ctx.reply.protocol());
  std::size_t n = 0;
  Consumer* consumer = nullptr;
  std::vector<std::string> fv;
  for (StreamId id : ids) {
    auto it = g->pel.find(id);
    if (!s.lookup(id, fv)) {
      if (it != g->pel.end()) g->ack(id);
      continue;
    }
    if (force && it == g->pel.end()) it = g->pel.emplace(id, Nack{now, 1, nullptr}).first;
    if (it == g->pel.end()) continue;
    Nack& nack = it->second;
    if (nack.consumer != nullptr && minidle != 0 && now - nack.delivery_time < minidle) continue;
    if (consumer == nullptr) {
      bool created = false;
      consumer = &g->consumer(args[3], now, &created);
      consumer->seen_time = now;
      if (created) ctx.notify(config::kNotifyStream, "xgroup-createconsumer", args[1]);
    }
    nack.delivery_time = deliverytime;
    if (retrycount >= 0) {
      nack.delivery_count = static_cast<std::uint64_t>(retrycount);
    } else if (!justid) {
      ++nack.delivery_count;
    }
    transfer(*consumer, id, nack);
    if (justid) {
      reply_id(sub, id);
    } else if (!reply_one(sub, s, id)) {
      sub.null();
    }
    ++n;
  }
  reply_array_of(ctx.reply, n, body);
}

// XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]
void cmd_xautoclaim(CommandContext& ctx) {
  const auto& args = ctx.args;
  // Redis looks the key up (lookupKeyRead) before it reads the arguments.
  Db db = ctx.db();
  Db::Writer w = db.write(args[1], ValueType::kStream);
  w.count_read();
  std::int64_t minidle = 0;
  if (!util::parse_int64(args[4], minidle)) {
    ctx.reply.error("ERR Invalid min-idle-time argument for XAUTOCLAIM");
    return;
  }
  if (minidle < 0) minidle = 0;
  StreamId start;
  bool ex = false;
  if (!parse_interval_or_reply(ctx, args[5], start, ex, 0)) return;
  if (ex && !start.increment()) {
    ctx.reply.error("ERR invalid start ID for the interval");
    return;
  }
  std::int64_t count = 100;
  bool justid = false;
  constexpr std::int64_t kAttemptsFactor = 10;
  for (std::size_t j = 6; j < args.size(); ++j) {
    if (is(args[j], "count") && j + 1 < args.size()) {
      constexpr std::int64_t kMaxCount = INT64_MAX / 16;  // LONG_MAX / max(sizeof(streamID), 10)
      std::int64_t v = 0;
      if (!util::parse_int64(args[j + 1], v) || v < 1 || v > kMaxCount) {
        ctx.reply.error("ERR COUNT must be > 0");
        return;
      }
      count = v;
      ++j;
    } else if (is(args[j], "justid")) {
      justid = true;
    } else {
      ctx.reply.error(err::kSyntax);
      return;
    }
  }
  if (!ctx.writable_or_reply(w)) return;
  if (w) w.set_signal(Db::Writer::Signal::kDirty);  // claims are not signalled, as in Redis
  Group* g = w ? stream_of(w).find_group(args[2]) : nullptr;
  if (g == nullptr) {
    ctx.reply.error(nogroup_error(args[1], args[2]));
    return;
  }
  StreamValue& s = stream_of(w);
  std::int64_t attempts = count * kAttemptsFactor;
  const std::int64_t now = ctx.now_ms;
  std::string body;
  protocol::ReplyBuilder sub(body);
  sub.set_protocol(ctx.reply.protocol());
  std::size_t n = 0;
  std::vector<StreamId> deleted;
  Consumer* consumer = nullptr;
  std::vector<std::string> fv;
  auto it = g->pel.lower_bound(start);  // the next entry to visit
  while (attempts-- != 0 && count != 0 && it != g->pel.end()) {
    const StreamId id = it->first;
    Nack& nack = it->second;
    ++it;
    if (!s.lookup(id, fv)) {
      g->ack(id);
      deleted.push_back(id);
      --count;
      continue;
    }
    if (minidle != 0 && now - nack.delivery_time < minidle) continue;
    if (consumer == nullptr) {
      bool created = false;
      consumer = &g->consumer(args[3], now, &created);
      consumer->seen_time = now;
      if (created) ctx.notify(config::kNotifyStream, "xgroup-createconsumer", args[1]);
    }
    nack.delivery_time = now;
    if (!justid) ++nack.delivery_count;
    transfer(*consumer, id, nack);
    if (justid) {
      reply_id(sub, id);
    } else {
      reply_one(sub, s, id);
    }
    ++n;
    --count;
  }
  ctx.reply.array(3);
  reply_id(ctx.reply, it == g->pel.end() ? StreamId{} : it->first);
  reply_array_of(ctx.reply, n, body);
  ctx.reply.array(deleted.size());
  for (StreamId id : deleted) reply_id(ctx.reply, id);
}

// ---------------------------------------------------------------------------
// XINFO

// An estimate of XINFO's radix-tree-nodes: Redis's rax node count depends on
// how its radix tree compresses the keys and is not reproduced. This gives
// Redis's counts for an empty stream (1) and a one-node stream (2), and 2 a
// node beyond.
std::int64_t radix_tree_nodes(std::size_t keys) { return keys == 0 ? 1 : static_cast<std::int64_t>(2 * keys); }

void reply_entries_read(protocol::ReplyBuilder& reply, std::int64_t entries_read) {
  if (entries_read == StreamValue::kInvalidEntriesRead) {
    reply.null();
  } else {
    reply.integer(entries_read);
  }
}

void reply_lag(protocol::ReplyBuilder& reply, const StreamValue& s, const Group& g) {
  const std::optional<std::int64_t> lag = s.lag(g);
  if (lag) {
    reply.integer(*lag);
  } else {
    reply.null();
  }
}

// XINFO STREAM key [FULL [COUNT count]]
void cmd_xinfo_stream(CommandContext& ctx) {
  const auto& args = ctx.args;
  // The key first, then the options, as Redis's xinfoCommand.
  Db db = ctx.db();
  const Entry* e = nullptr;
  if (!ctx.read_or_reply(db, args[2], ValueType::kStream, e)) return;
  if (e == nullptr) {
    ctx.reply.error(err::kNoSuchKey);
    return;
  }
  bool full = false;
  std::int64_t count = 10;
  if (args.size() > 3) {
    if (!is(args[3], "full") || (args.size() != 4 && args.size() != 6) ||
        (args.size() == 6 && !is(args[4], "count"))) {
      ctx.reply.error("ERR unknown subcommand or wrong number of arguments for '" +
                      std::string(util::c_string(args[1])) + "'. Try XINFO HELP.");
      return;
    }
    full = true;
    if (args.size() == 6) {
      if (!ctx.parse_int64_or_reply(args[5], count)) return;
      if (count < 0) count = 10;
    }
  }
  const StreamValue& s = stream_of(*e);
  protocol::ReplyBuilder& r = ctx.reply;
  r.map(full ? 9 : 10);
  r.bulk("length");
  r.integer(static_cast<std::int64_t>(s.length()));
  r.bulk("radix-tree-keys");
  r.integer(static_cast<std::int64_t>(s.nodes()));
  r.bulk("radix-tree-nodes");
  r.integer(radix_tree_nodes(s.nodes()));
  r.bulk("last-generated-id");
  reply_id(r, s.last_id());
  r.bulk("max-deleted-entry-id");
  reply_id(r, s.max_deleted_id());
  r.bulk("entries-added");
  r.integer(static_cast<std::int64_t>(s.entries_added()));
  r.bulk("recorded-first-entry-id");
  reply_id(r, s.length() == 0 ? StreamId{} : s.first_id());
  if (!full) {
    r.bulk("groups");
    r.integer(static_cast<std::int64_t>(s.groups().size()));
    r.bulk("first-entry");
    if (!reply_one(r, s, s.edge_id(true).value_or(StreamId{}))) r.null();
    r.bulk("last-entry");
    if (!reply_one(r, s, s.edge_id(false).value_or(StreamId{}))) r.null();
    return;
  }
  const auto limit = static_cast<std::size_t>(count);  // 0: all
  r.bulk("entries");
  reply_range(r, s, {}, StreamId::max(), limit, false);
  r.bulk("groups");
  r.array(s.groups().size());
  for (const auto& [name, g] : s.groups()) {
    r.map(7);
    r.bulk("name");
    r.bulk(name);
    r.bulk("last-delivered-id");
    reply_id(r, g->last_id);
    r.bulk("entries-read");
    reply_entries_read(r, g->entries_read);
    r.bulk("lag");
    reply_lag(r, s, *g);
    r.bulk("pel-count");
    r.integer(static_cast<std::int64_t>(g->pel.size()));
    r.bulk("pending");
    const std::size_t np = limit == 0 ? g->pel.size() : std::min(limit, g->pel.size());
    r.array(np);
    std::size_t i = 0;
    for (auto it = g->pel.begin(); i < np; ++it, ++i) {
      r.array(4);
      reply_id(r, it->first);
      r.bulk(it->second.consumer->name);
      r.integer(it->second.delivery_time);
      r.integer(static_cast<std::int64_t>(it->second.delivery_count));
    }
    r.bulk("consumers");
    r.array(g->consumers.size());
    for (const auto& [cname, c] : g->consumers) {
      r.map(4);
      r.bulk("name");
      r.bulk(cname);
      r.bulk("seen-time");
      r.integer(c.seen_time);
      r.bulk("pel-count");
      r.integer(static_cast<std::int64_t>(c.pel.size()));
      r.bulk("pending");
      const std::size_t nc = limit == 0 ? c.pel.size() : std::min(limit, c.pel.size());
      r.array(nc);
      std::size_t k = 0;
      for (auto it = c.pel.begin(); k < nc; ++it, ++k) {
        r.array(3);
        reply_id(r, it->first);
        r.integer(it->second->delivery_time);
        r.integer(static_cast<std::int64_t>(it->second->delivery_count));
      }
    }
  }
}

// XINFO GROUPS key
void cmd_xinfo_groups(CommandContext& ctx) {
  Db db = ctx.db();
  const Entry* e = nullptr;
  if (!ctx.read_or_reply(db, ctx.args[2], ValueType::kStream, e)) return;
  if (e == nullptr) {
    ctx.reply.error(err::kNoSuchKey);
    return;
  }
  const StreamValue& s = stream_of(*e);
  protocol::ReplyBuilder& r = ctx.reply;
  r.array(s.groups().size());
  for (const auto& [name, g] : s.groups()) {
    r.map(6);
    r.bulk("name");
    r.bulk(name);
    r.bulk("consumers");
    r.integer(static_cast<std::int64_t>(g->consumers.size()));
    r.bulk("pending");
    r.integer(static_cast<std::int64_t>(g->pel.size()));
    r.bulk("last-delivered-id");
    reply_id(r, g->last_id);
    r.bulk("entries-read");
    reply_entries_read(r, g->entries_read);
    r.bulk("lag");
    reply_lag(r, s, *g);
  }
}

// XINFO CONSUMERS key group
void cmd_xinfo_consumers(CommandContext& ctx) {
  Db db = ctx.db();
  const Entry* e = nullptr;
  if (!ctx.read_or_reply(db, ctx.args[2], ValueType::kStream, e)) return;
  if (e == nullptr) {
    ctx.reply.error(err::kNoSuchKey);
    return;
  }
  const Group* g = stream_of(*e).find_group(ctx.args[3]);
  if (g == nullptr) {
    ctx.reply.error("NOGROUP No such consumer group '" + std::string(util::c_string(ctx.args[3])) +
                    "' for key name '" + std::string(util::c_string(ctx.args[2])) + "'");
    return;
  }
  protocol::ReplyBuilder& r = ctx.reply;
  r.array(g->consumers.size());
  for (const auto& [name, c] : g->consumers) {
    r.map(3);
    r.bulk("name");
    r.bulk(name);
    r.bulk("pending");
    r.integer(static_cast<std::int64_t>(c.pel.size()));
    r.bulk("idle");
    const std::int64_t idle = ctx.now_ms - c.seen_time;
    r.integer(idle < 0 ? 0 : idle);
  }
}

constexpr std::string_view kXinfoHelp[] = {
    "XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CONSUMERS <key> <groupname>",
    "    Show consumers of <groupname>.",
    "GROUPS <key>",
    "    Show the stream consumer groups.",
    "STREAM <key> [FULL [COUNT <count>]",
    "    Show information about the stream.",
    "HELP",
    "    Prints this help.",
};

void cmd_xinfo_help(CommandContext& ctx) { ctx.reply.simple_lines(kXinfoHelp); }

}  // namespace

void register_stream_commands(CommandTable& table) {
  table.add("xadd", cmd_xadd);
  table.add("xlen", cmd_xlen);
  table.add("xrange", cmd_xrange);
  table.add("xrevrange", cmd_xrevrange);
  table.add("xdel", cmd_xdel);
  table.add("xtrim", cmd_xtrim);
  table.add("xsetid", cmd_xsetid);
  table.add("xread", cmd_xread);
  table.add("xreadgroup", cmd_xreadgroup);
  table.add("xgroup", cmd_xgroup_help);
  table.add("xgroup|create", cmd_xgroup_create);
  table.add("xgroup|setid", cmd_xgroup_setid);
  table.add("xgroup|destroy", cmd_xgroup_destroy);
  table.add("xgroup|createconsumer", cmd_xgroup_createconsumer);
  table.add("xgroup|delconsumer", cmd_xgroup_delconsumer);
  table.add("xgroup|help", cmd_xgroup_help);
  table.add("xack", cmd_xack);
  table.add("xpending", cmd_xpending);
  table.add("xclaim", cmd_xclaim);
  table.add("xautoclaim", cmd_xautoclaim);
  table.add("xinfo", cmd_xinfo_help);
  table.add("xinfo|stream", cmd_xinfo_stream);
  table.add("xinfo|groups", cmd_xinfo_groups);
  table.add("xinfo|consumers", cmd_xinfo_consumers);
  table.add("xinfo|help", cmd_xinfo_help);
}

}  // namespace larder::commands
