// SORT and SORT_RO (Redis's sort.c): sort a list, set or sorted set by its
// elements or by keys their values name (BY pattern, "->field" for hash
// fields), numerically or ALPHA, with LIMIT, GET patterns and STORE into a
// list. The pattern keys may be anywhere: the command table locks every shard
// for SORT (its BY/GET key specs are "unknown").

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "larder/commands/acl_gate.h"
#include "larder/commands/command_table.h"
#include "larder/commands/families.h"
#include "larder/commands/list_ops.h"
#include "larder/protocol/errors.h"
#include "larder/storage/hash_value.h"
#include "larder/storage/list_pack.h"
#include "larder/storage/list_value.h"
#include "larder/storage/set_value.h"
#include "larder/storage/zset_value.h"
#include "larder/util/pqsort.h"
#include "larder/util/strings.h"

namespace larder::commands {

namespace {

using storage::Db;
using storage::Entry;
using storage::ValueType;
namespace list = storage::list;
namespace zset = storage::zset;

bool opt(std::string_view arg, std::string_view name) { return util::iequals(util::c_string(arg), name); }

// Redis's lookupKeyByPattern(): "#" is the element itself; otherwise the
// first '*' of the pattern is replaced by the element and the key read as a
// string, or with "->field" after the '*' as that hash field. nullopt when
// the pattern has no '*' or the key, type or field is missing.
std::optional<std::string> lookup_by_pattern(Db& db, std::string_view pattern, std::string_view element) {
  const std::string_view pat = util::c_string(pattern);
  if (pat == "#") return std::string(element);
  const std::size_t star = pat.find('*');
  if (star == std::string_view::npos) return std::nullopt;
  std::size_t field_at = pat.find("->", star + 1);
  if (field_at != std::string_view::npos && field_at + 2 == pat.size()) field_at = std::string_view::npos;
  // The key: the whole pattern (past the C string's end too) up to "->".
  const std::string_view key_pattern = field_at == std::string_view::npos ? pattern : pattern.substr(0, field_at);
  std::string key;
  key.reserve(key_pattern.size() + element.size());
  key.append(key_pattern.substr(0, star));
  key.append(element);
  key.append(key_pattern.substr(star + 1));
  const Entry* e = db.find_for_read(key);
  if (e == nullptr) return std::nullopt;
  if (field_at != std::string_view::npos) {
    if (e->type() != ValueType::kHash) return std::nullopt;
    const auto v = storage::hash::get(*e, pattern.substr(field_at + 2));
    if (!v) return std::nullopt;
    return std::string(*v);
  }
  if (e->type() != ValueType::kString) return std::nullopt;
  return std::string(e->value());
}

struct Item {
  explicit Item(std::string_view e) : element(e) {}
  std::string element;
  double score = 0;
  std::optional<std::string> by;  // ALPHA with BY: the value compared
};

// memcmp order, then length (compareStringObjects).
int compare_binary(std::string_view a, std::string_view b) { return a.compare(b) < 0 ? -1 : a.compare(b) > 0 ? 1 : 0; }
// strcoll() in the C locale: up to the first NUL.
int compare_c(std::string_view a, std::string_view b) { return compare_binary(util::c_string(a), util::c_string(b)); }

// SORT key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC]
// [ALPHA] [STORE destination]; SORT_RO without STORE.
void sort_generic(CommandContext& ctx, bool read_only) {
  bool desc = false, alpha = false, dontsort = false;
  std::int64_t limit_start = 0, limit_count = -1;
  std::optional<std::string_view> sortby, storekey;
  std::vector<std::string_view> gets;
  // BY with a pattern and GET read keys no key spec names: Redis allows them
  // only to a user who may read every key.
  std::optional<bool> full_key_access;
  auto may_read_any_key = [&](std::string_view option) {
    if (!full_key_access) {
      const auto& slot = client_user(ctx.server, ctx.client);
      full_key_access = slot->unrestricted() || acl::unrestricted_key_access(*slot->get(), ctx.spec, ctx.args);
    }
    if (!*full_key_access) {
      ctx.reply.error("ERR " + std::string(option) + " option of SORT denied due to insufficient ACL permissions.");
    }
    return *full_key_access;
  };
  const std::size_t argc = ctx.args.size();
  for (std::size_t j = 2; j < argc; ++j) {
    const std::size_t left = argc - j - 1;
    const std::string_view a = ctx.args[j];
    if (opt(a, "asc")) {
      desc = false;
    } else if (opt(a, "desc")) {
      desc = true;
    } else if (opt(a, "alpha")) {
      alpha = true;
    } else if (opt(a, "limit") && left >= 2) {
      if (!ctx.parse_int64_or_reply(ctx.args[j + 1], limit_start) ||
          !ctx.parse_int64_or_reply(ctx.args[j + 2], limit_count)) {
        return;
      }
      j += 2;
    } else if (!read_only && opt(a, "store") && left >= 1) {
      storekey = ctx.args[++j];
    } else if (opt(a, "by") && left >= 1) {
      sortby = ctx.args[++j];
      // A pattern without '*' ("nosort") keeps the value's own order, even
      // if a later BY has one (Redis only ever sets the flag).
      if (util::c_string(*sortby).find('*') == std::string_view::npos) {
        dontsort = true;
      } else if (!may_read_any_key("BY")) {
        return;
      }
    } else if (opt(a, "get") && left >= 1) {
      if (!may_read_any_key("GET")) return;
      gets.push_back(ctx.args[++j]);
    } else {
      ctx.reply.error(err::kSyntax);
      return;
    }
  }

  Db db = ctx.db();
  const Entry* e = db.find_for_read(ctx.args[1]);
  ValueType type = ValueType::kList;
  if (e != nullptr) {
    type = e->type();
    if (type != ValueType::kSet && type != ValueType::kList && type != ValueType::kZset) {
      ctx.reply.error(err::kWrongType);
      return;
    }
  }
  // A set in hash order would store (or a script see it) differently on each
  // server: STORE and scripts sort it by its elements, as Redis does.
  if (dontsort && type == ValueType::kSet && (storekey || ctx.in_script)) {
    dontsort = false;
    alpha = true;
    sortby.reset();
  }
  std::int64_t length = 0;
  if (e != nullptr) {
    length = static_cast<std::int64_t>(type == ValueType::kList  ? list::size(*e)
                                       : type == ValueType::kSet ? storage::set::size(*e)
                                                                 : zset::size(*e));
  }
  // LIMIT clamped to the value's length first (no overflow), as Redis 7.0.
  std::int64_t start = std::min(std::max(limit_start, std::int64_t{0}), length);
  limit_count = std::min(std::max(limit_count, std::int64_t{-1}), length);
  std::int64_t end = limit_count < 0 ? length - 1 : start + limit_count - 1;
  if (start >= length) {
    start = length - 1;
    end = length - 2;
  }
  if (end >= length) end = length - 1;

  // Load the elements: lists and sorted sets with nothing to sort only over
  // the LIMIT range, in their order (reversed for DESC).
  std::vector<Item> items;
  if (e != nullptr && dontsort && type != ValueType::kSet) {
    if (end >= start) {
      const auto n = static_cast<std::size_t>(end - start + 1);
      items.reserve(n);
      const auto first = static_cast<std::size_t>(desc ? length - start - 1 : start);
      if (type == ValueType::kList) {
        list::walk(*e, first, !desc, [&](std::string_view item) {
          items.emplace_back(item);
          return items.size() < n;
        });
      } else {
        zset::visit(*e, first, desc, [&](double, std::string_view m) {
          items.emplace_back(m);
          return items.size() < n;
        });
      }
      end -= start;
      start = 0;
    }
  } else if (e != nullptr) {
    items.reserve(static_cast<std::size_t>(length));
    if (type == ValueType::kList) {
      list::walk(*e, 0, true, [&](std::string_view item) {
        items.emplace_back(item);
        return true;
      });
    } else if (type == ValueType::kSet) {
      storage::set::for_each(*e, [&](std::string_view m) { items.emplace_back(m); });
    } else {
      zset::for_each(*e, [&](double, std::string_view m) { items.emplace_back(m); });
    }
  }

  bool conversion_error = false;
  if (!dontsort) {
    for (Item& it : items) {
      std::optional<std::string> by;
      if (sortby) {
        by = lookup_by_pattern(db, *sortby, it.element);
        if (!by) continue;
      }
      if (alpha) {
        if (sortby) it.by = std::move(by);
        continue;
      }
      // strtod over the C string, as Redis: the whole of it must be a number.
      const std::string text(util::c_string(sortby ? *by : it.element));
      char* eptr = nullptr;
      errno = 0;
      it.score = std::strtod(text.c_str(), &eptr);
      if (*eptr != '\0' || errno == ERANGE || std::isnan(it.score)) conversion_error = true;
    }
    const bool by_pattern = sortby.has_value();
    const bool storing = storekey.has_value();
    auto compare = [&](const Item& a, const Item& b) {
      int cmp;
      if (!alpha) {
        cmp = a.score > b.score ? 1 : a.score < b.score ? -1 : compare_binary(a.element, b.element);
      } else if (by_pattern) {
        if (!a.by || !b.by) {
          cmp = a.by.has_value() == b.by.has_value() ? 0 : !a.by ? -1 : 1;
        } else {
          cmp = storing ? compare_binary(*a.by, *b.by) : compare_c(*a.by, *b.by);
        }
      } else {
        cmp = storing ? compare_binary(a.element, b.element) : compare_c(a.element, b.element);
      }
      return desc ? -cmp : cmp;
    };
    // As Redis: with BY and a LIMIT short of the whole, pqsort, whose order
    // among equal ALPHA weights shows; else glibc's stable qsort.
    if (by_pattern && end >= start && (start != 0 || end != static_cast<std::int64_t>(items.size()) - 1)) {
      util::pqsort(std::span<Item>(items), static_cast<std::size_t>(start), static_cast<std::size_t>(end), compare);
    } else {
      std::stable_sort(items.begin(), items.end(), [&](const Item& a, const Item& b) { return compare(a, b) < 0; });
    }
  }

  const std::int64_t span = end - start + 1;
  const std::int64_t outputlen = span <= 0 ? 0 : (gets.empty() ? span : span * static_cast<std::int64_t>(gets.size()));
  if (conversion_error) {
    ctx.reply.error(err::kSortNotDouble);
    return;
  }
  if (!storekey) {
    ctx.reply.array(static_cast<std::size_t>(outputlen));
    for (std::int64_t j = start; j <= end; ++j) {
      const Item& it = items[static_cast<std::size_t>(j)];
      if (gets.empty()) ctx.reply.bulk(it.element);
      for (std::string_view pattern : gets) {
        const auto v = lookup_by_pattern(db, pattern, it.element);
        if (v) {
          ctx.reply.bulk(*v);
        } else {
          ctx.reply.null();
        }
      }
    }
    return;
  }
  std::vector<std::string> out;
  out.reserve(static_cast<std::size_t>(outputlen));
  for (std::int64_t j = start; j <= end; ++j) {
    const Item& it = items[static_cast<std::size_t>(j)];
    if (gets.empty()) out.push_back(it.element);
    for (std::string_view pattern : gets) out.push_back(lookup_by_pattern(db, pattern, it.element).value_or(""));
  }
  if (out.empty()) {
    if (db.erase(*storekey)) ctx.notify(config::kNotifyGeneric, "del", *storekey);
  } else {
    // A list already there is refilled in place: Redis's setKey overwrites,
    // so only a key that did not exist is "new".
    const Db::Read current = db.read_for_write(*storekey, ValueType::kList);
    if (current.wrong_type) {
      db.store(*storekey, ValueType::kList, storage::list_pack::kEmpty);  // overwritten, not "new"
    } else if (current.entry != nullptr && current.entry->has_expire()) {
      db.set_expire(*storekey, storage::kNoExpire);
    }
    {
      Db::Writer w = db.write(*storekey, ValueType::kList, Db::Create::kYes);
      list::erase(w, 0, list::size(w.entry()));
      const list::Limits lim = list_ops::limits(ctx.config);
      for (const std::string& v : out) list::push(w, list::End::kTail, v, lim);
    }
    ctx.notify(config::kNotifyList, "sortstore", *storekey);
  }
  ctx.reply.integer(outputlen);
}

void cmd_sort(CommandContext& ctx) { sort_generic(ctx, false); }
void cmd_sort_ro(CommandContext& ctx) { sort_generic(ctx, true); }

}  // namespace

void register_sort_commands(CommandTable& table) {
  table.add("sort", cmd_sort);
  table.add("sort_ro", cmd_sort_ro);
}

}  // namespace larder::commands
