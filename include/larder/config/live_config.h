#pragma once
// The configuration while serving. CONFIG GET/SET go through get()/set();
// values read on hot paths are mirrored in atomics so any event-loop thread
// reads them without a lock.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "larder/config/options.h"
#include "larder/storage/eviction.h"

namespace larder::config {

// enable-debug-command and enable-protected-configs: refused, allowed, or
// allowed only to clients connected from loopback.
enum class ProtectedAction { kNo, kYes, kLocal };

class LiveConfig {
 public:
  explicit LiveConfig(const Settings& settings);

  // CONFIG SET of several directives at once: all or nothing. Throws
  // ConfigError naming the offending directive.
  void set(const std::vector<std::pair<std::string, std::string>>& changes);
  std::vector<std::pair<std::string, std::string>> matching(std::string_view pattern) const;
  std::string get(std::string_view name) const;
  Settings snapshot() const;
  // Called after every successful set() with the new settings (e.g. to apply
  // the log level); not thread-safe to change while serving.
  std::function<void(const Settings&)> on_change;
  // Called inside set(), under its lock, with the validated new settings and
  // the directives named (as given) before they take effect: throwing
  // ConfigError(directive, reason) refuses the whole change (Redis's apply
  // functions, e.g. a TLS context that cannot be built). Set before serving.
  std::function<void(const Settings&, const std::vector<std::string>&)> apply;

  int databases() const { return databases_; }  // fixed at startup
  std::uint64_t proto_max_bulk_len() const { return proto_max_bulk_len_.load(std::memory_order_relaxed); }
  std::uint64_t client_query_buffer_limit() const { return client_query_buffer_limit_.load(std::memory_order_relaxed); }
  int hz() const { return hz_.load(std::memory_order_relaxed); }
  // Tables left halfway through a resize are moved on by the sweep timer.
  bool activerehashing() const { return activerehashing_.load(std::memory_order_relaxed); }
  std::int64_t slowlog_log_slower_than() const { return slowlog_slower_than_.load(std::memory_order_relaxed); }
  std::size_t slowlog_max_len() const { return slowlog_max_len_.load(std::memory_order_relaxed); }
  // min-replicas-to-write and min-replicas-max-lag both set: Redis then
  // refuses writes without that many replicas, and Larder has none.
  bool writes_need_replicas() const { return writes_need_replicas_.load(std::memory_order_relaxed); }
  // latency-tracking: whether calls add to the per-command latency histograms.
  bool latency_tracking() const { return latency_tracking_.load(std::memory_order_relaxed); }
  int timeout_seconds() const { return timeout_.load(std::memory_order_relaxed); }
  int tcp_keepalive_seconds() const { return tcp_keepalive_.load(std::memory_order_relaxed); }
  std::size_t maxclients() const { return maxclients_.load(std::memory_order_relaxed); }
  ProtectedAction debug_command() const { return debug_command_.load(std::memory_order_relaxed); }
  ProtectedAction protected_configs() const { return protected_configs_.load(std::memory_order_relaxed); }
  // True when the eviction policy tracks access frequency (OBJECT FREQ).
  bool lfu_policy() const { return lfu_policy_.load(std::memory_order_relaxed); }
  std::uint64_t maxmemory() const { return maxmemory_.load(std::memory_order_relaxed); }
  // maxmemory-clients in bytes, as Redis's getClientEvictionLimit: a
  // percentage is of maxmemory (none without one), and a limit is at least
  // 128 KiB, so that a client can still talk to the server; 0: no limit.
  std::uint64_t maxmemory_clients() const {
    const std::uint64_t percent = maxmemory_clients_percent_.load(std::memory_order_relaxed);
    const std::uint64_t limit = percent != 0 ? maxmemory() / 100 * percent + maxmemory() % 100 * percent / 100
                                             : maxmemory_clients_bytes_.load(std::memory_order_relaxed);
    return limit == 0 ? 0 : std::max<std::uint64_t>(limit, 128 * 1024);
  }
  storage::EvictionSettings eviction() const {
    return {static_cast<storage::EvictionPolicy>(policy_.load(std::memory_order_relaxed)),
            samples_.load(std::memory_order_relaxed), lfu_decay_time_.load(std::memory_order_relaxed)};
  }
  int lfu_log_factor() const { return lfu_log_factor_.load(std::memory_order_relaxed); }
  // How long one command may evict before it runs anyway (the cron goes on
  // evicting), from maxmemory-eviction-tenacity as Redis's
  // evictionTimeLimitUs: 50 us a step up to 10, then 15% more a step, a
  // day (no limit) at 100.
  std::chrono::microseconds eviction_budget() const {
    return std::chrono::microseconds(eviction_budget_us_.load(std::memory_order_relaxed));
  }
  std::uint64_t tracking_table_max_keys() const { return tracking_table_max_keys_.load(std::memory_order_relaxed); }
  // When small collections leave their compact encoding.
  std::uint64_t hash_max_listpack_entries() const { return hash_max_listpack_entries_.load(std::memory_order_relaxed); }
  std::uint64_t hash_max_listpack_value() const { return hash_max_listpack_value_.load(std::memory_order_relaxed); }
  std::int64_t list_max_listpack_size() const { return list_max_listpack_size_.load(std::memory_order_relaxed); }
  std::uint64_t set_max_intset_entries() const { return set_max_intset_entries_.load(std::memory_order_relaxed); }
  std::uint64_t zset_max_listpack_entries() const { return zset_max_listpack_entries_.load(std::memory_order_relaxed); }
  std::uint64_t zset_max_listpack_value() const { return zset_max_listpack_value_.load(std::memory_order_relaxed); }
  std::uint64_t hll_sparse_max_bytes() const { return hll_sparse_max_bytes_.load(std::memory_order_relaxed); }
  std::uint64_t stream_node_max_bytes() const { return stream_node_max_bytes_.load(std::memory_order_relaxed); }
  std::uint64_t stream_node_max_entries() const { return stream_node_max_entries_.load(std::memory_order_relaxed); }
  OutputBufferLimit output_buffer_limit(ClientClass c) const {
    const auto& l = output_limits_[static_cast<std::size_t>(c)];
    return {l.hard.load(std::memory_order_relaxed), l.soft.load(std::memory_order_relaxed),
            l.soft_seconds.load(std::memory_order_relaxed)};
  }
  // notify-keyspace-events as KeyspaceEventClass bits (0: off, the default).
  int keyspace_events() const { return keyspace_events_.load(std::memory_order_relaxed); }
  // busy-reply-threshold (lua-time-limit), in ms.
  std::int64_t busy_reply_threshold_ms() const { return busy_reply_threshold_ms_.load(std::memory_order_relaxed); }

 private:
  void mirror(const Settings& s);

  mutable std::mutex mutex_;
  Settings settings_;
  const int databases_;
  std::atomic<std::uint64_t> proto_max_bulk_len_{0};
  std::atomic<std::uint64_t> client_query_buffer_limit_{0};
  std::atomic<int> hz_{10};
  std::atomic<bool> activerehashing_{true};
  std::atomic<std::int64_t> slowlog_slower_than_{0};
  std::atomic<std::size_t> slowlog_max_len_{0};
  std::atomic<bool> latency_tracking_{true};
  std::atomic<bool> writes_need_replicas_{false};
  std::atomic<std::size_t> maxclients_{0};
  std::atomic<int> timeout_{0};
  std::atomic<int> tcp_keepalive_{300};
  std::atomic<ProtectedAction> debug_command_{ProtectedAction::kNo};
  std::atomic<ProtectedAction> protected_configs_{ProtectedAction::kNo};
  std::atomic<bool> lfu_policy_{false};
  std::atomic<std::uint64_t> maxmemory_{0};
  std::atomic<std::uint64_t> maxmemory_clients_bytes_{0};
  std::atomic<std::uint64_t> maxmemory_clients_percent_{0};
  std::atomic<int> policy_{0};
  std::atomic<int> samples_{5};
  std::atomic<int> lfu_decay_time_{1};
  std::atomic<int> lfu_log_factor_{10};
  std::atomic<std::int64_t> eviction_budget_us_{500};
  std::atomic<std::uint64_t> tracking_table_max_keys_{1000000};
  std::atomic<std::uint64_t> hash_max_listpack_entries_{0};
  std::atomic<std::uint64_t> hash_max_listpack_value_{0};
  std::atomic<std::int64_t> list_max_listpack_size_{-2};
  std::atomic<std::uint64_t> set_max_intset_entries_{0};
  std::atomic<std::uint64_t> zset_max_listpack_entries_{0};
  std::atomic<std::uint64_t> zset_max_listpack_value_{0};
  std::atomic<std::uint64_t> hll_sparse_max_bytes_{3000};
  std::atomic<std::uint64_t> stream_node_max_bytes_{4096};
  std::atomic<std::uint64_t> stream_node_max_entries_{100};
  struct AtomicLimit {
    std::atomic<std::uint64_t> hard{0}, soft{0};
    std::atomic<std::int64_t> soft_seconds{0};
  };
  std::array<AtomicLimit, 3> output_limits_;
  std::atomic<std::int64_t> busy_reply_threshold_ms_{5000};
  std::atomic<int> keyspace_events_{0};
};

}  // namespace larder::config
