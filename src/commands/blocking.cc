#include "larder/commands/blocking.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <thread>

#include "larder/util/numbers.h"

namespace larder::commands {

void BlockingRegistry::add(storage::Keyspace& keyspace, std::shared_ptr<Waiter> waiter) {
  std::lock_guard lock(mutex_);
  for (const std::string& key : waiter->keys) by_key_[{waiter->db, key}].push_back(waiter);
  by_client_[waiter->client_id] = std::move(waiter);
  keyspace.ready_keys().add_waiter();
}

void BlockingRegistry::remove_locked(storage::Keyspace& keyspace, const Waiter& waiter) {
  auto it = by_client_.find(waiter.client_id);
  if (it == by_client_.end() || it->second.get() != &waiter) return;
  for (const std::string& key : waiter.keys) {
    auto k = by_key_.find({waiter.db, key});
    if (k == by_key_.end()) continue;
    auto& queue = k->second;
    for (auto q = queue.begin(); q != queue.end(); ++q) {
      if (q->get() == &waiter) {
        queue.erase(q);
        break;
      }
    }
    if (queue.empty()) by_key_.erase(k);
  }
  by_client_.erase(it);
  keyspace.ready_keys().remove_waiter();
}

bool BlockingRegistry::cancel(storage::Keyspace& keyspace, Waiter& waiter) {
  // A serve holds the state at kServing for a few microseconds; it ends in
  // kDone (then its reply is on its way) or back at kBlocked.
  for (;;) {
    if (waiter.claim()) break;
    if (waiter.state() == Waiter::kDone) return false;
    std::this_thread::yield();
  }
  std::lock_guard lock(mutex_);
  remove_locked(keyspace, waiter);
  return true;
}

std::shared_ptr<Waiter> BlockingRegistry::drop_client(storage::Keyspace& keyspace, std::uint64_t id) {
  std::shared_ptr<Waiter> waiter;
  {
    std::lock_guard lock(mutex_);
    auto it = by_client_.find(id);
    if (it == by_client_.end()) return nullptr;
    waiter = it->second;
  }
  return cancel(keyspace, *waiter) ? waiter : nullptr;
}

bool BlockingRegistry::unblock(storage::Keyspace& keyspace, std::uint64_t id, bool error) {
  const std::shared_ptr<Waiter> waiter = drop_client(keyspace, id);
  if (waiter == nullptr) return false;
  std::string out;
  protocol::ReplyBuilder reply(out);
  reply.set_protocol(waiter->resp);
  if (error) {
    reply.error("UNBLOCKED client unblocked via CLIENT UNBLOCK");
  } else {
    waiter->command->timeout_reply(reply);
  }
  waiter->deliver(std::move(out));
  return true;
}

void BlockingRegistry::signal_db(storage::Keyspace& keyspace, int db) {
  std::vector<std::string> keys;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [k, queue] : by_key_) {
      if (k.first == db) keys.push_back(k.second);
    }
  }
  storage::Db d(keyspace, db, 0);
  for (const std::string& key : keys) {
    if (const storage::Entry* e = d.find_for_write(key); e != nullptr) {
      switch (e->type()) {
        case storage::ValueType::kList:
        case storage::ValueType::kZset:
        case storage::ValueType::kStream:
          keyspace.ready_keys().signal(db, key);
          break;
        default:
          break;
      }
    }
  }
}

void BlockingRegistry::signal_flushed_db(storage::Keyspace& keyspace, int db) {
  std::lock_guard lock(mutex_);
  for (const auto& [k, queue] : by_key_) {
    if (k.first == db) keyspace.ready_keys().signal(db, k.second);
  }
}

void BlockingRegistry::serve_ready(storage::Keyspace& keyspace, const config::LiveConfig& config,
                                   std::int64_t now_ms) {
  while (keyspace.ready_keys().pending()) {
    for (const storage::ReadyKey& ready : keyspace.ready_keys().take()) {
      serve_key(keyspace, config, now_ms, ready);
    }
  }
}

void BlockingRegistry::serve_key(storage::Keyspace& keyspace, const config::LiveConfig& config,
                                 std::int64_t now_ms, const storage::ReadyKey& ready) {
  std::vector<std::shared_ptr<Waiter>> waiters;
  {
    std::lock_guard lock(mutex_);
    auto it = by_key_.find({ready.db, ready.key});
    if (it == by_key_.end()) return;
    waiters.assign(it->second.begin(), it->second.end());
  }
  for (const std::shared_ptr<Waiter>& w : waiters) {
    storage::ShardLocks locks(keyspace);
    w->command->add_locks(ready.key, locks);
    locks.acquire();
    int expected = Waiter::kBlocked;
    if (!w->state_.compare_exchange_strong(expected, Waiter::kServing, std::memory_order_acq_rel)) {
      continue;  // timed out, unblocked or disconnected meanwhile
    }
    std::string out;
    protocol::ReplyBuilder reply(out);
    reply.set_protocol(w->resp);
    storage::Db db(keyspace, w->db, now_ms);
    if (!w->command->serve(db, ready.key, config, reply)) {
      w->state_.store(Waiter::kBlocked, std::memory_order_release);
      // Nothing for it. A key that is gone has nothing for the pops, but a
      // later XREADGROUP waiter learns that its stream is gone; one that
      // holds another type may suit later waiters (BLPOP and BZPOPMIN on it).
      continue;
    }
    {
      std::lock_guard lock(mutex_);
      remove_locked(keyspace, *w);
    }
    w->state_.store(Waiter::kDone, std::memory_order_release);
    w->deliver(std::move(out));
  }
}

std::size_t BlockingRegistry::blocked_clients() const {
  std::lock_guard lock(mutex_);
  return by_client_.size();
}

std::size_t BlockingRegistry::clients_with_timeout() const {
  std::lock_guard lock(mutex_);
  return static_cast<std::size_t>(std::count_if(by_client_.begin(), by_client_.end(),
                                                [](const auto& w) { return w.second->has_timeout; }));
}

std::int64_t parse_block_timeout(std::string_view arg, std::int64_t now_ms, protocol::ReplyBuilder& reply) {
  long double seconds;
  if (!util::parse_long_double(arg, seconds)) {
    reply.error("ERR timeout is not a float or out of range");
    return -1;
  }
  // Redis converts ceill(seconds * 1000) to long long; on x86-64 a value out
  // of its range becomes LLONG_MIN, hence "negative".
  const long double ms = std::ceil(seconds * 1000.0L);
  if (ms < 0 || ms >= 9223372036854775808.0L) {
    reply.error("ERR timeout is negative");
    return -1;
  }
  const auto t = static_cast<std::int64_t>(ms);
  if (t == 0) return 0;
  return t > std::numeric_limits<std::int64_t>::max() - now_ms ? std::numeric_limits<std::int64_t>::max()
                                                               : now_ms + t;
}

bool parse_ms_timeout(std::string_view arg, std::int64_t& ms, protocol::ReplyBuilder& reply) {
  if (!util::parse_int64(arg, ms)) {
    reply.error("ERR timeout is not an integer or out of range");
    return false;
  }
  if (ms < 0) {
    reply.error("ERR timeout is negative");
    return false;
  }
  return true;
}

}  // namespace larder::commands
