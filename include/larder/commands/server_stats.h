#pragma once
// Counters behind INFO stats, commandstats and errorstats. Each event loop
// owns one ServerStats and is its only writer; INFO sums all of them from any
// thread. Writers use relaxed load+store (no locked instruction: one writer).

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <new>
#include <string>
#include <vector>

namespace larder::commands {

inline constexpr std::size_t kMaxCommandRows = 512;

class Counter {
 public:
  void add(std::uint64_t n = 1) { v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
  std::uint64_t get() const { return v_.load(std::memory_order_relaxed); }
  void reset() { v_.store(0, std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> v_{0};
};

inline constexpr std::size_t kLatencyBuckets = 40;

struct CommandCounters {
  Counter calls, usec, rejected_calls, failed_calls;

  CommandCounters() = default;
  CommandCounters(const CommandCounters&) = delete;
  CommandCounters& operator=(const CommandCounters&) = delete;
  ~CommandCounters() { delete latency_.load(std::memory_order_relaxed); }

  // Calls by duration: bucket b counts calls that took < 2^b microseconds
  // and >= 2^(b-1) (bucket 0: under 1 us). For LATENCY HISTOGRAM and INFO
  // latencystats. The owning loop allocates the buckets at the command's
  // first call: for all 512 rows they were 160 KB of every loop's startup
  // memory (counted against maxmemory), mostly for commands never run.
  void record_latency(std::uint64_t usec_taken) {
    Latency* l = latency_.load(std::memory_order_relaxed);
    if (l == nullptr) {
      l = new (std::nothrow) Latency{};
      if (l == nullptr) return;  // out of memory: this call goes uncounted
      latency_.store(l, std::memory_order_release);
    }
    std::size_t b = usec_taken == 0 ? 0 : static_cast<std::size_t>(64 - __builtin_clzll(usec_taken));
    (*l)[b < kLatencyBuckets ? b : kLatencyBuckets - 1].add();
  }
  // Calls counted in bucket b so far; any thread.
  std::uint64_t latency(std::size_t b) const {
    const Latency* l = latency_.load(std::memory_order_acquire);
    return l == nullptr ? 0 : (*l)[b].get();
  }
  void reset() {
    for (Counter* c : {&calls, &usec, &rejected_calls, &failed_calls}) c->reset();
    if (Latency* l = latency_.load(std::memory_order_acquire)) {
      for (Counter& c : *l) c.reset();
    }
  }

 private:
  using Latency = std::array<Counter, kLatencyBuckets>;
  std::atomic<Latency*> latency_{nullptr};
};

struct ServerStats {
  Counter commands_processed;
  Counter connections_received;
  Counter rejected_connections;
  Counter net_input_bytes;
  Counter net_output_bytes;
  Counter error_replies;
  Counter output_limit_disconnections;  // client_output_buffer_limit_disconnections
  // Read completions (data, EOF or error; not reads the server cancelled)
  // and reply writes, as Redis's total_reads_processed / total_writes_processed.
  Counter reads_processed;
  Counter writes_processed;
  // A gauge, not reset: bytes the loop's clients hold (ClientState::memory),
  // moved by wrapping deltas.
  Counter client_memory;
  // Indexed by CommandSpec::index.
  std::array<CommandCounters, kMaxCommandRows> commands;

  // Error replies by first word ("ERR", "WRONGTYPE"); rare, so a mutex is fine.
  void count_error(const std::string& code) {
    std::lock_guard lock(errors_mutex);
    ++errors_by_code[code];
  }
  std::map<std::string, std::uint64_t> errors() const {
    std::lock_guard lock(errors_mutex);
    return errors_by_code;
  }
  void reset();

 private:
  mutable std::mutex errors_mutex;
  std::map<std::string, std::uint64_t> errors_by_code;
};

inline void ServerStats::reset() {
  for (Counter* c : {&commands_processed, &connections_received, &rejected_connections,
                     &net_input_bytes, &net_output_bytes, &error_replies, &output_limit_disconnections,
                     &reads_processed, &writes_processed}) {
    c->reset();
  }
  for (auto& c : commands) c.reset();
  std::lock_guard lock(errors_mutex);
  errors_by_code.clear();
}

// The scalar counters of every loop's ServerStats, summed (any thread): what
// INFO, the metrics endpoint and the instantaneous-rate cron read.
struct StatsTotals {
  std::uint64_t commands_processed = 0, connections_received = 0, rejected_connections = 0;
  std::uint64_t net_input_bytes = 0, net_output_bytes = 0, error_replies = 0;
  std::uint64_t output_limit_disconnections = 0, reads_processed = 0, writes_processed = 0;
};

inline StatsTotals sum_stats(const std::vector<ServerStats*>& loops) {
  StatsTotals t;
  for (const ServerStats* s : loops) {
    t.commands_processed += s->commands_processed.get();
    t.connections_received += s->connections_received.get();
    t.rejected_connections += s->rejected_connections.get();
    t.net_input_bytes += s->net_input_bytes.get();
    t.net_output_bytes += s->net_output_bytes.get();
    t.error_replies += s->error_replies.get();
    t.output_limit_disconnections += s->output_limit_disconnections.get();
    t.reads_processed += s->reads_processed.get();
    t.writes_processed += s->writes_processed.get();
  }
  return t;
}

}  // namespace larder::commands
