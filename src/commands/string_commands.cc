// String family: GET, SET, SETEX, PSETEX, SETNX, GETEX, GETDEL, GETSET, MGET,
// MSET, MSETNX, INCR, INCRBY, DECR, DECRBY, INCRBYFLOAT, APPEND, STRLEN,
// GETRANGE, SUBSTR, SETRANGE, LCS.

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "larder/commands/command_table.h"
#include "larder/commands/counter.h"
#include "larder/commands/families.h"
#include "larder/protocol/errors.h"
#include "larder/util/numbers.h"
#include "larder/util/strings.h"

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
  kPersist = 1u << 8,
};
constexpr unsigned kAnyExpire = kEx | kPx | kExAt | kPxAt;

// Compares an option argument with a lower-case name the way Redis's
// strcasecmp() does: the argument ends at its first NUL byte ("nx\0y" is NX).
// SET/GETEX option words compare as Redis's strcasecmp does: up to a NUL.
bool iequals(std::string_view a, std::string_view b) { return util::iequals(util::c_string(a), b); }

// Looks `key` up as a read (hit/miss counted): false after replying
// WRONGTYPE when it holds another type; `e` is null when it is missing.
bool read_string_or_reply(CommandContext& ctx, storage::Db db, std::string_view key,
                          const storage::Entry*& e) {
  const storage::Db::Read r = db.read(key, storage::ValueType::kString);
  if (r.wrong_type) {
    ctx.reply.error(err::kWrongType);
    return false;
  }
  e = r.entry;
  return true;
}

// The same for the key a command writes (no statistics, as lookupKeyWrite).
// The access is the write's to stamp (Db::set, Writer), or the caller's
// with Db::lookup_write when it fails; a WRONGTYPE stamps it here.
bool write_lookup_string_or_reply(CommandContext& ctx, storage::Db& db, std::string_view key,
                                  const storage::Entry*& e) {
  const storage::Db::Read r = db.read_for_write(key, storage::ValueType::kString);
  if (r.wrong_type) {
    db.lookup_write(key);
    ctx.reply.error(err::kWrongType);
    return false;
  }
  e = r.entry;
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
  if ((flags & (kEx | kPx)) && __builtin_add_overflow(v, ctx.clock_ms(), &v)) {
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
  // GET reads the key as GET does (a hit or a miss, keymiss), as Redis's
  // getGenericCommand. NX's lookup is an access (the write does not follow
  // for an existing key); other overwrites count theirs in Db::set.
  const storage::Entry* current = (flags & kGet)  ? db.find_for_read(key)
                                  : (flags & kNx) ? db.lookup_write(key)
                                                  : db.find_for_write(key);
  if (flags & kGet) {
    if (current != nullptr && current->type() != storage::ValueType::kString) {
      ctx.reply.error(err::kWrongType);
      return;
    }
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
  ctx.notify(config::kNotifyString, "set", key);
  if (when != kNoExpire) ctx.notify(config::kNotifyGeneric, "expire", key);
  if (style == SetReply::kInteger) {
    ctx.reply.integer(1);
  } else if (!(flags & kGet)) {
    ctx.reply.ok();
  }
}

void cmd_get(CommandContext& ctx) {
  const storage::Entry* e = nullptr;
  if (!read_string_or_reply(ctx, ctx.db(), ctx.args[1], e)) return;
  if (e == nullptr) {
    ctx.reply.null();
  } else {
    ctx.reply.bulk(e->value());
  }
}

// Which command's options parse_extended_args() reads: SET's (from argv[3])
// or GETEX's (from argv[2]).
enum class OptionsOf { kSet, kGetex };

// Redis's parseExtendedStringArgumentsOrReply(), shared by SET and GETEX:
// fills `flags` and points `expire_arg` at the expire value, if any. An option
// is refused (syntax error) when it belongs to the other command, when a
// conflicting one was already given, or when an expire option has no value.
// Replies the error and returns false on failure.
bool parse_extended_args(CommandContext& ctx, OptionsOf command, unsigned& flags,
                         const std::string_view*& expire_arg) {
  const bool is_set = command == OptionsOf::kSet;
  const std::size_t argc = ctx.args.size();
  for (std::size_t j = is_set ? 3 : 2; j < argc; ++j) {
    std::string_view opt = ctx.args[j];
    const bool has_next = j + 1 < argc;
    auto expire_option = [&](unsigned flag) {
      if ((flags & (kAnyExpire & ~flag)) || (flags & (kKeepTtl | kPersist)) || !has_next) {
        return false;
      }
      flags |= flag;
      expire_arg = &ctx.args[++j];
      return true;
    };
    bool accepted;
    if (iequals(opt, "nx")) {
      accepted = is_set && !(flags & kXx);
      flags |= kNx;
    } else if (iequals(opt, "xx")) {
      accepted = is_set && !(flags & kNx);
      flags |= kXx;
    } else if (iequals(opt, "get")) {
      accepted = is_set;
      flags |= kGet;
    } else if (iequals(opt, "keepttl")) {
      accepted = is_set && !(flags & (kAnyExpire | kPersist));
      flags |= kKeepTtl;
    } else if (iequals(opt, "persist")) {
      accepted = !is_set && !(flags & (kAnyExpire | kKeepTtl));
      flags |= kPersist;
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
      return false;
    }
  }
  return true;
}

// SET key value [NX|XX] [GET] [EX s|PX ms|EXAT s|PXAT ms|KEEPTTL]
void cmd_set(CommandContext& ctx) {
  unsigned flags = 0;
  const std::string_view* expire_arg = nullptr;
  if (!parse_extended_args(ctx, OptionsOf::kSet, flags, expire_arg)) return;
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

// GETEX key [EX s|PX ms|EXAT s|PXAT ms|PERSIST]. As Redis: option syntax is
// checked first, a missing key replies nil before the expire value is
// validated, and an EXAT/PXAT already in the past deletes the key after
// replying its value.
void cmd_getex(CommandContext& ctx) {
  unsigned flags = 0;
  const std::string_view* expire_arg = nullptr;
  if (!parse_extended_args(ctx, OptionsOf::kGetex, flags, expire_arg)) return;

  const std::string_view key = ctx.args[1];
  storage::Db db = ctx.db();
  const storage::Entry* e = nullptr;
  if (!read_string_or_reply(ctx, db, key, e)) return;
  if (e == nullptr) {
    ctx.reply.null();
    return;
  }
  std::int64_t when = kNoExpire;
  if (expire_arg != nullptr && !expire_at_or_reply(ctx, *expire_arg, flags, when)) return;
  ctx.reply.bulk(e->value());  // before the entry is replaced or deleted
  if ((flags & (kExAt | kPxAt)) && when <= ctx.clock_ms()) {
    db.erase(key);
    ctx.notify(config::kNotifyGeneric, "del", key);
  } else if (expire_arg != nullptr) {
    db.set_expire(key, when);
    ctx.notify(config::kNotifyGeneric, "expire", key);
  } else if ((flags & kPersist) && e->has_expire()) {
    db.set_expire(key, kNoExpire);
    ctx.notify(config::kNotifyGeneric, "persist", key);
  }
}

void cmd_getdel(CommandContext& ctx) {
  storage::Db db = ctx.db();
  const storage::Entry* e = nullptr;
  if (!read_string_or_reply(ctx, db, ctx.args[1], e)) return;
  if (e == nullptr) {
    ctx.reply.null();
    return;
  }
  ctx.reply.bulk(e->value());
  db.erase(ctx.args[1]);
  ctx.notify(config::kNotifyGeneric, "del", ctx.args[1]);
}

// GETSET key value: replies the old value and stores the new one without TTL.
void cmd_getset(CommandContext& ctx) {
  storage::Db db = ctx.db();
  const storage::Entry* e = nullptr;
  if (!read_string_or_reply(ctx, db, ctx.args[1], e)) return;
  if (e == nullptr) {
    ctx.reply.null();
  } else {
    ctx.reply.bulk(e->value());
  }
  db.set(ctx.args[1], ctx.args[2], kNoExpire);
  ctx.notify(config::kNotifyString, "set", ctx.args[1]);
}

void cmd_mget(CommandContext& ctx) {
  storage::Db db = ctx.db();
  ctx.reply.array(ctx.args.size() - 1);
  for (std::size_t j = 1; j < ctx.args.size(); ++j) {
    // A key of another type reads as nil here, as in Redis.
    const storage::Entry* e = db.find_for_read(ctx.args[j]);
    if (e == nullptr || e->type() != storage::ValueType::kString) {
      ctx.reply.null();
    } else {
      ctx.reply.bulk(e->value());
    }
  }
}

// The one path behind MSET and MSETNX (Redis's msetGenericCommand). Each key
// is stored without TTL; a repeated key keeps its last value.
void mset_generic(CommandContext& ctx, bool nx) {
  const std::size_t argc = ctx.args.size();
  if (argc % 2 == 0) {
    ctx.reply_arity_error();
    return;
  }
  storage::Db db = ctx.db();
  if (nx) {
    for (std::size_t j = 1; j < argc; j += 2) {
      if (db.lookup_write(ctx.args[j]) != nullptr) {
        ctx.reply.integer(0);
        return;
      }
    }
  }
  for (std::size_t j = 1; j < argc; j += 2) {
    db.set(ctx.args[j], ctx.args[j + 1], kNoExpire);
    ctx.notify(config::kNotifyString, "set", ctx.args[j]);
  }
  if (nx) {
    ctx.reply.integer(1);
  } else {
    ctx.reply.ok();
  }
}

void cmd_mset(CommandContext& ctx) { mset_generic(ctx, false); }
void cmd_msetnx(CommandContext& ctx) { mset_generic(ctx, true); }

// The one path behind INCR, INCRBY, DECR and DECRBY (Redis's
// incrDecrCommand). A missing key counts as 0; the TTL is kept.
void incr_decr(CommandContext& ctx, std::int64_t incr) {
  const std::string_view key = ctx.args[1];
  storage::Db db = ctx.db();
  const storage::Entry* e = nullptr;
  if (!write_lookup_string_or_reply(ctx, db, key, e)) return;
  const auto value =
      add_or_reply(ctx, e != nullptr ? std::optional(e->value()) : std::nullopt, incr, err::kNotInteger);
  if (!value) {
    db.lookup_write(key);
    return;
  }
  char buf[util::kInt64BufSize];
  const std::size_t len = util::format_int64(*value, buf);
  db.set(key, std::string_view(buf, len), kNoExpire, /*keep_ttl=*/true);
  ctx.notify(config::kNotifyString, "incrby", key);
  ctx.reply.integer(*value);
}

void cmd_incr(CommandContext& ctx) { incr_decr(ctx, 1); }
void cmd_decr(CommandContext& ctx) { incr_decr(ctx, -1); }

void cmd_incrby(CommandContext& ctx) {
  std::int64_t incr = 0;
  if (!util::parse_int64(ctx.args[2], incr)) {
    ctx.reply.error(err::kNotInteger);
    return;
  }
  incr_decr(ctx, incr);
}

void cmd_decrby(CommandContext& ctx) {
  std::int64_t decr = 0;
  if (!util::parse_int64(ctx.args[2], decr)) {
    ctx.reply.error(err::kNotInteger);
    return;
  }
  if (decr == INT64_MIN) {  // its negation overflows
    ctx.reply.error(err::kDecrOverflow);
    return;
  }
  incr_decr(ctx, -decr);
}

// INCRBYFLOAT key increment: long double arithmetic as Redis; the TTL is kept
// and the reply is a bulk string (also in RESP3).
void cmd_incrbyfloat(CommandContext& ctx) {
  const std::string_view key = ctx.args[1];
  storage::Db db = ctx.db();
  const storage::Entry* e = nullptr;
  if (!write_lookup_string_or_reply(ctx, db, key, e)) return;
  // A bad value and a bad increment give the same error, in either order.
  long double incr = 0;
  if (!util::parse_long_double(ctx.args[2], incr)) {
    db.lookup_write(key);
    ctx.reply.error(err::kNotFloat);
    return;
  }
  const auto text =
      add_float_or_reply(ctx, e != nullptr ? std::optional(e->value()) : std::nullopt, incr, err::kNotFloat);
  if (!text) {
    db.lookup_write(key);
    return;
  }
  db.set(key, *text, kNoExpire, /*keep_ttl=*/true);
  db.set_string_form(key, storage::Entry::StringForm::kNoInt);  // Redis: never int-encoded
  ctx.notify(config::kNotifyString, "incrbyfloat", key);
  ctx.reply.bulk(*text);
}

// Redis checkStringLength(): replies the error and returns false when a string
// of size + append bytes would exceed proto-max-bulk-len.
bool check_string_length(CommandContext& ctx, std::uint64_t size, std::uint64_t append) {
  const std::uint64_t total = size + append;
  if (total > ctx.config.proto_max_bulk_len() || total < size) {
    ctx.reply.error(err::kStringTooLong);
    return false;
  }
  return true;
}

// APPEND key value: creates the key when missing (no size check, as Redis),
// otherwise keeps the TTL and grows the value in place.
void cmd_append(CommandContext& ctx) {
  const std::string_view key = ctx.args[1];
  const std::string_view tail = ctx.args[2];
  storage::Db db = ctx.db();
  storage::Db::Writer w = db.write(key, storage::ValueType::kString);
  if (!ctx.writable_or_reply(w)) return;
  if (!w) {
    db.set(key, tail, kNoExpire);
    ctx.notify(config::kNotifyString, "append", key);
    ctx.reply.integer(static_cast<std::int64_t>(tail.size()));
    return;
  }
  const std::size_t size = w.entry().value().size();
  if (!check_string_length(ctx, size, tail.size())) return;
  char* data = w.resize_string(size + tail.size());
  if (!tail.empty()) std::memcpy(data + size, tail.data(), tail.size());
  ctx.notify(config::kNotifyString, "append", key);
  ctx.reply.integer(static_cast<std::int64_t>(size + tail.size()));
}

void cmd_strlen(CommandContext& ctx) {
  const storage::Entry* e = nullptr;
  if (!read_string_or_reply(ctx, ctx.db(), ctx.args[1], e)) return;
  ctx.reply.integer(e == nullptr ? 0 : static_cast<std::int64_t>(e->value().size()));
}

// GETRANGE key start end (and SUBSTR): inclusive, negative indexes count from
// the end; a missing key or an empty range replies an empty bulk string.
void cmd_getrange(CommandContext& ctx) {
  std::int64_t start = 0;
  std::int64_t end = 0;
  if (!util::parse_int64(ctx.args[2], start) || !util::parse_int64(ctx.args[3], end)) {
    ctx.reply.error(err::kNotInteger);
    return;
  }
  const storage::Entry* e = nullptr;
  if (!read_string_or_reply(ctx, ctx.db(), ctx.args[1], e)) return;
  if (e == nullptr) {
    ctx.reply.bulk("");
    return;
  }
  const std::string_view value = e->value();
  const auto len = static_cast<std::int64_t>(value.size());
  if (start < 0 && end < 0 && start > end) {
    ctx.reply.bulk("");
    return;
  }
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len == 0) {
    ctx.reply.bulk("");
  } else {
    ctx.reply.bulk(value.substr(static_cast<std::size_t>(start),
                                static_cast<std::size_t>(end - start + 1)));
  }
}

// SETRANGE key offset value: pads with zero bytes up to offset; an empty value
// only reports the current length (0 for a missing key, which is not created).
void cmd_setrange(CommandContext& ctx) {
  const std::string_view key = ctx.args[1];
  const std::string_view patch = ctx.args[3];
  std::int64_t offset = 0;
  if (!util::parse_int64(ctx.args[2], offset)) {
    ctx.reply.error(err::kNotInteger);
    return;
  }
  if (offset < 0) {
    ctx.reply.error(err::kOffsetOutOfRange);
    return;
  }
  storage::Db db = ctx.db();
  std::size_t current_len = 0;
  {
    const storage::Entry* e = nullptr;
    if (!write_lookup_string_or_reply(ctx, db, key, e)) return;
    if (e != nullptr) current_len = e->value().size();
  }
  if (patch.empty() || !check_string_length(ctx, static_cast<std::uint64_t>(offset), patch.size())) {
    db.lookup_write(key);
    if (patch.empty()) ctx.reply.integer(static_cast<std::int64_t>(current_len));
    return;
  }
  // A missing key is created at its final size: one allocation, no copy.
  storage::Db::Writer w = db.write(key, storage::ValueType::kString, storage::Db::Create::kYes);
  const std::size_t at = static_cast<std::size_t>(offset);
  const std::size_t size = std::max(current_len, at + patch.size());
  char* data = w.resize_string(size);
  std::memcpy(data + at, patch.data(), patch.size());
  ctx.notify(config::kNotifyString, "setrange", key);
  ctx.reply.integer(static_cast<std::int64_t>(size));
}

// One IDX match of LCS: inclusive ranges in each string.
struct LcsMatch {
  std::uint32_t a_start, a_end, b_start, b_end;
};

// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN], Redis 7.0's
// dynamic programming and backtracking, so ties resolve the same way, in
// O(len1 * len2) bits.
// Missing keys are empty strings.
void cmd_lcs(CommandContext& ctx) {
  storage::Db db = ctx.db();
  const storage::Entry* ea = db.find_for_read(ctx.args[1]);
  const storage::Entry* eb = db.find_for_read(ctx.args[2]);
  if ((ea != nullptr && ea->type() != storage::ValueType::kString) ||
      (eb != nullptr && eb->type() != storage::ValueType::kString)) {
    ctx.reply.error(err::kLcsNotStrings);
    return;
  }
  std::string a;
  std::string b;
  if (ea != nullptr) a.assign(ea->value());
  if (eb != nullptr) b.assign(eb->value());

  bool getlen = false;
  bool getidx = false;
  bool withmatchlen = false;
  std::int64_t minmatchlen = 0;
  const std::size_t argc = ctx.args.size();
  for (std::size_t j = 3; j < argc; ++j) {
    const std::string_view opt = ctx.args[j];
    if (iequals(opt, "idx")) {
      getidx = true;
    } else if (iequals(opt, "len")) {
      getlen = true;
    } else if (iequals(opt, "withmatchlen")) {
      withmatchlen = true;
    } else if (iequals(opt, "minmatchlen") && j + 1 < argc) {
      if (!util::parse_int64(ctx.args[j + 1], minmatchlen)) {
        ctx.reply.error(err::kNotInteger);
        return;
      }
      if (minmatchlen < 0) minmatchlen = 0;
      ++j;
    } else {
      ctx.reply.error(err::kSyntax);
      return;
    }
  }
  if (getidx && getlen) {
    ctx.reply.error(err::kLcsLenAndIdx);
    return;
  }
  if (a.size() >= UINT32_MAX - 1 || b.size() >= UINT32_MAX - 1) {
    ctx.reply.error(err::kLcsTooLong);
    return;
  }
  const auto alen = static_cast<std::uint32_t>(a.size());
  const auto blen = static_cast<std::uint32_t>(b.size());
  // Redis refuses when its table of (alen+1)*(blen+1) uint32 lengths would
  // exceed proto-max-bulk-len; the same limit applies here, although the
  // table kept below is one bit per cell.
  const std::uint64_t cells = (static_cast<std::uint64_t>(alen) + 1) * (blen + 1ull);
  const std::uint64_t redis_bytes = cells * sizeof(std::uint32_t);
  if (redis_bytes / cells != sizeof(std::uint32_t) || redis_bytes > ctx.config.proto_max_bulk_len()) {
    ctx.reply.error(err::kLcsExceedsBulkLen);
    return;
  }
  // Redis's dynamic programming over LCS(i, j), the length for a[0,i) and
  // b[0,j), two rows at a time. Its backtracking only asks, at a cell whose
  // bytes differ, whether LCS(i-1, j) > LCS(i, j-1): that answer is kept as
  // one bit per cell (row i-1, column j-1), so ties resolve as in Redis.
  std::vector<std::uint32_t> prev, cur;
  std::vector<std::uint64_t> up_bits;
  try {
    prev.assign(blen + 1ull, 0);
    cur.assign(blen + 1ull, 0);
    up_bits.assign((static_cast<std::uint64_t>(alen) * blen + 63) / 64, 0);
  } catch (const std::bad_alloc&) {
    ctx.reply.error(err::kLcsNoMemory);
    return;
  }
  for (std::uint32_t i = 1; i <= alen; ++i) {
    cur[0] = 0;
    const std::uint64_t row_bit = static_cast<std::uint64_t>(i - 1) * blen;
    for (std::uint32_t j = 1; j <= blen; ++j) {
      if (a[i - 1] == b[j - 1]) {
        cur[j] = prev[j - 1] + 1;
      } else {
        const std::uint32_t lcs1 = prev[j];
        const std::uint32_t lcs2 = cur[j - 1];
        if (lcs1 > lcs2) {
          const std::uint64_t at = row_bit + j - 1;
          up_bits[at >> 6] |= 1ull << (at & 63);
          cur[j] = lcs1;
        } else {
          cur[j] = lcs2;
        }
      }
    }
    prev.swap(cur);
  }
  const std::uint32_t total = prev[blen];
  auto goes_up = [&](std::uint32_t i, std::uint32_t j) {
    const std::uint64_t at = static_cast<std::uint64_t>(i - 1) * blen + j - 1;
    return (up_bits[at >> 6] >> (at & 63)) & 1;
  };
  if (getlen) {
    ctx.reply.integer(total);
    return;
  }

  // Walk back from the end, collecting the string and the match ranges.
  std::string result(total, '\0');
  std::vector<LcsMatch> matches;
  std::uint32_t idx = total;
  std::uint32_t a_start = alen;  // alen: no range being tracked
  std::uint32_t a_end = 0;
  std::uint32_t b_start = 0;
  std::uint32_t b_end = 0;
  std::uint32_t i = alen;
  std::uint32_t j = blen;
  while (i > 0 && j > 0) {
    bool emit_range = false;
    if (a[i - 1] == b[j - 1]) {
      result[idx - 1] = a[i - 1];
      if (a_start == alen) {
        a_start = a_end = i - 1;
        b_start = b_end = j - 1;
      } else if (a_start == i && b_start == j) {  // contiguous: extend backward
        --a_start;
        --b_start;
      } else {
        emit_range = true;
      }
      // A range that reached the first byte of either string ends here.
      if (a_start == 0 || b_start == 0) emit_range = true;
      --idx;
      --i;
      --j;
    } else {
      if (goes_up(i, j)) {
        --i;
      } else {
        --j;
      }
      if (a_start != alen) emit_range = true;
    }
    if (emit_range) {
      const std::uint32_t match_len = a_end - a_start + 1;
      if (getidx && (minmatchlen == 0 || match_len >= static_cast<std::uint64_t>(minmatchlen))) {
        matches.push_back({a_start, a_end, b_start, b_end});
      }
      a_start = alen;
    }
  }

  if (!getidx) {
    ctx.reply.bulk(result);
    return;
  }
  ctx.reply.map(2);
  ctx.reply.bulk("matches");
  ctx.reply.array(matches.size());
  for (const LcsMatch& m : matches) {
    ctx.reply.array(withmatchlen ? 3 : 2);
    ctx.reply.array(2);
    ctx.reply.integer(m.a_start);
    ctx.reply.integer(m.a_end);
    ctx.reply.array(2);
    ctx.reply.integer(m.b_start);
    ctx.reply.integer(m.b_end);
    if (withmatchlen) ctx.reply.integer(m.a_end - m.a_start + 1);
  }
  ctx.reply.bulk("len");
  ctx.reply.integer(total);
}

}  // namespace

void register_string_commands(CommandTable& table) {
  table.add("get", cmd_get);
  table.add("set", cmd_set);
  table.add("setex", cmd_setex);
  table.add("psetex", cmd_psetex);
  table.add("setnx", cmd_setnx);
  table.add("getex", cmd_getex);
  table.add("getdel", cmd_getdel);
  table.add("getset", cmd_getset);
  table.add("mget", cmd_mget);
  table.add("mset", cmd_mset);
  table.add("msetnx", cmd_msetnx);
  table.add("incr", cmd_incr);
  table.add("decr", cmd_decr);
  table.add("incrby", cmd_incrby);
  table.add("decrby", cmd_decrby);
  table.add("incrbyfloat", cmd_incrbyfloat);
  table.add("append", cmd_append);
  table.add("strlen", cmd_strlen);
  table.add("getrange", cmd_getrange);
  table.add("substr", cmd_getrange);
  table.add("setrange", cmd_setrange);
  table.add("lcs", cmd_lcs);
}

}  // namespace larder::commands
