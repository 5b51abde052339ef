// INFO [section ...]: Redis's sections, field names and order, CRLF lines.
// Counters come from every event loop's ServerStats and every shard's stats;
// the command locks every shard (kAllShards) to count keys.

#include <fmt/format.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>

#include "larder/commands/command_table.h"
#include "larder/commands/families.h"
#include "larder/commands/memory_figures.h"
#include "larder/util/memory.h"

namespace larder::commands {

namespace {

constexpr std::string_view kRedisVersion = "7.0.15";

// "1.20M" style, as Redis's bytesToHuman.
std::string human(double bytes) {
  char buf[32];
  if (bytes < 1024) {
    std::snprintf(buf, sizeof buf, "%" PRIu64 "B", static_cast<std::uint64_t>(bytes));
  } else if (bytes < 1024.0 * 1024) {
    std::snprintf(buf, sizeof buf, "%.2fK", bytes / 1024);
  } else if (bytes < 1024.0 * 1024 * 1024) {
    std::snprintf(buf, sizeof buf, "%.2fM", bytes / (1024.0 * 1024));
  } else {
    std::snprintf(buf, sizeof buf, "%.2fG", bytes / (1024.0 * 1024 * 1024));
  }
  return buf;
}

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

class InfoWriter {
 public:
  void section(std::string_view title) {
    if (!text_.empty()) text_ += "\r\n";
    text_ += "# ";
    text_ += title;
    text_ += "\r\n";
  }
  template <class V>
  void field(std::string_view name, const V& value) {
    text_ += name;
    text_ += ':';
    if constexpr (std::is_arithmetic_v<V>) {
      text_ += std::to_string(value);
    } else {
      text_ += value;
    }
    text_ += "\r\n";
  }
  std::string& text() { return text_; }

 private:
  std::string text_;
};

std::map<std::string, std::uint64_t> errors_by_code(const ServerServices& server) {
  std::map<std::string, std::uint64_t> codes;
  for (const ServerStats* s : server.loop_stats) {
    for (const auto& [code, n] : s->errors()) codes[code] += n;
  }
  return codes;
}

void server_section(InfoWriter& w, const CommandContext& ctx) {
  const ServerServices& s = ctx.server;
  utsname u{};
  uname(&u);
  const std::int64_t uptime = (ctx.now_ms - s.start_time_ms) / 1000;
  w.section("Server");
  w.field("redis_version", kRedisVersion);
  w.field("redis_git_sha1", "00000000");
  w.field("redis_git_dirty", 0);
  w.field("redis_mode", "standalone");
  w.field("os", std::string(u.sysname) + " " + u.release + " " + u.machine);
  w.field("arch_bits", static_cast<int>(sizeof(void*) * 8));
  w.field("monotonic_clock", "POSIX clock_gettime");
  w.field("multiplexing_api", "epoll");
  w.field("gcc_version", std::to_string(__GNUC__) + "." + std::to_string(__GNUC_MINOR__) + "." +
                             std::to_string(__GNUC_PATCHLEVEL__));
  w.field("process_id", static_cast<long>(getpid()));
  w.field("process_supervised", "no");
  w.field("run_id", s.run_id);
  w.field("tcp_port", s.tcp_port);
  w.field("server_time_usec", ctx.now_ms * 1000);
  w.field("uptime_in_seconds", uptime);
  w.field("uptime_in_days", uptime / 86400);
  w.field("hz", ctx.config.hz());
  w.field("configured_hz", ctx.config.hz());
  w.field("lru_clock", storage::Db::access_clock(ctx.now_ms));
  w.field("executable", s.executable);
  w.field("config_file", s.config_file);
  w.field("io_threads_active", 0);
  w.field("larder_version", LARDER_VERSION);
  w.field("larder_threads", s.loop_stats.size());
}

void clients_section(InfoWriter& w, const CommandContext& ctx) {
  std::size_t max_in = 0, max_out = 0;
  auto clients = ctx.server.clients.snapshot();
  for (const auto& c : clients) {
    max_in = std::max(max_in, c->query_buffer_bytes.load(std::memory_order_relaxed));
    max_out = std::max(max_out, c->output_buffer_bytes.load(std::memory_order_relaxed));
  }
  w.section("Clients");
  w.field("connected_clients", clients.size());
  w.field("cluster_connections", 0);
  w.field("maxclients", ctx.config.maxclients());
  w.field("client_recent_max_input_buffer", max_in);
  w.field("client_recent_max_output_buffer", max_out);
  w.field("blocked_clients", static_cast<std::int64_t>(ctx.server.blocking.blocked_clients()) + ctx.server.pause.postponed());
  w.field("tracking_clients", ctx.server.tracking.clients());
  w.field("clients_in_timeout_table", ctx.server.blocking.clients_with_timeout());
}

void memory_section(InfoWriter& w, const CommandContext& ctx) {
  const ServerServices& s = ctx.server;
  const MemoryFigures m = memory_figures(ctx);
  const std::size_t used = m.allocated;
  const std::size_t rss = m.rss;
  const std::size_t peak = m.peak;
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGESIZE);
  const double system = pages > 0 && page_size > 0 ? static_cast<double>(pages) * page_size : 0;
  w.section("Memory");
  w.field("used_memory", used);
  w.field("used_memory_human", human(static_cast<double>(used)));
  w.field("used_memory_rss", rss);
  w.field("used_memory_rss_human", human(static_cast<double>(rss)));
  w.field("used_memory_peak", peak);
  w.field("used_memory_peak_human", human(static_cast<double>(peak)));
  w.field("used_memory_peak_perc", fixed(peak ? 100.0 * used / peak : 0, 2) + "%");
  w.field("used_memory_overhead", m.overhead);
  w.field("used_memory_startup", m.startup);
  w.field("used_memory_dataset", m.dataset);
  w.field("used_memory_dataset_perc", fixed(m.dataset_perc, 2) + "%");
  w.field("total_system_memory", static_cast<std::uint64_t>(system));
  w.field("total_system_memory_human", human(system));
  // Scripting: the Lua heaps of the loops' engines, the script cache and
  // the function libraries (Redis 7.0's names and order).
  const scripting::Scripting& sc = s.scripting;
  const std::size_t vm_eval = sc.vm_memory();
  const std::size_t vm_functions = sc.functions_vm_memory();
  const std::size_t scripts_eval = sc.scripts.memory();
  const std::size_t functions_memory = sc.functions_memory();
  w.field("used_memory_lua", vm_eval);
  w.field("used_memory_vm_eval", vm_eval);
  w.field("used_memory_lua_human", human(static_cast<double>(vm_eval)));
  w.field("used_memory_scripts_eval", scripts_eval);
  w.field("number_of_cached_scripts", sc.scripts.count());
  w.field("number_of_functions", sc.function_count());
  w.field("number_of_libraries", sc.library_count());
  w.field("used_memory_vm_functions", vm_functions);
  w.field("used_memory_vm_total", vm_eval + vm_functions);
  w.field("used_memory_vm_total_human", human(static_cast<double>(vm_eval + vm_functions)));
  w.field("used_memory_functions", functions_memory);
  w.field("used_memory_scripts", scripts_eval + functions_memory);
  w.field("used_memory_scripts_human", human(static_cast<double>(scripts_eval + functions_memory)));
  w.field("maxmemory", ctx.config.get("maxmemory"));
  w.field("maxmemory_human", human(std::stod(ctx.config.get("maxmemory"))));
  w.field("maxmemory_policy", ctx.config.get("maxmemory-policy"));
  w.field("mem_fragmentation_ratio", fixed(used ? static_cast<double>(rss) / used : 0, 2));
  w.field("mem_fragmentation_bytes", static_cast<std::int64_t>(rss) - static_cast<std::int64_t>(used));
  // What maxmemory does not count: Larder counts the keyspace and the
  // startup memory (ServerServices::used_memory), not client buffers or the
  // Lua heaps. Replication, cluster links and the AOF do not exist here.
  const std::size_t counted = s.used_memory();
  w.field("mem_not_counted_for_evict", used > counted ? used - counted : 0);
  w.field("mem_replication_backlog", 0);
  w.field("mem_total_replication_buffers", 0);
  w.field("mem_clients_slaves", 0);
  w.field("mem_clients_normal", m.client_buffers);
  w.field("mem_cluster_links", 0);
  w.field("mem_aof_buffer", 0);
  w.field("mem_allocator", "libc");
  w.field("lazyfree_pending_objects", ctx.keyspace.background_free().pending());
  w.field("lazyfreed_objects", ctx.keyspace.background_free().freed());
  w.field("larder_mem_released_on_free", util::released_on_free_bytes());
}

// Redis 7.0's fields; Larder never forks, so the copy-on-write ones are 0.
void persistence_section(InfoWriter& w, const CommandContext& ctx) {
  const persistence::PersistenceInfo p = ctx.server.persistence->info(ctx.now_ms);
  w.section("Persistence");
  w.field("loading", p.loading ? 1 : 0);
  w.field("async_loading", 0);
  w.field("current_cow_peak", 0);
  w.field("current_cow_size", 0);
  w.field("current_cow_size_age", 0);
  w.field("current_fork_perc", "0.00");
  w.field("current_save_keys_processed", p.current_save_keys_processed);
  w.field("current_save_keys_total", p.current_save_keys_total);
  w.field("rdb_changes_since_last_save", p.changes_since_last_save);
  w.field("rdb_bgsave_in_progress", p.bgsave_in_progress ? 1 : 0);
  w.field("rdb_last_save_time", p.last_save_time);
  w.field("rdb_last_bgsave_status", p.last_bgsave_ok ? "ok" : "err");
  w.field("rdb_last_bgsave_time_sec", p.last_bgsave_time_sec);
  w.field("rdb_current_bgsave_time_sec", p.current_bgsave_time_sec);
  w.field("rdb_saves", p.saves);
  w.field("rdb_last_cow_size", 0);
  w.field("rdb_last_load_keys_expired", p.last_load_keys_expired);
  w.field("rdb_last_load_keys_loaded", p.last_load_keys_loaded);
  w.field("aof_enabled", 0);
  w.field("aof_rewrite_in_progress", 0);
  w.field("aof_rewrite_scheduled", 0);
  w.field("aof_last_rewrite_time_sec", -1);
  w.field("aof_current_rewrite_time_sec", -1);
  w.field("aof_last_bgrewrite_status", "ok");
  w.field("aof_rewrites", 0);
  w.field("aof_rewrites_consecutive_failures", 0);
  w.field("aof_last_write_status", "ok");
  w.field("aof_last_cow_size", 0);
  w.field("module_fork_in_progress", 0);
  w.field("module_fork_last_cow_size", 0);
  if (p.loading) {
    // As Redis: progress by bytes read, the ETA from the rate so far.
    const std::uint64_t total = p.loading_total_bytes;
    const std::uint64_t loaded = std::min(p.loading_loaded_bytes, total);
    const std::int64_t elapsed = ctx.now_ms / 1000 - p.loading_start_time;
    const std::uint64_t remaining = total > 0 ? total - loaded : 1;
    const double perc = total > 0 ? static_cast<double>(loaded) / static_cast<double>(total) * 100 : 0;
    w.field("loading_start_time", p.loading_start_time);
    w.field("loading_total_bytes", total);
    w.field("loading_rdb_used_mem", 0);
    w.field("loading_loaded_bytes", loaded);
    w.field("loading_loaded_perc", fmt::format("{:.2f}", perc));
    w.field("loading_eta_seconds",
            elapsed <= 0 ? 1 : static_cast<std::int64_t>(static_cast<std::uint64_t>(elapsed) * remaining / (loaded + 1)));
  }
}

void stats_section(InfoWriter& w, const StatsTotals& t, const storage::ShardStats& ks, const ServerServices& server,
                   std::uint32_t reset_period) {
  using M = InstantaneousMetrics;
  const InstantaneousMetrics& rates = server.instantaneous;
  const PubSub& pubsub = server.pubsub;
  const Tracking& tracking = server.tracking;
  w.section("Stats");
  w.field("total_connections_received", t.connections_received);
  w.field("total_commands_processed", t.commands_processed);
  w.field("instantaneous_ops_per_sec", rates.rate(M::kCommands));
  w.field("total_net_input_bytes", t.net_input_bytes);
  w.field("total_net_output_bytes", t.net_output_bytes);
  w.field("instantaneous_input_kbps", fixed(static_cast<double>(rates.rate(M::kNetInputBytes)) / 1024, 2));
  w.field("instantaneous_output_kbps", fixed(static_cast<double>(rates.rate(M::kNetOutputBytes)) / 1024, 2));
  w.field("rejected_connections", t.rejected_connections);
  w.field("expired_keys", ks.expired_keys);
  w.field("expired_stale_perc", fixed(server.expiry_stats.stale_percent(), 2));
  w.field("expire_cycle_cpu_milliseconds", server.expiry_stats.time_ms());
  w.field("evicted_keys", ks.evicted_keys);
  // TinyLFU (maxmemory-policy *-tinylfu): evicted_keys by area, and the keys
  // that left the admission window into the main area or were turned away.
  w.field("larder_evicted_window_keys", ks.evicted_window_keys);
  w.field("larder_evicted_main_keys", ks.evicted_main_keys);
  w.field("larder_window_promoted_keys", ks.window_promoted_keys);
  w.field("larder_window_rejected_keys", ks.window_rejected_keys);
  // The sketch's reset period in accesses per key held (storage/tinylfu.h).
  w.field("larder_sketch_reset_period",
          fmt::format("{:.2f}", reset_period / double{storage::ContestLog::kPeriodScale}));
  w.field("evicted_clients", server.client_eviction.evicted());
  const std::int64_t now_us = util::steady_us();
  w.field("total_eviction_exceeded_time", server.eviction_exceeded.total_us(now_us) / 1000);
  w.field("current_eviction_exceeded_time", server.eviction_exceeded.current_us(now_us) / 1000);
  w.field("keyspace_hits", ks.keyspace_hits);
  w.field("keyspace_misses", ks.keyspace_misses);
  w.field("pubsub_channels", pubsub.count(SubKind::kChannel));
  w.field("pubsub_patterns", pubsub.count(SubKind::kPattern));
  w.field("pubsubshard_channels", pubsub.count(SubKind::kShardChannel));
  w.field("tracking_total_keys", tracking.keys());
  w.field("tracking_total_items", tracking.items());
  w.field("tracking_total_prefixes", tracking.prefixes());
  w.field("total_error_replies", t.error_replies);
  w.field("total_reads_processed", t.reads_processed);
  w.field("total_writes_processed", t.writes_processed);
  // Every loop reads and writes its own clients: there are no I/O threads.
  w.field("io_threaded_reads_processed", 0);
  w.field("io_threaded_writes_processed", 0);
  // Redis 7.2's; 7.0 disconnects the same clients without counting them.
  w.field("client_output_buffer_limit_disconnections", t.output_limit_disconnections);
}

void replication_section(InfoWriter& w, const CommandContext& ctx) {
  w.section("Replication");
  w.field("role", "master");
  w.field("connected_slaves", 0);
  if (ctx.config.writes_need_replicas()) w.field("min_slaves_good_slaves", 0);
  w.field("master_failover_state", "no-failover");
  w.field("master_replid", ctx.server.run_id);
  w.field("master_replid2", std::string(40, '0'));
  w.field("master_repl_offset", 0);
  w.field("second_repl_offset", -1);
  w.field("repl_backlog_active", 0);
  w.field("repl_backlog_size", ctx.config.get("repl-backlog-size"));
  w.field("repl_backlog_first_byte_offset", 0);
  w.field("repl_backlog_histlen", 0);
}

void cpu_section(InfoWriter& w) {
  rusage self{};
  getrusage(RUSAGE_SELF, &self);
  auto seconds = [](const timeval& tv) { return fixed(tv.tv_sec + tv.tv_usec / 1e6, 6); };
  w.section("CPU");
  w.field("used_cpu_sys", seconds(self.ru_stime));
  w.field("used_cpu_user", seconds(self.ru_utime));
  w.field("used_cpu_sys_children", "0.000000");
  w.field("used_cpu_user_children", "0.000000");
}

void commandstats_section(InfoWriter& w, const CommandContext& ctx) {
  w.section("Commandstats");
  std::vector<const CommandSpec*> rows;
  CommandTable::instance().for_each([&](const CommandSpec& spec) { rows.push_back(&spec); });
  std::sort(rows.begin(), rows.end(), [](auto* a, auto* b) { return a->name < b->name; });
  for (const CommandSpec* spec : rows) {
    std::uint64_t calls = 0, usec = 0, rejected = 0, failed = 0;
    for (const ServerStats* s : ctx.server.loop_stats) {
      const CommandCounters& c = s->commands[spec->index];
      calls += c.calls.get();
      usec += c.usec.get();
      rejected += c.rejected_calls.get();
      failed += c.failed_calls.get();
    }
    if (calls == 0 && rejected == 0 && failed == 0) continue;
    w.field("cmdstat_" + std::string(spec->name),
            "calls=" + std::to_string(calls) + ",usec=" + std::to_string(usec) +
                ",usec_per_call=" + fixed(calls ? static_cast<double>(usec) / calls : 0, 2) +
                ",rejected_calls=" + std::to_string(rejected) + ",failed_calls=" + std::to_string(failed));
  }
}

// Percentiles from the per-command latency buckets (powers of two in
// microseconds): each value is the upper bound of the bucket holding the
// sample of that rank (hdr_value_at_percentile's rank: the percentile's share
// of the calls, rounded, at least 1). The percentiles are
// latency-tracking-info-percentiles'; under latency-tracking no, the section
// is empty, as Redis's.
void latencystats_section(InfoWriter& w, const CommandContext& ctx) {
  w.section("Latencystats");
  if (!ctx.config.latency_tracking()) return;
  std::vector<std::pair<std::string, double>> percentiles;
  for (std::string& label : config::list_value(ctx.config.get("latency-tracking-info-percentiles"))) {
    const double p = std::strtod(label.c_str(), nullptr);
    percentiles.emplace_back(std::move(label), p);
  }
  std::vector<const CommandSpec*> rows;
  CommandTable::instance().for_each([&](const CommandSpec& spec) { rows.push_back(&spec); });
  std::sort(rows.begin(), rows.end(), [](auto* a, auto* b) { return a->name < b->name; });
  for (const CommandSpec* spec : rows) {
    std::array<std::uint64_t, kLatencyBuckets> buckets{};
    std::uint64_t calls = 0;
    for (const ServerStats* s : ctx.server.loop_stats) {
      for (std::size_t b = 0; b < kLatencyBuckets; ++b) {
        const std::uint64_t n = s->commands[spec->index].latency(b);
        buckets[b] += n;
        calls += n;
      }
    }
    if (calls == 0) continue;
    auto percentile = [&](double p) {
      const auto rank =
          std::max<std::uint64_t>(1, static_cast<std::uint64_t>(p / 100.0 * static_cast<double>(calls) + 0.5));
      std::uint64_t seen = 0;
      for (std::size_t b = 0; b < kLatencyBuckets; ++b) {
        seen += buckets[b];
        if (seen >= rank) return fixed(static_cast<double>(1ull << b), 3);
      }
      return fixed(static_cast<double>(1ull << (kLatencyBuckets - 1)), 3);
    };
    std::string value;
    for (const auto& [label, p] : percentiles) value += (value.empty() ? "p" : ",p") + label + "=" + percentile(p);
    w.field("latency_percentiles_usec_" + std::string(spec->name), value);
  }
}

void errorstats_section(InfoWriter& w, const std::map<std::string, std::uint64_t>& errors_by_code) {
  w.section("Errorstats");
  for (const auto& [code, n] : errors_by_code) w.field("errorstat_" + code, "count=" + std::to_string(n));
}

void keyspace_section(InfoWriter& w, const CommandContext& ctx) {
  w.section("Keyspace");
  for (int db = 0; db < ctx.keyspace.databases(); ++db) {
    std::size_t keys = 0, expires = 0;
    for (std::size_t i = 0; i < storage::kShardCount; ++i) {
      const storage::Table* t = ctx.keyspace.shard(i).find_table(db);
      if (t == nullptr) continue;
      keys += t->size();
      expires += t->volatile_count();
    }
    if (keys == 0) continue;
    w.field("db" + std::to_string(db), "keys=" + std::to_string(keys) + ",expires=" +
                                           std::to_string(expires) + ",avg_ttl=" +
                                           std::to_string(expires ? ctx.keyspace.avg_ttl(db) : 0));
  }
}

// Larder's own section: read hit ratio by key prefix (text before the first
// ':'), busiest first. Prefixes are shown with characters INFO lines cannot
// carry replaced by '?'.
void prefixes_section(InfoWriter& w, const CommandContext& ctx) {
  std::map<std::string, storage::PrefixStats::Counts> all;
  for (std::size_t i = 0; i < storage::kShardCount; ++i) {
    ctx.keyspace.shard(i).prefix_stats().for_each([&](const std::string& p, const auto& c) {
      auto& t = all[p];
      t.hits += c.hits;
      t.misses += c.misses;
    });
  }
  std::vector<std::pair<std::string, storage::PrefixStats::Counts>> rows(all.begin(), all.end());
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    return a.second.hits + a.second.misses > b.second.hits + b.second.misses;
  });
  w.section("Keyspace_prefixes");
  for (auto& [prefix, c] : rows) {
    std::string shown = prefix.empty() ? "(none)" : prefix;
    for (char& ch : shown) {
      if (ch <= ' ' || ch == ':' || ch == ',' || ch == '=' || ch > '~') ch = '?';
    }
    const std::uint64_t total = c.hits + c.misses;
    w.field("prefix_" + shown, "hits=" + std::to_string(c.hits) + ",misses=" + std::to_string(c.misses) +
                                   ",hit_ratio=" + fixed(total ? static_cast<double>(c.hits) / total : 0, 4));
  }
}

void cmd_info(CommandContext& ctx) {
  static const std::set<std::string> kDefault = {"server", "clients", "memory", "persistence",
                                                 "stats", "replication", "cpu", "modules",
                                                 "errorstats", "cluster", "keyspace"};
  std::set<std::string> wanted;
  if (ctx.args.size() == 1) wanted = kDefault;
  for (std::size_t i = 1; i < ctx.args.size(); ++i) {
    std::string name(ctx.args[i]);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (name == "default") {
      wanted.insert(kDefault.begin(), kDefault.end());
    } else if (name == "all" || name == "everything") {
      wanted.insert(kDefault.begin(), kDefault.end());
      wanted.insert("commandstats");
      wanted.insert("latencystats");
      wanted.insert("keyspace_prefixes");
    } else {
      wanted.insert(name);
    }
  }
  auto want = [&](const char* s) { return wanted.count(s) > 0; };
  const StatsTotals totals = sum_stats(ctx.server.loop_stats);
  storage::ShardStats ks;
  for (std::size_t i = 0; i < storage::kShardCount; ++i) {
    ks.add(ctx.keyspace.shard(i).stats());
  }

  InfoWriter w;
  if (want("server")) server_section(w, ctx);
  if (want("clients")) clients_section(w, ctx);
  if (want("memory")) memory_section(w, ctx);
  if (want("persistence")) persistence_section(w, ctx);
  if (want("stats")) {
    stats_section(w, totals, ks, ctx.server, ctx.keyspace.contest_log().period_scaled());
  }
  if (want("replication")) replication_section(w, ctx);
  if (want("cpu")) cpu_section(w);
  if (want("modules")) w.section("Modules");
  if (want("commandstats")) commandstats_section(w, ctx);
  if (want("errorstats")) errorstats_section(w, errors_by_code(ctx.server));
  if (want("latencystats")) latencystats_section(w, ctx);
  if (want("cluster")) {
    w.section("Cluster");
    w.field("cluster_enabled", 0);
  }
  if (want("keyspace")) keyspace_section(w, ctx);
  if (want("keyspace_prefixes")) prefixes_section(w, ctx);
  ctx.reply.verbatim(w.text());
}

}  // namespace

void register_info_commands(CommandTable& table) {
  table.add("info", cmd_info, kAllShards);
}

}  // namespace larder::commands
