// Set family: SADD, SREM, SMEMBERS, SISMEMBER, SMISMEMBER, SCARD, SPOP,
// SRANDMEMBER, SMOVE, SINTER, SINTERCARD, SINTERSTORE, SUNION, SUNIONSTORE,
// SDIFF, SDIFFSTORE and SSCAN, as Redis 7.0's t_set.c, over set_value.h.
//
// Order of replies: Redis replies an intset's members ascending, and the
// sets SUNION, SDIFF and the STORE commands compute are built like any set
// (an intset until a non-integer member or set-max-intset-entries), so their
// replies and encodings follow the same rule here; a hashtable's order is
// unspecified in both servers.

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "larder/commands/command_table.h"
#include "larder/commands/families.h"
#include "larder/commands/random_draws.h"
#include "larder/commands/scan_options.h"
#include "larder/protocol/errors.h"
#include "larder/storage/intset.h"
#include "larder/storage/packed_dict.h"
#include "larder/storage/set_value.h"
#include "larder/storage/table.h"
#include "larder/util/glob.h"
#include "larder/util/numbers.h"
#include "larder/util/strings.h"

namespace larder::commands {

namespace {

using storage::Db;
using storage::Encoding;
using storage::Entry;
using storage::PackedDict;
using storage::ValueType;
namespace intset = storage::intset;
namespace set = storage::set;

// The random source of SPOP and SRANDMEMBER, one per thread.
std::mt19937_64& rng() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return engine;
}

// set-max-intset-entries as Redis's setTypeAdd applies it (at most 2^30).
std::uint64_t max_intset_entries(const CommandContext& ctx) {
  return std::min<std::uint64_t>(ctx.config.set_max_intset_entries(), std::uint64_t{1} << 30);
}

bool is_intset(const Entry& e) { return e.encoding() == Encoding::kInline; }
const PackedDict& dict_of(const Entry& e) { return *static_cast<const PackedDict*>(e.object()); }

// Writes the decimal form of `v` into `buf`.
std::string_view format(std::int64_t v, char (&buf)[util::kInt64BufSize]) {
  return {buf, util::format_int64(v, buf)};
}

void reply_int_member(CommandContext& ctx, std::int64_t v) {
  char buf[util::kInt64BufSize];
  ctx.reply.bulk(format(v, buf));
}

// A random member of the non-empty set `e`: a view into the set, or into
// `buf` for an intset. Valid until the set changes.
std::string_view random_member(const Entry& e, char (&buf)[util::kInt64BufSize]) {
  if (!is_intset(e)) return dict_of(e).random(rng()).first;
  const std::string_view ints = e.value();
  return format(intset::at(ints, rng()() % intset::count(ints)), buf);
}

// Removes `member`, which may view the set's own bytes (a random member).
bool remove_member(Db::Writer& w, std::string_view member) {
  char small[64];
  std::string large;
  std::string_view copy;
  if (member.size() <= sizeof small) {
    std::memcpy(small, member.data(), member.size());
    copy = {small, member.size()};
  } else {
    large.assign(member);
    copy = large;
  }
  return set::remove(w, copy);
}

bool write_lookup_set_or_reply(CommandContext& ctx, Db& db, std::string_view key, const Entry*& e) {
  const Db::Read r = db.read_for_write(key, ValueType::kSet);
  if (r.wrong_type) {
    ctx.reply.error(err::kWrongType);
    return false;
  }
  e = r.entry;
  return true;
}

// The bytes of an intset holding `sorted` (ascending, distinct), laid out as
// intset.h documents.
std::string intset_bytes(const std::vector<std::int64_t>& sorted) {
  auto width_for = [](std::int64_t v) -> std::size_t {
    if (v >= INT16_MIN && v <= INT16_MAX) return 2;
    if (v >= INT32_MIN && v <= INT32_MAX) return 4;
    return 8;
  };
  const std::size_t width = sorted.empty() ? 2 : std::max(width_for(sorted.front()), width_for(sorted.back()));
  std::string bytes(intset::kHeader + sorted.size() * width, '\0');
  bytes[0] = static_cast<char>(width);
  const auto n = static_cast<std::uint32_t>(sorted.size());
  for (int i = 0; i < 4; ++i) bytes[1 + i] = static_cast<char>(n >> (8 * i));
  char* out = bytes.data() + intset::kHeader;
  for (const std::int64_t v : sorted) {
    const auto u = static_cast<std::uint64_t>(v);
    for (std::size_t i = 0; i < width; ++i) *out++ = static_cast<char>(u >> (8 * i));
  }
  return bytes;
}

struct IntHash {
  std::uint64_t operator()(std::int64_t v) const {  // splitmix64's finalizer
    auto x = static_cast<std::uint64_t>(v);
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
  }
};
// Remixed: PackedDict walks its members in the order of their hash's low
// bits, and inserting them in that order under the same low bits would pile
// them into one run of the linear probe (quadratic SUNIONSTORE).
struct ViewHash {
  std::uint64_t operator()(std::string_view s) const {
    return IntHash{}(static_cast<std::int64_t>(storage::Table::hash_of(s)));
  }
};

// Distinct values in insertion order with an open-addressing index (linear
// probing, at most half full, slots from the high bits of hash * 2^64/phi):
// no allocation per value.
template <class T, class Hash>
class Distinct {
 public:
  std::size_t size() const { return items_.size(); }
  std::vector<T>& items() { return items_; }  // reordering it ends insert()
  void reserve(std::size_t n) { items_.reserve(n); }
  // True when `v` was new.
  bool insert(T v) {
    if (2 * (items_.size() + 1) > slots_.size()) grow(items_.size() + 1);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = slot_of(v);; i = (i + 1) & mask) {
      if (slots_[i] == 0) {
        items_.push_back(v);
        slots_[i] = static_cast<std::uint32_t>(items_.size());
        return true;
      }
      if (items_[slots_[i] - 1] == v) return false;
    }
  }

 private:
  std::size_t slot_of(const T& v) const {
    return static_cast<std::size_t>((Hash{}(v) * 0x9e3779b97f4a7c15ULL) >> shift_);
  }
  // Rebuilds the index for at least `n` values.
  void grow(std::size_t n) {
    unsigned bits = 4;
    while ((std::size_t{1} << bits) < 2 * n) ++bits;
    shift_ = 64 - bits;
    slots_.assign(std::size_t{1} << bits, 0);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t k = 0; k < items_.size(); ++k) {
      std::size_t i = slot_of(items_[k]);
      while (slots_[i] != 0) i = (i + 1) & mask;
      slots_[i] = static_cast<std::uint32_t>(k + 1);
    }
  }

  std::vector<T> items_;
  std::vector<std::uint32_t> slots_;  // 0: empty, else 1 + position in items_
  unsigned shift_ = 64;
};

// The set SUNION, SDIFF or SINTERSTORE computes, built as Redis builds its
// result (setTypeAdd on a fresh intset): integers (string2ll) by value
// while every member is one and there are at most set-max-intset-entries,
// then a PackedDict. Adding a member already there changes nothing. Big
// results go straight into the dict that a STORE keeps; `size_hint` (an
// upper bound of the result's size) presizes it.
class ResultSet {
 public:
  ResultSet(std::uint64_t max_intset_entries, std::size_t size_hint)
      : max_(max_intset_entries), size_hint_(size_hint) {}

  std::size_t size() const { return dict_ ? dict_->size() : ints_.size(); }
  bool encoded_as_intset() const { return dict_ == nullptr; }

  void add(std::int64_t v) {
    if (dict_) {
      char buf[util::kInt64BufSize];
      dict_->insert(format(v, buf));
    } else if (ints_.insert(v) && ints_.size() > max_) {
      to_dict(size_hint_);
    }
  }
  void add(std::string_view member) {
    if (dict_) {
      dict_->insert(member);
      return;
    }
    std::int64_t v = 0;
    if (util::parse_int64(member, v)) {
      add(v);
    } else {
      to_dict(size_hint_);
      dict_->insert(member);
    }
  }
  // Every member of `e`.
  void add_all(const Entry& e) {
    if (is_intset(e)) {
      const std::string_view ints = e.value();
      const std::size_t n = intset::count(ints);
      for (std::size_t i = 0; i < n; ++i) add(intset::at(ints, i));
    } else {
      dict_of(e).for_each([this](std::string_view m, std::string_view) { add(m); });
    }
  }

  // Redis's setTypeConvert to a hashtable, presized for `room` members.
  void to_dict(std::size_t room) {
    if (dict_) return;
    dict_ = std::make_unique<PackedDict>(PackedDict::Kind::kSet);
    dict_->reserve(std::max(room, ints_.size()));
    char buf[util::kInt64BufSize];
    for (const std::int64_t v : ints_.items()) dict_->insert(format(v, buf));
    ints_ = {};
  }
  // Starts an empty result as a copy of `dict`, with room for size_hint.
  void start_from(const PackedDict& dict) {
    dict_.reset(static_cast<PackedDict*>(dict.clone().release()));
    dict_->reserve(size_hint_);
  }

  // The set reply: ascending when an intset.
  void reply(CommandContext& ctx) {
    ctx.reply.set(size());
    if (dict_) {
      dict_->for_each([&ctx](std::string_view m, std::string_view) { ctx.reply.bulk(m); });
      return;
    }
    std::sort(ints_.items().begin(), ints_.items().end());
    for (const std::int64_t v : ints_.items()) reply_int_member(ctx, v);
  }

  // Stores the set (size() > 0) under `key`, replacing any value and TTL.
  void store(Db& db, std::string_view key) {
    if (!dict_) {
      std::sort(ints_.items().begin(), ints_.items().end());
      db.store(key, ValueType::kSet, intset_bytes(ints_.items()));
      return;
    }
    if (dict_->size() < size_hint_ / 4) {
      // Presized for far more than it holds: keep a table of its own size.
      auto fitted = std::make_unique<PackedDict>(PackedDict::Kind::kSet);
      fitted->reserve(dict_->size());
      dict_->for_each([&fitted](std::string_view m, std::string_view) { fitted->insert(m); });
      dict_ = std::move(fitted);
    }
    db.store(key, ValueType::kSet, std::move(dict_));
  }

 private:
  std::uint64_t max_;
  std::size_t size_hint_;
  Distinct<std::int64_t, IntHash> ints_;
  std::unique_ptr<PackedDict> dict_;
};

// Replies the size of a STORE's result after storing it, or 0 after
// deleting `dst` when it is empty (Redis's setKey / dbDelete), and notifies
// `event` or del.
void store_result(CommandContext& ctx, Db& db, std::string_view dst, ResultSet& result, std::string_view event) {
  const std::size_t n = result.size();
  if (n == 0) {
    if (db.erase(dst)) ctx.notify(config::kNotifyGeneric, "del", dst);
    ctx.reply.integer(0);
    return;
  }
  result.store(db, dst);
  ctx.notify(config::kNotifySet, event, dst);
  ctx.reply.integer(static_cast<std::int64_t>(n));
}

// ---------------------------------------------------------------------------
// Single-key commands
// ---------------------------------------------------------------------------

void cmd_sadd(CommandContext& ctx) {
  Db db = ctx.db();
  Db::Writer w = db.write(ctx.args[1], ValueType::kSet, Db::Create::kYes);
  if (!ctx.writable_or_reply(w)) return;
  const std::uint64_t max = max_intset_entries(ctx);
  std::int64_t added = 0;
  for (std::size_t j = 2; j < ctx.args.size(); ++j) {
    if (set::add(w, ctx.args[j], max)) ++added;
  }
  if (added > 0) ctx.notify(config::kNotifySet, "sadd", ctx.args[1]);
  ctx.reply.integer(added);
}

void cmd_srem(CommandContext& ctx) {
  Db db = ctx.db();
  Db::Writer w = db.write(ctx.args[1], ValueType::kSet);
  if (!ctx.writable_or_reply(w)) return;
  std::int64_t deleted = 0;
  if (w) {
    for (std::size_t j = 2; j < ctx.args.size(); ++j) {
      if (!set::remove(w, ctx.args[j])) continue;
      ++deleted;
      if (set::size(w.entry()) == 0) break;  // the Writer deletes the key
    }
  }
  if (deleted > 0) ctx.notify(config::kNotifySet, "srem", ctx.args[1]);
  ctx.reply.integer(deleted);
}

// SMEMBERS key: Redis 7.0 runs it as SINTER of one key.
void cmd_smembers(CommandContext& ctx) {
  Db db = ctx.db();
  const Entry* e = nullptr;
  if (!ctx.read_or_reply(db, ctx.args[1], ValueType::kSet, e)) return;
  if (e == nullptr) {
    ctx.reply.set(0);
    return;
  }
  ctx.reply.set(set::size(*e));
  set::for_each(*e, [&ctx](std::string_view m) { ctx.reply.bulk(m); });
}

void cmd_sismember(CommandContext& ctx) {
  Db db = ctx.db();
  const Entry* e = nullptr;
  if (!ctx.read_or_reply(db, ctx.args[1], ValueType::kSet, e)) return;
  ctx.reply.integer(e != nullptr && set::contains(*e, ctx.args[2]) ? 1 : 0);
}

// SMISMEMBER key member...: a missing key is an empty set.
void cmd_smismember(CommandContext& ctx) {
  Db db = ctx.db();
  const Entry* e = nullptr;
  if (!ctx.read_or_reply(db, ctx.args[1], ValueType::kSet, e)) return;
  ctx.reply.array(ctx.args.size() - 2);
  for (std::size_t j = 2; j < ctx.args.size(); ++j) {
    ctx.reply.integer(e != nullptr && set::contains(*e, ctx.args[j]) ? 1 : 0);
  }
}

void cmd_scard(CommandContext& ctx) {
  Db db = ctx.db();
  const Entry* e = nullptr;
  if (!ctx.read_or_reply(db, ctx.args[1], ValueType::kSet, e)) return;
  ctx.reply.integer(e == nullptr ? 0 : static_cast<std::int64_t>(set::size(*e)));
}

// SMOVE source destination member. As Redis: a missing source replies 0
// before either type is checked; source == destination only tests
// membership; the destination is created (or touched) only when the member
// left the source.
void cmd_smove(CommandContext& ctx) {
  const std::string_view src = ctx.args[1];
  const std::string_view dst = ctx.args[2];
  const std::string_view member = ctx.args[3];
  Db db = ctx.db();
  {
    Db::Writer from = db.write(src, ValueType::kSet);
    const bool dst_wrong_type = db.read_for_write(dst, ValueType::kSet).wrong_type;
    if (!from && !from.wrong_type()) {
      ctx.reply.integer(0);
      return;
    }
    if (from.wrong_type() || dst_wrong_type) {
      ctx.reply.error(err::kWrongType);
      return;
    }
    if (src == dst) {
      ctx.reply.integer(set::contains(from.entry(), member) ? 1 : 0);
      return;
    }
    if (!set::remove(from, member)) {
      ctx.reply.integer(0);
      return;
    }
    ctx.notify(config::kNotifySet, "srem", src);
  }  // an emptied source is deleted here (del)
  Db::Writer to = db.write(dst, ValueType::kSet, Db::Create::kYes);
  if (set::add(to, member, max_intset_entries(ctx))) ctx.notify(config::kNotifySet, "sadd", dst);
  ctx.reply.integer(1);
}

// ---------------------------------------------------------------------------
// SPOP and SRANDMEMBER
// ---------------------------------------------------------------------------

// Redis's SPOP_MOVE_STRATEGY_MUL and SRANDMEMBER_SUB_STRATEGY_MUL.
constexpr std::uint64_t kSpopMoveStrategyMul = 5;
constexpr std::uint64_t kSrandmemberSubStrategyMul = 3;

// SPOP key count with count >= SCARD: replies the set as Redis does, as a
// fresh copy of it (SUNION of the one key, a read lookup: integers ascending
// when the copy is an intset), and deletes it.
void spop_whole_set(CommandContext& ctx, Db& db, std::string_view key) {
  const Entry& e = *db.read(key, ValueType::kSet).entry;
  const std::size_t size = set::size(e);
  ctx.reply.set(size);
  std::vector<std::int64_t> ints;  // a hashtable of integers copies to an intset
  if (!is_intset(e) && size <= max_intset_entries(ctx)) {
    ints.reserve(size);
    dict_of(e).for_each([&ints](std::string_view m, std::string_view) {
      std::int64_t v = 0;
      if (util::parse_int64(m, v)) ints.push_back(v);
    });
  }
  if (!is_intset(e) && ints.size() == size) {
    std::sort(ints.begin(), ints.end());
    for (const std::int64_t v : ints) reply_int_member(ctx, v);
  } else {
    set::for_each(e, [&ctx](std::string_view m) { ctx.reply.bulk(m); });
  }
  db.erase(key);
  ctx.notify(config::kNotifyGeneric, "del", key);
}

// SPOP key count: count >= 0 (else "must be positive", checked before the
// key), a set reply.
void spop_with_count(CommandContext& ctx) {
  std::int64_t l = 0;
  if (!util::parse_int64(ctx.args[2], l) || l < 0) {
    ctx.reply.error(err::kMustBePositive);
    return;
  }
  const auto count = static_cast<std::uint64_t>(l);
  const std::string_view key = ctx.args[1];
  Db db = ctx.db();
  const Entry* e = nullptr;
  if (!write_lookup_set_or_reply(ctx, db, key, e)) return;
  if (e == nullptr || count == 0) {
    ctx.reply.set(0);
    return;
  }
  const std::uint64_t size = set::size(*e);
  ctx.notify(config::kNotifySet, "spop", key);
  if (count >= size) {
    spop_whole_set(ctx, db, key);
    return;
  }

  const std::uint64_t remaining = size - count;
  const std::uint64_t max = max_intset_entries(ctx);
  ctx.reply.set(count);
  char buf[util::kInt64BufSize];
  if (remaining * kSpopMoveStrategyMul > count) {
    // Few members to pop: pop them one at a time.
    Db::Writer w = db.write(key, ValueType::kSet);
    for (std::uint64_t i = 0; i < count; ++i) {
      const std::string_view m = random_member(w.entry(), buf);
      ctx.reply.bulk(m);
      remove_member(w, m);
    }
    return;
  }

  // Most of the set goes: take out the members that stay, reply what is
  // left and make the value a new set of the kept members, encoded as a
  // fresh set would be (a hashtable can become an intset here, as in Redis).
  // The key keeps its TTL.
  std::vector<std::string> kept;
  kept.reserve(remaining);
  std::int64_t expire_at = storage::kNoExpire;
  std::string kept_intset;
  {
    Db::Writer w = db.write(key, ValueType::kSet);
    for (std::uint64_t i = 0; i < remaining; ++i) {
      kept.emplace_back(random_member(w.entry(), buf));
      set::remove(w, kept.back());
    }
    set::for_each(w.entry(), [&ctx](std::string_view m) { ctx.reply.bulk(m); });

    std::vector<std::int64_t> values;
    values.reserve(kept.size());
    for (const std::string& m : kept) {
      std::int64_t v = 0;
      if (!util::parse_int64(m, v)) break;
      values.push_back(v);
    }
    if (values.size() == kept.size() && kept.size() <= max) {
      std::sort(values.begin(), values.end());
      kept_intset = intset_bytes(values);
      if (w.encoding() == Encoding::kInline) {
        w.buffer().splice(0, w.bytes().size(), kept_intset);
        return;
      }
      expire_at = w.entry().expire_at();  // stored below, once the Writer is done
    } else {
      auto dict = std::make_unique<PackedDict>(PackedDict::Kind::kSet);
      dict->reserve(kept.size());
      for (const std::string& m : kept) dict->insert(m);
      w.set_object(std::move(dict));
      return;
    }
  }
  db.store(key, ValueType::kSet, kept_intset);
  if (expire_at != storage::kNoExpire) db.set_expire(key, expire_at);
}

void cmd_spop(CommandContext& ctx) {
  if (ctx.args.size() == 3) {
    spop_with_count(ctx);
    return;
  }
  if (ctx.args.size() > 3) {
    ctx.reply.error(err::kSyntax);
    return;
  }
  Db db = ctx.db();
  Db::Writer w = db.write(ctx.args[1], ValueType::kSet);
  if (!ctx.writable_or_reply(w)) return;
  if (!w) {
    ctx.reply.null();
    return;
  }
  char buf[util::kInt64BufSize];
  const std::string_view m = random_member(w.entry(), buf);
  ctx.reply.bulk(m);
  remove_member(w, m);
  ctx.notify(config::kNotifySet, "spop", ctx.args[1]);  // then del when the Writer deletes an emptied set
}

// SRANDMEMBER key count: an array. A negative count may repeat members; a
// positive one never does (Redis's four cases).
void srandmember_with_count(CommandContext& ctx) {
  std::int64_t l = 0;
  if (!util::parse_int64(ctx.args[2], l)) {
    ctx.reply.error(err::kNotInteger);
    return;
  }
  if (l == INT64_MIN) {
    ctx.reply.error(err::kCountOutOfRange);
    return;
  }
  Db db = ctx.db();
  const Entry* e = nullptr;
  if (!ctx.read_or_reply(db, ctx.args[1], ValueType::kSet, e)) return;
  const bool unique = l >= 0;
  const std::uint64_t count = unique ? static_cast<std::uint64_t>(l) : static_cast<std::uint64_t>(-l);
  if (e == nullptr || count == 0) {
    ctx.reply.array(0);
    return;
  }
  char buf[util::kInt64BufSize];

  // CASE 1: repeats allowed (or one member): independent draws; many of
  // them streamed from a copy.
  if (!unique && count > RandomDraws::kDeferredDraws && ctx.may_defer) {
    ctx.reply.array(count);
    auto draws = std::make_unique<RandomDraws>(count, ctx.reply.protocol());
    set::for_each(*e, [&draws](std::string_view m) {
      draws->writer().bulk(m);
      draws->end_element();
    });
    ctx.defer(std::move(draws));
    return;
  }
  if (!unique || count == 1) {
    ctx.reply.array(count);
    for (std::uint64_t i = 0; i < count; ++i) ctx.reply.bulk(random_member(*e, buf));
    return;
  }
  // CASE 2: the whole set.
  const std::uint64_t size = set::size(*e);
  if (count >= size) {
    ctx.reply.array(size);
    set::for_each(*e, [&ctx](std::string_view m) { ctx.reply.bulk(m); });
    return;
  }
  ctx.reply.array(count);
  if (count * kSrandmemberSubStrategyMul > size) {
    // CASE 3: most of the set: drop random members from a copy until
    // `count` are left.
    auto drop_down = [&](auto& all) {
      while (all.size() > count) {
        std::swap(all[rng()() % all.size()], all.back());
        all.pop_back();
      }
    };
    if (is_intset(*e)) {
      const std::string_view ints = e->value();
      std::vector<std::int64_t> all(intset::count(ints));
      for (std::size_t i = 0; i < all.size(); ++i) all[i] = intset::at(ints, i);
      drop_down(all);
      for (const std::int64_t v : all) reply_int_member(ctx, v);
    } else {
      std::vector<std::string_view> all;
      all.reserve(size);
      dict_of(*e).for_each([&all](std::string_view m, std::string_view) { all.push_back(m); });
      drop_down(all);
      for (const std::string_view m : all) ctx.reply.bulk(m);
    }
    return;
  }
  // CASE 4: a small part of the set: draw until `count` distinct members.
  if (is_intset(*e)) {
    const std::string_view ints = e->value();
    const std::size_t n = intset::count(ints);
    Distinct<std::int64_t, IntHash> picked;
    picked.reserve(count);
    while (picked.size() < count) picked.insert(intset::at(ints, rng()() % n));
    for (const std::int64_t v : picked.items()) reply_int_member(ctx, v);
  } else {
    const PackedDict& dict = dict_of(*e);
    Distinct<std::string_view, ViewHash> picked;
    picked.reserve(count);
    while (picked.size() < count) picked.insert(dict.random(rng()).first);
    for (const std::string_view m : picked.items()) ctx.reply.bulk(m);
  }
}

void cmd_srandmember(CommandContext& ctx) {
  if (ctx.args.size() == 3) {
    srandmember_with_count(ctx);
    return;
  }
  if (ctx.args.size() > 3) {
    ctx.reply.error(err::kSyntax);
    return;
  }
  Db db = ctx.db();
  const Entry* e = nullptr;
  if (!ctx.read_or_reply(db, ctx.args[1], ValueType::kSet, e)) return;
  if (e == nullptr) {
    ctx.reply.null();
    return;
  }
  char buf[util::kInt64BufSize];
  ctx.reply.bulk(random_member(*e, buf));
}

// ---------------------------------------------------------------------------
// Multi-key commands
// ---------------------------------------------------------------------------

// Looks up every key in order as a read (Redis looks the sources of the
// STORE commands up as reads too): false after replying WRONGTYPE for the
// first key of another type, even past a missing one. Missing keys are null.
bool read_sets_or_reply(CommandContext& ctx, Db& db, std::span<const std::string_view> keys,
                        std::vector<const Entry*>& sets) {
  sets.reserve(keys.size());
  for (const std::string_view key : keys) {
    const Entry* e = nullptr;
    if (!ctx.read_or_reply(db, key, ValueType::kSet, e)) return false;
    sets.push_back(e);
  }
  return true;
}

enum class InterMode { kReply, kStore, kCard };

// SINTER / SINTERSTORE / SINTERCARD (Redis's sinterGenericCommand): walks
// the smallest set and keeps the members every other set holds. `limit`
// (SINTERCARD, 0 = none) stops the count early.
void sinter_generic(CommandContext& ctx, std::span<const std::string_view> keys, InterMode mode,
                    std::string_view dst = {}, std::uint64_t limit = 0) {
  Db db = ctx.db();
  std::vector<const Entry*> sets;
  if (!read_sets_or_reply(ctx, db, keys, sets)) return;
  if (std::find(sets.begin(), sets.end(), nullptr) != sets.end()) {
    switch (mode) {
      case InterMode::kStore:
        if (db.erase(dst)) ctx.notify(config::kNotifyGeneric, "del", dst);
        ctx.reply.integer(0);
        break;
      case InterMode::kCard: ctx.reply.integer(0); break;
      case InterMode::kReply: ctx.reply.set(0); break;
    }
    return;
  }
  std::stable_sort(sets.begin(), sets.end(),
                   [](const Entry* a, const Entry* b) { return set::size(*a) < set::size(*b); });
  const Entry* first = sets[0];

  std::uint64_t cardinality = 0;
  std::vector<std::int64_t> int_members;         // kReply, an intset first
  std::vector<std::string_view> string_members;  // kReply, a hashtable first
  ResultSet result(max_intset_entries(ctx), set::size(*first));  // kStore
  auto done = [&] { return mode == InterMode::kCard && limit != 0 && cardinality >= limit; };

  if (is_intset(*first)) {
    const std::string_view ints = first->value();
    const std::size_t n = intset::count(ints);
    char buf[util::kInt64BufSize];
    for (std::size_t i = 0; i < n && !done(); ++i) {
      const std::int64_t v = intset::at(ints, i);
      std::string_view text;  // formatted when a hashtable is asked
      bool in_all = true;
      for (std::size_t j = 1; j < sets.size() && in_all; ++j) {
        if (sets[j] == first) continue;
        if (is_intset(*sets[j])) {
          in_all = intset::contains(sets[j]->value(), v);
        } else {
          if (text.empty()) text = format(v, buf);
          in_all = dict_of(*sets[j]).contains(text);
        }
      }
      if (!in_all) continue;
      ++cardinality;
      if (mode == InterMode::kReply) int_members.push_back(v);
      if (mode == InterMode::kStore) result.add(v);
    }
  } else {
    dict_of(*first).for_each([&](std::string_view m, std::string_view) {
      if (done()) return;
      for (std::size_t j = 1; j < sets.size(); ++j) {
        if (sets[j] != first && !set::contains(*sets[j], m)) return;
      }
      ++cardinality;
      if (mode == InterMode::kReply) string_members.push_back(m);
      if (mode == InterMode::kStore) result.add(m);
    });
  }

  switch (mode) {
    case InterMode::kCard: ctx.reply.integer(static_cast<std::int64_t>(cardinality)); break;
    case InterMode::kStore:
      store_result(ctx, db, dst, result, "sinterstore");
      break;
    case InterMode::kReply:
      ctx.reply.set(cardinality);
      for (const std::int64_t v : int_members) reply_int_member(ctx, v);
      for (const std::string_view m : string_members) ctx.reply.bulk(m);
      break;
  }
}

void cmd_sinter(CommandContext& ctx) { sinter_generic(ctx, ctx.args.subspan(1), InterMode::kReply); }

void cmd_sinterstore(CommandContext& ctx) {
  sinter_generic(ctx, ctx.args.subspan(2), InterMode::kStore, ctx.args[1]);
}

// SINTERCARD numkeys key... [LIMIT limit]: arguments are checked before
// any key is looked up.
void cmd_sintercard(CommandContext& ctx) {
  std::int64_t numkeys = 0;
  if (!util::parse_int64(ctx.args[1], numkeys) || numkeys < 1) {
    ctx.reply.error(err::kNumkeysNotPositive);
    return;
  }
  if (static_cast<std::uint64_t>(numkeys) > ctx.args.size() - 2) {
    ctx.reply.error(err::kNumkeysTooMany);
    return;
  }
  std::int64_t limit = 0;
  for (std::size_t j = 2 + static_cast<std::size_t>(numkeys); j < ctx.args.size(); ++j) {
    const bool more = j + 1 < ctx.args.size();
    if (util::iequals(util::c_string(ctx.args[j]), "limit") && more) {
      ++j;
      if (!util::parse_int64(ctx.args[j], limit) || limit < 0) {
        ctx.reply.error(err::kLimitNegative);
        return;
      }
    } else {
      ctx.reply.error(err::kSyntax);
      return;
    }
  }
  sinter_generic(ctx, ctx.args.subspan(2, static_cast<std::size_t>(numkeys)), InterMode::kCard, {},
                 static_cast<std::uint64_t>(limit));
}

enum class SetOp { kUnion, kDiff };

// SUNION / SDIFF and their STORE forms (Redis's sunionDiffGenericCommand).
// Missing keys are empty sets. The result is built as Redis builds it, so
// its encoding (and an intset's ascending reply) are Redis's; for SDIFF's
// second algorithm Redis first adds the whole first set, so that set decides.
void sunion_diff_generic(CommandContext& ctx, std::span<const std::string_view> keys, SetOp op,
                         std::string_view dst = {}, bool store = false) {
  Db db = ctx.db();
  std::vector<const Entry*> sets;
  if (!read_sets_or_reply(ctx, db, keys, sets)) return;
  const std::uint64_t max = max_intset_entries(ctx);
  auto finish = [&](ResultSet& result) {
    if (store) {
      store_result(ctx, db, dst, result, op == SetOp::kUnion ? "sunionstore" : "sdiffstore");
    } else {
      result.reply(ctx);
    }
  };

  if (op == SetOp::kUnion) {
    std::size_t total = 0;
    const Entry* largest = nullptr;
    for (const Entry* e : sets) {
      if (e == nullptr) continue;
      total += set::size(*e);
      if (largest == nullptr || set::size(*e) > set::size(*largest)) largest = e;
    }
    ResultSet result(max, total);
    // A union with a set bigger than any intset is a hashtable: it starts
    // as a copy of that set's (a copy of its blocks, no insert per member).
    const Entry* copied = nullptr;
    if (largest != nullptr && !is_intset(*largest) && set::size(*largest) > max) {
      result.start_from(dict_of(*largest));
      copied = largest;
    }
    for (const Entry* e : sets) {
      if (e != nullptr && e != copied) result.add_all(*e);
    }
    finish(result);
    return;
  }

  const Entry* first = sets[0];
  bool same_set = false;  // a later key is the first one: nothing is left
  for (std::size_t j = 1; j < sets.size(); ++j) same_set = same_set || sets[j] == first;
  ResultSet result(max, first == nullptr ? 0 : set::size(*first));
  if (first == nullptr || same_set) {
    finish(result);
    return;
  }
  // Redis's choice between walking the first set (algorithm 1) and adding
  // it whole, then removing the others (algorithm 2).
  std::uint64_t algo_one_work = 0;
  std::uint64_t algo_two_work = 0;
  for (const Entry* e : sets) {
    if (e == nullptr) continue;
    algo_one_work += set::size(*first);
    algo_two_work += set::size(*e);
  }
  const bool algo_two = algo_one_work / 2 > algo_two_work;
  std::vector<const Entry*> others;
  for (std::size_t j = 1; j < sets.size(); ++j) {
    if (sets[j] != nullptr) others.push_back(sets[j]);
  }
  // The largest others first: a member they hold is dropped sooner.
  std::stable_sort(others.begin(), others.end(),
                   [](const Entry* a, const Entry* b) { return set::size(*a) > set::size(*b); });
  if (is_intset(*first)) {
    const std::string_view ints = first->value();
    const std::size_t n = intset::count(ints);
    char buf[util::kInt64BufSize];
    for (std::size_t i = 0; i < n; ++i) {
      const std::int64_t v = intset::at(ints, i);
      bool held = false;
      for (const Entry* o : others) {
        held = is_intset(*o) ? intset::contains(o->value(), v) : dict_of(*o).contains(format(v, buf));
        if (held) break;
      }
      if (!held) result.add(v);
    }
  } else {
    dict_of(*first).for_each([&](std::string_view m, std::string_view) {
      for (const Entry* o : others) {
        if (set::contains(*o, m)) return;
      }
      result.add(m);
    });
  }
  if (algo_two && result.encoded_as_intset() && result.size() > 0) {
    // Redis's set held the whole first set: a hashtable unless that one was
    // all integers and small enough.
    bool first_fits = set::size(*first) <= max;
    if (first_fits && !is_intset(*first)) {
      dict_of(*first).for_each([&](std::string_view m, std::string_view) {
        std::int64_t v = 0;
        first_fits = first_fits && util::parse_int64(m, v);
      });
    }
    if (!first_fits) result.to_dict(result.size());
  }
  finish(result);
}

void cmd_sunion(CommandContext& ctx) { sunion_diff_generic(ctx, ctx.args.subspan(1), SetOp::kUnion); }
void cmd_sunionstore(CommandContext& ctx) {
  sunion_diff_generic(ctx, ctx.args.subspan(2), SetOp::kUnion, ctx.args[1], true);
}
void cmd_sdiff(CommandContext& ctx) { sunion_diff_generic(ctx, ctx.args.subspan(1), SetOp::kDiff); }
void cmd_sdiffstore(CommandContext& ctx) {
  sunion_diff_generic(ctx, ctx.args.subspan(2), SetOp::kDiff, ctx.args[1], true);
}

// SSCAN key cursor [MATCH pattern] [COUNT count]. Redis checks the cursor,
// then the key (a missing key replies an empty scan whatever the options),
// and only then the options. An intset is returned whole with cursor 0; a
// hashtable is walked bucket by bucket until `count` members were met or
// count*10 steps were taken, then MATCH filters what was met.
void cmd_sscan(CommandContext& ctx) {
  std::uint64_t cursor = 0;
  if (!parse_scan_cursor(ctx, ctx.args[2], cursor)) return;
  Db db = ctx.db();
  const Entry* e = nullptr;
  if (!ctx.read_or_reply(db, ctx.args[1], ValueType::kSet, e)) return;
  if (e == nullptr) {
    reply_scan(ctx, 0, {});
    return;
  }
  ScanOptions options;
  if (!parse_scan_options(ctx, 3, false, options)) return;

  std::vector<std::string> found;
  auto take = [&](std::string_view m) {
    if (!options.pattern || util::glob_match(*options.pattern, m)) found.emplace_back(m);
  };
  if (is_intset(*e)) {
    set::for_each(*e, take);
    cursor = 0;
  } else {
    const PackedDict& dict = dict_of(*e);
    std::uint64_t met = 0;
    std::uint64_t steps = options.count > UINT64_MAX / 10 ? UINT64_MAX : options.count * 10;
    do {
      cursor = dict.scan(cursor, [&](std::string_view m, std::string_view) {
        ++met;
        take(m);
      });
    } while (cursor != 0 && steps-- != 0 && met < options.count);
  }
  reply_scan(ctx, cursor, found);
}

}  // namespace

void register_set_commands(CommandTable& table) {
  table.add("sadd", cmd_sadd);
  table.add("srem", cmd_srem);
  table.add("smembers", cmd_smembers);
  table.add("sismember", cmd_sismember);
  table.add("smismember", cmd_smismember);
  table.add("scard", cmd_scard);
  table.add("spop", cmd_spop);
  table.add("srandmember", cmd_srandmember);
  table.add("smove", cmd_smove);
  table.add("sinter", cmd_sinter);
  table.add("sintercard", cmd_sintercard);
  table.add("sinterstore", cmd_sinterstore);
  table.add("sunion", cmd_sunion);
  table.add("sunionstore", cmd_sunionstore);
  table.add("sdiff", cmd_sdiff);
  table.add("sdiffstore", cmd_sdiffstore);
  table.add("sscan", cmd_sscan);
}

}  // namespace larder::commands
