// Sorted set family, as Redis 7.0's t_zset.c: ZADD, ZINCRBY, ZREM, ZCARD,
// ZSCORE, ZMSCORE, ZRANK, ZREVRANK, ZCOUNT, ZLEXCOUNT, the ZRANGE family and
// ZRANGESTORE, ZREMRANGEBY*, ZPOPMIN, ZPOPMAX, ZMPOP, ZRANDMEMBER, ZUNION,
// ZINTER, ZDIFF and their STORE forms, ZINTERCARD and ZSCAN. The encodings
// are storage::zset's business; handlers parse, look up and reply.

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <deque>
#include <memory>
#include <random>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "larder/commands/command_table.h"
#include "larder/commands/families.h"
#include "larder/commands/random_draws.h"
#include "larder/commands/scan_options.h"
#include "larder/commands/zset_ops.h"
#include "larder/protocol/errors.h"
#include "larder/storage/set_value.h"
#include "larder/storage/zset_value.h"
#include "larder/util/glob.h"
#include "larder/util/numbers.h"
#include "larder/util/siphash.h"
#include "larder/util/strings.h"

namespace larder::commands {

namespace zset_ops {

namespace {

// Calls f(score, member) for the min(count, size) elements at `end` of the
// live set `w`, in pop order, then removes them.
template <class F>
void pop_from(storage::Db::Writer& w, End end, std::size_t count, F&& f) {
  const std::size_t size = storage::zset::size(w.entry());
  const std::size_t n = std::min(count, size);
  if (n == 0) return;
  const bool max = end == End::kMax;
  std::size_t left = n;
  storage::zset::visit(w.entry(), max ? size - 1 : 0, max, [&](double s, std::string_view m) {
    f(s, m);
    return --left > 0;
  });
  if (max) {
    storage::zset::remove_ranks(w, size - n, size - 1);
  } else {
    storage::zset::remove_ranks(w, 0, n - 1);
  }
}

}  // namespace

std::vector<Popped> pop(storage::Db& db, std::string_view key, End end, std::size_t count, KeyspaceEvents& events) {
  std::vector<Popped> out;
  storage::Db::Writer w = db.write(key, storage::ValueType::kZset);
  if (!w) return out;
  out.reserve(std::min(count, storage::zset::size(w.entry())));
  pop_from(w, end, count, [&](double s, std::string_view m) { out.push_back({std::string(m), s}); });
  if (!out.empty()) events.notify(config::kNotifyZset, pop_event(end), key, db.index());
  return out;  // an emptied set goes with the writer (del)
}

std::optional<Popped> pop_one(storage::Db& db, std::string_view key, End end, KeyspaceEvents& events) {
  std::vector<Popped> one = pop(db, key, end, 1, events);
  if (one.empty()) return std::nullopt;
  return std::move(one[0]);
}

void pop_reply_zmpop(storage::Db& db, std::string_view key, End end, std::size_t count,
                     protocol::ReplyBuilder& reply, KeyspaceEvents& events) {
  const std::vector<Popped> popped = pop(db, key, end, count, events);
  reply.array(2);
  reply.bulk(key);
  reply.array(popped.size());
  for (const Popped& p : popped) {
    reply.array(2);
    reply.bulk(p.member);
    reply.real(p.score);
  }
}

}  // namespace zset_ops

namespace {

using storage::Db;
using storage::Entry;
using storage::ValueType;
namespace zset = storage::zset;

zset::Limits limits(const CommandContext& ctx) {
  return {ctx.config.zset_max_listpack_entries(), ctx.config.zset_max_listpack_value()};
}

bool opt(std::string_view arg, std::string_view name) { return util::iequals(util::c_string(arg), name); }

std::mt19937_64& rng() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return engine;
}

// strtod over the C string, as zslParseRange: leading space, "" (0) and
// overflow to inf are accepted; NaN is not.
bool parse_strtod(std::string_view arg, double& out) {
  const std::string text(util::c_string(arg));
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (*end != '\0' || std::isnan(v)) return false;
  out = v;
  return true;
}

// A score range (Redis's zrangespec).
struct ScoreRange {
  double min = 0, max = 0;
  bool minex = false, maxex = false;
};

bool parse_score_bound(std::string_view arg, double& v, bool& ex) {
  ex = !arg.empty() && arg[0] == '(';
  return parse_strtod(ex ? arg.substr(1) : arg, v);
}

bool parse_score_range(std::string_view min, std::string_view max, ScoreRange& r) {
  return parse_score_bound(min, r.min, r.minex) && parse_score_bound(max, r.max, r.maxex);
}

// A lex range (Redis's zlexrangespec): kMin / kMax stand for "-" / "+".
struct LexBound {
  enum Kind { kValue, kMin, kMax } kind = kValue;
  std::string_view value;
  bool ex = false;
};
struct LexRange {
  LexBound min, max;
};

bool parse_lex_bound(std::string_view arg, LexBound& b) {
  if (arg.empty()) return false;
  switch (arg[0]) {
    case '+':
    case '-':
      if (arg.size() > 1 && arg[1] != '\0') return false;
      b.kind = arg[0] == '+' ? LexBound::kMax : LexBound::kMin;
      b.ex = true;
      return true;
    case '(':
    case '[':
      b.kind = LexBound::kValue;
      b.ex = arg[0] == '(';
      b.value = arg.substr(1);
      return true;
    default: return false;
  }
}

bool parse_lex_range(std::string_view min, std::string_view max, LexRange& r) {
  return parse_lex_bound(min, r.min) && parse_lex_bound(max, r.max);
}

// Ranks [first, last) of the elements in a score range.
std::pair<std::size_t, std::size_t> score_ranks(const Entry& e, const ScoreRange& r) {
  const std::size_t first =
      zset::count_before(e, [&](double s, std::string_view) { return r.minex ? s <= r.min : s < r.min; });
  const std::size_t last =
      zset::count_before(e, [&](double s, std::string_view) { return r.maxex ? s < r.max : s <= r.max; });
  return {first, std::max(first, last)};
}

bool lex_gte_min(std::string_view m, const LexBound& min) {
  switch (min.kind) {
    case LexBound::kMin: return true;
    case LexBound::kMax: return false;
    case LexBound::kValue: break;
  }
  return min.ex ? m > min.value : m >= min.value;
}

bool lex_lte_max(std::string_view m, const LexBound& max) {
  switch (max.kind) {
    case LexBound::kMin: return false;
    case LexBound::kMax: return true;
    case LexBound::kValue: break;
  }
  return max.ex ? m < max.value : m <= max.value;
}

// Redis's zslIsInLexRange / zzlIsInLexRange: false when the range holds
// nothing ("-" below and "+" above every member, each equal to itself and
// exclusive) or misses the set's first and last members.
bool lex_range_may_hit(const Entry& e, const LexRange& r) {
  auto rank = [](const LexBound& b) { return b.kind == LexBound::kMin ? 0 : b.kind == LexBound::kValue ? 1 : 2; };
  const int by_kind = rank(r.min) - rank(r.max);
  const int cmp = by_kind != 0 || r.min.kind != LexBound::kValue ? by_kind : r.min.value.compare(r.max.value);
  if (cmp > 0 || (cmp == 0 && (r.min.ex || r.max.ex))) return false;
  const std::size_t n = zset::size(e);
  if (n == 0) return false;
  bool hit = true;
  zset::visit(e, n - 1, false, [&](double, std::string_view m) {
    hit = lex_gte_min(m, r.min);
    return false;
  });
  if (!hit) return false;
  zset::visit(e, 0, false, [&](double, std::string_view m) {
    hit = lex_lte_max(m, r.max);
    return false;
  });
  return hit;
}

// Ranks [first, last) of a lex range in a big set, by search: exact for
// sets whose members share one score (they are in member order); on others
// Redis's answer depends on its skiplist's random levels.
std::pair<std::size_t, std::size_t> lex_ranks(const Entry& e, const LexRange& r) {
  if (!lex_range_may_hit(e, r)) return {0, 0};
  const std::size_t first = zset::count_before(e, [&](double, std::string_view m) { return !lex_gte_min(m, r.min); });
  const std::size_t last = zset::count_before(e, [&](double, std::string_view m) { return lex_lte_max(m, r.max); });
  return {first, std::max(first, last)};
}

// Member (and score) of a range reply: RESP3 pairs are arrays.
void reply_element(protocol::ReplyBuilder& reply, std::string_view m, double s, bool withscores) {
  if (withscores && reply.protocol() > 2) reply.array(2);
  reply.bulk(m);
  if (withscores) reply.real(s);
}

void reply_array_header(CommandContext& ctx, std::size_t n, bool withscores) {
  ctx.reply.array(withscores && ctx.reply.protocol() == 2 ? 2 * n : n);
}

// ---------------------------------------------------------------------------
// ZADD, ZINCRBY, ZREM
// ---------------------------------------------------------------------------

// ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member ... (and ZINCRBY, which
// is ZADD INCR): Redis's zaddGenericCommand.
void zadd_generic(CommandContext& ctx, int flags) {
  std::size_t idx = 2;
  bool ch = false;
  for (; idx < ctx.args.size(); ++idx) {
    const std::string_view a = ctx.args[idx];
    if (opt(a, "nx")) {
      flags |= zset::kNx;
    } else if (opt(a, "xx")) {
      flags |= zset::kXx;
    } else if (opt(a, "ch")) {
      ch = true;
    } else if (opt(a, "incr")) {
      flags |= zset::kIncr;
    } else if (opt(a, "gt")) {
      flags |= zset::kGt;
    } else if (opt(a, "lt")) {
      flags |= zset::kLt;
    } else {
      break;
    }
  }
  const bool incr = (flags & zset::kIncr) != 0, nx = (flags & zset::kNx) != 0, xx = (flags & zset::kXx) != 0;
  const bool gt = (flags & zset::kGt) != 0, lt = (flags & zset::kLt) != 0;
  const std::size_t args = ctx.args.size() - idx;
  if (args % 2 != 0 || args == 0) {
    ctx.reply.error(err::kSyntax);
    return;
  }
  const std::size_t elements = args / 2;
  if (nx && xx) {
    ctx.reply.error(err::kXxNx);
    return;
  }
  if ((gt && nx) || (lt && nx) || (gt && lt)) {
    ctx.reply.error(err::kGtLtNx);
    return;
  }
  if (incr && elements > 1) {
    ctx.reply.error(err::kIncrPair);
    return;
  }
  // Scores are all parsed before any change; most calls add a few.
  constexpr std::size_t kInlineScores = 8;
  double inline_scores[kInlineScores];
  std::unique_ptr<double[]> heap_scores;
  double* scores = inline_scores;
  if (elements > kInlineScores) {
    heap_scores = std::make_unique<double[]>(elements);
    scores = heap_scores.get();
  }
  for (std::size_t j = 0; j < elements; ++j) {
    if (!util::parse_double(ctx.args[idx + 2 * j], scores[j])) {
      ctx.reply.error(err::kNotFloat);
      return;
    }
  }
  Db db = ctx.db();
  // Without XX a missing key is created (the Writer drops it if left empty).
  Db::Writer w = db.write(ctx.args[1], ValueType::kZset, xx ? Db::Create::kNo : Db::Create::kYes);
  if (!ctx.writable_or_reply(w)) return;
  std::int64_t added = 0, updated = 0, processed = 0;
  double score = 0;
  bool nan = false;
  if (w) {
    const zset::Limits lim = limits(ctx);
    zset::prepare_new(w, ctx.args[idx + 1].size(), lim);
    for (std::size_t j = 0; j < elements; ++j) {
      double fresh = 0;
      const int out = zset::add(w, scores[j], ctx.args[idx + 2 * j + 1], flags, &fresh, lim);
      if ((out & zset::kOutNan) != 0) {
        nan = true;
        break;
      }
      if ((out & zset::kOutAdded) != 0) ++added;
      if ((out & zset::kOutUpdated) != 0) ++updated;
      if ((out & zset::kOutNop) == 0) {
        ++processed;
        score = fresh;
      }
    }
  }
  if (added > 0 || updated > 0) ctx.notify(config::kNotifyZset, incr ? "zincr" : "zadd", ctx.args[1]);
  if (nan) {
    ctx.reply.error(err::kScoreNan);
    return;
  }
  if (incr) {
    if (processed > 0) {
      ctx.reply.real(score);
    } else {
      ctx.reply.null();
    }
  } else {
    ctx.reply.integer(ch ? added + updated : added);
  }
}

void cmd_zadd(CommandContext& ctx) { zadd_generic(ctx, 0); }
void cmd_zincrby(CommandContext& ctx) { zadd_generic(ctx, zset::kIncr); }

void cmd_zrem(CommandContext& ctx) {
  Db db = ctx.db();
  Db::Writer w = db.write(ctx.args[1], ValueType::kZset);
  if (!ctx.writable_or_reply(w)) return;
  std::int64_t deleted = 0;
  for (std::size_t j = 2; w && j < ctx.args.size(); ++j) {
    if (!zset::remove(w, ctx.args[j])) continue;
    ++deleted;
    if (zset::size(w.entry()) == 0) break;  // the Writer deletes the key
  }
  if (deleted > 0) ctx.notify(config::kNotifyZset, "zrem", ctx.args[1]);
  ctx.reply.integer(deleted);
}

// ---------------------------------------------------------------------------
// Single-key reads
// ---------------------------------------------------------------------------

void cmd_zcard(CommandContext& ctx) {
  Db db = ctx.db();
  const Entry* e = nullptr;
  if (!ctx.read_or_reply(db, ctx.args[1], ValueType::kZset, e)) return;
  ctx.reply.integer(e == nullptr ? 0 : static_cast<std::int64_t>(zset::size(*e)));
}

void cmd_zscore(CommandContext& ctx) {
  Db db = ctx.db();
  const Entry* e = nullptr;
  if (!ctx.read_or_reply(db, ctx.args[1], ValueType::kZset, e)) return;
  const auto s = e != nullptr ? zset::score(*e, ctx.args[2]) : std::nullopt;
  if (s) {
    ctx.reply.real(*s);
  } else {
    ctx.reply.null();
  }
}

void cmd_zmscore(CommandContext& ctx) {
  Db db = ctx.db();
  const Entry* e = nullptr;
  if (!ctx.read_or_reply(db, ctx.args[1], ValueType::kZset, e)) return;
  ctx.reply.array(ctx.args.size() - 2);
  for (std::size_t j = 2; j < ctx.args.size(); ++j) {
    const auto s = e != nullptr ? zset::score(*e, ctx.args[j]) : std::nullopt;
    if (s) {
      ctx.reply.real(*s);
    } else {
      ctx.reply.null();
    }
  }
}

void zrank_generic(CommandContext& ctx, bool reverse) {
  Db db = ctx.db();
  const Entry* e = nullptr;
  if (!ctx.read_or_reply(db, ctx.args[1], ValueType::kZset, e)) return;
  const auto r = e != nullptr ? zset::rank(*e, ctx.args[2]) : std::nullopt;
  if (!r) {
    ctx.reply.null();
    return;
  }
  ctx.reply.integer(static_cast<std::int64_t>(reverse ? zset::size(*e) - 1 - *r : *r));
}

void cmd_zrank(CommandContext& ctx) { zrank_generic(ctx, false); }
void cmd_zrevrank(CommandContext& ctx) { zrank_generic(ctx, true); }

void cmd_zcount(CommandContext& ctx) {
  ScoreRange r;
  if (!parse_score_range(ctx.args[2], ctx.args[3], r)) {
    ctx.reply.error(err::kMinMaxNotFloat);
    return;
  }
  Db db = ctx.db();
  const Entry* e = nullptr;
  if (!ctx.read_or_reply(db, ctx.args[1], ValueType::kZset, e)) return;
  if (e == nullptr) {
    ctx.reply.integer(0);
    return;
  }
  const auto [first, last] = score_ranks(*e, r);
  ctx.reply.integer(static_cast<std::int64_t>(last - first));
}


// ---------------------------------------------------------------------------
// The ZRANGE family (Redis's zrangeGenericCommand)
// ---------------------------------------------------------------------------

enum class RangeType { kAuto, kRank, kScore, kLex };
enum class Direction { kAuto, kForward, kReverse };

// Ranks [first, last) ascending, visited ascending or descending.
struct Selection {
  std::size_t first = 0, last = 0;
  bool reverse = false;
};

// The elements of a ZRANGE on `e`: by rank after Redis's sanitizing, by
// score or lex with LIMIT offset count (a negative offset selects nothing,
// a negative count means all).
Selection select_rank(const Entry& e, std::int64_t start, std::int64_t end, bool reverse) {
  const auto llen = static_cast<std::int64_t>(zset::size(e));
  if (start < 0) start = llen + start;
  if (end < 0) end = llen + end;
  if (start < 0) start = 0;
  if (start > end || start >= llen) return {};
  if (end >= llen) end = llen - 1;
  if (reverse) {
    return {static_cast<std::size_t>(llen - 1 - end), static_cast<std::size_t>(llen - start), true};
  }
  return {static_cast<std::size_t>(start), static_cast<std::size_t>(end + 1), false};
}

Selection limit_selection(std::pair<std::size_t, std::size_t> ranks, std::int64_t offset, std::int64_t limit,
                          bool reverse) {
  auto [first, last] = ranks;
  if (offset < 0 || first == last) return {};
  const auto len = last - first;
  const auto off = static_cast<std::uint64_t>(offset);
  if (off >= len) return {};
  std::size_t n = len - off;
  if (limit >= 0) n = std::min<std::size_t>(n, static_cast<std::size_t>(limit));
  if (reverse) return {last - off - n, last - off, true};
  return {first + off, first + off + n, false};
}

// The selection of a lex range with LIMIT offset count. Lex ranges are
// meant for sets whose members share one score, which are in member order.
// A compact set's answer is Redis's whatever its scores, walked as its
// listpack code walks: from the first member at or above min (REV: the last
// at or below max), if that one is in range, `offset` members are skipped
// whatever they are, then members are taken while below max (REV: above
// min).
Selection lex_selection(const Entry& e, const LexRange& r, std::int64_t offset, std::int64_t limit, bool reverse) {
  if (e.encoding() == storage::Encoding::kObject) return limit_selection(lex_ranks(e, r), offset, limit, reverse);
  if (offset < 0 || !lex_range_may_hit(e, r)) return {};
  const std::size_t n = zset::size(e);
  auto past_start = [&](std::string_view m) { return reverse ? lex_lte_max(m, r.max) : lex_gte_min(m, r.min); };
  // Past the start only the far bound is checked, as Redis's loops do.
  auto within = [&](std::string_view m) { return reverse ? lex_gte_min(m, r.min) : lex_lte_max(m, r.max); };
  std::size_t start = 0;  // in walk order
  bool found = false;
  zset::visit(e, reverse ? n - 1 : 0, reverse, [&](double, std::string_view m) {
    if (!past_start(m)) {
      ++start;
      return true;
    }
    found = within(m);
    return false;
  });
  if (!found || start + static_cast<std::uint64_t>(offset) >= n) return {};
  const std::size_t from = start + static_cast<std::size_t>(offset);
  std::size_t run = 0;
  zset::visit(e, reverse ? n - 1 - from : from, reverse, [&](double, std::string_view m) {
    if ((limit >= 0 && run == static_cast<std::size_t>(limit)) || !within(m)) return false;
    ++run;
    return true;
  });
  return reverse ? Selection{n - from - run, n - from, true} : Selection{from, from + run, false};
}

void cmd_zlexcount(CommandContext& ctx) {
  LexRange r;
  if (!parse_lex_range(ctx.args[2], ctx.args[3], r)) {
    ctx.reply.error(err::kMinMaxNotLex);
    return;
  }
  Db db = ctx.db();
  const Entry* e = nullptr;
  if (!ctx.read_or_reply(db, ctx.args[1], ValueType::kZset, e)) return;
  if (e == nullptr) {
    ctx.reply.integer(0);
    return;
  }
  const Selection sel = lex_selection(*e, r, 0, -1, false);
  ctx.reply.integer(static_cast<std::int64_t>(sel.last - sel.first));
}

// Calls f(score, member) for the selection, in reply order.
template <class F>
void for_selection(const Entry& e, const Selection& sel, F&& f) {
  std::size_t left = sel.last - sel.first;
  if (left == 0) return;
  zset::visit(e, sel.reverse ? sel.last - 1 : sel.first, sel.reverse, [&](double s, std::string_view m) {
    f(s, m);
    return --left > 0;
  });
}

// Below this LIMIT offset an ascending score range walks from its first
// element instead of counting ranks (a descent per bound, one to visit).
constexpr std::int64_t kWalkOffset = 64;

// The ascending score range reply (ZRANGEBYSCORE ... LIMIT offset limit,
// a negative limit for all) by one walk, as Redis's genericZrangebyscoreCommand.
void zrangebyscore_walk(CommandContext& ctx, const Entry& e, const ScoreRange& r, std::size_t offset,
                        std::int64_t limit, bool withscores) {
  std::vector<std::pair<double, std::string_view>> picked;
  if (limit > 0) picked.reserve(static_cast<std::size_t>(std::min<std::int64_t>(limit, 1024)));
  if (limit != 0) {
    zset::visit_from(
        e, [&](double s, std::string_view) { return r.minex ? s <= r.min : s < r.min; },
        [&](double s, std::string_view m) {
          if (r.maxex ? s >= r.max : s > r.max) return false;
          if (offset > 0) {
            --offset;
            return true;
          }
          picked.emplace_back(s, m);
          return limit < 0 || picked.size() < static_cast<std::uint64_t>(limit);
        });
  }
  reply_array_header(ctx, picked.size(), withscores);
  for (const auto& [s, m] : picked) reply_element(ctx.reply, m, s, withscores);
}

void zrange_generic(CommandContext& ctx, std::size_t argc_start, bool store, RangeType type, Direction dir) {
  const std::string_view key = ctx.args[argc_start];
  std::size_t minidx = argc_start + 1, maxidx = argc_start + 2;
  bool withscores = false;
  std::int64_t offset = 0, limit = -1;
  for (std::size_t j = argc_start + 3; j < ctx.args.size(); ++j) {
    const std::size_t left = ctx.args.size() - j - 1;
    const std::string_view a = ctx.args[j];
    if (!store && opt(a, "withscores")) {
      withscores = true;
    } else if (opt(a, "limit") && left >= 2) {
      if (!ctx.parse_int64_or_reply(ctx.args[j + 1], offset) || !ctx.parse_int64_or_reply(ctx.args[j + 2], limit)) {
        return;
      }
      j += 2;
    } else if (dir == Direction::kAuto && opt(a, "rev")) {
      dir = Direction::kReverse;
    } else if (type == RangeType::kAuto && opt(a, "bylex")) {
      type = RangeType::kLex;
    } else if (type == RangeType::kAuto && opt(a, "byscore")) {
      type = RangeType::kScore;
    } else {
      ctx.reply.error(err::kSyntax);
      return;
    }
  }
  if (dir == Direction::kAuto) dir = Direction::kForward;
  if (type == RangeType::kAuto) type = RangeType::kRank;
  if (limit != -1 && type == RangeType::kRank) {
    ctx.reply.error(err::kLimitByRank);
    return;
  }
  if (withscores && type == RangeType::kLex) {
    ctx.reply.error(err::kWithscoresByLex);
    return;
  }
  const bool reverse = dir == Direction::kReverse;
  if (reverse && type != RangeType::kRank) std::swap(minidx, maxidx);

  std::int64_t start = 0, end = 0;
  ScoreRange score_range;
  LexRange lex_range;
  switch (type) {
    case RangeType::kScore:
      if (!parse_score_range(ctx.args[minidx], ctx.args[maxidx], score_range)) {
        ctx.reply.error(err::kMinMaxNotFloat);
        return;
      }
      break;
    case RangeType::kLex:
      if (!parse_lex_range(ctx.args[minidx], ctx.args[maxidx], lex_range)) {
        ctx.reply.error(err::kMinMaxNotLex);
        return;
      }
      break;
    default:
      if (!ctx.parse_int64_or_reply(ctx.args[minidx], start) || !ctx.parse_int64_or_reply(ctx.args[maxidx], end)) {
        return;
      }
  }

  Db db = ctx.db();
  const Entry* e = nullptr;
  if (!ctx.read_or_reply(db, key, ValueType::kZset, e)) return;
  if (e != nullptr && !store && type == RangeType::kScore && !reverse && offset >= 0 && offset < kWalkOffset) {
    zrangebyscore_walk(ctx, *e, score_range, static_cast<std::size_t>(offset), limit, withscores);
    return;
  }
  Selection sel;
  if (e != nullptr) {
    switch (type) {
      case RangeType::kScore: sel = limit_selection(score_ranks(*e, score_range), offset, limit, reverse); break;
      case RangeType::kLex: sel = lex_selection(*e, lex_range, offset, limit, reverse); break;
      default: sel = select_rank(*e, start, end, reverse);
    }
  }
  const std::size_t n = sel.last - sel.first;
  if (store) {
    const std::string_view dst = ctx.args[1];
    if (n == 0) {
      if (db.erase(dst)) ctx.notify(config::kNotifyGeneric, "del", dst);
      ctx.reply.integer(0);
      return;
    }
    // Redis adds the range in order to a destination that starts as a
    // listpack (unless a rank range's length is over the entry limit) and
    // turns into a skiplist at the first member or count over the limits;
    // the members added before then lose the sign of a -0 score.
    const zset::Limits lim = limits(ctx);
    bool packed = type != RangeType::kRank || n <= lim.max_entries;
    std::size_t added = 0;
    zset::Builder result;
    result.reserve(n);
    for_selection(*e, sel, [&](double s, std::string_view m) {
      packed = packed && added + 1 <= lim.max_entries && m.size() <= lim.max_value;
      ++added;
      result.add(packed && s == 0 ? 0.0 : s, m);
    });
    result.store(db, dst, lim);
    ctx.notify(config::kNotifyZset, "zrangestore", dst);
    ctx.reply.integer(static_cast<std::int64_t>(n));
    return;
  }
  reply_array_header(ctx, n, withscores);
  if (n > 0) for_selection(*e, sel, [&](double s, std::string_view m) { reply_element(ctx.reply, m, s, withscores); });
}

void cmd_zrange(CommandContext& ctx) { zrange_generic(ctx, 1, false, RangeType::kAuto, Direction::kAuto); }
void cmd_zrangestore(CommandContext& ctx) { zrange_generic(ctx, 2, true, RangeType::kAuto, Direction::kAuto); }
void cmd_zrevrange(CommandContext& ctx) { zrange_generic(ctx, 1, false, RangeType::kRank, Direction::kReverse); }
void cmd_zrangebyscore(CommandContext& ctx) {
  zrange_generic(ctx, 1, false, RangeType::kScore, Direction::kForward);
}
void cmd_zrevrangebyscore(CommandContext& ctx) {
  zrange_generic(ctx, 1, false, RangeType::kScore, Direction::kReverse);
}
void cmd_zrangebylex(CommandContext& ctx) { zrange_generic(ctx, 1, false, RangeType::kLex, Direction::kForward); }
void cmd_zrevrangebylex(CommandContext& ctx) {
  zrange_generic(ctx, 1, false, RangeType::kLex, Direction::kReverse);
}

// ---------------------------------------------------------------------------
// ZREMRANGEBYRANK / BYSCORE / BYLEX
// ---------------------------------------------------------------------------

void zremrange_generic(CommandContext& ctx, RangeType type) {
  std::int64_t start = 0, end = 0;
  ScoreRange score_range;
  LexRange lex_range;
  if (type == RangeType::kRank) {
    if (!ctx.parse_int64_or_reply(ctx.args[2], start) || !ctx.parse_int64_or_reply(ctx.args[3], end)) return;
  } else if (type == RangeType::kScore) {
    if (!parse_score_range(ctx.args[2], ctx.args[3], score_range)) {
      ctx.reply.error(err::kMinMaxNotFloat);
      return;
    }
  } else if (!parse_lex_range(ctx.args[2], ctx.args[3], lex_range)) {
    ctx.reply.error(err::kMinMaxNotLex);
    return;
  }
  Db db = ctx.db();
  Db::Writer w = db.write(ctx.args[1], ValueType::kZset);
  if (!ctx.writable_or_reply(w)) return;
  if (!w) {
    ctx.reply.integer(0);
    return;
  }
  Selection sel;
  switch (type) {
    case RangeType::kScore: sel = limit_selection(score_ranks(w.entry(), score_range), 0, -1, false); break;
    case RangeType::kLex: sel = lex_selection(w.entry(), lex_range, 0, -1, false); break;
    default: sel = select_rank(w.entry(), start, end, false);
  }
  const std::size_t n = sel.last - sel.first;
  if (n > 0) {
    zset::remove_ranks(w, sel.first, sel.last - 1);
    ctx.notify(config::kNotifyZset,
               type == RangeType::kScore ? "zremrangebyscore" : type == RangeType::kLex ? "zremrangebylex"
                                                                                       : "zremrangebyrank",
               ctx.args[1]);
  }
  ctx.reply.integer(static_cast<std::int64_t>(n));
}

void cmd_zremrangebyrank(CommandContext& ctx) { zremrange_generic(ctx, RangeType::kRank); }
void cmd_zremrangebyscore(CommandContext& ctx) { zremrange_generic(ctx, RangeType::kScore); }
void cmd_zremrangebylex(CommandContext& ctx) { zremrange_generic(ctx, RangeType::kLex); }

// ---------------------------------------------------------------------------
// ZPOPMIN, ZPOPMAX, ZMPOP
// ---------------------------------------------------------------------------

void zpop_generic(CommandContext& ctx, zset_ops::End end) {
  if (ctx.args.size() > 3) {
    ctx.reply.error(err::kSyntax);
    return;
  }
  std::int64_t count = -1;
  if (ctx.args.size() == 3 && (!util::parse_int64(ctx.args[2], count) || count < 0)) {
    ctx.reply.error(err::kMustBePositive);
    return;
  }
  Db db = ctx.db();
  Db::Writer w = db.write(ctx.args[1], ValueType::kZset);
  if (!ctx.writable_or_reply(w)) return;
  if (!w || count == 0) {
    ctx.reply.array(0);
    return;
  }
  const bool nested = ctx.reply.protocol() > 2 && count != -1;
  const std::size_t n = std::min(count == -1 ? 1 : static_cast<std::size_t>(count), zset::size(w.entry()));
  ctx.reply.array(nested ? n : 2 * n);
  zset_ops::pop_from(w, end, n, [&](double s, std::string_view m) {
    if (nested) ctx.reply.array(2);
    ctx.reply.bulk(m);
    ctx.reply.real(s);
  });
  if (n > 0) ctx.notify(config::kNotifyZset, zset_ops::pop_event(end), ctx.args[1]);
}

void cmd_zpopmin(CommandContext& ctx) { zpop_generic(ctx, zset_ops::End::kMin); }
void cmd_zpopmax(CommandContext& ctx) { zpop_generic(ctx, zset_ops::End::kMax); }

// ZMPOP numkeys key [key ...] MIN|MAX [COUNT count].
void cmd_zmpop(CommandContext& ctx) {
  std::int64_t numkeys = 0;
  if (!util::parse_int64(ctx.args[1], numkeys) || numkeys < 1) {
    ctx.reply.error(err::kNumkeysNotPositive);
    return;
  }
  const std::size_t where_idx = 2 + static_cast<std::size_t>(numkeys);
  if (static_cast<std::uint64_t>(numkeys) > ctx.args.size() || where_idx >= ctx.args.size()) {
    ctx.reply.error(err::kSyntax);
    return;
  }
  zset_ops::End end = zset_ops::End::kMin;
  if (opt(ctx.args[where_idx], "min")) {
    end = zset_ops::End::kMin;
  } else if (opt(ctx.args[where_idx], "max")) {
    end = zset_ops::End::kMax;
  } else {
    ctx.reply.error(err::kSyntax);
    return;
  }
  std::int64_t count = -1;
  for (std::size_t j = where_idx + 1; j < ctx.args.size(); ++j) {
    if (count == -1 && opt(ctx.args[j], "count") && j + 1 < ctx.args.size()) {
      ++j;
      if (!util::parse_int64(ctx.args[j], count) || count < 1) {
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
  for (std::size_t j = 2; j < where_idx; ++j) {
    const Db::Read r = db.read_for_write(ctx.args[j], ValueType::kZset);
    if (r.wrong_type) {
      ctx.reply.error(err::kWrongType);
      return;
    }
    if (r.entry == nullptr) continue;
    zset_ops::pop_reply_zmpop(db, ctx.args[j], end, static_cast<std::size_t>(count), ctx.reply, ctx.server.events);
    return;
  }
  ctx.reply.null_array();
}

// ---------------------------------------------------------------------------
// ZRANDMEMBER
// ---------------------------------------------------------------------------

// A random element of the non-empty `e`.
std::pair<double, std::string_view> random_element(const Entry& e) {
  std::pair<double, std::string_view> out;
  zset::visit(e, rng()() % zset::size(e), false, [&](double s, std::string_view m) {
    out = {s, m};
    return false;
  });
  return out;
}

void zrandmember_with_count(CommandContext& ctx, std::int64_t l, bool withscores) {
  Db db = ctx.db();
  const Entry* e = nullptr;
  if (!ctx.read_or_reply(db, ctx.args[1], ValueType::kZset, e)) return;
  if (e == nullptr) {
    ctx.reply.array(0);
    return;
  }
  const bool uniq = l >= 0;
  const std::uint64_t count = uniq ? static_cast<std::uint64_t>(l) : static_cast<std::uint64_t>(-l);
  if (count == 0) {
    ctx.reply.array(0);
    return;
  }
  const std::size_t size = zset::size(*e);
  if (!uniq && count > RandomDraws::kDeferredDraws && ctx.may_defer) {
    reply_array_header(ctx, count, withscores);
    auto draws = std::make_unique<RandomDraws>(count, ctx.reply.protocol());
    zset::for_each(*e, [&](double s, std::string_view m) {
      reply_element(draws->writer(), m, s, withscores);
      draws->end_element();
    });
    ctx.defer(std::move(draws));
    return;
  }
  if (!uniq || count == 1) {
    reply_array_header(ctx, count, withscores);
    for (std::uint64_t i = 0; i < count; ++i) {
      const auto [s, m] = random_element(*e);
      reply_element(ctx.reply, m, s, withscores);
    }
    return;
  }
  if (count >= size) {
    reply_array_header(ctx, size, withscores);
    zset::for_each(*e, [&](double s, std::string_view m) { reply_element(ctx.reply, m, s, withscores); });
    return;
  }
  // Distinct ranks: a partial shuffle of all of them when most are wanted,
  // draws until `count` distinct ones otherwise.
  std::vector<std::size_t> ranks;
  if (count * 3 > size) {
    ranks.resize(size);
    for (std::size_t i = 0; i < size; ++i) ranks[i] = i;
    for (std::size_t i = 0; i < count; ++i) std::swap(ranks[i], ranks[i + rng()() % (size - i)]);
    ranks.resize(count);
  } else {
    std::unordered_set<std::size_t> seen;
    while (ranks.size() < count) {
      const std::size_t r = rng()() % size;
      if (seen.insert(r).second) ranks.push_back(r);
    }
  }
  reply_array_header(ctx, count, withscores);
  for (const std::size_t r : ranks) {
    zset::visit(*e, r, false, [&](double s, std::string_view m) {
      reply_element(ctx.reply, m, s, withscores);
      return false;
    });
  }
}

void cmd_zrandmember(CommandContext& ctx) {
  if (ctx.args.size() >= 3) {
    std::int64_t l = 0;
    if (!ctx.parse_int64_or_reply(ctx.args[2], l)) return;
    // The count's range first, then the syntax, then WITHSCORES's narrower
    // range (Redis's zrandmemberCommand).
    if (l < -INT64_MAX) {
      ctx.reply.error(err::kCountOutOfRange);
      return;
    }
    if (ctx.args.size() > 4 || (ctx.args.size() == 4 && !opt(ctx.args[3], "withscores"))) {
      ctx.reply.error(err::kSyntax);
      return;
    }
    const bool withscores = ctx.args.size() == 4;
    if (withscores && (l < -INT64_MAX / 2 || l > INT64_MAX / 2)) {
      ctx.reply.error(err::kValueOutOfRange);
      return;
    }
    zrandmember_with_count(ctx, l, withscores);
    return;
  }
  Db db = ctx.db();
  const Entry* e = nullptr;
  if (!ctx.read_or_reply(db, ctx.args[1], ValueType::kZset, e)) return;
  if (e == nullptr) {
    ctx.reply.null();
    return;
  }
  ctx.reply.bulk(random_element(*e).second);
}

// ---------------------------------------------------------------------------
// ZUNION, ZINTER, ZDIFF, their STORE forms and ZINTERCARD
// ---------------------------------------------------------------------------

// One input of the algebra: a sorted set, or a set whose members score 1.
struct Source {
  const Entry* entry = nullptr;  // null: a missing key (empty)
  bool is_set = false;
  double weight = 1;

  std::size_t size() const {
    if (entry == nullptr) return 0;
    return is_set ? storage::set::size(*entry) : zset::size(*entry);
  }
  std::optional<double> score(std::string_view m) const {
    if (entry == nullptr) return std::nullopt;
    if (is_set) return storage::set::contains(*entry, m) ? std::optional<double>(1.0) : std::nullopt;
    return zset::score(*entry, m);
  }
  // for_each's member views outlive the call only when this is true (an
  // intset's members are formatted into scratch space).
  bool views_stable() const { return entry == nullptr || !is_set || entry->encoding() == storage::Encoding::kObject; }
  template <class F>
  void for_each(F&& f) const {
    if (entry == nullptr) return;
    if (is_set) {
      storage::set::for_each(*entry, [&](std::string_view m) { f(1.0, m); });
    } else {
      zset::for_each(*entry, f);
    }
  }
};

// Looks the keys up as reads (STORE sources too: Redis 7.0 counts their hits
// and misses, and a miss's keymiss event): false after replying WRONGTYPE
// for a key that is neither a set nor a sorted set.
bool read_sources_or_reply(CommandContext& ctx, Db& db, std::span<const std::string_view> keys,
                           std::vector<Source>& out) {
  for (const std::string_view key : keys) {
    Source src;
    const Db::Read z = db.read(key, ValueType::kZset);
    if (z.wrong_type) {
      const Db::Read s = db.read_for_write(key, ValueType::kSet);
      if (s.wrong_type) {
        ctx.reply.error(err::kWrongType);
        return false;
      }
      src.entry = s.entry;
      src.is_set = true;
    } else {
      src.entry = z.entry;
    }
    out.push_back(src);
  }
  return true;
}

enum class SetOp { kUnion, kInter, kDiff };
enum class Aggregate { kSum, kMin, kMax };

void aggregate(double& target, double v, Aggregate agg) {
  switch (agg) {
    case Aggregate::kSum:
      target = target + v;
      if (std::isnan(target)) target = 0.0;  // inf + -inf
      break;
    case Aggregate::kMin: target = std::min(target, v); break;
    case Aggregate::kMax: target = std::max(target, v); break;
  }
}

double weighted(double score, double weight) {
  const double v = weight * score;
  return std::isnan(v) ? 0.0 : v;
}

// Redis's zunionInterDiffGenericCommand. `dst` is empty for the reply forms.
// `card_only`: ZINTERCARD (LIMIT instead of WEIGHTS, AGGREGATE, WITHSCORES).
void zalgebra_generic(CommandContext& ctx, std::size_t numkeys_idx, SetOp op, std::string_view dst,
                      bool card_only = false) {
  const bool store = !dst.empty() || numkeys_idx == 2;
  std::int64_t setnum = 0;
  if (!ctx.parse_int64_or_reply(ctx.args[numkeys_idx], setnum)) return;
  if (setnum < 1) {
    std::string name(ctx.args[0]);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    ctx.reply.error("ERR at least 1 input key is needed for '" + name + "' command");
    return;
  }
  if (static_cast<std::uint64_t>(setnum) > ctx.args.size() - numkeys_idx - 1) {
    ctx.reply.error(err::kSyntax);
    return;
  }
  const auto n = static_cast<std::size_t>(setnum);
  Db db = ctx.db();
  std::vector<Source> srcs;
  srcs.reserve(n);
  if (!read_sources_or_reply(ctx, db, ctx.args.subspan(numkeys_idx + 1, n), srcs)) return;

  Aggregate agg = Aggregate::kSum;
  bool withscores = false;
  std::int64_t limit = 0;
  for (std::size_t j = numkeys_idx + 1 + n; j < ctx.args.size(); ++j) {
    const std::size_t remaining = ctx.args.size() - j - 1;
    if (card_only) {
      if (remaining >= 1 && opt(ctx.args[j], "limit")) {
        ++j;
        if (!util::parse_int64(ctx.args[j], limit) || limit < 0) {
          ctx.reply.error(err::kLimitNegative);
          return;
        }
      } else {
        ctx.reply.error(err::kSyntax);
        return;
      }
    } else if (op != SetOp::kDiff && remaining >= n && opt(ctx.args[j], "weights")) {
      for (std::size_t i = 0; i < n; ++i) {
        ++j;
        if (!util::parse_double(ctx.args[j], srcs[i].weight)) {
          ctx.reply.error(err::kWeightNotFloat);
          return;
        }
      }
    } else if (op != SetOp::kDiff && remaining >= 1 && opt(ctx.args[j], "aggregate")) {
      ++j;
      if (opt(ctx.args[j], "sum")) {
        agg = Aggregate::kSum;
      } else if (opt(ctx.args[j], "min")) {
        agg = Aggregate::kMin;
      } else if (opt(ctx.args[j], "max")) {
        agg = Aggregate::kMax;
      } else {
        ctx.reply.error(err::kSyntax);
        return;
      }
    } else if (!store && opt(ctx.args[j], "withscores")) {
      withscores = true;
    } else {
      ctx.reply.error(err::kSyntax);
      return;
    }
  }

  // Members in first-seen order with their aggregated scores. Views into the
  // sources, or into `copies` for members that would not outlive for_each.
  std::vector<std::pair<double, std::string_view>> result;
  std::deque<std::string> copies;
  auto keep = [&copies](const Source& src, std::string_view m) {
    return src.views_stable() ? m : std::string_view(copies.emplace_back(m));
  };
  if (op != SetOp::kDiff) {
    std::stable_sort(srcs.begin(), srcs.end(), [](const Source& a, const Source& b) { return a.size() < b.size(); });
  }
  if (card_only) {
    std::uint64_t card = 0;
    srcs[0].for_each([&](double, std::string_view m) {
      if (limit > 0 && card >= static_cast<std::uint64_t>(limit)) return;
      for (std::size_t j = 1; j < n; ++j) {
        if (srcs[j].entry != srcs[0].entry && !srcs[j].score(m)) return;
      }
      ++card;
    });
    ctx.reply.integer(static_cast<std::int64_t>(card));
    return;
  }
  if (op == SetOp::kInter) {
    if (srcs[0].size() > 0) {
      srcs[0].for_each([&](double s, std::string_view m) {
        double score = weighted(s, srcs[0].weight);
        for (std::size_t j = 1; j < n; ++j) {
          const auto other = srcs[j].entry == srcs[0].entry ? std::optional<double>(s) : srcs[j].score(m);
          if (!other) return;
          // Unlike the first input's, a NaN product here is not zeroed
          // (Redis's zunionInterDiffGenericCommand): SUM makes it 0, MIN and MAX skip it.
          aggregate(score, *other * srcs[j].weight, agg);
        }
        result.emplace_back(score, keep(srcs[0], m));
      });
    }
  } else if (op == SetOp::kUnion) {
    std::unordered_map<std::string_view, std::size_t, util::KeyedHash> at;
    for (const Source& src : srcs) {
      src.for_each([&](double s, std::string_view m) {
        const double v = weighted(s, src.weight);
        if (const auto it = at.find(m); it != at.end()) {
          aggregate(result[it->second].first, v, agg);
          return;
        }
        m = keep(src, m);
        at.emplace(m, result.size());
        result.emplace_back(v, m);
      });
    }
  } else {
    srcs[0].for_each([&](double s, std::string_view m) {
      for (std::size_t j = 1; j < n; ++j) {
        if (srcs[j].score(m)) return;
      }
      result.emplace_back(s, keep(srcs[0], m));
    });
  }

  if (store) {
    if (result.empty()) {
      if (db.erase(dst)) ctx.notify(config::kNotifyGeneric, "del", dst);
      ctx.reply.integer(0);
      return;
    }
    zset::Builder b;
    b.reserve(result.size());
    for (const auto& [s, m] : result) b.add(s, m);
    b.store(db, dst, limits(ctx));
    ctx.notify(config::kNotifyZset,
               op == SetOp::kUnion ? "zunionstore" : op == SetOp::kInter ? "zinterstore" : "zdiffstore", dst);
    ctx.reply.integer(static_cast<std::int64_t>(result.size()));
    return;
  }
  std::sort(result.begin(), result.end(), [](const auto& a, const auto& b) {
    return storage::zset_compare(a.first, a.second, b.first, b.second) < 0;
  });
  reply_array_header(ctx, result.size(), withscores);
  for (const auto& [s, m] : result) reply_element(ctx.reply, m, s, withscores);
}

void cmd_zunion(CommandContext& ctx) { zalgebra_generic(ctx, 1, SetOp::kUnion, {}); }
void cmd_zinter(CommandContext& ctx) { zalgebra_generic(ctx, 1, SetOp::kInter, {}); }
void cmd_zdiff(CommandContext& ctx) { zalgebra_generic(ctx, 1, SetOp::kDiff, {}); }
void cmd_zunionstore(CommandContext& ctx) { zalgebra_generic(ctx, 2, SetOp::kUnion, ctx.args[1]); }
void cmd_zinterstore(CommandContext& ctx) { zalgebra_generic(ctx, 2, SetOp::kInter, ctx.args[1]); }
void cmd_zdiffstore(CommandContext& ctx) { zalgebra_generic(ctx, 2, SetOp::kDiff, ctx.args[1]); }

// ZINTERCARD numkeys key [key ...] [LIMIT limit]: ZINTER's parsing, a count.
void cmd_zintercard(CommandContext& ctx) { zalgebra_generic(ctx, 1, SetOp::kInter, {}, true); }

// ZSCAN key cursor [MATCH pattern] [COUNT count]: an inline set replies
// whole with cursor 0, as Redis's listpack. A ScoreTree is walked in score
// order with ScoreTree::scan's cursor, so an element present for the whole
// iteration is returned even when others are removed or added meanwhile.
void cmd_zscan(CommandContext& ctx) {
  std::uint64_t cursor = 0;
  if (!parse_scan_cursor(ctx, ctx.args[2], cursor)) return;
  Db db = ctx.db();
  const Entry* e = nullptr;
  if (!ctx.read_or_reply(db, ctx.args[1], ValueType::kZset, e)) return;
  if (e == nullptr) {
    reply_scan(ctx, 0, {});
    return;
  }
  ScanOptions options;
  if (!parse_scan_options(ctx, 3, false, options)) return;
  std::vector<std::string> out;
  // Scores as Redis 7.0 keeps them: a listpack holds a whole number within
  // +-2^62 as an integer (zzlInsertAt: 1e17 reads "100000000000000000").
  const bool listpack = e->encoding() == storage::Encoding::kInline;
  auto take = [&](double s, std::string_view m) {
    if (options.pattern && !util::glob_match(*options.pattern, m)) return;
    out.emplace_back(m);
    constexpr double kLimit = static_cast<double>(INT64_MAX / 2);
    if (listpack && s >= -kLimit && s <= kLimit && s == static_cast<double>(static_cast<std::int64_t>(s))) {
      out.push_back(std::to_string(static_cast<std::int64_t>(s)));
      return;
    }
    char buf[util::kDoubleBufSize];
    out.emplace_back(buf, util::format_double(s, buf));
  };
  if (listpack) {
    zset::for_each(*e, take);
    cursor = 0;
  } else {
    cursor = zset::tree_of(*e).scan(cursor, static_cast<std::size_t>(options.count), take);
  }
  reply_scan(ctx, cursor, out);
}

}  // namespace

void register_zset_commands(CommandTable& table) {
  table.add("zadd", cmd_zadd);
  table.add("zincrby", cmd_zincrby);
  table.add("zrem", cmd_zrem);
  table.add("zcard", cmd_zcard);
  table.add("zscore", cmd_zscore);
  table.add("zmscore", cmd_zmscore);
  table.add("zrank", cmd_zrank);
  table.add("zrevrank", cmd_zrevrank);
  table.add("zcount", cmd_zcount);
  table.add("zlexcount", cmd_zlexcount);
  table.add("zrange", cmd_zrange);
  table.add("zrangestore", cmd_zrangestore);
  table.add("zrevrange", cmd_zrevrange);
  table.add("zrangebyscore", cmd_zrangebyscore);
  table.add("zrevrangebyscore", cmd_zrevrangebyscore);
  table.add("zrangebylex", cmd_zrangebylex);
  table.add("zrevrangebylex", cmd_zrevrangebylex);
  table.add("zremrangebyrank", cmd_zremrangebyrank);
  table.add("zremrangebyscore", cmd_zremrangebyscore);
  table.add("zremrangebylex", cmd_zremrangebylex);
  table.add("zpopmin", cmd_zpopmin);
  table.add("zpopmax", cmd_zpopmax);
  table.add("zmpop", cmd_zmpop);
  table.add("zrandmember", cmd_zrandmember);
  table.add("zunion", cmd_zunion);
  table.add("zinter", cmd_zinter);
  table.add("zdiff", cmd_zdiff);
  table.add("zunionstore", cmd_zunionstore);
  table.add("zinterstore", cmd_zinterstore);
  table.add("zdiffstore", cmd_zdiffstore);
  table.add("zintercard", cmd_zintercard);
  table.add("zscan", cmd_zscan);
}

}  // namespace larder::commands
