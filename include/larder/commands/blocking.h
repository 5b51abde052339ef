#pragma once
// Clients blocked on keys (BLPOP, BLMOVE, BZPOPMIN, ...) and the ready-keys
// pass that serves them, as Redis's blocked.c.
//
// A blocking command that finds nothing to serve registers a Waiter while it
// still holds its keys' shard locks (CommandContext::block), so no push can
// slip between its check and its registration. A command that creates a
// list or sorted set signals the key (storage::ReadyKeys); once that command
// has released its locks, its dispatcher runs serve_ready(), which serves the
// key's waiters first-come first-served, each under the shard locks its
// command needs, and hands each finished reply to the waiter's own event
// loop (Waiter::deliver). A blocked client holds no lock while it waits.
//
// Thread-safe. Lock order: shard locks, then the registry's mutex.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "larder/config/live_config.h"
#include "larder/protocol/reply_builder.h"
#include "larder/storage/db.h"
#include "larder/storage/keyspace.h"
#include "larder/storage/shard_locks.h"
#include "larder/util/siphash.h"

namespace larder::commands {

// What a blocked command does once one of its keys is ready.
class BlockedCommand {
 public:
  virtual ~BlockedCommand() = default;
  // Adds the shard locks that serving from `key` needs (`key`'s by default;
  // BLMOVE adds its destination's).
  virtual void add_locks(std::string_view key, storage::ShardLocks& locks) const { locks.add(key); }
  // With those locks held: serves the client from `key` when it holds
  // something to serve, writing the command's whole reply; false leaves the
  // client blocked and writes nothing.
  virtual bool serve(storage::Db& db, std::string_view key, const config::LiveConfig& config,
                     protocol::ReplyBuilder& reply) = 0;
  // The reply when the timeout passes (or CLIENT UNBLOCK ... TIMEOUT).
  virtual void timeout_reply(protocol::ReplyBuilder& reply) const = 0;
};

// One blocked client. Exactly one of serving, timing out, CLIENT UNBLOCK and
// disconnecting ends it: whoever moves `state` from kBlocked decides.
class Waiter {
 public:
  enum State : int { kBlocked, kServing, kDone };

  std::uint64_t client_id = 0;
  int db = 0;
  int resp = 2;  // the client's protocol when it blocked; fixed while blocked
  bool has_timeout = false;  // in Redis's timeout table (a timeout other than 0)
  std::vector<std::string> keys;  // distinct, in the command's order
  std::unique_ptr<BlockedCommand> command;
  // Hands the finished reply to the client's event loop; callable from any
  // thread, at most once.
  std::function<void(std::string)> deliver;

  // kBlocked -> kDone: true when the caller now ends the wait.
  bool claim() {
    int expected = kBlocked;
    return state_.compare_exchange_strong(expected, kDone, std::memory_order_acq_rel);
  }
  State state() const { return static_cast<State>(state_.load(std::memory_order_acquire)); }

 private:
  friend class BlockingRegistry;
  std::atomic<int> state_{kBlocked};
};

class BlockingRegistry {
 public:
  // Registers `waiter` on its keys; the caller holds their shard locks.
  void add(storage::Keyspace& keyspace, std::shared_ptr<Waiter> waiter);
  // Ends the wait of a client that disconnects, or whose timeout passed: true
  // when it was still blocked (then nothing will be delivered to it). Waits
  // out a serve in progress.
  bool cancel(storage::Keyspace& keyspace, Waiter& waiter);
  // Ends client `id`'s wait at once, delivering nothing: the waiter, or null
  // when the client was not blocked (or a serve got there first). CLIENT
  // KILL and the other closes requested from any thread call it, so that no
  // push that follows is served to a client on its way out (Redis frees it
  // at once).
  std::shared_ptr<Waiter> drop_client(storage::Keyspace& keyspace, std::uint64_t id);
  // CLIENT UNBLOCK: ends client `id`'s wait with its timeout reply or
  // Redis's UNBLOCKED error, delivered to it; false when it is not blocked.
  bool unblock(storage::Keyspace& keyspace, std::uint64_t id, bool error);
  // Serves the clients blocked on every key signalled ready, until no key is
  // (a served BLMOVE may make its destination ready). Call with no shard
  // lock held.
  void serve_ready(storage::Keyspace& keyspace, const config::LiveConfig& config, std::int64_t now_ms);
  // SWAPDB: the keys of `db` that clients wait on may hold values now; the
  // caller holds every shard's lock.
  void signal_db(storage::Keyspace& keyspace, int db);
  // FLUSHDB / FLUSHALL: every key of `db` that clients wait on is gone, so
  // its XREADGROUP waiters get Redis 7.0's UNBLOCKED error (the others keep
  // waiting). The caller holds every shard's lock.
  void signal_flushed_db(storage::Keyspace& keyspace, int db);

  // INFO blocked_clients and clients_in_timeout_table.
  std::size_t blocked_clients() const;
  std::size_t clients_with_timeout() const;

 private:
  struct KeyHash {
    std::size_t operator()(const std::pair<int, std::string>& k) const {
      return util::keyed_hash(k.second) ^ static_cast<std::size_t>(k.first);
    }
  };
  // Unlinks a waiter that left kBlocked; caller holds mutex_.
  void remove_locked(storage::Keyspace& keyspace, const Waiter& waiter);
  // Serves `ready`'s waiters in order while the key has something for them.
  void serve_key(storage::Keyspace& keyspace, const config::LiveConfig& config, std::int64_t now_ms,
                 const storage::ReadyKey& ready);

  mutable std::mutex mutex_;
  // A key's waiters in the order they blocked. A vector: a client may wait
  // on thousands of keys, and a deque's first block alone is 512 bytes.
  std::unordered_map<std::pair<int, std::string>, std::vector<std::shared_ptr<Waiter>>, KeyHash> by_key_;
  std::unordered_map<std::uint64_t, std::shared_ptr<Waiter>> by_client_;
};

// Parses a blocking command's timeout in seconds (a double; 0 = forever) as
// Redis's getTimeoutFromObjectOrReply: the absolute unix ms it ends at (0 =
// never), or -1 after replying the error.
std::int64_t parse_block_timeout(std::string_view arg, std::int64_t now_ms, protocol::ReplyBuilder& reply);

// A timeout in milliseconds (CLIENT PAUSE, WAIT), as Redis's
// getTimeoutFromObjectOrReply with UNIT_MILLISECONDS: false after replying
// its error (not an integer, or negative).
bool parse_ms_timeout(std::string_view arg, std::int64_t& ms, protocol::ReplyBuilder& reply);

}  // namespace larder::commands
