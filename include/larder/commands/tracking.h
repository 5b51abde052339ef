#pragma once
// Server-assisted client-side caching (CLIENT TRACKING), with Redis 7.0's
// semantics (tracking.c).
//
// Default mode: after a read-only command of a tracking client (in MULTI and
// scripts too), the keys it named are remembered with the client. The next
// modification of such a key (a write by anyone, expiry, eviction; WATCH's
// Shard::touch, through KeyObserver) forgets the key and sends each of those
// clients `invalidate [key]`. BCAST mode: a client names key prefixes; the
// keys modified under them are collected and sent once per event-loop batch
// (broadcast(), posted to the loop). FLUSHDB / FLUSHALL send every tracking
// client a null invalidation and empty the table (flushed()).
//
// Delivery. A RESP3 client gets a push frame `>2 invalidate <keys>`; with
// REDIRECT the frame goes to the named client instead, or, if that client is
// RESP2 and in Pub/Sub mode, a message on `__redis__:invalidate`. Frames go
// through PubSub::deliver (the receiver's loop mailbox, in order). The
// invalidations a client's own command causes (and NOLOOP does not drop) are
// kept in ClientTracking::pending and written after its reply.
//
// Threads and locks. The default-mode table is split like the keyspace: the
// part for the keys of shard i is guarded by shard i's lock (held by whoever
// remembers or modifies one of its keys). The BCAST prefix table has its own
// mutex, taken under shard locks; sending takes the client registry's and
// the mailboxes' locks, never a shard lock. Counters are atomics.

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "larder/commands/client_registry.h"
#include "larder/commands/pubsub.h"
#include "larder/protocol/reply_builder.h"
#include "larder/storage/keyspace.h"
#include "larder/util/siphash.h"

namespace larder::commands {

struct CommandSpec;

class Tracking final : public storage::KeyObserver {
 public:
  Tracking(ClientRegistry& clients, PubSub& pubsub) : clients_(clients), pubsub_(pubsub) {}

  // Marks the command that `client` runs on this thread, from before it is
  // looked at until its reply is complete (EXEC's and scripts' commands run
  // inside it): NOLOOP and the deferral of a client's own invalidations
  // refer to it.
  class Scope {
   public:
    explicit Scope(ClientState& client);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    ClientState* saved_client_;
    protocol::ReplyBuilder* saved_reply_;
  };

  // CLIENT TRACKING ON with ClientTracking flags `options` (kBcast, kOptIn,
  // kOptOut, kNoLoop); the caller has validated them. Redis's enableTracking.
  void enable(ClientState& client, std::uint64_t redirect, std::uint32_t options,
              std::span<const std::string_view> prefixes);
  // CLIENT TRACKING OFF, RESET and disconnect (Redis's disableTracking). Its
  // remembered keys stay in the table until modified, as in Redis.
  void disable(ClientState& client);
  // Redis's checkPrefixCollisionsOrReply: the error for the first prefix
  // that overlaps one the client has, or a later one in `prefixes`; empty
  // when none. `fatal` is false for an overlap between two given prefixes
  // past the first one: Redis 7.0 replies the error and enables tracking all
  // the same.
  std::string prefix_collision(const ClientState& client, std::span<const std::string_view> prefixes,
                               bool& fatal) const;

  // Called when a command has run for the client of the current Scope
  // (possibly inside EXEC or a script): a read-only command's keys are
  // remembered for it (Redis's trackingRememberKeys). The caller holds the
  // shard locks of the keys in `args`.
  void command_ran(const CommandSpec& spec, std::span<const std::string_view> args) {
    if (current_tracks()) remember(spec, spec, args);
  }
  // The same for a command a script ran: a read-only one makes the client
  // remember the keys the script's own command (`script`, EVAL or FCALL,
  // with its `args`) declares, not the ones it read (Redis's call() with
  // script_caller).
  void script_command_ran(const CommandSpec& spec, const CommandSpec& script, std::span<const std::string_view> args) {
    if (current_tracks()) remember(spec, script, args);
  }
  // After the Scope's command is complete: writes the invalidations it
  // caused to its own client into `reply`, and ends CLIENT CACHING's effect
  // unless `keep_caching` (MULTI pending, or a CLIENT command).
  void command_done(ClientState& client, protocol::ReplyBuilder& reply, bool keep_caching);

  void key_modified(std::size_t shard, std::string_view key) override;

  // FLUSHDB / FLUSHALL: a null invalidation to every tracking client, and
  // the table emptied. The caller holds every shard lock.
  void flushed();

  // tracking-table-max-keys: while more keys than `max_keys` (0: no limit)
  // are tracked, invalidates some as if they were modified, with Redis's
  // effort (trackingLimitUsedSlots), before the Scope's command runs (its
  // client's own invalidations go to `reply` at once, as in Redis) and from
  // the cron (`reply` null), so an idle server keeps the limit too. Takes
  // shard locks: call with none held.
  void limit(storage::Keyspace& keyspace, std::uint64_t max_keys, protocol::ReplyBuilder* reply);

  // INFO.
  std::uint64_t clients() const { return clients_count_.load(std::memory_order_relaxed); }
  std::uint64_t keys() const { return keys_.load(std::memory_order_relaxed); }
  std::uint64_t items() const { return items_.load(std::memory_order_relaxed); }
  std::uint64_t prefixes() const { return prefix_count_.load(std::memory_order_relaxed); }

  // Sends the keys modified under BCAST prefixes since the last call
  // (Redis's trackingBroadcastInvalidationMessages); posted to a loop when
  // the first such key comes.
  void broadcast();

 private:
  struct Reader {
    std::uint64_t id;
    std::weak_ptr<ClientState> client;
  };
  using Table = std::unordered_map<std::string, std::vector<Reader>, util::KeyedHash, std::equal_to<>>;
  struct Prefix {
    std::vector<std::shared_ptr<ClientState>> clients;
    // Keys modified since the last broadcast, and the id of the client that
    // modified each last (0: none), for NOLOOP.
    std::map<std::string, std::uint64_t, std::less<>> keys;
  };

  static bool current_tracks();
  // After `ran`: remembers the keys of `keys_of` in `args` if `ran` reads.
  void remember(const CommandSpec& ran, const CommandSpec& keys_of, std::span<const std::string_view> args);
  void remember_key(std::size_t shard, std::string_view key, ClientState& client);
  // Forgets `key` and sends its invalidation to its readers.
  void invalidate(std::size_t shard, std::string_view key);
  void remember_broadcast(std::string_view key);
  // Redis's sendTrackingMessage: `payload` is the RESP value after
  // "invalidate" (an array of keys, or a null).
  void send(ClientState& client, std::string_view payload);
  void deliver(ClientState& to, std::string bytes);
  void add_prefix(ClientState& client, std::string_view prefix);

  ClientRegistry& clients_;
  PubSub& pubsub_;
  std::array<Table, storage::kShardCount> tables_;
  std::atomic<std::uint64_t> clients_count_{0}, keys_{0}, items_{0}, prefix_count_{0};
  std::uint32_t limit_effort_rounds_ = 0;  // Redis's timeout_counter; under limit_mutex_
  std::mutex limit_mutex_;

  std::mutex bcast_mutex_;  // guards prefixes_ and broadcast_posted_
  std::map<std::string, Prefix, std::less<>> prefixes_;
  bool broadcast_posted_ = false;
};

}  // namespace larder::commands
