// CONFIG family: GET, SET, RESETSTAT, REWRITE, HELP.

#include <cctype>
#include <set>
#include <string>
#include <vector>

#include "larder/commands/command_table.h"
#include "larder/commands/families.h"
#include "larder/config/rewrite.h"
#include "larder/util/clock.h"
#include "larder/util/strings.h"

namespace larder::commands {

namespace {

// CONFIG GET parameter [parameter ...]: every directive matching any of the
// globs, once each. RESP3: a map.
void cmd_config_get(CommandContext& ctx) {
  // Names compare case-insensitively, as Redis's: HZ and hz are one match,
  // spelled as first asked.
  struct CaseLess {
    bool operator()(const std::string& a, const std::string& b) const {
      return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return util::ascii_lower(x) < util::ascii_lower(y);
      });
    }
  };
  std::map<std::string, std::string, CaseLess> found;
  for (std::size_t i = 2; i < ctx.args.size(); ++i) {
    std::string_view pattern = ctx.args[i];
    const bool glob = pattern.find_first_of("*?[") != std::string_view::npos;
    for (auto& [name, value] : ctx.config.matching(pattern)) {
      // A plain name is echoed as the client spelled it, as Redis does.
      found.emplace(glob ? name : std::string(pattern), value);
    }
  }
  ctx.reply.map(found.size());
  for (const auto& [name, value] : found) {
    ctx.reply.bulk(name);
    ctx.reply.bulk(value);
  }
}

// CONFIG SET parameter value [parameter value ...]: all or nothing.
void cmd_config_set(CommandContext& ctx) {
  if (ctx.args.size() % 2 != 0) {
    ctx.reply.error("ERR syntax error");
    return;
  }
  // Passwords are hidden from the slow log whatever else fails (Redis's
  // SENSITIVE_CONFIG).
  for (std::size_t i = 2; i + 1 < ctx.args.size(); i += 2) {
    for (std::string_view secret : {"requirepass", "masterauth", "masteruser", "tls-key-file-pass", "tls-client-key-file-pass"}) {
      if (util::iequals(ctx.args[i], secret)) ctx.redact(i + 1);
    }
  }
  std::vector<std::pair<std::string, std::string>> changes;
  std::set<std::string> seen;
  for (std::size_t i = 2; i + 1 < ctx.args.size(); i += 2) {
    const config::Directive* d = config::Settings::find(ctx.args[i]);
    if (d == nullptr) {
      ctx.reply.error("ERR Unknown option or number of arguments for CONFIG SET - '" +
                      std::string(ctx.args[i]) + "'");
      return;
    }
    if (!d->mutable_at_runtime ||
        (d->protected_config && !protected_action_allowed(ctx.server.config.protected_configs(), ctx.client))) {
      ctx.reply.error("ERR CONFIG SET failed (possibly related to argument '" + std::string(ctx.args[i]) +
                      "') - can't set " + (d->mutable_at_runtime ? "protected" : "immutable") + " config");
      return;
    }
    // An alias and its directive count as two parameters, as in Redis.
    std::string name(ctx.args[i]);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!seen.insert(name).second) {
      ctx.reply.error("ERR CONFIG SET failed (possibly related to argument '" + std::string(ctx.args[i]) +
                      "') - duplicate parameter");
      return;
    }
    changes.emplace_back(std::string(ctx.args[i]), std::string(ctx.args[i + 1]));
  }
  try {
    ctx.server.config.set(changes);
  } catch (const config::ConfigError& e) {
    ctx.reply.error("ERR CONFIG SET failed (possibly related to argument '" + e.directive() +
                    "') - " + e.reason());
    return;
  }
  // requirepass is the default user's password, as Redis's updateRequirePass.
  if (seen.contains("requirepass")) ctx.server.acl.set_default_password(ctx.server.config.get("requirepass"));
  ctx.reply.ok();
}

// CONFIG RESETSTAT: zeroes the counters INFO reports. Holds every shard lock.
void cmd_config_resetstat(CommandContext& ctx) {
  for (ServerStats* s : ctx.server.loop_stats) s->reset();
  ctx.server.client_eviction.reset_stats();
  // After the totals it samples: a sample between the two counts from zero.
  ctx.server.instantaneous.reset(util::steady_ms());
  for (std::size_t i = 0; i < storage::kShardCount; ++i) {
    ctx.keyspace.shard(i).stats() = {};
    ctx.keyspace.shard(i).prefix_stats().clear();
  }
  ctx.server.eviction_exceeded.reset();
  ctx.server.expiry_stats.reset();
  ctx.keyspace.background_free().reset_freed();
  if (ctx.server.persistence != nullptr) ctx.server.persistence->reset_stats();
  ctx.reply.ok();
}

void cmd_config_rewrite(CommandContext& ctx) {
  if (ctx.server.config_file.empty()) {
    ctx.reply.error("ERR The server is running without a config file");
    return;
  }
  try {
    // Users go in `user` lines unless an aclfile keeps them.
    std::vector<std::vector<std::string>> users;
    if (ctx.config.get("aclfile").empty()) {
      for (const auto& slot : ctx.server.acl.users()) {
        const auto u = slot->get();
        users.push_back({u->name});
        const std::string rules = u->describe();
        for (std::string_view rule : util::split_words(rules)) users.back().emplace_back(rule);
      }
    }
    config::rewrite_config_file(ctx.server.config_file, ctx.config.snapshot(), users);
  } catch (const config::ConfigError& e) {
    ctx.reply.error(std::string("ERR Rewriting config file: ") + e.what());
    return;
  }
  ctx.reply.ok();
}

constexpr std::string_view kHelp[] = {
    "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "GET <pattern>",
    "    Return parameters matching the glob-like <pattern> and their values.",
    "SET <directive> <value>",
    "    Set the configuration <directive> to <value>.",
    "RESETSTAT",
    "    Reset statistics reported by the INFO command.",
    "REWRITE",
    "    Rewrite the configuration file.",
    "HELP",
    "    Prints this help.",
};

void cmd_config_help(CommandContext& ctx) {
  ctx.reply.simple_lines(kHelp);
}

}  // namespace

void register_config_commands(CommandTable& table) {
  table.add("config", cmd_config_help);
  table.add("config|get", cmd_config_get);
  table.add("config|set", cmd_config_set);
  table.add("config|resetstat", cmd_config_resetstat, kAllShards);
  table.add("config|rewrite", cmd_config_rewrite);
  table.add("config|help", cmd_config_help);
}

}  // namespace larder::commands
