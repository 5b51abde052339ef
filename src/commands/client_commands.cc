// CLIENT family: ID, SETNAME, GETNAME, LIST, INFO, KILL, SETINFO, NO-EVICT,
// NO-TOUCH, REPLY, PAUSE, UNPAUSE, UNBLOCK, HELP (TRACKING and its kin are in
// tracking_commands.cc). Other clients are reached through the
// client registry; a kill is posted to the victim's own event loop.

#include <optional>
#include <string>
#include <vector>

#include "larder/commands/blocking.h"
#include "larder/commands/command_table.h"
#include "larder/commands/families.h"
#include "larder/protocol/errors.h"
#include "larder/util/numbers.h"
#include "larder/util/strings.h"

namespace larder::commands {

std::string client_info_line(const ClientState& c, std::int64_t now_ms) {
  const std::size_t qbuf = c.query_buffer_bytes.load(std::memory_order_relaxed);
  const std::size_t obl = c.output_buffer_bytes.load(std::memory_order_relaxed);
  std::string flags;
  if (c.monitor.load(std::memory_order_relaxed)) flags += 'O';
  if (c.in_pubsub_mode()) flags += 'P';
  if (c.in_multi.load(std::memory_order_relaxed)) flags += 'x';
  if (c.is_blocked.load(std::memory_order_relaxed)) flags += 'b';
  const std::uint32_t tracking = c.tracking.flags.load(std::memory_order_relaxed);
  if (tracking & ClientTracking::kOn) flags += 't';
  if (tracking & ClientTracking::kBrokenRedirect) flags += 'R';
  if (tracking & ClientTracking::kBcast) flags += 'B';
  if (c.watch_flag.dirty.load(std::memory_order_relaxed)) flags += 'd';
  if (c.unix_socket) flags += 'U';
  if (c.no_evict.load(std::memory_order_relaxed)) flags += 'e';
  if (c.no_touch.load(std::memory_order_relaxed)) flags += 'T';
  if (flags.empty()) flags = "N";
  const CommandSpec* last = c.last_command.load(std::memory_order_relaxed);
  std::string name, lib_name, lib_ver;
  {
    std::lock_guard lock(c.mutex);
    if (c.names != nullptr) {
      name = c.names->name;
      lib_name = c.names->lib_name;
      lib_ver = c.names->lib_ver;
    }
  }
  const long multi = c.in_multi.load(std::memory_order_relaxed)
                         ? static_cast<long>(c.multi_queued.load(std::memory_order_relaxed))
                         : -1;
  std::string s;
  s.reserve(256);
  s += "id=" + std::to_string(c.id);
  s += " addr=" + c.addr;
  s += " laddr=" + c.laddr;
  s += " fd=" + std::to_string(c.fd);
  s += " name=" + name;
  s += " age=" + std::to_string((now_ms - c.created_ms) / 1000);
  s += " idle=" + std::to_string((now_ms - c.last_interaction_ms.load(std::memory_order_relaxed)) / 1000);
  s += " flags=" + flags;
  s += " db=" + std::to_string(c.db.load(std::memory_order_relaxed));
  s += " sub=" + std::to_string(c.sub_channels.load(std::memory_order_relaxed));
  s += " psub=" + std::to_string(c.sub_patterns.load(std::memory_order_relaxed));
  s += " ssub=" + std::to_string(c.sub_shard_channels.load(std::memory_order_relaxed));
  s += " multi=" + std::to_string(multi);
  s += " qbuf=" + std::to_string(qbuf) + " qbuf-free=0 argv-mem=0 multi-mem=" +
       std::to_string(c.multi_memory.load(std::memory_order_relaxed)) + " rbs=0 rbp=0";
  const std::size_t omem = c.output_memory.load(std::memory_order_relaxed);
  s += " obl=" + std::to_string(obl) + " oll=0 omem=" + std::to_string(omem);
  s += " tot-mem=" + std::to_string(c.memory.load(std::memory_order_relaxed));
  s += " events=r";
  s += " cmd=" + (last != nullptr ? std::string(last->name) : std::string("NULL"));
  s += " user=" + c.user_name() + " redir=";
  s += (tracking & ClientTracking::kOn) ? std::to_string(c.tracking.redirect.load(std::memory_order_relaxed)) : "-1";
  s += " resp=" + std::to_string(c.resp.load(std::memory_order_relaxed));
  s += " lib-name=" + lib_name + " lib-ver=" + lib_ver;
  return s;
}

namespace {

using util::iequals;

// Redis's client types as TYPE filters name them; Larder has no masters or
// replicas (a MONITOR client counts as normal, as in Redis).
enum class TypeFilter { kAny, kNormal, kPubSub, kNone };

// Parses a TYPE value; false for an unknown one.
bool parse_type(std::string_view type, TypeFilter& out) {
  if (iequals(type, "normal")) {
    out = TypeFilter::kNormal;
  } else if (iequals(type, "pubsub")) {
    out = TypeFilter::kPubSub;
  } else if (iequals(type, "master") || iequals(type, "replica") || iequals(type, "slave")) {
    out = TypeFilter::kNone;
  } else {
    return false;
  }
  return true;
}

bool type_matches(TypeFilter filter, const ClientState& c) {
  switch (filter) {
    case TypeFilter::kAny: return true;
    case TypeFilter::kNormal: return !c.in_pubsub_mode();
    case TypeFilter::kPubSub: return c.in_pubsub_mode();
    case TypeFilter::kNone: return false;
  }
  return false;
}

void cmd_client_id(CommandContext& ctx) { ctx.reply.integer(static_cast<std::int64_t>(ctx.client.id)); }

void cmd_client_setname(CommandContext& ctx) {
  if (!valid_client_name(ctx.args[2])) {
    ctx.reply.error(err::kBadClientName);
    return;
  }
  {
    std::lock_guard lock(ctx.client.mutex);
    ctx.client.names_for_write().name = ctx.args[2];
  }
  ctx.reply.ok();
}

void cmd_client_getname(CommandContext& ctx) {
  std::string name = ctx.client.get_name();
  if (name.empty()) {
    ctx.reply.null();
  } else {
    ctx.reply.bulk(name);
  }
}

// CLIENT LIST [TYPE normal|master|replica|pubsub] [ID id [id ...]]
// CLIENT LIST [TYPE type | ID id [id ...]]: the two forms exactly as Redis
// 7.0 takes them; with IDs, one line per ID given that names a client, in
// the order given.
void cmd_client_list(CommandContext& ctx) {
  TypeFilter filter = TypeFilter::kAny;
  const auto clients = ctx.server.clients.snapshot();
  std::string text;
  auto add = [&](const auto& c) {
    text += client_info_line(*c, ctx.now_ms);
    text += '\n';
  };
  if (ctx.args.size() == 4 && iequals(ctx.args[2], "type")) {
    if (!parse_type(ctx.args[3], filter)) {
      ctx.reply.error("ERR Unknown client type '" + std::string(ctx.args[3]) + "'");
      return;
    }
  } else if (ctx.args.size() > 3 && iequals(ctx.args[2], "id")) {
    for (std::size_t j = 3; j < ctx.args.size(); ++j) {
      std::int64_t id = 0;
      if (!util::parse_int64(ctx.args[j], id)) {
        ctx.reply.error("ERR Invalid client ID");
        return;
      }
      const auto it = std::find_if(clients.begin(), clients.end(),
                                   [id](const auto& c) { return static_cast<std::int64_t>(c->id) == id; });
      if (it != clients.end()) add(*it);
    }
    ctx.reply.verbatim(text);
    return;
  } else if (ctx.args.size() != 2) {
    ctx.reply.error(err::kSyntax);
    return;
  }
  for (const auto& c : clients) {
    if (type_matches(filter, *c)) add(c);
  }
  ctx.reply.verbatim(text);
}

void cmd_client_info(CommandContext& ctx) { ctx.reply.verbatim(client_info_line(ctx.client, ctx.now_ms) + "\n"); }

// CLIENT KILL ip:port | CLIENT KILL <filter> <value> ...
void cmd_client_kill(CommandContext& ctx) {
  std::optional<std::string> addr, laddr;  // given, even empty: must match
  std::int64_t id = 0;
  bool skipme = true;
  std::shared_ptr<acl::UserSlot> user;
  TypeFilter filter = TypeFilter::kAny;
  const bool old_form = ctx.args.size() == 3;
  if (old_form) {
    addr = ctx.args[2];
  } else {
    if (ctx.args.size() % 2 != 0) {
      ctx.reply.error(err::kSyntax);
      return;
    }
    for (std::size_t j = 2; j + 1 < ctx.args.size(); j += 2) {
      std::string_view opt = ctx.args[j];
      std::string_view val = ctx.args[j + 1];
      if (iequals(opt, "id")) {
        if (!util::parse_int64(val, id) || id <= 0) {
          ctx.reply.error("ERR client-id should be greater than 0");
          return;
        }
      } else if (iequals(opt, "addr")) {
        addr = val;
      } else if (iequals(opt, "laddr")) {
        laddr = val;
      } else if (iequals(opt, "user")) {
        user = ctx.server.acl.find(val);
        if (user == nullptr) {
          ctx.reply.error("ERR No such user '" + std::string(val) + "'");
          return;
        }
      } else if (iequals(opt, "type")) {
        if (!parse_type(val, filter)) {
          ctx.reply.error("ERR Unknown client type '" + std::string(val) + "'");
          return;
        }
      } else if (iequals(opt, "skipme")) {
        if (iequals(val, "yes")) {
          skipme = true;
        } else if (iequals(val, "no")) {
          skipme = false;
        } else {
          ctx.reply.error(err::kSyntax);
          return;
        }
      } else {
        ctx.reply.error(err::kSyntax);
        return;
      }
    }
  }
  std::int64_t killed = 0;
  for (const auto& c : ctx.server.clients.snapshot()) {
    if (!type_matches(filter, *c)) continue;
    if (addr && c->addr != *addr) continue;
    if (laddr && c->laddr != *laddr) continue;
    if (id != 0 && c->id != static_cast<std::uint64_t>(id)) continue;
    if (user != nullptr && c->user_name() != user->name()) continue;
    const bool self = c.get() == &ctx.client;
    if (self && skipme && !old_form) continue;
    if (self) {
      ctx.client.close_after_reply = true;
    } else {
      c->request_close();
    }
    ++killed;
  }
  if (old_form) {
    if (killed == 0) {
      ctx.reply.error("ERR No such client");
    } else {
      ctx.reply.ok();
    }
  } else {
    ctx.reply.integer(killed);
  }
}

// CLIENT SETINFO LIB-NAME|LIB-VER value (Redis 7.2)
void cmd_client_setinfo(CommandContext& ctx) {
  std::string_view attr = ctx.args[2];
  std::string* target = nullptr;
  std::lock_guard lock(ctx.client.mutex);
  if (iequals(attr, "lib-name")) {
    target = &ctx.client.names_for_write().lib_name;
  } else if (iequals(attr, "lib-ver")) {
    target = &ctx.client.names_for_write().lib_ver;
  } else {
    ctx.reply.error("ERR Unrecognized option '" + std::string(attr) + "'");
    return;
  }
  if (!valid_client_name(ctx.args[3])) {
    ctx.reply.error("ERR " + std::string(attr) +
                    " cannot contain spaces, newlines or special characters.");
    return;
  }
  *target = ctx.args[3];
  ctx.reply.ok();
}

// CLIENT NO-EVICT|NO-TOUCH ON|OFF
void set_flag(CommandContext& ctx, std::atomic<bool>& flag) {
  if (iequals(ctx.args[2], "on")) {
    flag.store(true, std::memory_order_relaxed);
  } else if (iequals(ctx.args[2], "off")) {
    flag.store(false, std::memory_order_relaxed);
  } else {
    ctx.reply.error(err::kSyntax);
    return;
  }
  ctx.reply.ok();
}

void cmd_client_no_evict(CommandContext& ctx) { set_flag(ctx, ctx.client.no_evict); }
void cmd_client_no_touch(CommandContext& ctx) { set_flag(ctx, ctx.client.no_touch); }

// CLIENT UNBLOCK client-id [TIMEOUT | ERROR]
void cmd_client_unblock(CommandContext& ctx) {
  if (ctx.args.size() > 4) {
    ctx.reply.error("ERR unknown subcommand or wrong number of arguments for '" +
                    std::string(ctx.args[1]) + "'. Try CLIENT HELP.");
    return;
  }
  bool error = false;
  if (ctx.args.size() == 4) {
    if (iequals(ctx.args[3], "error")) {
      error = true;
    } else if (!iequals(ctx.args[3], "timeout")) {
      ctx.reply.error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
      return;
    }
  }
  std::int64_t id = 0;
  if (!util::parse_int64(ctx.args[2], id)) {
    ctx.reply.error(err::kNotInteger);
    return;
  }
  const bool unblocked = id > 0 && ctx.server.blocking.unblock(ctx.keyspace, static_cast<std::uint64_t>(id), error);
  ctx.reply.integer(unblocked ? 1 : 0);
}

void cmd_client_reply(CommandContext& ctx) {
  std::string_view mode = ctx.args[2];
  if (iequals(mode, "on")) {
    // A SKIP run earlier in the same EXEC still skips the next command's reply.
    if (ctx.client.reply_mode != ReplyMode::kSkipNext) ctx.client.reply_mode = ReplyMode::kOn;
    ctx.reply.ok();
  } else if (iequals(mode, "off")) {
    ctx.client.reply_mode = ReplyMode::kOff;
  } else if (iequals(mode, "skip")) {
    if (ctx.client.reply_mode == ReplyMode::kOn || ctx.client.reply_mode == ReplyMode::kSkipThis) {
      ctx.client.reply_mode = ReplyMode::kSkipNext;
    }
  } else {
    ctx.reply.error(err::kSyntax);
  }
}

// CLIENT PAUSE timeout-ms [WRITE|ALL]
void cmd_client_pause(CommandContext& ctx) {
  std::int64_t ms = 0;
  if (!parse_ms_timeout(ctx.args[2], ms, ctx.reply)) return;
  PauseState::Mode mode = PauseState::kAll;
  if (ctx.args.size() == 4) {
    if (iequals(ctx.args[3], "write")) {
      mode = PauseState::kWrite;
    } else if (!iequals(ctx.args[3], "all")) {
      ctx.reply.error("ERR CLIENT PAUSE mode must be WRITE or ALL");
      return;
    }
  } else if (ctx.args.size() > 4) {
    ctx.reply.error("ERR unknown subcommand or wrong number of arguments for '" +
                    std::string(ctx.args[1]) + "'. Try CLIENT HELP.");
    return;
  }
  std::int64_t until = ms > INT64_MAX - ctx.now_ms ? INT64_MAX : ctx.now_ms + ms;
  ctx.server.pause.pause(until, mode);
  ctx.reply.ok();
}

void cmd_client_unpause(CommandContext& ctx) {
  ctx.server.pause.unpause();
  ctx.server.pause.release();
  ctx.reply.ok();
}

constexpr std::string_view kHelp[] = {
    "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CACHING (YES|NO)",
    "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
    "GETREDIR",
    "    Return the client ID we are redirecting to when tracking is enabled.",
    "GETNAME",
    "    Return the name of the current connection.",
    "ID",
    "    Return the ID of the current connection.",
    "INFO",
    "    Return information about the current client connection.",
    "KILL <ip:port>",
    "    Kill connection made from <ip:port>.",
    "KILL <option> <value> [<option> <value> [...]]",
    "    Kill connections. Options are:",
    "    * ADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made from the specified address",
    "    * LADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made to specified local address",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Kill connections by type.",
    "    * USER <username>",
    "      Kill connections authenticated by <username>.",
    "    * SKIPME (YES|NO)",
    "      Skip killing current connection (default: yes).",
    "LIST [options ...]",
    "    Return information about client connections. Options:",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Return clients of specified type.",
    "UNPAUSE",
    "    Stop the current client pause, resuming traffic.",
    "PAUSE <timeout> [WRITE|ALL]",
    "    Suspend all, or just write, clients for <timeout> milliseconds.",
    "REPLY (ON|OFF|SKIP)",
    "    Control the replies sent to the current connection.",
    "SETNAME <name>",
    "    Assign the name <name> to the current connection.",
    "UNBLOCK <clientid> [TIMEOUT|ERROR]",
    "    Unblock the specified blocked client.",
    "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
    "         [OPTIN] [OPTOUT] [NOLOOP]",
    "    Control server assisted client side caching.",
    "TRACKINGINFO",
    "    Report tracking status for the current connection.",
    "SETINFO <option> <value>",
    "    Set client meta attr. Options are:",
    "    * LIB-NAME: the client lib name.",
    "    * LIB-VER: the client lib version.",
    "NO-EVICT (ON|OFF)",
    "    Protect current client connection from eviction.",
    "NO-TOUCH (ON|OFF)",
    "    Will not touch LRU/LFU stats when this mode is on.",
    "HELP",
    "    Prints this help.",
};

void cmd_client_help(CommandContext& ctx) {
  ctx.reply.simple_lines(kHelp);
}

}  // namespace

void register_client_commands(CommandTable& table) {
  table.add("client", cmd_client_help);
  table.add("client|id", cmd_client_id);
  table.add("client|setname", cmd_client_setname);
  table.add("client|getname", cmd_client_getname);
  table.add("client|list", cmd_client_list);
  table.add("client|info", cmd_client_info);
  table.add("client|kill", cmd_client_kill);
  table.add("client|setinfo", cmd_client_setinfo);
  table.add("client|no-evict", cmd_client_no_evict);
  table.add("client|no-touch", cmd_client_no_touch);
  table.add("client|reply", cmd_client_reply);
  table.add("client|pause", cmd_client_pause);
  table.add("client|unpause", cmd_client_unpause);
  table.add("client|unblock", cmd_client_unblock);
  table.add("client|help", cmd_client_help);
}

}  // namespace larder::commands
