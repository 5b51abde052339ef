// Hash family: HSET, HSETNX, HGET, HMGET, HMSET, HGETALL, HDEL, HLEN, HSTRLEN,
// HEXISTS, HKEYS, HVALS, HINCRBY, HINCRBYFLOAT, HRANDFIELD, HSCAN. The two
// encodings are storage::hash's business; handlers parse, look up and reply.

#include <algorithm>
#include <climits>
#include <cmath>
#include <random>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "larder/commands/command_table.h"
#include "larder/commands/counter.h"
#include "larder/commands/families.h"
#include "larder/commands/random_draws.h"
#include "larder/commands/scan_options.h"
#include "larder/protocol/errors.h"
#include "larder/storage/hash_value.h"
#include "larder/util/glob.h"
#include "larder/util/numbers.h"
#include "larder/util/siphash.h"
#include "larder/util/strings.h"

namespace larder::commands {

namespace {

using storage::Db;
using storage::ValueType;

storage::hash::Limits limits(const CommandContext& ctx) {
  return {ctx.config.hash_max_listpack_entries(), ctx.config.hash_max_listpack_value()};
}

// HSET key field value [field value ...] (and HMSET, which replies OK).
void hset_generic(CommandContext& ctx, bool reply_ok) {
  if (ctx.args.size() % 2 == 1) {
    ctx.reply_arity_error();
    return;
  }
  Db db = ctx.db();
  Db::Writer w = db.write(ctx.args[1], ValueType::kHash, Db::Create::kYes);
  if (!ctx.writable_or_reply(w)) return;
  const storage::hash::Limits lim = limits(ctx);
  // As hashTypeTryConversion: one long argument converts before any write.
  for (std::size_t i = 2; i < ctx.args.size(); ++i) {
    storage::hash::convert_for_values(w, lim, {ctx.args[i]});
  }
  std::int64_t created = 0;
  for (std::size_t i = 2; i < ctx.args.size(); i += 2) {
    created += storage::hash::set(w, ctx.args[i], ctx.args[i + 1], lim) ? 1 : 0;
  }
  ctx.notify(config::kNotifyHash, "hset", ctx.args[1]);
  if (reply_ok) {
    ctx.reply.ok();
  } else {
    ctx.reply.integer(created);
  }
}

void cmd_hset(CommandContext& ctx) { hset_generic(ctx, false); }
void cmd_hmset(CommandContext& ctx) { hset_generic(ctx, true); }

void cmd_hsetnx(CommandContext& ctx) {
  Db db = ctx.db();
  Db::Writer w = db.write(ctx.args[1], ValueType::kHash, Db::Create::kYes);
  if (!ctx.writable_or_reply(w)) return;
  if (storage::hash::get(w.entry(), ctx.args[2])) {
    ctx.reply.integer(0);
    return;
  }
  storage::hash::set(w, ctx.args[2], ctx.args[3], limits(ctx));
  ctx.notify(config::kNotifyHash, "hset", ctx.args[1]);
  ctx.reply.integer(1);
}

void cmd_hget(CommandContext& ctx) {
  Db db = ctx.db();
  const storage::Entry* e = nullptr;
  if (!ctx.read_or_reply(db, ctx.args[1], ValueType::kHash, e)) return;
  const auto value = e != nullptr ? storage::hash::get(*e, ctx.args[2]) : std::nullopt;
  if (value) {
    ctx.reply.bulk(*value);
  } else {
    ctx.reply.null();
  }
}

void cmd_hmget(CommandContext& ctx) {
  Db db = ctx.db();
  const storage::Entry* e = nullptr;
  if (!ctx.read_or_reply(db, ctx.args[1], ValueType::kHash, e)) return;
  ctx.reply.array(ctx.args.size() - 2);
  for (std::size_t i = 2; i < ctx.args.size(); ++i) {
    const auto value = e != nullptr ? storage::hash::get(*e, ctx.args[i]) : std::nullopt;
    if (value) {
      ctx.reply.bulk(*value);
    } else {
      ctx.reply.null();
    }
  }
}

void cmd_hdel(CommandContext& ctx) {
  Db db = ctx.db();
  Db::Writer w = db.write(ctx.args[1], ValueType::kHash);
  if (!ctx.writable_or_reply(w)) return;
  std::int64_t deleted = 0;
  // The writer deletes the key once its last field is gone.
  for (std::size_t i = 2; w && i < ctx.args.size(); ++i) {
    deleted += storage::hash::erase(w, ctx.args[i]) ? 1 : 0;
    if (storage::hash::size(w.entry()) == 0) break;
  }
  if (deleted > 0) ctx.notify(config::kNotifyHash, "hdel", ctx.args[1]);
  ctx.reply.integer(deleted);
}

void cmd_hlen(CommandContext& ctx) {
  Db db = ctx.db();
  const storage::Entry* e = nullptr;
  if (!ctx.read_or_reply(db, ctx.args[1], ValueType::kHash, e)) return;
  ctx.reply.integer(e != nullptr ? static_cast<std::int64_t>(storage::hash::size(*e)) : 0);
}

void cmd_hstrlen(CommandContext& ctx) {
  Db db = ctx.db();
  const storage::Entry* e = nullptr;
  if (!ctx.read_or_reply(db, ctx.args[1], ValueType::kHash, e)) return;
  const auto value = e != nullptr ? storage::hash::get(*e, ctx.args[2]) : std::nullopt;
  ctx.reply.integer(value ? static_cast<std::int64_t>(value->size()) : 0);
}

void cmd_hexists(CommandContext& ctx) {
  Db db = ctx.db();
  const storage::Entry* e = nullptr;
  if (!ctx.read_or_reply(db, ctx.args[1], ValueType::kHash, e)) return;
  ctx.reply.integer(e != nullptr && storage::hash::get(*e, ctx.args[2]) ? 1 : 0);
}

// HGETALL (a map), HKEYS and HVALS (arrays): Redis's genericHgetallCommand.
enum class Parts { kAll, kKeys, kValues };

void hgetall_generic(CommandContext& ctx, Parts parts) {
  Db db = ctx.db();
  const storage::Entry* e = nullptr;
  if (!ctx.read_or_reply(db, ctx.args[1], ValueType::kHash, e)) return;
  const std::size_t n = e != nullptr ? storage::hash::size(*e) : 0;
  if (parts == Parts::kAll) {
    ctx.reply.map(n);
  } else {
    ctx.reply.array(n);
  }
  if (e == nullptr) return;
  storage::hash::for_each(*e, [&](std::string_view field, std::string_view value) {
    if (parts != Parts::kValues) ctx.reply.bulk(field);
    if (parts != Parts::kKeys) ctx.reply.bulk(value);
  });
}

void cmd_hgetall(CommandContext& ctx) { hgetall_generic(ctx, Parts::kAll); }
void cmd_hkeys(CommandContext& ctx) { hgetall_generic(ctx, Parts::kKeys); }
void cmd_hvals(CommandContext& ctx) { hgetall_generic(ctx, Parts::kValues); }

void cmd_hincrby(CommandContext& ctx) {
  std::int64_t incr = 0;
  if (!util::parse_int64(ctx.args[3], incr)) {
    ctx.reply.error(err::kNotInteger);
    return;
  }
  Db db = ctx.db();
  Db::Writer w = db.write(ctx.args[1], ValueType::kHash, Db::Create::kYes);
  if (!ctx.writable_or_reply(w)) return;
  const auto value = add_or_reply(ctx, storage::hash::get(w.entry(), ctx.args[2]), incr, err::kHashNotInteger);
  if (!value) return;
  char buf[util::kInt64BufSize];
  const std::size_t len = util::format_int64(*value, buf);
  storage::hash::set(w, ctx.args[2], std::string_view(buf, len), limits(ctx));
  ctx.notify(config::kNotifyHash, "hincrby", ctx.args[1]);
  ctx.reply.integer(*value);
}

void cmd_hincrbyfloat(CommandContext& ctx) {
  long double incr = 0;
  if (!util::parse_long_double(ctx.args[3], incr)) {
    ctx.reply.error(err::kNotFloat);
    return;
  }
  if (std::isnan(incr) || std::isinf(incr)) {
    ctx.reply.error(err::kNanOrInfinityValue);
    return;
  }
  Db db = ctx.db();
  Db::Writer w = db.write(ctx.args[1], ValueType::kHash, Db::Create::kYes);
  if (!ctx.writable_or_reply(w)) return;
  const auto text = add_float_or_reply(ctx, storage::hash::get(w.entry(), ctx.args[2]), incr, err::kHashNotFloat);
  if (!text) return;
  storage::hash::set(w, ctx.args[2], *text, limits(ctx));
  ctx.notify(config::kNotifyHash, "hincrbyfloat", ctx.args[1]);
  ctx.reply.bulk(*text);
}

std::mt19937_64& rng() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return engine;
}

// One field (and value) of HRANDFIELD's count form: RESP3 pairs are arrays.
void reply_pair(protocol::ReplyBuilder& reply, std::string_view field, std::string_view value, bool withvalues) {
  if (withvalues && reply.protocol() > 2) reply.array(2);
  reply.bulk(field);
  if (withvalues) reply.bulk(value);
}

// HRANDFIELD key count [WITHVALUES], Redis's hrandfieldWithCountCommand: a
// negative count samples with repetition, a positive one returns distinct
// fields (the whole hash when count >= its size).
void hrandfield_with_count(CommandContext& ctx, std::int64_t l, bool withvalues) {
  Db db = ctx.db();
  const Db::Read r = db.read(ctx.args[1], ValueType::kHash);
  if (r.wrong_type) {
    ctx.reply.error(err::kWrongType);
    return;
  }
  if (r.entry == nullptr) {
    ctx.reply.array(0);
    return;
  }
  const storage::Entry& e = *r.entry;
  const std::size_t size = storage::hash::size(e);
  const bool uniq = l >= 0;
  const std::uint64_t count = uniq ? static_cast<std::uint64_t>(l) : static_cast<std::uint64_t>(-l);
  if (count == 0) {
    ctx.reply.array(0);
    return;
  }
  const std::size_t items = (withvalues && ctx.reply.protocol() == 2) ? 2 : 1;
  if (!uniq && count > RandomDraws::kDeferredDraws && ctx.may_defer) {
    ctx.reply.array(count * items);
    auto draws = std::make_unique<RandomDraws>(count, ctx.reply.protocol());
    storage::hash::for_each(e, [&](std::string_view f, std::string_view v) {
      reply_pair(draws->writer(), f, v, withvalues);
      draws->end_element();
    });
    ctx.defer(std::move(draws));
    return;
  }
  if (!uniq || count == 1) {
    ctx.reply.array(count * items);
    for (std::uint64_t i = 0; i < count; ++i) {
      const auto [field, value] = storage::hash::random_pair(e, rng());
      reply_pair(ctx.reply, field, value, withvalues);
    }
    return;
  }
  if (count >= size) {
    ctx.reply.array(size * items);
    storage::hash::for_each(e, [&](std::string_view f, std::string_view v) { reply_pair(ctx.reply, f, v, withvalues); });
    return;
  }
  std::vector<std::pair<std::string_view, std::string_view>> picked;
  picked.reserve(count);
  if (count * 3 > size) {
    // Most of the hash: shuffle all of it and keep the first `count`.
    storage::hash::for_each(e, [&](std::string_view f, std::string_view v) { picked.emplace_back(f, v); });
    for (std::size_t i = 0; i < count; ++i) {
      std::swap(picked[i], picked[i + rng()() % (picked.size() - i)]);
    }
    picked.resize(count);
  } else {
    std::unordered_set<std::string_view, util::KeyedHash> seen;
    while (picked.size() < count) {
      const auto pair = storage::hash::random_pair(e, rng());
      if (seen.insert(pair.first).second) picked.push_back(pair);
    }
  }
  ctx.reply.array(count * items);
  for (const auto& [f, v] : picked) reply_pair(ctx.reply, f, v, withvalues);
}

void cmd_hrandfield(CommandContext& ctx) {
  if (ctx.args.size() >= 3) {
    std::int64_t l = 0;
    if (!util::parse_int64(ctx.args[2], l)) {
      ctx.reply.error(err::kNotInteger);
      return;
    }
    if (l < -INT64_MAX) {
      ctx.reply.error(err::kCountOutOfRange);
      return;
    }
    bool withvalues = false;
    if (ctx.args.size() > 4 ||
        (ctx.args.size() == 4 && !util::iequals(util::c_string(ctx.args[3]), "withvalues"))) {
      ctx.reply.error(err::kSyntax);
      return;
    }
    if (ctx.args.size() == 4) {
      withvalues = true;
      if (l < -INT64_MAX / 2 || l > INT64_MAX / 2) {
        ctx.reply.error(err::kValueOutOfRange);
        return;
      }
    }
    hrandfield_with_count(ctx, l, withvalues);
    return;
  }
  Db db = ctx.db();
  const storage::Entry* e = nullptr;
  if (!ctx.read_or_reply(db, ctx.args[1], ValueType::kHash, e)) return;
  if (e == nullptr) {
    ctx.reply.null();
    return;
  }
  ctx.reply.bulk(storage::hash::random_pair(*e, rng()).first);
}

// HSCAN key cursor [MATCH pattern] [COUNT count]: an inline hash replies
// whole with cursor 0, as Redis's listpack; a PackedDict walks its buckets
// until `count` elements or count*10 buckets, as Redis's dictScan loop.
void cmd_hscan(CommandContext& ctx) {
  std::uint64_t cursor = 0;
  if (!parse_scan_cursor(ctx, ctx.args[2], cursor)) return;
  Db db = ctx.db();
  const storage::Entry* e = nullptr;
  if (!ctx.read_or_reply(db, ctx.args[1], ValueType::kHash, e)) return;
  if (e == nullptr) {
    reply_scan(ctx, 0, {});
    return;
  }
  ScanOptions options;
  if (!parse_scan_options(ctx, 3, /*allow_type=*/false, options)) return;
  std::vector<std::string> out;
  auto collect = [&](std::string_view field, std::string_view value) {
    if (options.pattern && !util::glob_match(*options.pattern, field)) return;
    out.emplace_back(field);
    out.emplace_back(value);
  };
  if (e->encoding() == storage::Encoding::kInline) {
    storage::hash::for_each(*e, collect);
    cursor = 0;
  } else {
    const auto& dict = *static_cast<const storage::PackedDict*>(e->object());
    std::uint64_t buckets = options.count * 10;
    std::uint64_t seen = 0;
    do {
      cursor = dict.scan(cursor, [&](std::string_view f, std::string_view v) {
        ++seen;
        collect(f, v);
      });
    } while (cursor != 0 && --buckets > 0 && seen < options.count);
  }
  reply_scan(ctx, cursor, out);
}

}  // namespace

void register_hash_commands(CommandTable& table) {
  table.add("hset", cmd_hset);
  table.add("hsetnx", cmd_hsetnx);
  table.add("hget", cmd_hget);
  table.add("hmget", cmd_hmget);
  table.add("hmset", cmd_hmset);
  table.add("hgetall", cmd_hgetall);
  table.add("hdel", cmd_hdel);
  table.add("hlen", cmd_hlen);
  table.add("hstrlen", cmd_hstrlen);
  table.add("hexists", cmd_hexists);
  table.add("hkeys", cmd_hkeys);
  table.add("hvals", cmd_hvals);
  table.add("hincrby", cmd_hincrby);
  table.add("hincrbyfloat", cmd_hincrbyfloat);
  table.add("hrandfield", cmd_hrandfield);
  table.add("hscan", cmd_hscan);
}

}  // namespace larder::commands
