#include "larder/acl/acl.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "larder/commands/command_docs.h"
#include "larder/commands/command_table.h"
#include "larder/util/glob.h"
#include "larder/util/sha256.h"
#include "larder/util/split_args.h"
#include "larder/util/strings.h"

namespace larder::acl {

namespace {

using commands::CommandSpec;
using commands::CommandTable;
using util::iequals;

// The command table as ACL rules walk it: every row by index with its
// categories, the top-level commands by name, each with its subcommands.
struct Catalog {
  struct Command {
    const CommandSpec* spec = nullptr;
    std::uint32_t categories = 0;
    std::vector<std::size_t> subcommands;  // row indexes, by name
    bool is_subcommand = false;
  };
  std::vector<Command> by_index;
  std::vector<std::size_t> top_level;  // by name

  static const Catalog& instance() {
    static const Catalog catalog = [] {
      Catalog c;
      const CommandTable& table = CommandTable::instance();
      std::vector<const CommandSpec*> specs;
      table.for_each([&](const CommandSpec& s) { specs.push_back(&s); });
      std::sort(specs.begin(), specs.end(), [](auto* a, auto* b) { return a->name < b->name; });
      std::size_t size = 0;
      for (const CommandSpec* s : specs) size = std::max(size, s->index + 1);
      c.by_index.resize(size);
      for (const CommandSpec* s : specs) {
        Command& cmd = c.by_index[s->index];
        cmd.spec = s;
        cmd.categories = command_categories(*s);
        const std::size_t bar = s->name.find('|');
        if (bar == std::string_view::npos) {
          c.top_level.push_back(s->index);
        } else {
          cmd.is_subcommand = true;
          c.by_index[table.find(s->name.substr(0, bar))->index].subcommands.push_back(s->index);
        }
      }
      return c;
    }();
    return catalog;
  }
};

bool has_spaces(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return c == '\0' || std::isspace(static_cast<unsigned char>(c)); });
}

bool valid_hash(std::string_view h) {
  if (h.size() != 64) return false;
  return std::all_of(h.begin(), h.end(), [](char c) { return (c >= 'a' && c <= 'f') || (c >= '0' && c <= '9'); });
}

// Redis's ACLSetSelectorCommandBit.
void set_bit(Selector& s, std::size_t index, bool value) {
  s.allowed.set(index, value);
  if (!value) s.all_commands = false;
}

// Redis's ACLChangeSelectorPerm: a container takes its subcommands along.
void change_perm(Selector& s, std::size_t index, bool allow) {
  const Catalog& catalog = Catalog::instance();
  set_bit(s, index, allow);
  s.first_args.erase(index);
  for (std::size_t sub : catalog.by_index[index].subcommands) set_bit(s, sub, allow);
}

void set_category(Selector& s, std::uint32_t bit, bool allow) {
  const Catalog& catalog = Catalog::instance();
  for (std::size_t top : catalog.top_level) {
    if (catalog.by_index[top].categories & bit) change_perm(s, top, allow);
    for (std::size_t sub : catalog.by_index[top].subcommands) {
      if (catalog.by_index[sub].categories & bit) change_perm(s, sub, allow);
    }
  }
}

// Commands Larder has from Redis 7.2 (CLIENT SETINFO, CLIENT NO-TOUCH), which
// Redis 7.0's category counts do not see.
bool newer_than_redis_7_0(const commands::CommandSpec& spec) {
  const std::string_view since = spec.doc->doc->since;
  return since.size() >= 3 && (since[0] > '7' || (since[0] == '7' && since[2] > '0'));
}

// Commands of a category the selector allows and denies, as Redis 7.0
// counts them when it describes rules.
void count_category(const Selector& s, std::uint32_t bit, unsigned long& on, unsigned long& off) {
  on = off = 0;
  for (const Catalog::Command& c : Catalog::instance().by_index) {
    if (c.spec == nullptr || !(c.categories & bit) || newer_than_redis_7_0(*c.spec)) continue;
    if (s.allowed.test(c.spec->index)) {
      ++on;
    } else {
      ++off;
    }
  }
}

void set_all(Selector& s, bool allow) {
  if (allow) {
    s.allowed.set();
  } else {
    s.allowed.reset();
  }
  s.all_commands = allow;
  s.first_args.clear();
}

const CommandSpec* lookup(std::string_view name) { return CommandTable::instance().find_full_name(name); }

std::string pattern_text(const KeyPattern& p) {
  const char* prefix = p.perms == kAllPerm ? "~" : p.perms == kReadPerm ? "%R~" : "%W~";
  return prefix + p.pattern;
}

// Redis's ACLSelectorCheckKey: key spec flags map to read (access) and
// write (insert, delete, update) permissions.
bool key_allowed(const Selector& s, std::string_view key, const commands::KeySpec& spec) {
  if (s.all_keys) return true;
  int needed = 0;
  for (std::string_view f : spec.flags) {
    if (f == "access") needed |= kReadPerm;
    if (f == "insert" || f == "delete" || f == "update") needed |= kWritePerm;
  }
  for (const KeyPattern& p : s.keys) {
    if ((p.perms & needed) != needed) continue;
    if (util::glob_match(p.pattern, key)) return true;
  }
  return false;
}

bool channel_in(const std::vector<std::string>& patterns, std::string_view channel, bool literal) {
  for (const std::string& p : patterns) {
    if (literal ? p == channel : util::glob_match(p, channel)) return true;
  }
  return false;
}

// SET and BITFIELD declare variable_flags: Redis asks their getkeys
// procedures, which give SET without GET "OW update" (no read) and a
// BITFIELD read from the left as well-formed GETs and OVERFLOWs only "RO
// access" (no write; a SET, an INCRBY or a syntax error ends the reading).
commands::KeySpec effective_spec(const CommandSpec& cmd, const commands::KeySpec& spec,
                                 std::span<const std::string_view> args) {
  if (!spec.variable_flags) return spec;
  commands::KeySpec out = spec;
  if (cmd.name == "set") {
    const bool get = std::any_of(args.begin() + std::min<std::size_t>(3, args.size()), args.end(),
                                 [](std::string_view a) { return iequals(a, "get"); });
    if (!get) out.flags = {"OW", "update"};
  } else if (cmd.name == "bitfield") {
    bool write = false;
    for (std::size_t i = 2; i < args.size() && !write; ++i) {
      const std::size_t left = args.size() - i - 1;
      if (iequals(args[i], "get") && left >= 2) {
        i += 2;
      } else if (iequals(args[i], "overflow") && left >= 1) {
        i += 1;
      } else {
        write = true;  // SET or INCRBY, or a syntax error: Redis assumes a write
      }
    }
    if (!write) out.flags = {"RO", "access"};
  }
  return out;
}

enum class ChannelArgs { kNone, kFirst, kAll, kAllLiteral };

ChannelArgs channel_args(const CommandSpec& cmd) {
  if (cmd.name == "publish" || cmd.name == "spublish") return ChannelArgs::kFirst;
  if (cmd.name == "subscribe" || cmd.name == "ssubscribe") return ChannelArgs::kAll;
  if (cmd.name == "psubscribe") return ChannelArgs::kAllLiteral;
  return ChannelArgs::kNone;
}

// Redis's ACLSelectorCheckCmd.
CheckResult check_selector(const Selector& s, const CommandSpec& cmd, std::span<const std::string_view> args) {
  if (!s.all_commands && !(cmd.flags & commands::kNoAuth) && !s.allowed.test(cmd.index)) {
    auto it = s.first_args.find(cmd.index);
    if (args.size() < 2 || it == s.first_args.end()) return {Denial::kCommand, 0};
    const std::size_t idx = Catalog::instance().by_index[cmd.index].is_subcommand ? 2 : 1;
    if (idx >= args.size()) return {Denial::kCommand, 0};
    const bool match = std::any_of(it->second.begin(), it->second.end(),
                                   [&](const std::string& a) { return iequals(a, args[idx]); });
    if (!match) return {Denial::kCommand, 0};
  }
  if (!s.all_keys && !cmd.doc->key_specs.empty()) {
    CheckResult denied;
    const std::span<const commands::KeySpec> specs = cmd.doc->key_specs;
    const bool valid = commands::for_each_key(specs, args, [&](int i, const commands::KeySpec& spec) {
      if (denied.denial != Denial::kNone) return;
      const auto pos = static_cast<std::size_t>(i);
      if (!key_allowed(s, args[pos], effective_spec(cmd, spec, args))) denied = {Denial::kKey, pos};
    });
    if (!valid) {
      // Redis falls back to the getkeys procedure: SORT's own parser (its
      // BY/GET spec is unknown), else the keynum keys without flags.
      denied = {};
      std::vector<std::pair<int, commands::KeySpec>> keys;
      if (cmd.name == "sort" || cmd.name == "sort_ro") {
        for (auto& [i, flags] : commands::sort_keys(args, cmd.name == "sort_ro")) {
          commands::KeySpec spec;
          spec.flags = std::move(flags);
          keys.emplace_back(i, std::move(spec));
        }
      } else {
        for (int i : commands::keynum_fallback_keys(specs, args)) keys.emplace_back(i, commands::KeySpec{});
      }
      for (const auto& [i, spec] : keys) {
        const auto pos = static_cast<std::size_t>(i);
        if (pos < args.size() && !key_allowed(s, args[pos], spec)) {
          denied = {Denial::kKey, pos};
          break;
        }
      }
    }
    if (denied.denial != Denial::kNone) return denied;
  }
  const ChannelArgs channels = channel_args(cmd);
  if (!s.all_channels && channels != ChannelArgs::kNone) {
    const std::size_t end = channels == ChannelArgs::kFirst ? std::min<std::size_t>(2, args.size()) : args.size();
    for (std::size_t j = 1; j < end; ++j) {
      if (!channel_in(s.channels, args[j], channels == ChannelArgs::kAllLiteral)) return {Denial::kChannel, j};
    }
  }
  return {};
}

}  // namespace

std::vector<std::string_view> commands_in_category(std::uint32_t bit) {
  const Catalog& catalog = Catalog::instance();
  std::vector<std::string_view> out;
  for (std::size_t top : catalog.top_level) {
    if (catalog.by_index[top].categories & bit) out.push_back(catalog.by_index[top].spec->name);
    for (std::size_t sub : catalog.by_index[top].subcommands) {
      if (catalog.by_index[sub].categories & bit) out.push_back(catalog.by_index[sub].spec->name);
    }
  }
  return out;
}

std::uint32_t category_bit(std::string_view name) {
  for (std::size_t j = 0; j < kCategoryCount; ++j) {
    if (iequals(name, kCategoryNames[j])) return 1u << j;
  }
  return 0;
}

std::uint32_t command_categories(const commands::CommandSpec& spec) {
  std::uint32_t bits = 0;
  for (std::string_view c : spec.doc->acl) {
    if (!c.empty() && c[0] == '@') bits |= category_bit(c.substr(1));
  }
  return bits;
}

std::string_view rule_error_text(RuleError e) {
  switch (e) {
    case RuleError::kUnknownName: return "Unknown command or category name in ACL";
    case RuleError::kSyntax: return "Syntax error";
    case RuleError::kKeyAfterAll:
      return "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any "
             "effect. Try 'resetkeys' to start with an empty list of patterns";
    case RuleError::kChannelAfterAll:
      return "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any "
             "effect. Try 'resetchannels' to start with an empty list of channels";
    case RuleError::kNoSuchPassword: return "The password you are trying to remove from the user does not exist";
    case RuleError::kBadHash:
      return "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters";
    case RuleError::kDuplicateUser:
      return "Duplicate user found. A user can only be defined once in config files";
    case RuleError::kSubcommandArg: return "Allowing first-arg of a subcommand is not supported";
    case RuleError::kNone: break;
  }
  return "Wrong format";
}

RuleError apply_selector_rule(Selector& s, std::string_view op) {
  if (iequals(op, "allkeys") || op == "~*") {
    s.all_keys = true;
    s.keys.clear();
  } else if (iequals(op, "resetkeys")) {
    s.all_keys = false;
    s.keys.clear();
  } else if (iequals(op, "allchannels") || op == "&*") {
    s.all_channels = true;
    s.channels.clear();
  } else if (iequals(op, "resetchannels")) {
    s.all_channels = false;
    s.channels.clear();
  } else if (iequals(op, "allcommands") || iequals(op, "+@all")) {
    set_all(s, true);
  } else if (iequals(op, "nocommands") || iequals(op, "-@all")) {
    set_all(s, false);
  } else if (op[0] == '~' || op[0] == '%') {
    if (s.all_keys) return RuleError::kKeyAfterAll;
    int perms = 0;
    std::size_t offset = 1;
    if (op[0] == '%') {
      for (; offset < op.size(); ++offset) {
        const char c = static_cast<char>(std::toupper(static_cast<unsigned char>(op[offset])));
        if (c == 'R' && !(perms & kReadPerm)) {
          perms |= kReadPerm;
        } else if (c == 'W' && !(perms & kWritePerm)) {
          perms |= kWritePerm;
        } else if (op[offset] == '~') {
          ++offset;
          break;
        } else {
          return RuleError::kSyntax;
        }
      }
      if (perms == 0) return RuleError::kSyntax;
    } else {
      perms = kAllPerm;
    }
    const std::string_view pattern = op.substr(std::min(offset, op.size()));
    if (has_spaces(pattern)) return RuleError::kSyntax;
    auto it = std::find_if(s.keys.begin(), s.keys.end(), [&](const KeyPattern& k) { return k.pattern == pattern; });
    if (it == s.keys.end()) {
      s.keys.push_back({std::string(pattern), perms});
    } else {
      it->perms |= perms;
    }
    s.all_keys = false;
  } else if (op[0] == '&') {
    if (s.all_channels) return RuleError::kChannelAfterAll;
    const std::string_view pattern = op.substr(1);
    if (has_spaces(pattern)) return RuleError::kSyntax;
    if (std::find(s.channels.begin(), s.channels.end(), pattern) == s.channels.end()) {
      s.channels.emplace_back(pattern);
    }
    s.all_channels = false;
  } else if ((op[0] == '+' || op[0] == '-') && (op.size() < 2 || op[1] != '@')) {
    // Redis works on a C string: the name ends at its first NUL.
    const std::string_view name = op.substr(1, op.find('\0', 1) == std::string_view::npos ? op.npos : op.find('\0', 1) - 1);
    const std::size_t bar = name.rfind('|');
    if (op[0] == '-' || bar == std::string_view::npos) {
      const CommandSpec* cmd = lookup(name);
      if (cmd == nullptr) return RuleError::kUnknownName;
      change_perm(s, cmd->index, op[0] == '+');
    } else {
      const CommandSpec* cmd = lookup(name.substr(0, bar));
      if (cmd == nullptr) return RuleError::kUnknownName;
      if (Catalog::instance().by_index[cmd->index].is_subcommand) return RuleError::kSubcommandArg;
      const std::string_view sub = name.substr(bar + 1);
      if (sub.empty()) return RuleError::kSyntax;
      if (cmd->flags & commands::kContainer) {
        const CommandSpec* full = lookup(name);
        if (full == nullptr) return RuleError::kUnknownName;
        change_perm(s, full->index, true);
      } else {
        spdlog::warn(
            "Deprecation warning: Allowing a first arg of an otherwise blocked command is a misuse of ACL and may "
            "get disabled in the future (offender: {})",
            op);
        auto& args = s.first_args[cmd->index];
        if (std::none_of(args.begin(), args.end(), [&](const std::string& a) { return iequals(a, sub); })) {
          args.emplace_back(sub);
        }
      }
    }
  } else if (op.size() >= 2 && (op[0] == '+' || op[0] == '-') && op[1] == '@') {
    const std::uint32_t bit = category_bit(op.substr(2));
    if (bit == 0) return RuleError::kUnknownName;
    set_category(s, bit, op[0] == '+');
  } else {
    return RuleError::kSyntax;
  }
  return RuleError::kNone;
}

namespace {
std::atomic<bool> pubsub_default_all{false};
}  // namespace

void set_pubsub_default(bool all_channels) { pubsub_default_all.store(all_channels, std::memory_order_relaxed); }

User::User(std::string user_name) : name(std::move(user_name)) {
  Selector root;
  root.root = true;
  root.all_channels = pubsub_default_all.load(std::memory_order_relaxed);
  selectors.push_back(std::move(root));
}

RuleError User::apply(std::string_view op) {
  if (op.empty()) return RuleError::kNone;
  if (iequals(op, "on")) {
    enabled = true;
  } else if (iequals(op, "off")) {
    enabled = false;
  } else if (iequals(op, "skip-sanitize-payload")) {
    sanitize = Sanitize::kSkip;
  } else if (iequals(op, "sanitize-payload")) {
    sanitize = Sanitize::kSanitize;
  } else if (iequals(op, "nopass")) {
    nopass = true;
    passwords.clear();
  } else if (iequals(op, "resetpass")) {
    nopass = false;
    passwords.clear();
  } else if (op[0] == '>' || op[0] == '#') {
    std::string digest;
    if (op[0] == '>') {
      digest = util::sha256_hex(op.substr(1));
    } else {
      if (!valid_hash(op.substr(1))) return RuleError::kBadHash;
      digest = op.substr(1);
    }
    if (std::find(passwords.begin(), passwords.end(), digest) == passwords.end()) passwords.push_back(digest);
    nopass = false;
  } else if (op[0] == '<' || op[0] == '!') {
    std::string digest;
    if (op[0] == '<') {
      digest = util::sha256_hex(op.substr(1));
    } else {
      if (!valid_hash(op.substr(1))) return RuleError::kBadHash;
      digest = op.substr(1);
    }
    auto it = std::find(passwords.begin(), passwords.end(), digest);
    if (it == passwords.end()) return RuleError::kNoSuchPassword;
    passwords.erase(it);
  } else if (op[0] == '(' && op.back() == ')') {
    Selector s;
    s.all_channels = pubsub_default_all.load(std::memory_order_relaxed);
    const auto parts = util::split_args(op.substr(1, op.size() - 2));
    if (parts) {
      for (const std::string& part : *parts) {
        if (part.empty()) continue;
        if (const RuleError e = apply_selector_rule(s, part); e != RuleError::kNone) return e;
      }
    }
    selectors.push_back(std::move(s));
  } else if (iequals(op, "clearselectors")) {
    selectors.resize(1);
  } else if (iequals(op, "reset")) {
    apply("resetpass");
    apply("resetkeys");
    apply("resetchannels");
    if (pubsub_default_all.load(std::memory_order_relaxed)) apply("allchannels");
    apply("off");
    apply("sanitize-payload");
    apply("clearselectors");
    apply("-@all");
  } else {
    return apply_selector_rule(selectors.front(), op);
  }
  return RuleError::kNone;
}

bool User::password_matches(std::string_view password) const {
  if (nopass) return true;
  const std::string digest = util::sha256_hex(password);
  bool match = false;
  for (const std::string& p : passwords) match |= util::constant_time_equal(p, digest);
  return match;
}

bool User::unrestricted() const {
  const Selector& root = selectors.front();
  return root.all_commands && root.all_keys && root.all_channels;
}

std::string describe_command_rules(const Selector& s) {
  const Catalog& catalog = Catalog::instance();
  std::string rules;
  Selector fake;
  const bool additive = !s.allowed.test(kFutureBit);
  rules = additive ? "-@all " : "+@all ";
  set_all(fake, !additive);
  // Best-fitting categories first (Redis's loop), tracked on a copy.
  Selector temp;
  temp.allowed = s.allowed;
  bool applied[kCategoryCount] = {};
  while (true) {
    int best = -1;
    unsigned long mindiff = INT32_MAX, maxsame = 0;
    for (std::size_t j = 0; j < kCategoryCount; ++j) {
      if (applied[j]) continue;
      unsigned long on = 0, off = 0;
      count_category(temp, 1u << j, on, off);
      const unsigned long diff = additive ? off : on;
      const unsigned long same = additive ? on : off;
      if (same > diff && (diff < mindiff || (diff == mindiff && same > maxsame))) {
        best = static_cast<int>(j);
        mindiff = diff;
        maxsame = same;
      }
    }
    if (best == -1) break;
    set_category(fake, 1u << best, additive);
    set_category(temp, 1u << best, !additive);
    rules += additive ? "+@" : "-@";
    rules += kCategoryNames[best];
    rules += ' ';
    applied[best] = true;
  }
  // Then the single commands that still differ, and first-args.
  auto single = [&](std::size_t index) {
    const bool user_bit = s.allowed.test(index);
    if (user_bit != fake.allowed.test(index)) {
      rules += user_bit ? '+' : '-';
      rules += catalog.by_index[index].spec->name;
      rules += ' ';
      change_perm(fake, index, user_bit);
    }
  };
  auto first_args = [&](std::size_t index) {
    auto it = s.first_args.find(index);
    if (s.allowed.test(index) || it == s.first_args.end()) return;
    for (const std::string& a : it->second) {
      rules += '+';
      rules += catalog.by_index[index].spec->name;
      rules += '|';
      rules += a;
      rules += ' ';
    }
  };
  for (std::size_t top : catalog.top_level) {
    single(top);
    for (std::size_t sub : catalog.by_index[top].subcommands) {
      single(sub);
      first_args(sub);
    }
    first_args(top);
  }
  rules.pop_back();
  return rules;
}

std::string describe_keys(const Selector& s) {
  if (s.all_keys) return "~*";
  std::string out;
  for (const KeyPattern& p : s.keys) {
    if (!out.empty()) out += ' ';
    out += pattern_text(p);
  }
  return out;
}

std::string describe_channels(const Selector& s) {
  if (s.all_channels) return "&*";
  std::string out;
  for (const std::string& c : s.channels) {
    if (!out.empty()) out += ' ';
    out += '&' + c;
  }
  return out;
}

namespace {

std::string describe_selector(const Selector& s) {
  std::string out;
  if (s.all_keys) {
    out += "~* ";
  } else {
    for (const KeyPattern& p : s.keys) out += pattern_text(p) + ' ';
  }
  if (s.all_channels) {
    out += "&* ";
  } else {
    out += "resetchannels ";
    for (const std::string& c : s.channels) out += '&' + c + ' ';
  }
  out += describe_command_rules(s);
  return out;
}

}  // namespace

std::string User::describe() const {
  std::string out;
  if (enabled) out += "on ";
  if (!enabled) out += "off ";
  if (nopass) out += "nopass ";
  if (sanitize == Sanitize::kSkip) out += "skip-sanitize-payload ";
  if (sanitize == Sanitize::kSanitize) out += "sanitize-payload ";
  for (const std::string& p : passwords) out += '#' + p + ' ';
  for (const Selector& s : selectors) {
    if (s.root) {
      out += describe_selector(s);
    } else {
      out += " (" + describe_selector(s) + ")";
    }
  }
  return out;
}

std::optional<std::vector<std::string>> merge_selector_args(std::span<const std::string_view> args,
                                                            std::size_t& unmatched) {
  std::vector<std::string> out;
  std::string selector;
  bool open = false;
  for (std::size_t j = 0; j < args.size(); ++j) {
    const std::string_view op = args[j];
    if (!open && !op.empty() && op[0] == '(' && op.back() != ')') {
      selector = op;
      open = true;
      unmatched = j;
      continue;
    }
    if (open) {
      selector += ' ';
      selector += op;
      if (!op.empty() && op.back() == ')') {
        open = false;
        out.push_back(std::move(selector));
      }
      continue;
    }
    out.emplace_back(op);
  }
  if (open) return std::nullopt;
  return out;
}

CheckResult check_command(const User& user, const CommandSpec& spec, std::span<const std::string_view> args) {
  CheckResult relevant{Denial::kCommand, 0};
  for (const Selector& s : user.selectors) {
    const CheckResult r = check_selector(s, spec, args);
    if (r.denial == Denial::kNone) return r;
    if (static_cast<int>(r.denial) > static_cast<int>(relevant.denial) ||
        (r.denial == relevant.denial && r.arg > relevant.arg)) {
      relevant = r;
    }
  }
  return relevant;
}

bool unrestricted_key_access(const User& user, const CommandSpec& spec, std::span<const std::string_view> args) {
  return std::any_of(user.selectors.begin(), user.selectors.end(), [&](const Selector& s) {
    const bool reads_all = s.all_keys || std::any_of(s.keys.begin(), s.keys.end(), [](const KeyPattern& p) {
                             return (p.perms & kReadPerm) != 0 && util::c_string(p.pattern) == "*";
                           });
    return reads_all && check_selector(s, spec, args).denial == Denial::kNone;
  });
}

bool channels_kept(const User& before, const User& after) {
  for (const Selector& s : after.selectors) {
    if (s.all_channels) return true;
  }
  // Redis 7.0 looks the old patterns up among the new ones by address, so
  // any old pattern counts as gone.
  return std::none_of(before.selectors.begin(), before.selectors.end(),
                      [](const Selector& s) { return s.all_channels || !s.channels.empty(); });
}

bool subscription_permitted(const User& user, std::string_view name, bool pattern) {
  for (const Selector& s : user.selectors) {
    if (s.all_channels) return true;
    for (const std::string& allowed : s.channels) {
      // Redis compares patterns with strcmp.
      if (pattern ? util::c_string(allowed) == util::c_string(name) : util::glob_match(allowed, name, /*nocase=*/false)) {
        return true;
      }
    }
  }
  return false;
}

void UserSlot::set(std::shared_ptr<const User> user) {
  std::lock_guard lock(mutex_);
  unrestricted_.store(!deleted_.load(std::memory_order_relaxed) && user->unrestricted(), std::memory_order_relaxed);
  user_ = std::move(user);
}

void UserSlot::mark_deleted() {
  std::lock_guard lock(mutex_);
  deleted_.store(true, std::memory_order_relaxed);
  unrestricted_.store(false, std::memory_order_relaxed);
  user_ = std::make_shared<const User>(name_);  // off, no commands
}

namespace {

std::shared_ptr<User> make_default_user() {
  auto u = std::make_shared<User>("default");
  for (std::string_view op : {"+@all", "~*", "&*", "on", "nopass"}) u->apply(op);
  return u;
}

}  // namespace

Acl::Acl() : default_(std::make_shared<UserSlot>(make_default_user())) {
  users_.emplace("default", default_);
  refresh_auth_required();
}

void Acl::refresh_auth_required() {
  const auto u = default_->get();
  auth_required_.store(!u->nopass || !u->enabled, std::memory_order_relaxed);
}

void Acl::set_default_password(std::string_view password) {
  std::lock_guard lock(mutex_);
  auto u = std::make_shared<User>(*default_->get());
  u->apply("resetpass");
  if (password.empty()) {
    u->apply("nopass");
  } else {
    u->apply(">" + std::string(password));
  }
  default_->set(std::move(u));
  refresh_auth_required();
}

std::shared_ptr<UserSlot> Acl::find(std::string_view name) const {
  std::lock_guard lock(mutex_);
  auto it = users_.find(name);
  return it == users_.end() ? nullptr : it->second;
}

std::shared_ptr<UserSlot> Acl::authenticate(std::string_view name, std::string_view password) const {
  std::shared_ptr<UserSlot> slot = find(name);
  if (slot == nullptr) return nullptr;
  const auto u = slot->get();
  if (!u->enabled || !u->password_matches(password)) return nullptr;
  return slot;
}

Acl::SetResult Acl::set_user(std::string_view name, std::span<const std::string> rules) {
  std::lock_guard lock(mutex_);
  SetResult result;
  auto it = users_.find(name);
  std::shared_ptr<User> staged;
  if (it != users_.end()) {
    result.existing = it->second;
    result.before = it->second->get();
    staged = std::make_shared<User>(*result.before);
  } else {
    staged = std::make_shared<User>(std::string(name));
  }
  for (std::size_t j = 0; j < rules.size(); ++j) {
    const RuleError e = staged->apply(rules[j]);
    if (e != RuleError::kNone) {
      result.error = e;
      result.failed = j;
      return result;
    }
  }
  if (result.existing) {
    result.existing->set(std::move(staged));
  } else {
    users_.emplace(std::string(name), std::make_shared<UserSlot>(std::move(staged)));
  }
  refresh_auth_required();
  return result;
}

std::vector<std::shared_ptr<UserSlot>> Acl::delete_users(std::span<const std::string_view> names) {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<UserSlot>> removed;
  for (std::string_view name : names) {
    auto it = users_.find(name);
    if (it == users_.end() || it->second == default_) continue;
    it->second->mark_deleted();
    removed.push_back(it->second);
    users_.erase(it);
  }
  return removed;
}

std::optional<std::string> check_config_user(std::span<const std::string> words,
                                             std::span<const std::vector<std::string>> earlier) {
  // Redis's argv: "user", the name, the rules.
  auto word = [&](std::size_t argc) { return argc == 0 ? std::string("user") : words[argc - 1]; };
  auto error = [&](std::size_t argc, RuleError e) {
    return "Error in user declaration '" + word(std::min(argc, words.size())) + "': " + std::string(rule_error_text(e));
  };
  for (const auto& line : earlier) {
    if (line.front() == words.front()) return error(1, RuleError::kDuplicateUser);
  }
  std::vector<std::string_view> args(words.begin() + 1, words.end());
  std::size_t unmatched = 0;
  const auto rules = merge_selector_args(args, unmatched);
  // Redis names the word at the selector's place among the rules and reports
  // the error number left over from an earlier call (7.0.15: ENOENT).
  if (!rules) return error(unmatched, RuleError::kUnknownName);
  User probe("");
  for (std::size_t j = 0; j < rules->size(); ++j) {
    const RuleError e = probe.apply((*rules)[j]);
    if (e != RuleError::kNone && e != RuleError::kUnknownName) return error(j, e);
  }
  return std::nullopt;
}

std::optional<std::string> Acl::load_config_users(std::span<const std::vector<std::string>> lines) {
  for (const auto& line : lines) {
    const std::string& name = line.front();
    if (has_spaces(name)) return "Spaces not allowed in ACL usernames";
    std::vector<std::string_view> args(line.begin() + 1, line.end());
    std::size_t unmatched = 0;
    std::vector<std::string> rules = merge_selector_args(args, unmatched).value_or(std::vector<std::string>{});
    if (name == "default") rules.insert(rules.begin(), "reset");
    const SetResult r = set_user(name, rules);
    if (r.error != RuleError::kNone) {
      return "Error loading ACL rule '" + rules[r.failed] + "' for the user named '" + name +
             "': " + std::string(rule_error_text(r.error));
    }
    if (!find(name)->get()->enabled) {
      spdlog::info("The user '{}' is disabled (there is no 'on' modifier in the user description). Make sure this is "
                   "not a configuration error.",
                   name);
    }
  }
  return std::nullopt;
}

std::vector<std::shared_ptr<UserSlot>> Acl::users() const {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<UserSlot>> out;
  out.reserve(users_.size());
  for (const auto& [name, slot] : users_) out.push_back(slot);
  return out;
}

std::optional<std::string> Acl::load_file(const std::string& path, std::vector<std::shared_ptr<UserSlot>>& replaced) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return "Error loading ACLs, opening file '" + path + "': " + std::strerror(errno);
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  std::string errors;
  std::map<std::string, std::shared_ptr<User>, std::less<>> loaded;
  std::size_t start = 0;
  for (int linenum = 1; start <= text.size(); ++linenum) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + start, end - start);
    start = end + 1;
    // sdstrim(" \t\r\n")
    while (!line.empty() && std::strchr(" \t\r\n", line.front()) != nullptr && line.front() != '\0') line.remove_prefix(1);
    while (!line.empty() && std::strchr(" \t\r\n", line.back()) != nullptr && line.back() != '\0') line.remove_suffix(1);
    if (line.empty()) continue;
    // sdssplitlen(" "): empty words between double spaces are kept.
    std::vector<std::string_view> argv;
    std::size_t w = 0;
    while (true) {
      const std::size_t sp = line.find(' ', w);
      argv.push_back(line.substr(w, sp == std::string_view::npos ? std::string_view::npos : sp - w));
      if (sp == std::string_view::npos) break;
      w = sp + 1;
    }
    const std::string where = path + ":" + std::to_string(linenum);
    if (argv[0] != "user" || argv.size() < 2) {
      errors += where + " should start with user keyword followed by the username. ";
      continue;
    }
    if (has_spaces(argv[1])) {
      errors += "'" + where + ": username '" + std::string(argv[1]) + "' contains invalid characters. ";
      continue;
    }
    if (loaded.contains(argv[1])) {
      errors += "WARNING: Duplicate user '" + std::string(argv[1]) + "' found on line " + std::to_string(linenum) + ". ";
      continue;
    }
    auto u = std::make_shared<User>(std::string(argv[1]));
    loaded.emplace(std::string(argv[1]), u);
    std::size_t unmatched = 0;
    auto rules = merge_selector_args(std::span(argv).subspan(2), unmatched);
    if (!rules) {
      errors += where + ": Unmatched parenthesis in selector definition.";
      continue;
    }
    // Unknown commands are named; of the other errors only a line's first
    // is reported, since it may cause the rest.
    bool syntax_error = false;
    for (std::string& rule : *rules) {
      while (!rule.empty() && std::strchr("\t\r\n", rule.front()) != nullptr && rule.front() != '\0') rule.erase(0, 1);
      while (!rule.empty() && std::strchr("\t\r\n", rule.back()) != nullptr && rule.back() != '\0') rule.pop_back();
      const RuleError e = u->apply(rule);
      if (e == RuleError::kUnknownName) {
        errors += where + ": Error in applying operation '" + rule.substr(0, rule.find('\0')) +
                  "': " + std::string(rule_error_text(e)) + ". ";
      } else if (e != RuleError::kNone && !syntax_error) {
        errors += where + ": " + std::string(rule_error_text(e)) + ". ";
        syntax_error = true;
      }
    }
  }
  if (!errors.empty()) {
    return errors + "WARNING: ACL errors detected, no change to the previously active ACL rules was performed";
  }
  std::lock_guard lock(mutex_);
  for (auto& [name, slot] : users_) {
    if (slot == default_) continue;
    slot->mark_deleted();
    replaced.push_back(slot);
  }
  users_.clear();
  auto def = loaded.find("default");
  default_->set(def != loaded.end() ? def->second : make_default_user());
  users_.emplace("default", default_);
  for (auto& [name, u] : loaded) {
    if (name != "default") users_.emplace(name, std::make_shared<UserSlot>(u));
  }
  refresh_auth_required();
  return std::nullopt;
}

bool Acl::save_file(const std::string& path) const {
  std::string text;
  for (const auto& slot : users()) {
    const auto u = slot->get();
    text += "user " + u->name + " " + u->describe() + "\n";
  }
  const std::string tmp = path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(::time(nullptr));
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT, 0644);
  if (fd == -1) {
    spdlog::warn("Opening temp ACL file for ACL SAVE: {}", std::strerror(errno));
    return false;
  }
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  if (!written) spdlog::warn("Writing ACL file for ACL SAVE: {}", std::strerror(errno));
  ::close(fd);
  if (written && ::rename(tmp.c_str(), path.c_str()) == 0) return true;
  if (written) spdlog::warn("Renaming ACL file for ACL SAVE: {}", std::strerror(errno));
  ::unlink(tmp.c_str());
  return false;
}

void Acl::log(LogEntry entry, std::size_t max_len) {
  std::lock_guard lock(log_mutex_);
  // Redis groups an entry with one of the last 10 of the same reason,
  // context, object and user within 60 s.
  const std::size_t scan = std::min<std::size_t>(10, log_.size());
  for (std::size_t i = 0; i < scan; ++i) {
    LogEntry& e = log_[i];
    const std::int64_t delta = std::abs(e.ctime_ms - entry.ctime_ms);
    if (e.reason == entry.reason && e.context == entry.context && delta <= 60000 && e.object == entry.object &&
        e.username == entry.username) {
      LogEntry merged = std::move(e);
      merged.client_info = std::move(entry.client_info);
      merged.ctime_ms = entry.ctime_ms;
      ++merged.count;
      log_.erase(log_.begin() + static_cast<std::ptrdiff_t>(i));
      log_.push_front(std::move(merged));
      return;
    }
  }
  log_.push_front(std::move(entry));
  while (log_.size() > max_len) log_.pop_back();
}

std::vector<LogEntry> Acl::log_entries(std::size_t count) const {
  std::lock_guard lock(log_mutex_);
  count = std::min(count, log_.size());
  return {log_.begin(), log_.begin() + static_cast<std::ptrdiff_t>(count)};
}

void Acl::reset_log() {
  std::lock_guard lock(log_mutex_);
  log_.clear();
}

}  // namespace larder::acl
