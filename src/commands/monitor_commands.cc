// MONITOR: the client receives every command the server executes, as Redis
// 7.0 shows them (replicationFeedMonitors): after the command ran, with the
// database it left selected, admin commands not shown, passwords redacted.
// Lines go through the Pub/Sub registry's delivery (pubsub.h).

#include "larder/commands/monitor.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "larder/commands/command_docs.h"
#include "larder/commands/command_table.h"
#include "larder/commands/families.h"

namespace larder::commands {

namespace {

// Redis's sdscatrepr.
void append_repr(std::string& out, std::string_view s) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\a': out += "\\a"; break;
      case '\b': out += "\\b"; break;
      default:
        if (c >= 0x20 && c <= 0x7e) {
          out += static_cast<char>(c);
        } else {
          char buf[5];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        }
    }
  }
  out += '"';
}

bool hidden(const CommandSpec& spec) {
  const auto& flags = spec.doc->flags;
  return std::find(flags.begin(), flags.end(), "admin") != flags.end() ||
         std::find(flags.begin(), flags.end(), "skip_monitor") != flags.end();
}

void cmd_monitor(CommandContext& ctx) {
  if (!ctx.may_block) {  // inside EXEC: Redis's CLIENT_DENY_BLOCKING
    ctx.reply.error("ERR MONITOR isn't allowed for DENY BLOCKING client");
    return;
  }
  if (ctx.client.monitor.load(std::memory_order_relaxed)) return;  // Redis ignores it, without a reply
  ctx.server.pubsub.add_monitor(ctx.client);
  ctx.reply.ok();
}

}  // namespace

std::string monitor_line(std::int64_t unix_us, int db, std::string_view addr,
                         std::span<const std::string_view> args, std::span<const std::uint32_t> redacted) {
  std::string out;
  out.reserve(64 + addr.size() + args.size() * 8);
  char head[64];
  const int n = std::snprintf(head, sizeof head, "+%lld.%06lld [%d ", static_cast<long long>(unix_us / 1000000),
                              static_cast<long long>(unix_us % 1000000), db);
  out.append(head, static_cast<std::size_t>(n));
  out.append(addr);
  out += "] ";
  for (std::size_t j = 0; j < args.size(); ++j) {
    if (std::find(redacted.begin(), redacted.end(), j) != redacted.end()) {
      out += "\"(redacted)\"";
    } else {
      append_repr(out, args[j]);
    }
    if (j + 1 != args.size()) out += ' ';
  }
  out += "\r\n";
  return out;
}

void feed_monitors(const CommandContext& ctx) {
  if (!hidden(ctx.spec)) feed_monitors_before_running(ctx);
}

void feed_monitors_before_running(const CommandContext& ctx) {
  if (!ctx.server.pubsub.has_monitors()) return;
  const auto now = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  // A script's commands show "lua" where the client's address goes, a
  // unixsocket client's "unix:<path>" (Redis's replicationFeedMonitors).
  std::string unix_name;
  if (!ctx.in_script && ctx.client.unix_socket) {
    unix_name = "unix:" + ctx.client.addr.substr(0, ctx.client.addr.rfind(':'));
  }
  const std::string_view addr = ctx.in_script            ? std::string_view("lua")
                                : !unix_name.empty()     ? std::string_view(unix_name)
                                                         : std::string_view(ctx.client.addr);
  ctx.server.pubsub.feed_monitors(monitor_line(now.count(), ctx.client.db.load(std::memory_order_relaxed), addr,
                                               ctx.args, ctx.redacted));
}

void register_monitor_commands(CommandTable& table) { table.add("monitor", cmd_monitor); }

}  // namespace larder::commands
