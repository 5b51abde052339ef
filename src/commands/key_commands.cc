// Generic key family: DEL, UNLINK, EXISTS, KEYS (keys_walk.h), TYPE, TOUCH,
// TTL, PTTL, EXPIRETIME, PEXPIRETIME, EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT,
// PERSIST, RENAME, RENAMENX, COPY, MOVE, RANDOMKEY, OBJECT, SCAN.

#include <cctype>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "larder/commands/command_table.h"
#include "larder/commands/families.h"
#include "larder/commands/keys_walk.h"
#include "larder/commands/scan_options.h"
#include "larder/commands/scan_walk.h"
#include "larder/protocol/errors.h"
#include "larder/util/glob.h"
#include "larder/util/numbers.h"
#include "larder/util/strings.h"

namespace larder::commands {

namespace {

using storage::kNoExpire;
using util::c_string;
using util::iequals;

// Lookup as Redis's LOOKUP_NOTOUCH reads: counts a hit or miss, leaves the
// access stamp alone (TYPE, TTL, EXISTS, OBJECT).
const storage::Entry* find_no_touch(storage::Db& db, std::string_view key) {
  db.set_no_touch(true);
  return db.find_for_read(key);
}

// Redis getIntFromObjectOrReply(): an int64 as string2ll() reads it, then the
// int range. Replies the error and returns nullopt otherwise.
std::optional<int> parse_int_or_reply(CommandContext& ctx, std::string_view arg) {
  std::int64_t v = 0;
  if (!util::parse_int64(arg, v)) {
    ctx.reply.error(err::kNotInteger);
    return std::nullopt;
  }
  if (v < INT_MIN || v > INT_MAX) {
    ctx.reply.error(err::kIntOutOfRange);
    return std::nullopt;
  }
  return static_cast<int>(v);
}

void cmd_del(CommandContext& ctx) {
  storage::Db db = ctx.db();
  std::int64_t deleted = 0;
  for (std::size_t i = 1; i < ctx.args.size(); ++i) {
    if (!db.erase(ctx.args[i])) continue;
    ++deleted;
    ctx.notify(config::kNotifyGeneric, "del", ctx.args[i]);
  }
  ctx.reply.integer(deleted);
}

void cmd_exists(CommandContext& ctx) {
  storage::Db db = ctx.db();
  std::int64_t found = 0;
  for (std::size_t i = 1; i < ctx.args.size(); ++i) found += find_no_touch(db, ctx.args[i]) ? 1 : 0;
  ctx.reply.integer(found);
}

// TOUCH: counts the live keys and refreshes their access stamp.
void cmd_touch(CommandContext& ctx) {
  storage::Db db = ctx.db();
  std::int64_t found = 0;
  for (std::size_t i = 1; i < ctx.args.size(); ++i) found += db.find_for_read(ctx.args[i]) ? 1 : 0;
  ctx.reply.integer(found);
}

void cmd_type(CommandContext& ctx) {
  storage::Db db = ctx.db();
  const storage::Entry* e = find_no_touch(db, ctx.args[1]);
  ctx.reply.simple(e != nullptr ? storage::type_name(e->type()) : "none");
}

// KEYS pattern: in steps of kStepBudget (the first one here), unless inside
// EXEC, which holds every shard lock and needs it done at once.
void cmd_keys(CommandContext& ctx) {
  const int db = ctx.client.db.load(std::memory_order_relaxed);
  if (!ctx.may_defer) {
    KeysWalk(ctx.keyspace, db, ctx.args[1], ctx.now_ms, KeysWalk::Locking::kCallerHoldsAll)
        .step(ctx.reply, std::chrono::steady_clock::time_point::max());
    return;
  }
  auto walk = std::make_unique<KeysWalk>(ctx.keyspace, db, ctx.args[1], ctx.now_ms,
                                         KeysWalk::Locking::kPerShard);
  if (!walk->step(ctx.reply, std::chrono::steady_clock::now() + kStepBudget)) ctx.defer(std::move(walk));
}

// TTL, PTTL, EXPIRETIME, PEXPIRETIME: -2 missing, -1 no expiry, else the
// remaining time (or, `absolute`, the deadline); seconds are rounded.
void ttl_generic(CommandContext& ctx, bool in_ms, bool absolute = false) {
  storage::Db db = ctx.db();
  const storage::Entry* e = find_no_touch(db, ctx.args[1]);
  if (e == nullptr) {
    ctx.reply.integer(-2);
    return;
  }
  if (!e->has_expire()) {
    ctx.reply.integer(-1);
    return;
  }
  std::int64_t ttl = absolute ? e->expire_at() : e->expire_at() - ctx.clock_ms();
  if (ttl < 0) ttl = 0;
  ctx.reply.integer(in_ms ? ttl : (ttl + 500) / 1000);
}

void cmd_ttl(CommandContext& ctx) { ttl_generic(ctx, false); }
void cmd_pttl(CommandContext& ctx) { ttl_generic(ctx, true); }
void cmd_expiretime(CommandContext& ctx) { ttl_generic(ctx, false, true); }
void cmd_pexpiretime(CommandContext& ctx) { ttl_generic(ctx, true, true); }

enum ExpireCondition : unsigned { kNx = 1, kXx = 2, kGt = 4, kLt = 8 };

// EXPIRE / PEXPIRE key time [NX|XX|GT|LT] (base_ms = now) and EXPIREAT /
// PEXPIREAT (base_ms = 0); a deadline not in the future deletes.
void expire_generic(CommandContext& ctx, bool in_seconds, std::int64_t base_ms) {
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
                                        when * 1000 > INT64_MAX - base_ms)
                                     : when > INT64_MAX - base_ms;
  if (overflows) {
    ctx.reply_invalid_expire();
    return;
  }
  if (in_seconds) when *= 1000;
  when += base_ms;

  storage::Db db = ctx.db();
  const storage::Entry* e = db.lookup_write(ctx.args[1]);
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
  if (when <= ctx.clock_ms()) {
    db.erase(ctx.args[1]);
    ctx.notify(config::kNotifyGeneric, "del", ctx.args[1]);
  } else {
    db.set_expire(ctx.args[1], when);
    ctx.notify(config::kNotifyGeneric, "expire", ctx.args[1]);
  }
  ctx.reply.integer(1);
}

void cmd_expire(CommandContext& ctx) { expire_generic(ctx, true, ctx.clock_ms()); }
void cmd_pexpire(CommandContext& ctx) { expire_generic(ctx, false, ctx.clock_ms()); }
void cmd_expireat(CommandContext& ctx) { expire_generic(ctx, true, 0); }
void cmd_pexpireat(CommandContext& ctx) { expire_generic(ctx, false, 0); }

void cmd_persist(CommandContext& ctx) {
  storage::Db db = ctx.db();
  const storage::Entry* e = db.lookup_write(ctx.args[1]);
  if (e == nullptr || !e->has_expire()) {
    ctx.reply.integer(0);
    return;
  }
  db.set_expire(ctx.args[1], kNoExpire);
  ctx.notify(config::kNotifyGeneric, "persist", ctx.args[1]);
  ctx.reply.integer(1);
}

// RENAME / RENAMENX src dst: the value moves with its expiry.
void rename_generic(CommandContext& ctx, bool nx) {
  using R = storage::Db::RenameResult;
  switch (ctx.db().rename(ctx.args[1], ctx.args[2], nx)) {
    case R::kNoSuchKey:
      ctx.reply.error(err::kNoSuchKey);
      return;
    case R::kTargetExists:
      ctx.reply.integer(0);
      return;
    case R::kRenamed:
      if (ctx.args[1] != ctx.args[2]) {
        ctx.notify(config::kNotifyGeneric, "rename_from", ctx.args[1]);
        ctx.notify(config::kNotifyGeneric, "rename_to", ctx.args[2]);
      }
      if (nx) {
        ctx.reply.integer(1);
      } else {
        ctx.reply.ok();
      }
      return;
  }
}

void cmd_rename(CommandContext& ctx) { rename_generic(ctx, false); }
void cmd_renamenx(CommandContext& ctx) { rename_generic(ctx, true); }

// COPY source destination [DB destination-db] [REPLACE]
void cmd_copy(CommandContext& ctx) {
  storage::Db db = ctx.db();
  int to_db = db.index();
  bool replace = false;
  for (std::size_t j = 3; j < ctx.args.size(); ++j) {
    const std::size_t additional = ctx.args.size() - j - 1;
    if (iequals(ctx.args[j], "replace")) {
      replace = true;
    } else if (iequals(ctx.args[j], "db") && additional >= 1) {
      std::optional<int> id = parse_int_or_reply(ctx, ctx.args[j + 1]);
      if (!id) return;
      if (*id < 0 || *id >= ctx.config.databases()) {
        ctx.reply.error(err::kDbIndexOutOfRange);
        return;
      }
      to_db = *id;
      ++j;
    } else {
      ctx.reply.error(err::kSyntax);
      return;
    }
  }
  if (to_db == db.index() && ctx.args[1] == ctx.args[2]) {
    ctx.reply.error(err::kSameObject);
    return;
  }
  using R = storage::Db::CopyResult;
  const bool copied = db.copy(ctx.args[1], ctx.args[2], to_db, replace) == R::kCopied;
  if (copied) ctx.notify(config::kNotifyGeneric, "copy_to", ctx.args[2], to_db);
  ctx.reply.integer(copied ? 1 : 0);
}

// MOVE key db
void cmd_move(CommandContext& ctx) {
  std::optional<int> id = parse_int_or_reply(ctx, ctx.args[2]);
  if (!id) return;
  if (*id < 0 || *id >= ctx.config.databases()) {
    ctx.reply.error(err::kDbIndexOutOfRange);
    return;
  }
  storage::Db db = ctx.db();
  if (*id == db.index()) {
    ctx.reply.error(err::kSameObject);
    return;
  }
  using R = storage::Db::MoveResult;
  const bool moved = db.move(ctx.args[1], *id) == R::kMoved;
  if (moved) {
    ctx.notify(config::kNotifyGeneric, "move_from", ctx.args[1], db.index());
    ctx.notify(config::kNotifyGeneric, "move_to", ctx.args[1], *id);
  }
  ctx.reply.integer(moved ? 1 : 0);
}

void cmd_randomkey(CommandContext& ctx) {
  std::optional<std::string> key = ctx.db().random_key();
  if (key) {
    ctx.reply.bulk(*key);
  } else {
    ctx.reply.null();
  }
}

// Values below this are Redis's shared integer objects (OBJ_SHARED_INTEGERS).
constexpr std::int64_t kSharedIntegers = 10000;
// The refcount Redis reports for shared objects (OBJ_SHARED_REFCOUNT).
constexpr std::int64_t kSharedRefcount = INT_MAX;

// OBJECT HELP, exactly as Redis 7.0.
constexpr std::string_view kObjectHelp[] = {
    "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "ENCODING <key>",
    "    Return the kind of internal representation used in order to store the value",
    "    associated with a <key>.",
    "FREQ <key>",
    "    Return the access frequency index of the <key>. The returned integer is",
    "    proportional to the logarithm of the recent access frequency of the key.",
    "IDLETIME <key>",
    "    Return the idle time of the <key>, that is the approximated number of",
    "    seconds elapsed since the last access to the key.",
    "REFCOUNT <key>",
    "    Return the number of references of the value associated with the specified",
    "    <key>.",
    "HELP",
    "    Prints this help.",
};

// OBJECT is a container: the command table resolves "object|<sub>" rows and
// replies Redis's unknown-subcommand and arity errors itself.
void cmd_object_help(CommandContext& ctx) {
  ctx.reply.simple_lines(kObjectHelp);
}

// The live key of OBJECT <sub> key without touching it, or nullptr after
// replying null: a hit or a miss, but no keymiss event (Redis's
// LOOKUP_NOTOUCH | LOOKUP_NONOTIFY).
const storage::Entry* object_lookup(CommandContext& ctx, storage::Db& db) {
  db.set_no_miss_event();
  const storage::Entry* e = find_no_touch(db, ctx.args[2]);
  if (e == nullptr) ctx.reply.null();
  return e;
}

// Redis 7.0's name for the equivalent representation. Strings as Redis
// stores them after SET: "int" when the value reads as an int64
// (string2ll), else "embstr" up to 44 bytes, else "raw"; after an edit in
// place or INCRBYFLOAT, as Entry::StringForm says.
void cmd_object_encoding(CommandContext& ctx) {
  storage::Db db = ctx.db();
  const storage::Entry* e = object_lookup(ctx, db);
  if (e == nullptr) return;
  const bool is_object = e->encoding() == storage::Encoding::kObject;
  switch (e->type()) {
    case storage::ValueType::kString: {
      using Form = storage::Entry::StringForm;
      const Form form = e->string_form();
      std::int64_t v = 0;
      ctx.reply.bulk(form == Form::kByContent && util::parse_int64(e->value(), v) ? "int"
                     : form != Form::kRaw && e->value().size() <= 44             ? "embstr"
                                                                                 : "raw");
      return;
    }
    case storage::ValueType::kHash:
      ctx.reply.bulk(is_object ? "hashtable" : "listpack");
      return;
    case storage::ValueType::kSet:
      ctx.reply.bulk(is_object ? "hashtable" : "intset");
      return;
    case storage::ValueType::kZset:
      ctx.reply.bulk(is_object ? "skiplist" : "listpack");
      return;
    case storage::ValueType::kList:
      ctx.reply.bulk("quicklist");  // Redis 7.0 has no other list encoding
      return;
    case storage::ValueType::kStream:
      ctx.reply.bulk("stream");
      return;
    default:
      ctx.reply.bulk("unknown");
      return;
  }
}

// Integers 0..9999 stored by content (Entry::StringForm) are Redis's shared
// objects, whose refcount reads INT_MAX.
void cmd_object_refcount(CommandContext& ctx) {
  storage::Db db = ctx.db();
  const storage::Entry* e = object_lookup(ctx, db);
  if (e == nullptr) return;
  std::int64_t v = 0;
  const bool shared = e->type() == storage::ValueType::kString &&
                      e->string_form() == storage::Entry::StringForm::kByContent &&
                      util::parse_int64(e->value(), v) && v >= 0 && v < kSharedIntegers;
  ctx.reply.integer(shared ? kSharedRefcount : 1);
}

void cmd_object_idletime(CommandContext& ctx) {
  storage::Db db = ctx.db();
  const storage::Entry* e = object_lookup(ctx, db);
  if (e == nullptr) return;
  if (ctx.config.lfu_policy()) {
    ctx.reply.error(err::kLfuSelected);
    return;
  }
  ctx.reply.integer(storage::Db::idle_seconds(*e, ctx.now_ms));
}

// Always the "LFU policy is not selected" error: Larder keeps no LFU counters
// yet, so even if ctx.config.lfu_policy() were true there is nothing to report.
// The LFU counter after decay, as Redis's LFUDecrAndReturn; only LFU
// policies keep one.
void cmd_object_freq(CommandContext& ctx) {
  storage::Db db = ctx.db();
  const storage::Entry* e = object_lookup(ctx, db);
  if (e == nullptr) return;
  if (!ctx.config.lfu_policy()) {
    ctx.reply.error(err::kLfuNotSelected);
    return;
  }
  ctx.reply.integer(storage::lfu::decayed(e->access(), ctx.now_ms, ctx.config.eviction().lfu_decay_time));
}

// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]
void cmd_scan(CommandContext& ctx) {
  std::uint64_t cursor = 0;
  ScanOptions options;
  if (!parse_scan_cursor(ctx, ctx.args[1], cursor) || !parse_scan_options(ctx, 2, /*allow_type=*/true, options)) {
    return;
  }
  const std::optional<std::string_view>& pattern = options.pattern;
  const std::optional<std::string_view>& type = options.type;
  ScanWalk::TypeFilter filter;
  if (type) {
    filter.active = true;
    filter.type = storage::type_from_name(c_string(*type));
  }
  const int db = ctx.client.db.load(std::memory_order_relaxed);
  const std::uint64_t n = options.count;
  if (!ctx.may_defer) {
    ScanWalk(ctx.keyspace, db, cursor, n, pattern, filter, ctx.now_ms, ScanWalk::Locking::kCallerHoldsAll)
        .step(ctx.reply, std::chrono::steady_clock::time_point::max());
    return;
  }
  auto walk = std::make_unique<ScanWalk>(ctx.keyspace, db, cursor, n, pattern, filter, ctx.now_ms,
                                         ScanWalk::Locking::kPerStep);
  if (!walk->step(ctx.reply, std::chrono::steady_clock::now() + kStepBudget)) ctx.defer(std::move(walk));
}

}  // namespace

void register_key_commands(CommandTable& table) {
  table.add("del", cmd_del);
  table.add("unlink", cmd_del);
  table.add("exists", cmd_exists);
  table.add("keys", cmd_keys, kAllShards | kIncremental);
  table.add("ttl", cmd_ttl);
  table.add("pttl", cmd_pttl);
  table.add("expire", cmd_expire);
  table.add("pexpire", cmd_pexpire);
  table.add("persist", cmd_persist);
  table.add("type", cmd_type);
  table.add("touch", cmd_touch);
  table.add("expiretime", cmd_expiretime);
  table.add("pexpiretime", cmd_pexpiretime);
  table.add("expireat", cmd_expireat);
  table.add("pexpireat", cmd_pexpireat);
  table.add("rename", cmd_rename);
  table.add("renamenx", cmd_renamenx);
  table.add("copy", cmd_copy);
  table.add("move", cmd_move);
  table.add("randomkey", cmd_randomkey, kAllShards);
  // The container row only answers "OBJECT" alone (its arity error).
  table.add("object", cmd_object_help);
  table.add("object|encoding", cmd_object_encoding);
  table.add("object|freq", cmd_object_freq);
  table.add("object|idletime", cmd_object_idletime);
  table.add("object|refcount", cmd_object_refcount);
  table.add("object|help", cmd_object_help);
  table.add("scan", cmd_scan, kAllShards | kIncremental);
}

}  // namespace larder::commands
