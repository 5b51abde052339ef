#pragma once
// The settings commands read while serving. Values CONFIG SET may change are
// atomics or guarded by a mutex, so any event-loop thread may read them.

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

#include "larder/config/options.h"

namespace larder::config {

class LiveConfig {
 public:
  explicit LiveConfig(const Options& options)
      : databases_(options.databases), proto_max_bulk_len_(options.proto_max_bulk_len) {}

  int databases() const { return databases_; }  // fixed at startup
  std::uint64_t proto_max_bulk_len() const { return proto_max_bulk_len_.load(std::memory_order_relaxed); }
  void set_proto_max_bulk_len(std::uint64_t v) { proto_max_bulk_len_.store(v, std::memory_order_relaxed); }
  // True when the eviction policy tracks access frequency (OBJECT FREQ).
  bool lfu_policy() const { return lfu_policy_.load(std::memory_order_relaxed); }

 private:
  const int databases_;
  std::atomic<std::uint64_t> proto_max_bulk_len_;
  std::atomic<bool> lfu_policy_{false};
};

}  // namespace larder::config
