#include "larder/commands/acl_gate.h"

#include <algorithm>

#include "larder/commands/client_registry.h"
#include "larder/commands/command_table.h"
#include "larder/config/options.h"

namespace larder::commands {

namespace {

void record(ServerServices& server, const ClientState& client, acl::LogEntry entry) {
  entry.client_info = client_info_line(client, entry.ctime_ms);
  server.acl.log(std::move(entry), static_cast<std::size_t>(config::integer_value(server.config.get("acllog-max-len"))));
}

}  // namespace

acl::CheckResult acl_check_slow(ServerServices& server, ClientState& client, const CommandSpec& spec,
                                std::span<const std::string_view> args, acl::LogContext context,
                                const CommandSpec* current, std::int64_t now_ms) {
  const auto& slot = client_user(server, client);
  if (slot->unrestricted()) return {};
  const auto user = slot->get();
  const acl::CheckResult result = acl::check_command(*user, spec, args);
  if (result.denial == acl::Denial::kNone) return result;
  if (current != nullptr) client.last_command.store(current, std::memory_order_relaxed);
  acl::LogEntry entry;
  entry.reason = result.denial;
  entry.context = context;
  entry.object = result.denial == acl::Denial::kCommand ? std::string(spec.name) : std::string(args[result.arg]);
  entry.username = slot->name();
  entry.ctime_ms = now_ms;
  record(server, client, std::move(entry));
  return result;
}

std::string noperm_text(acl::Denial denial, const CommandSpec& spec) {
  switch (denial) {
    case acl::Denial::kKey: return "NOPERM this user has no permissions to access one of the keys used as arguments";
    case acl::Denial::kChannel:
      return "NOPERM this user has no permissions to access one of the channels used as arguments";
    default: return "NOPERM this user has no permissions to run the '" + std::string(spec.name) + "' command";
  }
}

void acl_log_auth_failure(ServerServices& server, const ClientState& client, std::string_view command,
                          std::string_view username, std::int64_t now_ms) {
  acl::LogEntry entry;
  entry.reason = acl::Denial::kAuth;
  entry.context = client.in_multi.load(std::memory_order_relaxed) ? acl::LogContext::kMulti : acl::LogContext::kToplevel;
  entry.object = command;
  entry.username = username;
  entry.ctime_ms = now_ms;
  record(server, client, std::move(entry));
}

void disconnect_users(ServerServices& server, ClientState& self, std::span<const std::shared_ptr<acl::UserSlot>> slots) {
  if (slots.empty()) return;
  for (const auto& c : server.clients.snapshot()) {
    std::shared_ptr<acl::UserSlot> user;
    {
      std::lock_guard lock(c->mutex);
      user = c->user;
    }
    if (std::find(slots.begin(), slots.end(), user) == slots.end()) continue;
    if (c.get() == &self) {
      self.close_after_reply = true;
    } else {
      c->request_close();
    }
  }
}

}  // namespace larder::commands
