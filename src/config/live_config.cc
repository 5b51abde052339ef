#include "larder/config/live_config.h"

#include <cmath>

namespace larder::config {

LiveConfig::LiveConfig(const Settings& settings)
    : settings_(settings), databases_(static_cast<int>(integer_value(settings.get("databases")))) {
  mirror(settings_);
}

void LiveConfig::mirror(const Settings& s) {
  proto_max_bulk_len_.store(static_cast<std::uint64_t>(integer_value(s.get("proto-max-bulk-len"))),
                            std::memory_order_relaxed);
  client_query_buffer_limit_.store(static_cast<std::uint64_t>(integer_value(s.get("client-query-buffer-limit"))),
                                   std::memory_order_relaxed);
  hz_.store(static_cast<int>(integer_value(s.get("hz"))), std::memory_order_relaxed);
  activerehashing_.store(s.get("activerehashing") == "yes", std::memory_order_relaxed);
  slowlog_slower_than_.store(integer_value(s.get("slowlog-log-slower-than")), std::memory_order_relaxed);
  slowlog_max_len_.store(static_cast<std::size_t>(integer_value(s.get("slowlog-max-len"))),
                         std::memory_order_relaxed);
  writes_need_replicas_.store(
      integer_value(s.get("min-replicas-to-write")) > 0 && integer_value(s.get("min-replicas-max-lag")) > 0,
      std::memory_order_relaxed);
  latency_tracking_.store(s.get("latency-tracking") == "yes", std::memory_order_relaxed);
  maxclients_.store(static_cast<std::size_t>(integer_value(s.get("maxclients"))), std::memory_order_relaxed);
  timeout_.store(static_cast<int>(integer_value(s.get("timeout"))), std::memory_order_relaxed);
  tcp_keepalive_.store(static_cast<int>(integer_value(s.get("tcp-keepalive"))), std::memory_order_relaxed);
  auto protection = [&](std::string_view name) {
    const std::string v = s.get(name);
    return v == "yes" ? ProtectedAction::kYes : v == "local" ? ProtectedAction::kLocal : ProtectedAction::kNo;
  };
  debug_command_.store(protection("enable-debug-command"), std::memory_order_relaxed);
  protected_configs_.store(protection("enable-protected-configs"), std::memory_order_relaxed);
  maxmemory_.store(static_cast<std::uint64_t>(integer_value(s.get("maxmemory"))), std::memory_order_relaxed);
  // Read back as memory_or_percent() writes it: "N%" or bytes.
  const std::string clients = s.get("maxmemory-clients");
  const bool percent = !clients.empty() && clients.back() == '%';
  const auto clients_value = static_cast<std::uint64_t>(
      integer_value(percent ? clients.substr(0, clients.size() - 1) : clients));
  maxmemory_clients_percent_.store(percent ? clients_value : 0, std::memory_order_relaxed);
  maxmemory_clients_bytes_.store(percent ? 0 : clients_value, std::memory_order_relaxed);
  const auto policy = storage::parse_eviction_policy(s.get("maxmemory-policy"));
  policy_.store(static_cast<int>(policy.value_or(storage::EvictionPolicy::kNoEviction)),
                std::memory_order_relaxed);
  lfu_policy_.store(policy && storage::access_mode_for(*policy) == storage::AccessMode::kLfu,
                    std::memory_order_relaxed);
  samples_.store(static_cast<int>(integer_value(s.get("maxmemory-samples"))), std::memory_order_relaxed);
  lfu_decay_time_.store(static_cast<int>(integer_value(s.get("lfu-decay-time"))), std::memory_order_relaxed);
  lfu_log_factor_.store(static_cast<int>(integer_value(s.get("lfu-log-factor"))), std::memory_order_relaxed);
  const std::int64_t tenacity = integer_value(s.get("maxmemory-eviction-tenacity"));
  eviction_budget_us_.store(tenacity <= 10   ? 50 * tenacity
                            : tenacity < 100 ? static_cast<std::int64_t>(500.0 * std::pow(1.15, tenacity - 10.0))
                                             : std::int64_t{86'400'000'000},  // a day: no limit
                            std::memory_order_relaxed);
  tracking_table_max_keys_.store(static_cast<std::uint64_t>(integer_value(s.get("tracking-table-max-keys"))),
                                 std::memory_order_relaxed);
  auto size = [&](std::string_view name) { return static_cast<std::uint64_t>(integer_value(s.get(name))); };
  hash_max_listpack_entries_.store(size("hash-max-listpack-entries"), std::memory_order_relaxed);
  hash_max_listpack_value_.store(size("hash-max-listpack-value"), std::memory_order_relaxed);
  list_max_listpack_size_.store(integer_value(s.get("list-max-listpack-size")), std::memory_order_relaxed);
  set_max_intset_entries_.store(size("set-max-intset-entries"), std::memory_order_relaxed);
  zset_max_listpack_entries_.store(size("zset-max-listpack-entries"), std::memory_order_relaxed);
  hll_sparse_max_bytes_.store(size("hll-sparse-max-bytes"), std::memory_order_relaxed);
  stream_node_max_bytes_.store(size("stream-node-max-bytes"), std::memory_order_relaxed);
  stream_node_max_entries_.store(size("stream-node-max-entries"), std::memory_order_relaxed);
  busy_reply_threshold_ms_.store(integer_value(s.get("busy-reply-threshold")), std::memory_order_relaxed);
  zset_max_listpack_value_.store(size("zset-max-listpack-value"), std::memory_order_relaxed);
  keyspace_events_.store(s.keyspace_events(), std::memory_order_relaxed);
  const auto limits = parse_output_buffer_limits(s.get("client-output-buffer-limit"));
  for (std::size_t c = 0; c < limits.size(); ++c) {
    output_limits_[c].hard.store(limits[c].hard, std::memory_order_relaxed);
    output_limits_[c].soft.store(limits[c].soft, std::memory_order_relaxed);
    output_limits_[c].soft_seconds.store(limits[c].soft_seconds, std::memory_order_relaxed);
  }
}

void LiveConfig::set(const std::vector<std::pair<std::string, std::string>>& changes) {
  Settings updated;
  {
    std::lock_guard lock(mutex_);
    updated = settings_;
    for (const auto& [name, value] : changes) updated.set(name, {value}, /*at_runtime=*/true);
    if (apply) {
      std::vector<std::string> names;
      for (const auto& change : changes) names.push_back(change.first);
      apply(updated, names);
    }
    settings_ = updated;
    mirror(settings_);
  }
  if (on_change) on_change(updated);
}

std::vector<std::pair<std::string, std::string>> LiveConfig::matching(std::string_view pattern) const {
  std::lock_guard lock(mutex_);
  return settings_.matching(pattern);
}

std::string LiveConfig::get(std::string_view name) const {
  std::lock_guard lock(mutex_);
  return settings_.get(name);
}

Settings LiveConfig::snapshot() const {
  std::lock_guard lock(mutex_);
  return settings_;
}

}  // namespace larder::config
