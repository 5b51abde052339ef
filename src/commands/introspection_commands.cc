// Introspection family: COMMAND and its subcommands (COUNT, INFO, DOCS, LIST,
// GETKEYS, GETKEYSANDFLAGS, HELP), in Redis 7.0's formats, from the metadata
// rows (command_docs.h) of the registered commands only.

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>
#include <vector>

#include "larder/commands/command_docs.h"
#include "larder/commands/command_table.h"
#include "larder/commands/families.h"
#include "larder/commands/key_specs.h"
#include "larder/util/glob.h"
#include "larder/util/strings.h"

namespace larder::commands {

namespace {

using util::iequals;

using protocol::ReplyBuilder;

bool is_subcommand(const CommandSpec& spec) {
  return spec.name.find('|') != std::string_view::npos;
}

// Top-level rows, or the subcommand rows of `container`, sorted by name.
std::vector<const CommandSpec*> rows(const CommandTable& table, const CommandSpec* container) {
  std::vector<const CommandSpec*> out;
  table.for_each([&](const CommandSpec& spec) {
    if (container == nullptr) {
      if (!is_subcommand(spec)) out.push_back(&spec);
    } else if (spec.name.size() > container->name.size() &&
               spec.name.starts_with(container->name) &&
               spec.name[container->name.size()] == '|') {
      out.push_back(&spec);
    }
  });
  std::sort(out.begin(), out.end(),
            [](const CommandSpec* a, const CommandSpec* b) { return a->name < b->name; });
  return out;
}

void status_set(ReplyBuilder& reply, std::span<const std::string_view> items) {
  reply.set(items.size());
  for (std::string_view s : items) reply.simple(s);
}

// ---------------------------------------------------------------------------
// COMMAND INFO

void reply_key_spec(ReplyBuilder& reply, const KeySpec& ks) {
  reply.map(ks.notes.empty() ? 3 : 4);
  if (!ks.notes.empty()) {
    reply.bulk("notes");
    reply.bulk(ks.notes);
  }
  reply.bulk("flags");
  status_set(reply, ks.flags);

  reply.bulk("begin_search");
  reply.map(2);
  reply.bulk("type");
  switch (ks.begin) {
    case KeySpec::Begin::kIndex:
      reply.bulk("index");
      reply.bulk("spec");
      reply.map(1);
      reply.bulk("index");
      reply.integer(ks.index);
      break;
    case KeySpec::Begin::kKeyword:
      reply.bulk("keyword");
      reply.bulk("spec");
      reply.map(2);
      reply.bulk("keyword");
      reply.bulk(ks.keyword);
      reply.bulk("startfrom");
      reply.integer(ks.startfrom);
      break;
    case KeySpec::Begin::kUnknown:
      reply.bulk("unknown");
      reply.bulk("spec");
      reply.map(0);
      break;
  }

  reply.bulk("find_keys");
  reply.map(2);
  reply.bulk("type");
  switch (ks.find) {
    case KeySpec::Find::kRange:
      reply.bulk("range");
      reply.bulk("spec");
      reply.map(3);
      reply.bulk("lastkey");
      reply.integer(ks.lastkey);
      reply.bulk("keystep");
      reply.integer(ks.keystep);
      reply.bulk("limit");
      reply.integer(ks.limit);
      break;
    case KeySpec::Find::kKeynum:
      reply.bulk("keynum");
      reply.bulk("spec");
      reply.map(3);
      reply.bulk("keynumidx");
      reply.integer(ks.keynumidx);
      reply.bulk("firstkey");
      reply.integer(ks.firstkey);
      reply.bulk("keystep");
      reply.integer(ks.keystep);
      break;
    case KeySpec::Find::kUnknown:
      reply.bulk("unknown");
      reply.bulk("spec");
      reply.map(0);
      break;
  }
}

void reply_info(ReplyBuilder& reply, const CommandTable& table, const CommandSpec& spec) {
  const ParsedDoc& doc = *spec.doc;
  reply.array(10);
  reply.bulk(spec.name);
  reply.integer(spec.arity);
  status_set(reply, doc.flags);
  reply.integer(doc.legacy_keys.first);
  reply.integer(doc.legacy_keys.last);
  reply.integer(doc.legacy_keys.step);
  status_set(reply, doc.acl);
  reply.set(doc.tips.size());
  for (std::string_view t : doc.tips) reply.bulk(t);
  reply.set(doc.key_specs.size());
  for (const KeySpec& ks : doc.key_specs) reply_key_spec(reply, ks);
  if (spec.flags & kContainer) {
    // An array of subcommands, an empty set for none (Redis's
    // addReplyCommandSubCommands).
    const auto subs = rows(table, &spec);
    reply.array(subs.size());
    for (const CommandSpec* sub : subs) reply_info(reply, table, *sub);
  } else {
    reply.set(0);
  }
}

void reply_all_info(CommandContext& ctx) {
  const CommandTable& table = CommandTable::instance();
  const auto top = rows(table, nullptr);
  ctx.reply.array(top.size());
  for (const CommandSpec* spec : top) reply_info(ctx.reply, table, *spec);
}

// ---------------------------------------------------------------------------
// COMMAND DOCS

void reply_args(ReplyBuilder& reply, const std::vector<DocArg>& args) {
  reply.array(args.size());
  for (const DocArg& a : args) {
    const bool group = a.type == "oneof" || a.type == "block";
    std::vector<std::string_view> flags;
    if (a.optional) flags.push_back("optional");
    if (a.multiple) flags.push_back("multiple");
    if (a.multiple_token) flags.push_back("multiple_token");
    reply.map(2 + (a.key_spec_index >= 0) + !a.token.empty() + !a.since.empty() +
              !a.deprecated_since.empty() + !flags.empty() + group);
    reply.bulk("name");
    reply.bulk(a.name);
    reply.bulk("type");
    reply.bulk(a.type);
    if (a.key_spec_index >= 0) {
      reply.bulk("key_spec_index");
      reply.integer(a.key_spec_index);
    }
    if (!a.token.empty()) {
      reply.bulk("token");
      reply.bulk(a.token);
    }
    if (!a.since.empty()) {
      reply.bulk("since");
      reply.bulk(a.since);
    }
    if (!a.deprecated_since.empty()) {
      reply.bulk("deprecated_since");
      reply.bulk(a.deprecated_since);
    }
    if (!flags.empty()) {
      reply.bulk("flags");
      status_set(reply, flags);
    }
    if (group) {
      reply.bulk("arguments");
      reply_args(reply, a.args);
    }
  }
}

void reply_docs(ReplyBuilder& reply, const CommandTable& table, const CommandSpec& spec) {
  const ParsedDoc& parsed = *spec.doc;
  const CommandDoc& d = *parsed.doc;
  const bool container = spec.flags & kContainer;
  const std::vector<DocArg> args = parsed.arguments();
  const bool has_args = !args.empty();
  const bool has_history = !parsed.history.empty();
  const bool has_doc_flags = !parsed.doc_flags.empty();
  reply.map(1 + !d.summary.empty() + !d.since.empty() + !d.complexity.empty() + has_doc_flags +
            !d.deprecated_since.empty() + !d.replaced_by.empty() + has_history + has_args +
            container);
  if (!d.summary.empty()) {
    reply.bulk("summary");
    reply.bulk(d.summary);
  }
  if (!d.since.empty()) {
    reply.bulk("since");
    reply.bulk(d.since);
  }
  reply.bulk("group");
  reply.bulk(d.group);
  if (!d.complexity.empty()) {
    reply.bulk("complexity");
    reply.bulk(d.complexity);
  }
  if (has_doc_flags) {
    reply.bulk("doc_flags");
    status_set(reply, parsed.doc_flags);
  }
  if (!d.deprecated_since.empty()) {
    reply.bulk("deprecated_since");
    reply.bulk(d.deprecated_since);
  }
  if (!d.replaced_by.empty()) {
    reply.bulk("replaced_by");
    reply.bulk(d.replaced_by);
  }
  if (has_history) {
    reply.bulk("history");
    reply.set(parsed.history.size());
    for (const auto& [version, text] : parsed.history) {
      reply.array(2);
      reply.bulk(version);
      reply.bulk(text);
    }
  }
  if (has_args) {
    reply.bulk("arguments");
    reply_args(reply, args);
  }
  if (container) {
    reply.bulk("subcommands");
    const auto subs = rows(table, &spec);
    reply.map(subs.size());
    for (const CommandSpec* sub : subs) {
      reply.bulk(sub->name);
      reply_docs(reply, table, *sub);
    }
  }
}

// ---------------------------------------------------------------------------
// COMMAND GETKEYS / GETKEYSANDFLAGS

struct KeyRef {
  int pos;
  std::vector<std::string_view> flags;
};

// The flags of SET's key, which depend on its GET option (Redis's
// setGetKeys). SET and BITFIELD are the only registered commands whose key
// spec has variable_flags (a unit test holds the rows to that).
std::vector<std::string_view> set_key_flags(std::span<const std::string_view> argv) {
  for (std::size_t i = 3; i < argv.size(); ++i) {
    if (iequals(util::c_string(argv[i]), "get")) return {"RW", "access", "update"};
  }
  return {"OW", "update"};
}

// BITFIELD's key flags (Redis's bitfieldGetKeys): read-only while only GET
// and OVERFLOW follow, read-write from the first SET, INCRBY or unknown word.
std::vector<std::string_view> bitfield_key_flags(std::span<const std::string_view> argv) {
  for (std::size_t i = 2; i < argv.size(); ++i) {
    const std::size_t left = argv.size() - i - 1;
    const std::string_view a = util::c_string(argv[i]);
    if (iequals(a, "get") && left >= 2) {
      i += 2;
    } else if (iequals(a, "overflow") && left >= 1) {
      i += 1;
    } else {
      return {"RW", "access", "update"};
    }
  }
  return {"RO", "access"};
}

// Redis's getKeysFromCommandWithSpecs as COMMAND GETKEYS runs it: the key
// specs, or where they find the line invalid, the keynum fallback.
std::vector<KeyRef> command_keys(const CommandSpec& cmd, std::span<const std::string_view> argv) {
  std::vector<KeyRef> keys;
  if (cmd.name == "sort" || cmd.name == "sort_ro") {
    for (auto& [pos, flags] : sort_keys(argv, cmd.name == "sort_ro")) keys.push_back({pos, std::move(flags)});
    return keys;
  }
  const auto& specs = cmd.doc->key_specs;
  const bool valid = for_each_key(specs, argv, [&](int pos, const KeySpec& ks) {
    std::vector<std::string_view> flags = ks.flags;
    if (ks.variable_flags) flags = cmd.name == "set" ? set_key_flags(argv) : bitfield_key_flags(argv);
    keys.push_back({pos, std::move(flags)});
  });
  if (!valid) {
    keys.clear();
    for (int pos : keynum_fallback_keys(specs, argv)) keys.push_back({pos, {}});
  }
  return keys;
}

void getkeys(CommandContext& ctx, bool with_flags) {
  const CommandTable& table = CommandTable::instance();
  const std::span<const std::string_view> argv = ctx.args.subspan(2);
  const CommandSpec* cmd = nullptr;
  if (argv[0].find('|') == std::string_view::npos) cmd = table.find(argv[0]);
  if (cmd != nullptr && (cmd->flags & kContainer) && argv.size() >= 2) {
    cmd = table.find_subcommand(*cmd, argv[1]);
  }
  if (cmd == nullptr) {
    ctx.reply.error("ERR Invalid command specified");
    return;
  }
  const auto& specs = cmd->doc->key_specs;
  if (std::all_of(specs.begin(), specs.end(), [](const KeySpec& ks) { return ks.not_key; })) {
    ctx.reply.error("ERR The command has no key arguments");
    return;
  }
  const int argc = static_cast<int>(argv.size());
  if ((cmd->arity > 0 && cmd->arity != argc) || argc < -cmd->arity) {
    ctx.reply.error("ERR Invalid number of arguments specified for command");
    return;
  }
  const std::vector<KeyRef> keys = command_keys(*cmd, argv);
  if (keys.empty()) {
    const auto& flags = cmd->doc->flags;
    if (std::find(flags.begin(), flags.end(), "no_mandatory_keys") != flags.end()) {
      ctx.reply.array(0);
    } else {
      ctx.reply.error("ERR Invalid arguments specified for command");
    }
    return;
  }
  ctx.reply.array(keys.size());
  for (const KeyRef& k : keys) {
    if (with_flags) {
      ctx.reply.array(2);
      ctx.reply.bulk(argv[static_cast<std::size_t>(k.pos)]);
      status_set(ctx.reply, k.flags);
    } else {
      ctx.reply.bulk(argv[static_cast<std::size_t>(k.pos)]);
    }
  }
}

// ---------------------------------------------------------------------------
// Handlers

void cmd_command(CommandContext& ctx) {
  // With a subcommand the table dispatches to its row; this is bare COMMAND.
  reply_all_info(ctx);
}

void cmd_command_count(CommandContext& ctx) {
  std::int64_t n = 0;
  CommandTable::instance().for_each([&](const CommandSpec& spec) {
    if (!is_subcommand(spec)) ++n;
  });
  ctx.reply.integer(n);
}

void cmd_command_info(CommandContext& ctx) {
  if (ctx.args.size() == 2) {
    reply_all_info(ctx);
    return;
  }
  const CommandTable& table = CommandTable::instance();
  ctx.reply.array(ctx.args.size() - 2);
  for (std::size_t i = 2; i < ctx.args.size(); ++i) {
    const CommandSpec* spec = table.find_full_name(ctx.args[i]);
    if (spec == nullptr) {
      ctx.reply.null();
    } else {
      reply_info(ctx.reply, table, *spec);
    }
  }
}

void cmd_command_docs(CommandContext& ctx) {
  const CommandTable& table = CommandTable::instance();
  std::vector<const CommandSpec*> found;
  if (ctx.args.size() == 2) {
    found = rows(table, nullptr);
  } else {
    for (std::size_t i = 2; i < ctx.args.size(); ++i) {
      if (const CommandSpec* spec = table.find_full_name(ctx.args[i])) found.push_back(spec);
    }
  }
  ctx.reply.map(found.size());
  for (const CommandSpec* spec : found) {
    ctx.reply.bulk(spec->name);
    reply_docs(ctx.reply, table, *spec);
  }
}

void cmd_command_list(CommandContext& ctx) {
  enum class Filter { kNone, kModule, kAclCat, kPattern } filter = Filter::kNone;
  std::string_view filter_arg;
  for (std::size_t i = 2; i < ctx.args.size(); ++i) {
    const std::size_t more = ctx.args.size() - 1 - i;
    if (iequals(ctx.args[i], "filterby") && more == 2) {
      const std::string_view type = ctx.args[i + 1];
      if (iequals(type, "module")) {
        filter = Filter::kModule;
      } else if (iequals(type, "aclcat")) {
        filter = Filter::kAclCat;
      } else if (iequals(type, "pattern")) {
        filter = Filter::kPattern;
      } else {
        ctx.reply.error("ERR syntax error");
        return;
      }
      filter_arg = ctx.args[i + 2];
      i += 2;
    } else {
      ctx.reply.error("ERR syntax error");
      return;
    }
  }
  std::string category = "@";
  for (char c : filter_arg) category += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto keep = [&](const CommandSpec& spec) {
    switch (filter) {
      case Filter::kNone:
        return true;
      case Filter::kModule:
        return false;  // Larder has no modules
      case Filter::kAclCat:
        return std::find(spec.doc->acl.begin(), spec.doc->acl.end(), category) !=
               spec.doc->acl.end();
      case Filter::kPattern:
        return util::glob_match(filter_arg, spec.name, true);
    }
    return false;
  };
  const CommandTable& table = CommandTable::instance();
  std::vector<std::string_view> names;
  for (const CommandSpec* spec : rows(table, nullptr)) {
    if (keep(*spec)) names.push_back(spec->name);
    if (spec->flags & kContainer) {
      for (const CommandSpec* sub : rows(table, spec)) {
        if (keep(*sub)) names.push_back(sub->name);
      }
    }
  }
  ctx.reply.array(names.size());
  for (std::string_view n : names) ctx.reply.bulk(n);
}

void cmd_command_getkeys(CommandContext& ctx) { getkeys(ctx, false); }
void cmd_command_getkeysandflags(CommandContext& ctx) { getkeys(ctx, true); }

void cmd_command_help(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "(no subcommand)",
      "    Return details about all Redis commands.",
      "COUNT",
      "    Return the total number of commands in this Redis server.",
      "LIST",
      "    Return a list of all commands in this Redis server.",
      "INFO [<command-name> ...]",
      "    Return details about multiple Redis commands.",
      "    If no command names are given, documentation details for all",
      "    commands are returned.",
      "DOCS [<command-name> ...]",
      "    Return documentation details about multiple Redis commands.",
      "    If no command names are given, documentation details for all",
      "    commands are returned.",
      "GETKEYS <full-command>",
      "    Return the keys from a full Redis command.",
      "GETKEYSANDFLAGS <full-command>",
      "    Return the keys and the access flags from a full Redis command.",
      "HELP",
      "    Prints this help.",
  };
  ctx.reply.simple_lines(kLines);
}

}  // namespace

void register_introspection_commands(CommandTable& table) {
  table.add("command", cmd_command);
  table.add("command|count", cmd_command_count);
  table.add("command|info", cmd_command_info);
  table.add("command|docs", cmd_command_docs);
  table.add("command|list", cmd_command_list);
  table.add("command|getkeys", cmd_command_getkeys);
  table.add("command|getkeysandflags", cmd_command_getkeysandflags);
  table.add("command|help", cmd_command_help);
}

}  // namespace larder::commands
