#pragma once
// The state of one client connection as commands see it.
//
// Ownership: the connection that owns a ClientState lives on one event loop,
// and only that loop's thread writes it. Fields other threads read (CLIENT
// LIST, CLIENT KILL, INFO) are atomics or sit behind `mutex`; the rest
// (authentication, MULTI queue, watches, reply mode) is owner-only.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "larder/acl/acl.h"
#include "larder/commands/continuation.h"
#include "larder/config/live_config.h"
#include "larder/storage/shard.h"

namespace larder::commands {

struct CommandSpec;
class Waiter;    // blocking.h
class PushSink;  // pubsub.h

enum class ReplyMode { kOn, kOff, kSkipNext, kSkipThis };

// A command queued between MULTI and EXEC; owns copies of its arguments.
struct QueuedCommand {
  const CommandSpec* spec;
  std::vector<std::string> args;
  std::uint32_t flags;  // as the dispatcher saw them (Dispatcher's command_flags)
};

// A blocking command waiting for its keys (CommandContext::block), from when
// its handler blocked until its reply has been handed over.
struct BlockedCall {
  std::shared_ptr<Waiter> waiter;
  const CommandSpec* spec = nullptr;
  std::vector<std::string> args;  // copies, for the slow log
  std::int64_t now_ms = 0;        // the command's time reading
  std::int64_t timeout_at_ms = 0;  // unix ms; 0 waits forever
  std::int64_t usec = 0;          // spent in its handler
  bool reply_dropped = false;     // CLIENT REPLY OFF or SKIP applied to it
  bool timed_out = false;         // its timeout ended it: no latency sample, as Redis 7.0
  std::string reply{};  // handed over by whoever ended the wait, until the client finishes it
};

struct WatchedKey {
  int db;
  std::string key;
};

// What a client is subscribed to (owner thread only). Patterns keep their
// subscription order, as Redis lists them.
struct Subscriptions {
  std::unordered_set<std::string> channels;
  std::vector<std::string> patterns;
  std::unordered_set<std::string> shard_channels;
};

// CLIENT TRACKING state (see tracking.h). `flags` and `redirect` are written
// by the owner thread (kBrokenRedirect also by whoever finds the redirect
// gone) and read by any thread that invalidates a key; the rest is the
// owner's.
struct ClientTracking {
  enum Flag : std::uint32_t {
    kOn = 1u << 0,
    kBcast = 1u << 1,
    kOptIn = 1u << 2,
    kOptOut = 1u << 3,
    kNoLoop = 1u << 4,
    kBrokenRedirect = 1u << 5,
    kCaching = 1u << 6,  // CLIENT CACHING given for the next command
  };
  std::atomic<std::uint32_t> flags{0};
  std::atomic<std::uint64_t> redirect{0};
  struct Lists {
    std::vector<std::string> prefixes;  // BCAST, sorted
    // Invalidations of this client's own tracked keys made by its running
    // command: sent after its reply (null: a flush).
    std::vector<std::optional<std::string>> pending;
  };
  // Created when first needed: most clients never track keys.
  std::unique_ptr<Lists> lists;

  Lists& lists_for_write() {
    if (lists == nullptr) lists = std::make_unique<Lists>();
    return *lists;
  }
  std::span<const std::string> prefixes() const {
    return lists != nullptr ? std::span<const std::string>(lists->prefixes) : std::span<const std::string>();
  }
  bool on() const { return flags.load(std::memory_order_relaxed) & kOn; }
  bool has(Flag f) const { return flags.load(std::memory_order_relaxed) & f; }
};

// The connection's side of a client for other threads (CLIENT KILL, a
// blocked command's reply): both calls hop onto the owner loop, taking along
// `self` (this link, locked by the caller), so that the connection is never
// destroyed on the caller's thread.
class ClientLink {
 public:
  virtual void request_close(std::shared_ptr<ClientLink> self) = 0;
  // Hands a blocked command's reply to the owner loop (Waiter::deliver).
  virtual void deliver_unblocked(std::shared_ptr<ClientLink> self, std::string reply) = 0;

 protected:
  ~ClientLink() = default;
};

struct ClientState : std::enable_shared_from_this<ClientState> {
  // Fixed at connect.
  std::uint64_t id = 0;
  std::string addr;   // peer "ip:port"
  std::string laddr;  // local "ip:port"
  bool unix_socket = false;  // accepted on the unixsocket (addr and laddr are "path:0"; flag U)
  int fd = -1;
  int loop = 0;  // index of the owning event loop (and of its ServerStats)
  std::int64_t created_ms = 0;

  // Written by the owner thread, read by any (relaxed atomics).
  std::atomic<int> db{0};
  std::atomic<int> resp{2};
  std::atomic<std::int64_t> last_interaction_ms{0};
  std::atomic<const CommandSpec*> last_command{nullptr};
  std::atomic<bool> no_evict{false};
  std::atomic<bool> no_touch{false};
  std::atomic<bool> in_multi{false};
  std::atomic<bool> is_blocked{false};  // `blocked` is set (CLIENT LIST flag b)
  std::atomic<bool> monitor{false};  // MONITOR (flag O)
  std::atomic<std::size_t> query_buffer_bytes{0};
  std::atomic<std::size_t> output_buffer_bytes{0};
  std::atomic<std::uint32_t> multi_queued{0};
  std::atomic<std::size_t> multi_memory{0};  // bytes `multi` holds (CLIENT LIST multi-mem)
  std::atomic<std::uint32_t> watched_count{0};
  // Sizes of `subs` (CLIENT LIST sub= psub= ssub=); any of them non-zero puts
  // the client in Redis's pub/sub mode (flag P).
  std::atomic<std::uint32_t> sub_channels{0}, sub_patterns{0}, sub_shard_channels{0};
  // Pending output bytes (CLIENT LIST omem).
  std::atomic<std::size_t> output_memory{0};
  // Bytes the connection's buffers (read buffer, replies, pushes) and the
  // MULTI queue hold: CLIENT LIST tot-mem, and what maxmemory-clients weighs
  // (client_eviction.h).
  std::atomic<std::size_t> memory{0};
  // Set once, by client eviction, when it asks for the client to be closed.
  std::atomic<bool> evicted{false};

  // Rarely changed strings; guarded by `mutex`.
  mutable std::mutex mutex;
  // CLIENT SETNAME's name and CLIENT SETINFO's attributes; created by the
  // first of them (most clients never name themselves).
  struct Names {
    std::string name;
    std::string lib_name;
    std::string lib_ver;
  };
  std::unique_ptr<Names> names;
  // The ACL user the client is authenticated as (the owner thread changes it
  // under `mutex` and reads it without); null is the default user.
  std::shared_ptr<acl::UserSlot> user;

  // Owner thread only.
  bool authenticated = true;
  bool close_after_reply = false;  // QUIT, protocol error: flush, then close
  ReplyMode reply_mode = ReplyMode::kOn;
  bool multi_failed = false;  // a command was refused while queueing
  // Memory stayed over maxmemory after the dispatcher's eviction for the
  // command now running (Redis's pre_command_oom_state): scripts and EXEC's
  // commands read it instead of evicting while they hold shard locks.
  bool pre_command_oom = false;
  // Shards hold it through watch_flag_ptr() while keys are watched.
  storage::WatchFlag watch_flag;
  bool push_touched = false;  // queued for its loop's flush (PubSub::drain)
  std::vector<QueuedCommand> multi;
  std::vector<WatchedKey> watched;
  // Set from when a handler defers (KEYS) until Dispatcher::resume() has
  // finished the command; meanwhile no other command of the client runs.
  std::unique_ptr<DeferredCommand> deferred;
  // Set while a blocking command waits; meanwhile no other command of the
  // client runs.
  std::unique_ptr<BlockedCall> blocked;
  // Created by the first SUBSCRIBE, PSUBSCRIBE or SSUBSCRIBE: most clients
  // never subscribe. The owner changes it under `mutex` (ACL SETUSER reads
  // other clients' under it) and reads it without.
  std::unique_ptr<Subscriptions> subs;
  ClientTracking tracking;
  // Where pub/sub messages and MONITOR lines go: the connection, while open.
  PushSink* push_sink = nullptr;

  bool in_pubsub_mode() const {
    return sub_channels.load(std::memory_order_relaxed) + sub_patterns.load(std::memory_order_relaxed) +
               sub_shard_channels.load(std::memory_order_relaxed) != 0;
  }

  // The connection, as other threads reach it; empty until it serves the
  // client and once it is gone.
  std::weak_ptr<ClientLink> link;

  // Asks the owner loop to close the connection, dropping replies the
  // client has not read (CLIENT KILL, client eviction); any thread.
  void request_close() const {
    if (auto l = link.lock()) l->request_close(l);
  }

  std::string user_name() const {
    std::lock_guard lock(mutex);
    return user != nullptr ? user->name() : std::string("default");
  }
  void set_user(std::shared_ptr<acl::UserSlot> slot) {
    std::lock_guard lock(mutex);
    user = std::move(slot);
  }

  // The watch flag, owning this state (for the shards' watch lists).
  std::shared_ptr<storage::WatchFlag> watch_flag_ptr() { return {shared_from_this(), &watch_flag}; }

  std::string get_name() const {
    std::lock_guard lock(mutex);
    return names != nullptr ? names->name : std::string();
  }
  // Call with `mutex` held.
  Names& names_for_write() {
    if (names == nullptr) names = std::make_unique<Names>();
    return *names;
  }
};

// Client names and library attributes: printable ASCII without spaces.
inline bool valid_client_name(std::string_view name) {
  for (char ch : name) {
    if (ch < '!' || ch > '~') return false;
  }
  return true;
}

// Redis's allowProtectedAction: "local" admits clients whose peer is exactly
// 127.0.0.1 or ::1 (addr is "host:port").
inline bool protected_action_allowed(config::ProtectedAction setting, const ClientState& client) {
  if (setting == config::ProtectedAction::kYes) return true;
  if (setting == config::ProtectedAction::kNo) return false;
  if (client.unix_socket) return true;  // as Redis's islocalClient
  const std::string_view addr = client.addr;
  const std::string_view host = addr.substr(0, addr.rfind(':'));
  return host == "127.0.0.1" || host == "::1";
}

}  // namespace larder::commands
