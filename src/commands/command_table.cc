#include "larder/commands/command_table.h"

#include <algorithm>
#include <stdexcept>

#include "larder/commands/blocking.h"
#include "larder/commands/command_docs.h"
#include "larder/commands/families.h"
#include "larder/commands/key_specs.h"
#include "larder/commands/server_stats.h"
#include "larder/protocol/errors.h"
#include "larder/storage/shard_locks.h"
#include "larder/util/numbers.h"
#include "larder/util/strings.h"

namespace larder::commands {

namespace {

constexpr std::size_t kMaxNameLength = 64;

using util::c_string;

std::string unknown_command_text(std::span<const std::string_view> args) {
  // Redis 7: the name cut at 128 bytes, then arguments quoted until 128 bytes.
  std::string text = "ERR unknown command '";
  text.append(c_string(args[0]).substr(0, 128));
  text.append("', with args beginning with: ");
  std::string quoted;
  for (std::size_t i = 1; i < args.size() && quoted.size() < 128; ++i) {
    const std::size_t room = 128 - quoted.size();
    quoted += '\'';
    quoted.append(c_string(args[i]).substr(0, room));
    quoted += "' ";
  }
  text += quoted;
  return text;
}

}  // namespace

void CommandContext::defer(std::unique_ptr<Continuation> rest) {
  if (!may_defer) throw std::logic_error("defer() outside a connection's own dispatch");
  client.deferred = std::make_unique<DeferredCommand>(DeferredCommand{
      .continuation = std::move(rest),
      .spec = &spec,
      .args = {args.begin(), args.end()},
      .now_ms = now_ms,
  });
}

void CommandContext::block(std::vector<std::string> keys, std::int64_t timeout_at_ms,
                           std::unique_ptr<BlockedCommand> command) {
  if (!may_block) throw std::logic_error("block() outside a connection's dispatch");
  auto waiter = std::make_shared<Waiter>();
  waiter->client_id = client.id;
  waiter->db = client.db.load(std::memory_order_relaxed);
  waiter->resp = client.resp.load(std::memory_order_relaxed);
  waiter->has_timeout = timeout_at_ms != 0;
  waiter->keys = std::move(keys);
  waiter->command = std::move(command);
  waiter->deliver = [link = client.link](std::string reply) {
    if (auto l = link.lock()) l->deliver_unblocked(l, std::move(reply));
  };
  client.blocked = std::make_unique<BlockedCall>(BlockedCall{
      .waiter = waiter,
      .spec = &spec,
      .args = {args.begin(), args.end()},
      .now_ms = now_ms,
      .timeout_at_ms = timeout_at_ms,
  });
  client.is_blocked.store(true, std::memory_order_relaxed);
  server.blocking.add(keyspace, std::move(waiter));
}

bool CommandContext::read_or_reply(storage::Db& db, std::string_view key, storage::ValueType type,
                                   const storage::Entry*& e) const {
  const storage::Db::Read r = db.read(key, type);
  if (r.wrong_type) {
    reply.error(err::kWrongType);
    return false;
  }
  e = r.entry;
  return true;
}

bool CommandContext::writable_or_reply(const storage::Db::Writer& w) const {
  if (!w.wrong_type()) return true;
  reply.error(err::kWrongType);
  return false;
}

bool CommandContext::parse_int64_or_reply(std::string_view arg, std::int64_t& out) const {
  if (util::parse_int64(arg, out)) return true;
  reply.error(err::kNotInteger);
  return false;
}

void CommandContext::reply_arity_error() const {
  std::string text = "ERR wrong number of arguments for '";
  text.append(spec.name);
  text.append("' command");
  reply.error(text);
}

void CommandContext::reply_invalid_expire() const {
  std::string text = "ERR invalid expire time in '";
  text.append(spec.name);
  text.append("' command");
  reply.error(text);
}

const CommandTable& CommandTable::instance() {
  static const CommandTable table = [] {
    CommandTable t;
    register_connection_commands(t);
    register_string_commands(t);
    register_key_commands(t);
    register_hash_commands(t);
    register_set_commands(t);
    register_zset_commands(t);
    register_blocking_commands(t);
    register_list_commands(t);
    register_server_commands(t);
    register_replication_commands(t);
    register_transaction_commands(t);
    register_client_commands(t);
    register_info_commands(t);
    register_config_commands(t);
    register_introspection_commands(t);
    register_diagnostics_commands(t);
    register_bitmap_commands(t);
    register_hyperloglog_commands(t);
    register_geo_commands(t);
    register_sort_commands(t);
    register_pubsub_commands(t);
    register_monitor_commands(t);
    register_stream_commands(t);
    register_scripting_commands(t);
    register_function_commands(t);
    register_persistence_commands(t);
    register_dump_commands(t);
    register_acl_commands(t);
    register_tracking_commands(t);
    return t;
  }();
  return table;
}

void CommandTable::add(std::string_view full_name, Handler handler, std::uint32_t larder_flags) {
  const std::string name(full_name);
  const ParsedDoc* doc = find_command_doc(full_name);
  if (doc == nullptr) {
    throw std::logic_error("command '" + name + "' has no metadata row in src/commands/command_docs/");
  }
  if (larder_flags & ~kLarderOnlyFlags) {
    throw std::logic_error("command '" + name + "': add() takes only Larder-only flags; the rest come from its row");
  }
  if (by_name_.contains(doc->doc->name)) throw std::logic_error("command '" + name + "' registered twice");
  const std::size_t bar = doc->doc->name.find('|');
  if (bar != std::string_view::npos) {
    const CommandSpec* container = find(doc->doc->name.substr(0, bar));
    if (container == nullptr || !(container->flags & kContainer)) {
      throw std::logic_error("subcommand '" + name + "' registered before its container");
    }
  }
  if (by_name_.size() >= kMaxCommandRows) throw std::logic_error("command table is full");

  std::uint32_t flags = larder_flags;
  for (std::string_view f : doc->flags) {
    if (f == "write") flags |= kWrite;
    if (f == "readonly") flags |= kReadOnly;
    if (f == "fast") flags |= kFast;
    if (f == "no_auth") flags |= kNoAuth;
    if (f == "denyoom") flags |= kDenyOom;
    if (f == "noscript") flags |= kNoScript;
    if (f == "allow_busy") flags |= kAllowBusy;
    if (f == "loading") flags |= kLoadingOk;
    if (f == "no_multi") flags |= kNoMulti;
    if (f == "skip_slowlog") flags |= kSkipSlowlog;
  }
  if (doc->container) flags |= kContainer;
  by_name_.emplace(std::string(doc->doc->name), CommandSpec{.name = doc->doc->name,
                                                            .arity = doc->doc->arity,
                                                            .flags = flags,
                                                            .handler = handler,
                                                            .doc = doc,
                                                            .index = by_name_.size()});
}

const CommandSpec* CommandTable::lookup(std::string_view name) const {
  if (name.size() > kMaxNameLength) return nullptr;
  char lower[kMaxNameLength];
  std::transform(name.begin(), name.end(), lower, util::ascii_lower);
  auto it = by_name_.find(std::string_view(lower, name.size()));
  return it == by_name_.end() ? nullptr : &it->second;
}

const CommandSpec* CommandTable::find(std::string_view name) const {
  if (name.find('|') != std::string_view::npos) return nullptr;
  return lookup(name);
}

const CommandSpec* CommandTable::find_subcommand(const CommandSpec& container,
                                                 std::string_view sub) const {
  if (sub.size() > kMaxNameLength || sub.find('|') != std::string_view::npos) return nullptr;
  std::string full(container.name);
  full += '|';
  full.append(sub);
  return lookup(full);
}

const CommandSpec* CommandTable::find_full_name(std::string_view name) const {
  const std::size_t bar = name.find('|');
  if (bar == std::string_view::npos) return find(name);
  if (name.find('|', bar + 1) != std::string_view::npos) return nullptr;
  const CommandSpec* base = find(name.substr(0, bar));
  if (base == nullptr || !(base->flags & kContainer)) return nullptr;
  return find_subcommand(*base, name.substr(bar + 1));
}

CommandTable::Resolution CommandTable::resolve(std::span<const std::string_view> args) const {
  Resolution r;
  r.spec = find(args[0]);
  if (r.spec == nullptr) {
    r.error = unknown_command_text(args);
    return r;
  }
  const int argc = static_cast<int>(args.size());
  if ((r.spec->flags & kContainer) && argc >= 2) {
    const CommandSpec* sub = find_subcommand(*r.spec, args[1]);
    if (sub == nullptr) {
      r.error = "ERR unknown subcommand '";
      r.error.append(c_string(args[1]).substr(0, 128));
      r.error += "'. Try ";
      for (char c : r.spec->name) r.error += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      r.error += " HELP.";
      return r;
    }
    r.spec = sub;
  }
  if ((r.spec->arity > 0 && argc != r.spec->arity) || argc < -r.spec->arity) {
    r.error = "ERR wrong number of arguments for '";
    r.error.append(r.spec->name);
    r.error.append("' command");
  }
  return r;
}

void CommandTable::add_key_locks(const CommandSpec& spec, std::span<const std::string_view> args,
                                 storage::ShardLocks& locks) {
  if (spec.flags & kAllShards) {
    locks.add_all();
    return;
  }
  if (spec.flags & kScriptLocks) locks.add_script();
  const bool valid = for_each_key(spec.doc->key_specs, args, [&](int i, const KeySpec&) {
    locks.add(args[static_cast<std::size_t>(i)]);
  });
  if (!valid) locks.add_all();
}

}  // namespace larder::commands
