// Client-side caching subcommands of CLIENT: TRACKING, CACHING, GETREDIR,
// TRACKINGINFO (Redis 7.0's clientCommand). The table and the invalidations
// are Tracking's (tracking.h).

#include <string>
#include <vector>

#include "larder/commands/command_table.h"
#include "larder/commands/families.h"
#include "larder/protocol/errors.h"
#include "larder/util/strings.h"

namespace larder::commands {

namespace {

using util::iequals;

// CLIENT TRACKING <ON | OFF> [REDIRECT id] [PREFIX p ...] [BCAST] [OPTIN] [OPTOUT] [NOLOOP]
void cmd_client_tracking(CommandContext& ctx) {
  ClientState& client = ctx.client;
  std::int64_t redirect = 0;
  std::uint32_t options = 0;
  std::vector<std::string_view> prefixes;
  for (std::size_t j = 3; j < ctx.args.size(); ++j) {
    const std::string_view opt = ctx.args[j];
    const bool more = j + 1 < ctx.args.size();
    if (iequals(opt, "redirect") && more) {
      ++j;
      if (redirect != 0) {
        ctx.reply.error("ERR A client can only redirect to a single other client");
        return;
      }
      if (!ctx.parse_int64_or_reply(ctx.args[j], redirect)) return;
      // The client must exist now, though it may go away later.
      if (redirect <= 0 || ctx.server.clients.find(static_cast<std::uint64_t>(redirect)) == nullptr) {
        ctx.reply.error("ERR The client ID you want redirect to does not exist");
        return;
      }
    } else if (iequals(opt, "bcast")) {
      options |= ClientTracking::kBcast;
    } else if (iequals(opt, "optin")) {
      options |= ClientTracking::kOptIn;
    } else if (iequals(opt, "optout")) {
      options |= ClientTracking::kOptOut;
    } else if (iequals(opt, "noloop")) {
      options |= ClientTracking::kNoLoop;
    } else if (iequals(opt, "prefix") && more) {
      prefixes.push_back(ctx.args[++j]);
    } else {
      ctx.reply.error(err::kSyntax);
      return;
    }
  }
  if (iequals(ctx.args[2], "off")) {
    ctx.server.tracking.disable(client);
    ctx.reply.ok();
    return;
  }
  if (!iequals(ctx.args[2], "on")) {
    ctx.reply.error(err::kSyntax);
    return;
  }
  const std::uint32_t flags = client.tracking.flags.load(std::memory_order_relaxed);
  if (!(options & ClientTracking::kBcast) && !prefixes.empty()) {
    ctx.reply.error("ERR PREFIX option requires BCAST mode to be enabled");
    return;
  }
  if ((flags & ClientTracking::kOn) &&
      static_cast<bool>(flags & ClientTracking::kBcast) != static_cast<bool>(options & ClientTracking::kBcast)) {
    ctx.reply.error(
        "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then "
        "re-enabling it with a different mode.");
    return;
  }
  if ((options & ClientTracking::kBcast) && (options & (ClientTracking::kOptIn | ClientTracking::kOptOut))) {
    ctx.reply.error("ERR OPTIN and OPTOUT are not compatible with BCAST");
    return;
  }
  if ((options & ClientTracking::kOptIn) && (options & ClientTracking::kOptOut)) {
    ctx.reply.error("ERR You can't specify both OPTIN mode and OPTOUT mode");
    return;
  }
  if (((options & ClientTracking::kOptIn) && (flags & ClientTracking::kOptOut)) ||
      ((options & ClientTracking::kOptOut) && (flags & ClientTracking::kOptIn))) {
    ctx.reply.error(
        "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then "
        "re-enabling it with a different mode.");
    return;
  }
  if (options & ClientTracking::kBcast) {
    bool fatal = true;
    const std::string collision = ctx.server.tracking.prefix_collision(client, prefixes, fatal);
    if (!collision.empty()) {
      ctx.reply.error(collision);
      // Redis 7.0 goes on after an overlap found past the first prefix, and
      // replies +OK after the error.
      if (fatal) return;
    }
  }
  ctx.server.tracking.enable(client, static_cast<std::uint64_t>(redirect), options, prefixes);
  ctx.reply.ok();
}

void cmd_client_caching(CommandContext& ctx) {
  ClientTracking& t = ctx.client.tracking;
  if (!t.on()) {
    ctx.reply.error(
        "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode "
        "enabled");
    return;
  }
  const std::string_view opt = ctx.args[2];
  if (iequals(opt, "yes")) {
    if (!t.has(ClientTracking::kOptIn)) {
      ctx.reply.error("ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.");
      return;
    }
  } else if (iequals(opt, "no")) {
    if (!t.has(ClientTracking::kOptOut)) {
      ctx.reply.error("ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.");
      return;
    }
  } else {
    ctx.reply.error(err::kSyntax);
    return;
  }
  t.flags.fetch_or(ClientTracking::kCaching, std::memory_order_relaxed);
  ctx.reply.ok();
}

std::int64_t redirect_or_minus_one(const ClientTracking& t) {
  return t.on() ? static_cast<std::int64_t>(t.redirect.load(std::memory_order_relaxed)) : -1;
}

void cmd_client_getredir(CommandContext& ctx) { ctx.reply.integer(redirect_or_minus_one(ctx.client.tracking)); }

void cmd_client_trackinginfo(CommandContext& ctx) {
  const ClientTracking& t = ctx.client.tracking;
  const std::uint32_t f = t.flags.load(std::memory_order_relaxed);
  std::vector<std::string_view> flags{(f & ClientTracking::kOn) ? "on" : "off"};
  if (f & ClientTracking::kBcast) flags.push_back("bcast");
  if (f & ClientTracking::kOptIn) {
    flags.push_back("optin");
    if (f & ClientTracking::kCaching) flags.push_back("caching-yes");
  }
  if (f & ClientTracking::kOptOut) {
    flags.push_back("optout");
    if (f & ClientTracking::kCaching) flags.push_back("caching-no");
  }
  if (f & ClientTracking::kNoLoop) flags.push_back("noloop");
  if (f & ClientTracking::kBrokenRedirect) flags.push_back("broken_redirect");
  ctx.reply.map(3);
  ctx.reply.bulk("flags");
  ctx.reply.set(flags.size());
  for (std::string_view s : flags) ctx.reply.bulk(s);
  ctx.reply.bulk("redirect");
  ctx.reply.integer(redirect_or_minus_one(t));
  ctx.reply.bulk("prefixes");
  ctx.reply.array(t.prefixes().size());
  for (const std::string& p : t.prefixes()) ctx.reply.bulk(p);
}

}  // namespace

void register_tracking_commands(CommandTable& table) {
  table.add("client|tracking", cmd_client_tracking);
  table.add("client|caching", cmd_client_caching);
  table.add("client|getredir", cmd_client_getredir);
  table.add("client|trackinginfo", cmd_client_trackinginfo);
}

}  // namespace larder::commands
