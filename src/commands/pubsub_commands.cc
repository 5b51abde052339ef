// Pub/Sub family: SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, PUBLISH,
// SSUBSCRIBE, SUNSUBSCRIBE, SPUBLISH and PUBSUB CHANNELS / NUMSUB / NUMPAT /
// SHARDCHANNELS / SHARDNUMSUB / HELP. The registry and the delivery of
// messages are ServerServices::pubsub (pubsub.h); the RESP2 subscribed mode
// is enforced by the dispatcher.

#include <optional>
#include <string>
#include <vector>

#include "larder/commands/command_table.h"
#include "larder/commands/families.h"
#include "larder/commands/pubsub.h"

namespace larder::commands {

namespace {

// The count Redis puts in (un)subscribe replies: channels and patterns for
// the classic commands, shard channels for the sharded ones.
std::size_t reply_count(const ClientState& c, SubKind kind) {
  if (kind == SubKind::kShardChannel) return c.sub_shard_channels.load(std::memory_order_relaxed);
  return c.sub_channels.load(std::memory_order_relaxed) + c.sub_patterns.load(std::memory_order_relaxed);
}

// One (un)subscribe confirmation; `name` null for "unsubscribe from all"
// when there was nothing to unsubscribe from.
void confirm(CommandContext& ctx, std::string_view verb, const std::string_view* name, SubKind kind) {
  ctx.reply.push(3);
  ctx.reply.bulk(verb);
  if (name != nullptr) {
    ctx.reply.bulk(*name);
  } else {
    ctx.reply.null();
  }
  ctx.reply.integer(static_cast<std::int64_t>(reply_count(ctx.client, kind)));
}

void subscribe_all(CommandContext& ctx, SubKind kind, std::string_view verb) {
  for (std::size_t j = 1; j < ctx.args.size(); ++j) {
    ctx.server.pubsub.subscribe(ctx.client, kind, ctx.args[j]);
    confirm(ctx, verb, &ctx.args[j], kind);
  }
}

// The client's subscriptions of one kind, in the order Redis walks them.
std::vector<std::string> subscribed(const ClientState& c, SubKind kind) {
  if (c.subs == nullptr) return {};
  const Subscriptions& s = *c.subs;
  switch (kind) {
    case SubKind::kChannel: return {s.channels.begin(), s.channels.end()};
    case SubKind::kPattern: return s.patterns;
    case SubKind::kShardChannel: return {s.shard_channels.begin(), s.shard_channels.end()};
  }
  return {};
}

void unsubscribe_all(CommandContext& ctx, SubKind kind, std::string_view verb) {
  if (ctx.args.size() > 1) {
    for (std::size_t j = 1; j < ctx.args.size(); ++j) {
      ctx.server.pubsub.unsubscribe(ctx.client, kind, ctx.args[j]);
      confirm(ctx, verb, &ctx.args[j], kind);
    }
    return;
  }
  const std::vector<std::string> names = subscribed(ctx.client, kind);
  if (names.empty()) confirm(ctx, verb, nullptr, kind);
  for (const std::string& name : names) {
    ctx.server.pubsub.unsubscribe(ctx.client, kind, name);
    const std::string_view view = name;
    confirm(ctx, verb, &view, kind);
  }
}

void cmd_subscribe(CommandContext& ctx) { subscribe_all(ctx, SubKind::kChannel, "subscribe"); }
void cmd_unsubscribe(CommandContext& ctx) { unsubscribe_all(ctx, SubKind::kChannel, "unsubscribe"); }
void cmd_psubscribe(CommandContext& ctx) { subscribe_all(ctx, SubKind::kPattern, "psubscribe"); }
void cmd_punsubscribe(CommandContext& ctx) { unsubscribe_all(ctx, SubKind::kPattern, "punsubscribe"); }

void cmd_ssubscribe(CommandContext& ctx) {
  if (!ctx.may_block) {  // inside EXEC: Redis's CLIENT_DENY_BLOCKING
    ctx.reply.error("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client");
    return;
  }
  subscribe_all(ctx, SubKind::kShardChannel, "ssubscribe");
}

void cmd_sunsubscribe(CommandContext& ctx) { unsubscribe_all(ctx, SubKind::kShardChannel, "sunsubscribe"); }

void cmd_publish(CommandContext& ctx) {
  const std::size_t n = ctx.server.pubsub.publish(ctx.args[1], ctx.args[2]);
  deliver_own_messages(ctx);
  ctx.reply.integer(static_cast<std::int64_t>(n));
}

void cmd_spublish(CommandContext& ctx) {
  const std::size_t n = ctx.server.pubsub.publish_shard(ctx.args[1], ctx.args[2]);
  deliver_own_messages(ctx);
  ctx.reply.integer(static_cast<std::int64_t>(n));
}

void reply_syntax_error(CommandContext& ctx) {
  ctx.reply.error("ERR unknown subcommand or wrong number of arguments for '" + std::string(ctx.args[1]) +
                  "'. Try PUBSUB HELP.");
}

// PUBSUB CHANNELS|SHARDCHANNELS [pattern]
void list_channels(CommandContext& ctx, SubKind kind) {
  if (ctx.args.size() > 3) {
    reply_syntax_error(ctx);
    return;
  }
  std::optional<std::string_view> pattern;
  if (ctx.args.size() == 3) pattern = ctx.args[2];
  const std::vector<std::string> names = ctx.server.pubsub.channels(kind, pattern);
  ctx.reply.array(names.size());
  for (const auto& n : names) ctx.reply.bulk(n);
}

// PUBSUB NUMSUB|SHARDNUMSUB [channel ...]
void count_subscribers(CommandContext& ctx, SubKind kind) {
  ctx.reply.array((ctx.args.size() - 2) * 2);
  for (std::size_t j = 2; j < ctx.args.size(); ++j) {
    ctx.reply.bulk(ctx.args[j]);
    ctx.reply.integer(static_cast<std::int64_t>(ctx.server.pubsub.subscribers(kind, ctx.args[j])));
  }
}

void cmd_pubsub_channels(CommandContext& ctx) { list_channels(ctx, SubKind::kChannel); }
void cmd_pubsub_shardchannels(CommandContext& ctx) { list_channels(ctx, SubKind::kShardChannel); }
void cmd_pubsub_numsub(CommandContext& ctx) { count_subscribers(ctx, SubKind::kChannel); }
void cmd_pubsub_shardnumsub(CommandContext& ctx) { count_subscribers(ctx, SubKind::kShardChannel); }

void cmd_pubsub_numpat(CommandContext& ctx) {
  ctx.reply.integer(static_cast<std::int64_t>(ctx.server.pubsub.count(SubKind::kPattern)));
}

void cmd_pubsub_help(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "CHANNELS [<pattern>]",
      "    Return the currently active channels matching a <pattern> (default: '*').",
      "NUMPAT",
      "    Return number of subscriptions to patterns.",
      "NUMSUB [<channel> ...]",
      "    Return the number of subscribers for the specified channels, excluding",
      "    pattern subscriptions(default: no channels).",
      "SHARDCHANNELS [<pattern>]",
      "    Return the currently active shard level channels matching a <pattern> (default: '*').",
      "SHARDNUMSUB [<shardchannel> ...]",
      "    Return the number of subscribers for the specified shard level channel(s)",
      "HELP",
      "    Prints this help.",
  };
  ctx.reply.simple_lines(kLines);
}

}  // namespace

void register_pubsub_commands(CommandTable& table) {
  table.add("subscribe", cmd_subscribe);
  table.add("unsubscribe", cmd_unsubscribe);
  table.add("psubscribe", cmd_psubscribe);
  table.add("punsubscribe", cmd_punsubscribe);
  table.add("ssubscribe", cmd_ssubscribe);
  table.add("sunsubscribe", cmd_sunsubscribe);
  table.add("publish", cmd_publish, kMayReplicate);
  table.add("spublish", cmd_spublish, kMayReplicate);
  table.add("pubsub", cmd_pubsub_help);
  table.add("pubsub|channels", cmd_pubsub_channels);
  table.add("pubsub|numsub", cmd_pubsub_numsub);
  table.add("pubsub|numpat", cmd_pubsub_numpat);
  table.add("pubsub|shardchannels", cmd_pubsub_shardchannels);
  table.add("pubsub|shardnumsub", cmd_pubsub_shardnumsub);
  table.add("pubsub|help", cmd_pubsub_help);
}

void deliver_own_messages(CommandContext& ctx) {
  if (ctx.may_block && ctx.reply.protocol() == 3 && ctx.client.in_pubsub_mode() &&
      ctx.client.reply_mode == ReplyMode::kOn) {
    ctx.server.pubsub.drain(ctx.client.loop, /*flush_now=*/false);
  }
}

}  // namespace larder::commands
