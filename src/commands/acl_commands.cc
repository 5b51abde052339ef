// ACL family: ACL SETUSER, GETUSER, DELUSER, LIST, USERS, WHOAMI, CAT,
// GENPASS, LOG, DRYRUN, LOAD, SAVE, HELP, on the users of acl/acl.h.

#include <sys/random.h>

#include <algorithm>
#include <string>
#include <vector>

#include "larder/acl/acl.h"
#include "larder/commands/acl_gate.h"
#include "larder/commands/command_table.h"
#include "larder/commands/families.h"
#include "larder/protocol/errors.h"
#include "larder/util/numbers.h"
#include "larder/util/strings.h"

namespace larder::commands {

namespace {

using util::iequals;

bool has_spaces(std::string_view s) {
  for (char c : s) {
    if (c == '\0' || std::isspace(static_cast<unsigned char>(c))) return true;
  }
  return false;
}

// printf's %s of a binary-safe argument: it ends at the first NUL.
std::string c_str(std::string_view s) { return std::string(s.substr(0, s.find('\0'))); }

void reply_subcommand_syntax_error(const CommandContext& ctx) {
  ctx.reply.error("ERR unknown subcommand or wrong number of arguments for '" + c_str(ctx.args[1]).substr(0, 128) +
                  "'. Try ACL HELP.");
}

// Whether `user` permits every subscription in `subs`.
bool subscriptions_permitted(const acl::User& user, const Subscriptions& subs) {
  auto all = [&](const auto& names, bool pattern) {
    return std::all_of(names.begin(), names.end(),
                       [&](const std::string& n) { return acl::subscription_permitted(user, n, pattern); });
  };
  return all(subs.patterns, true) && all(subs.channels, false) && all(subs.shard_channels, false);
}

void cmd_acl_setuser(CommandContext& ctx) {
  // Hidden from MONITOR: the rules may hold passwords.
  for (std::size_t j = 2; j < ctx.args.size(); ++j) ctx.redact(j);
  const std::string_view name = ctx.args[2];
  if (has_spaces(name)) {
    ctx.reply.error("ERR Usernames can't contain spaces or null characters");
    return;
  }
  std::size_t unmatched = 0;
  const auto rules = acl::merge_selector_args(ctx.args.subspan(3), unmatched);
  if (!rules) {
    ctx.reply.error("ERR Unmatched parenthesis in acl selector starting at '" + c_str(ctx.args[3 + unmatched]) + "'.");
    return;
  }
  const acl::Acl::SetResult r = ctx.server.acl.set_user(name, *rules);
  if (r.error != acl::RuleError::kNone) {
    ctx.reply.error("ERR Error in ACL SETUSER modifier '" + c_str((*rules)[r.failed]) +
                    "': " + std::string(acl::rule_error_text(r.error)));
    return;
  }
  // Subscribers of the user whose subscriptions the new rules no longer
  // permit lose their connection (Redis's ACLKillPubsubClientsIfNeeded).
  if (r.existing != nullptr && !acl::channels_kept(*r.before, *r.existing->get())) {
    const auto after = r.existing->get();
    for (const auto& c : ctx.server.clients.snapshot()) {
      if (!c->in_pubsub_mode()) continue;
      {
        std::lock_guard lock(c->mutex);
        if (c->user != r.existing || c->subs == nullptr || subscriptions_permitted(*after, *c->subs)) continue;
      }
      if (c.get() == &ctx.client) {
        ctx.client.close_after_reply = true;
      } else {
        c->request_close();
      }
    }
  }
  ctx.reply.ok();
}

void cmd_acl_deluser(CommandContext& ctx) {
  const auto names = ctx.args.subspan(2);
  for (std::string_view name : names) {
    if (name == "default") {
      ctx.reply.error("ERR The 'default' user cannot be removed");
      return;
    }
  }
  const auto removed = ctx.server.acl.delete_users(names);
  disconnect_users(ctx.server, ctx.client, removed);
  ctx.reply.integer(static_cast<std::int64_t>(removed.size()));
}

void reply_selector(CommandContext& ctx, const acl::Selector& s) {
  ctx.reply.bulk("commands");
  ctx.reply.bulk(acl::describe_command_rules(s));
  ctx.reply.bulk("keys");
  ctx.reply.bulk(acl::describe_keys(s));
  ctx.reply.bulk("channels");
  ctx.reply.bulk(acl::describe_channels(s));
}

void cmd_acl_getuser(CommandContext& ctx) {
  const auto slot = ctx.server.acl.find(ctx.args[2]);
  if (slot == nullptr) {
    ctx.reply.null();
    return;
  }
  const auto u = slot->get();
  ctx.reply.map(6);
  ctx.reply.bulk("flags");
  std::vector<std::string_view> flags;
  flags.push_back(u->enabled ? "on" : "off");
  if (u->nopass) flags.push_back("nopass");
  if (u->sanitize == acl::User::Sanitize::kSkip) flags.push_back("skip-sanitize-payload");
  if (u->sanitize == acl::User::Sanitize::kSanitize) flags.push_back("sanitize-payload");
  ctx.reply.set(flags.size());
  for (std::string_view f : flags) ctx.reply.bulk(f);
  ctx.reply.bulk("passwords");
  ctx.reply.array(u->passwords.size());
  for (const std::string& p : u->passwords) ctx.reply.bulk(p);
  reply_selector(ctx, u->selectors.front());
  ctx.reply.bulk("selectors");
  ctx.reply.array(u->selectors.size() - 1);
  for (std::size_t i = 1; i < u->selectors.size(); ++i) {
    ctx.reply.map(3);
    reply_selector(ctx, u->selectors[i]);
  }
}

void cmd_acl_list(CommandContext& ctx) {
  const auto users = ctx.server.acl.users();
  ctx.reply.array(users.size());
  for (const auto& slot : users) {
    const auto u = slot->get();
    ctx.reply.bulk("user " + u->name + " " + u->describe());
  }
}

void cmd_acl_users(CommandContext& ctx) {
  const auto users = ctx.server.acl.users();
  ctx.reply.array(users.size());
  for (const auto& slot : users) ctx.reply.bulk(slot->name());
}

void cmd_acl_whoami(CommandContext& ctx) { ctx.reply.bulk(client_user(ctx.server, ctx.client)->name()); }

void cmd_acl_cat(CommandContext& ctx) {
  if (ctx.args.size() == 2) {
    ctx.reply.array(acl::kCategoryCount);
    for (std::string_view name : acl::kCategoryNames) ctx.reply.bulk(name);
    return;
  }
  if (ctx.args.size() != 3) {
    reply_subcommand_syntax_error(ctx);
    return;
  }
  const std::uint32_t bit = acl::category_bit(ctx.args[2]);
  if (bit == 0) {
    ctx.reply.error("ERR Unknown category '" + c_str(ctx.args[2]).substr(0, 128) + "'");
    return;
  }
  const auto names = acl::commands_in_category(bit);
  ctx.reply.array(names.size());
  for (std::string_view n : names) ctx.reply.bulk(n);
}

void cmd_acl_genpass(CommandContext& ctx) {
  constexpr std::int64_t kMaxBits = 4096;
  std::int64_t bits = 256;
  if (ctx.args.size() > 3) {
    reply_subcommand_syntax_error(ctx);
    return;
  }
  if (ctx.args.size() == 3 && !ctx.parse_int64_or_reply(ctx.args[2], bits)) return;
  if (bits <= 0 || bits > kMaxBits) {
    ctx.reply.error(
        "ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096");
    return;
  }
  const auto chars = static_cast<std::size_t>((bits + 3) / 4);
  unsigned char random[kMaxBits / 8];
  std::size_t got = 0;
  while (got < (chars + 1) / 2) {
    const ssize_t n = ::getrandom(random + got, (chars + 1) / 2 - got, 0);
    if (n > 0) got += static_cast<std::size_t>(n);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string pass(chars, '0');
  for (std::size_t i = 0; i < chars; ++i) pass[i] = kHex[(random[i / 2] >> (i % 2 == 0 ? 4 : 0)) & 15];
  ctx.reply.bulk(pass);
}

void cmd_acl_log(CommandContext& ctx) {
  std::int64_t count = 10;
  if (ctx.args.size() > 3) {
    reply_subcommand_syntax_error(ctx);
    return;
  }
  if (ctx.args.size() == 3) {
    if (iequals(ctx.args[2], "reset")) {
      ctx.server.acl.reset_log();
      ctx.reply.ok();
      return;
    }
    if (!ctx.parse_int64_or_reply(ctx.args[2], count)) return;
    if (count < 0) count = 0;
  }
  const auto entries = ctx.server.acl.log_entries(static_cast<std::size_t>(count));
  ctx.reply.array(entries.size());
  for (const acl::LogEntry& e : entries) {
    ctx.reply.map(7);
    ctx.reply.bulk("count");
    ctx.reply.integer(static_cast<std::int64_t>(e.count));
    ctx.reply.bulk("reason");
    switch (e.reason) {
      case acl::Denial::kCommand: ctx.reply.bulk("command"); break;
      case acl::Denial::kKey: ctx.reply.bulk("key"); break;
      case acl::Denial::kChannel: ctx.reply.bulk("channel"); break;
      case acl::Denial::kAuth: ctx.reply.bulk("auth"); break;
      default: ctx.reply.bulk("unknown"); break;
    }
    ctx.reply.bulk("context");
    switch (e.context) {
      case acl::LogContext::kToplevel: ctx.reply.bulk("toplevel"); break;
      case acl::LogContext::kMulti: ctx.reply.bulk("multi"); break;
      case acl::LogContext::kLua: ctx.reply.bulk("lua"); break;
    }
    ctx.reply.bulk("object");
    ctx.reply.bulk(e.object);
    ctx.reply.bulk("username");
    ctx.reply.bulk(e.username);
    ctx.reply.bulk("age-seconds");
    ctx.reply.real(static_cast<double>(ctx.now_ms - e.ctime_ms) / 1000);
    ctx.reply.bulk("client-info");
    ctx.reply.bulk(e.client_info);
  }
}

void cmd_acl_dryrun(CommandContext& ctx) {
  const auto slot = ctx.server.acl.find(ctx.args[2]);
  if (slot == nullptr) {
    ctx.reply.error("ERR User '" + c_str(ctx.args[2]) + "' not found");
    return;
  }
  const auto line = ctx.args.subspan(3);
  // Redis's lookupCommand: a container's subcommand when one is given.
  const CommandTable& table = CommandTable::instance();
  const CommandSpec* cmd = table.find(line[0]);
  if (cmd != nullptr && (cmd->flags & kContainer) && line.size() >= 2) cmd = table.find_subcommand(*cmd, line[1]);
  if (cmd == nullptr) {
    ctx.reply.error("ERR Command '" + c_str(line[0]) + "' not found");
    return;
  }
  const auto argc = static_cast<int>(line.size());
  if ((cmd->arity > 0 && cmd->arity != argc) || argc < -cmd->arity) {
    ctx.reply.error("ERR wrong number of arguments for '" + std::string(cmd->name) + "' command");
    return;
  }
  const acl::CheckResult r = acl::check_command(*slot->get(), *cmd, line);
  switch (r.denial) {
    case acl::Denial::kNone: ctx.reply.ok(); break;
    case acl::Denial::kKey:
      ctx.reply.bulk("This user has no permissions to access the '" + c_str(line[r.arg]) + "' key");
      break;
    case acl::Denial::kChannel:
      ctx.reply.bulk("This user has no permissions to access the '" + c_str(line[r.arg]) + "' channel");
      break;
    default: ctx.reply.bulk("This user has no permissions to run the '" + std::string(cmd->name) + "' command"); break;
  }
}

// ACL LOAD and SAVE need the aclfile directive.
bool aclfile_or_reply(CommandContext& ctx, std::string& path) {
  path = ctx.config.get("aclfile");
  if (!path.empty()) return true;
  ctx.reply.error(
      "ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL "
      "SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order "
      "to store users in the Redis configuration.");
  return false;
}

void cmd_acl_load(CommandContext& ctx) {
  std::string path;
  if (!aclfile_or_reply(ctx, path)) return;
  std::vector<std::shared_ptr<acl::UserSlot>> replaced;
  if (const auto errors = ctx.server.acl.load_file(path, replaced)) {
    ctx.reply.error("ERR " + *errors);
    return;
  }
  disconnect_users(ctx.server, ctx.client, replaced);
  ctx.reply.ok();
}

void cmd_acl_save(CommandContext& ctx) {
  std::string path;
  if (!aclfile_or_reply(ctx, path)) return;
  if (!ctx.server.acl.save_file(path)) {
    ctx.reply.error("ERR There was an error trying to save the ACLs. Please check the server logs for more information");
    return;
  }
  ctx.reply.ok();
}

constexpr std::string_view kHelp[] = {
    "ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CAT [<category>]",
    "    List all commands that belong to <category>, or all command categories",
    "    when no category is specified.",
    "DELUSER <username> [<username> ...]",
    "    Delete a list of users.",
    "DRYRUN <username> <command> [<arg> ...]",
    "    Returns whether the user can execute the given command without executing the command.",
    "GETUSER <username>",
    "    Get the user's details.",
    "GENPASS [<bits>]",
    "    Generate a secure 256-bit user password. The optional `bits` argument can",
    "    be used to specify a different size.",
    "LIST",
    "    Show users details in config file format.",
    "LOAD",
    "    Reload users from the ACL file.",
    "LOG [<count> | RESET]",
    "    Show the ACL log entries.",
    "SAVE",
    "    Save the current config to the ACL file.",
    "SETUSER <username> <attribute> [<attribute> ...]",
    "    Create or modify a user with the specified attributes.",
    "USERS",
    "    List all the registered usernames.",
    "WHOAMI",
    "    Return the current connection username.",
    "HELP",
    "    Prints this help.",
};

void cmd_acl_help(CommandContext& ctx) { ctx.reply.simple_lines(kHelp); }

}  // namespace

void register_acl_commands(CommandTable& table) {
  table.add("acl", cmd_acl_help);
  table.add("acl|cat", cmd_acl_cat);
  table.add("acl|deluser", cmd_acl_deluser);
  table.add("acl|dryrun", cmd_acl_dryrun);
  table.add("acl|genpass", cmd_acl_genpass);
  table.add("acl|getuser", cmd_acl_getuser);
  table.add("acl|help", cmd_acl_help);
  table.add("acl|list", cmd_acl_list);
  table.add("acl|load", cmd_acl_load);
  table.add("acl|log", cmd_acl_log);
  table.add("acl|save", cmd_acl_save);
  table.add("acl|setuser", cmd_acl_setuser);
  table.add("acl|users", cmd_acl_users);
  table.add("acl|whoami", cmd_acl_whoami);
}

}  // namespace larder::commands
