// Diagnostics family: TIME, LASTSAVE, ROLE, SLOWLOG, LATENCY, MEMORY and
// DEBUG, in Redis 7.0's reply shapes and texts.
//
// What is real and what is not:
// - LATENCY's event monitor does not exist in Larder (it is Redis's
//   latency-monitor-threshold 0, its default): LATEST, HISTORY and RESET find
//   no events, GRAPH has no samples. LATENCY HISTOGRAM is real: it reads the
//   per-command duration buckets every event loop keeps (ServerStats).
// - MEMORY USAGE is an estimate from the entry layout (see memory_usage()).
// - MEMORY STATS only has the fields Larder can compute (see cmd_memory_stats).

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "larder/commands/command_table.h"
#include "larder/commands/families.h"
#include "larder/commands/memory_figures.h"
#include "larder/storage/entry.h"
#include "larder/util/memory.h"
#include "larder/util/numbers.h"
#include "larder/util/strings.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace larder::commands {

namespace {

using util::iequals;

using protocol::ReplyBuilder;

// Redis's addReplySubcommandSyntaxError(): "ERR unknown subcommand or wrong
// number of arguments for '<sub>'. Try <COMMAND> HELP." (sub cut at 128 bytes
// and at a NUL, as printf's %.128s).
void reply_subcommand_syntax_error(const CommandContext& ctx) {
  std::string_view sub = ctx.args[1];
  sub = sub.substr(0, sub.find('\0')).substr(0, 128);
  std::string_view cmd = ctx.args[0];
  cmd = cmd.substr(0, cmd.find('\0'));
  std::string text = "ERR unknown subcommand or wrong number of arguments for '";
  text.append(sub);
  text += "'. Try ";
  for (char c : cmd) text += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  text += " HELP.";
  ctx.reply.error(text);
}

// ---------------------------------------------------------------------------
// TIME, LASTSAVE, ROLE

void cmd_time(CommandContext& ctx) {
  using namespace std::chrono;
  const auto us = duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
  ctx.reply.array(2);
  ctx.reply.bulk(std::to_string(us / 1'000'000));
  ctx.reply.bulk(std::to_string(us % 1'000'000));
}

// Larder never saves: like Redis before its first save, the start time.
void cmd_lastsave(CommandContext& ctx) { ctx.reply.integer(ctx.server.persistence->last_save_time()); }

// A master without replicas: "master", replication offset 0, no replicas.
void cmd_role(CommandContext& ctx) {
  ctx.reply.array(3);
  ctx.reply.bulk("master");
  ctx.reply.integer(0);
  ctx.reply.array(0);
}

// ---------------------------------------------------------------------------
// SLOWLOG

constexpr std::string_view kSlowlogHelp[] = {
    "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "GET [<count>]",
    "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
    "    Entries are made of:",
    "    id, timestamp, time in microseconds, arguments array, client IP and port,",
    "    client name",
    "LEN",
    "    Return the length of the slowlog.",
    "RESET",
    "    Reset the slowlog.",
    "HELP",
    "    Prints this help.",
};

void cmd_slowlog_help(CommandContext& ctx) { ctx.reply.simple_lines(kSlowlogHelp); }

void cmd_slowlog_get(CommandContext& ctx) {
  if (ctx.args.size() > 3) {
    reply_subcommand_syntax_error(ctx);
    return;
  }
  std::size_t count = 10;
  if (ctx.args.size() == 3) {
    std::int64_t n = 0;
    if (!util::parse_int64(ctx.args[2], n) || n < -1) {
      ctx.reply.error("ERR count should be greater than or equal to -1");
      return;
    }
    count = n == -1 ? static_cast<std::size_t>(-1) : static_cast<std::size_t>(n);
  }
  const std::vector<SlowlogEntry> entries = ctx.server.slowlog.latest(count);
  ctx.reply.array(entries.size());
  for (const SlowlogEntry& e : entries) {
    ctx.reply.array(6);
    ctx.reply.integer(static_cast<std::int64_t>(e.id));
    ctx.reply.integer(e.time_s);
    ctx.reply.integer(e.duration_us);
    ctx.reply.array(e.args.size());
    for (const std::string& a : e.args) ctx.reply.bulk(a);
    ctx.reply.bulk(e.client_addr);
    ctx.reply.bulk(e.client_name);
  }
}

void cmd_slowlog_len(CommandContext& ctx) {
  ctx.reply.integer(static_cast<std::int64_t>(ctx.server.slowlog.size()));
}

void cmd_slowlog_reset(CommandContext& ctx) {
  ctx.server.slowlog.reset();
  ctx.reply.ok();
}

// ---------------------------------------------------------------------------
// LATENCY

constexpr std::string_view kLatencyHelp[] = {
    "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "DOCTOR",
    "    Return a human readable latency analysis report.",
    "GRAPH <event>",
    "    Return an ASCII latency graph for the <event> class.",
    "HISTORY <event>",
    "    Return time-latency samples for the <event> class.",
    "LATEST",
    "    Return the latest latency samples for all events.",
    "RESET [<event> ...]",
    "    Reset latency data of one or more <event> classes.",
    "    (default: reset all data for all event classes)",
    "HISTOGRAM [COMMAND ...]",
    "    Return a cumulative distribution of latencies in the format of a histogram for the "
    "specified command names.",
    "    If no commands are specified then all histograms are replied.",
    "HELP",
    "    Prints this help.",
};

void cmd_latency_help(CommandContext& ctx) { ctx.reply.simple_lines(kLatencyHelp); }

// No latency events are ever recorded (the monitor is disabled).
void cmd_latency_latest(CommandContext& ctx) { ctx.reply.array(0); }
void cmd_latency_history(CommandContext& ctx) { ctx.reply.array(0); }
void cmd_latency_reset(CommandContext& ctx) { ctx.reply.integer(0); }

void cmd_latency_graph(CommandContext& ctx) {
  std::string_view event = ctx.args[2];
  std::string text = "ERR No samples available for event '";
  text.append(event.substr(0, event.find('\0')));
  text += "'";
  ctx.reply.error(text);
}

void cmd_latency_doctor(CommandContext& ctx) {
  ctx.reply.verbatim(
      "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Larder "
      "instance: Larder has no latency event monitor. LATENCY HISTOGRAM reports the "
      "distribution of every command's execution time, and SLOWLOG the slowest commands.\n");
}

// Per-command duration buckets summed over every event loop. `calls` counts
// the samples, as hdr_histogram's total_count: not the calls made under
// latency-tracking no, nor blocking calls that timed out.
struct Histogram {
  std::uint64_t calls = 0;
  std::array<std::uint64_t, kLatencyBuckets> buckets{};
};

Histogram histogram_of(const CommandContext& ctx, const CommandSpec& spec) {
  Histogram h;
  for (const ServerStats* stats : ctx.server.loop_stats) {
    const CommandCounters& c = stats->commands[spec.index];
    for (std::size_t b = 0; b < kLatencyBuckets; ++b) {
      h.buckets[b] += c.latency(b);
      h.calls += c.latency(b);
    }
  }
  return h;
}

// Redis 7's fillCommandCDF(): {"calls": n, "histogram_usec": {bound: cumulative}},
// one pair per bucket that holds calls. Larder's bucket b holds calls that took
// less than 2^b microseconds, so its bound is 2^b (Redis's hdr_histogram
// reports 1, 2, 4, 8, 16, 33, 66, 132, ...: the same powers of two in ns/1024
// steps, rounded).
void reply_histogram(ReplyBuilder& reply, const Histogram& h) {
  std::size_t filled = 0;
  for (std::uint64_t n : h.buckets) filled += n != 0;
  reply.map(2);
  reply.bulk("calls");
  reply.integer(static_cast<std::int64_t>(h.calls));
  reply.bulk("histogram_usec");
  reply.map(filled);
  std::uint64_t cumulative = 0;
  for (std::size_t b = 0; b < kLatencyBuckets; ++b) {
    if (h.buckets[b] == 0) continue;
    cumulative += h.buckets[b];
    reply.integer(std::int64_t{1} << b);
    reply.integer(static_cast<std::int64_t>(cumulative));
  }
}

bool is_subcommand_of(const CommandSpec& spec, std::string_view container) {
  return spec.name.size() > container.size() && spec.name.starts_with(container) &&
         spec.name[container.size()] == '|';
}

void cmd_latency_histogram(CommandContext& ctx) {
  const CommandTable& table = CommandTable::instance();
  std::vector<std::pair<const CommandSpec*, Histogram>> out;
  auto add_if_called = [&](const CommandSpec& spec) {
    Histogram h = histogram_of(ctx, spec);
    if (h.calls > 0) out.emplace_back(&spec, h);
  };
  auto by_name = [](const auto& a, const auto& b) { return a.first->name < b.first->name; };
  if (ctx.args.size() == 2) {
    table.for_each(add_if_called);
    std::sort(out.begin(), out.end(), by_name);
  } else {
    // Each named command (unknown names skipped), then its subcommands.
    for (std::size_t i = 2; i < ctx.args.size(); ++i) {
      const CommandSpec* spec = table.find_full_name(ctx.args[i]);
      if (spec == nullptr) continue;
      add_if_called(*spec);
      if (spec->flags & kContainer) {
        const std::size_t first = out.size();
        table.for_each([&](const CommandSpec& row) {
          if (is_subcommand_of(row, spec->name)) add_if_called(row);
        });
        std::sort(out.begin() + static_cast<std::ptrdiff_t>(first), out.end(), by_name);
      }
    }
  }
  ctx.reply.map(out.size());
  for (const auto& [spec, h] : out) {
    ctx.reply.bulk(spec->name);
    reply_histogram(ctx.reply, h);
  }
}

// ---------------------------------------------------------------------------
// MEMORY

constexpr std::string_view kMemoryHelp[] = {
    "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "DOCTOR",
    "    Return memory problems reports.",
    "MALLOC-STATS",
    "    Return internal statistics report from the memory allocator.",
    "PURGE",
    "    Attempt to purge dirty pages for reclamation by the allocator.",
    "STATS",
    "    Return information about the memory usage of the server.",
    "USAGE <key> [SAMPLES <count>]",
    "    Return memory in bytes used by <key> and its value. Nested values are",
    "    sampled up to <count> times (default: 5, 0 means sample all).",
    "HELP",
    "    Prints this help.",
};

void cmd_memory_help(CommandContext& ctx) { ctx.reply.simple_lines(kMemoryHelp); }

// The bytes a key costs: its entry block as the allocator hands it out
// (util::slab_heap::cost: its slot, 8-byte rounding), the value
// object it owns (kept exact, so SAMPLES changes nothing) plus one 8-byte
// bucket pointer, the table's share per key at its full load factor.
constexpr std::size_t kBucketPointerBytes = 8;

std::size_t memory_usage(const storage::Entry& e) { return e.heap_bytes() + kBucketPointerBytes; }

void cmd_memory_usage(CommandContext& ctx) {
  for (std::size_t j = 3; j < ctx.args.size(); ++j) {
    if (iequals(ctx.args[j], "samples") && j + 1 < ctx.args.size()) {
      std::int64_t samples = 0;
      if (!util::parse_int64(ctx.args[j + 1], samples)) {
        ctx.reply.error("ERR value is not an integer or out of range");
        return;
      }
      if (samples < 0) {
        ctx.reply.error("ERR syntax error");
        return;
      }
      ++j;
    } else {
      ctx.reply.error("ERR syntax error");
      return;
    }
  }
  // Like Redis's dictFind: no keyspace hit or miss, no access stamp.
  storage::Db db = ctx.db();
  const storage::Entry* e = db.find_for_write(ctx.args[2]);
  if (e == nullptr) {
    ctx.reply.null();
    return;
  }
  ctx.reply.integer(static_cast<std::int64_t>(memory_usage(*e)));
}

// Redis 7.0's MEMORY STATS fields that Larder can compute, in Redis's order.
// Features Larder does not have (replication, AOF, Lua, functions, cluster)
// cost 0 bytes. Left out: the allocator.* and rss-overhead.* fields (jemalloc
// figures glibc does not give), and, until the server records its startup
// baseline (util::record_startup_allocated), startup.allocated and the fields
// derived from it (keys.bytes-per-key, dataset.bytes, dataset.percentage).
// clients.normal counts the clients' query and reply buffers; db.N's
// overhead.hashtable.main is the bucket arrays of that database's tables.
// Expiry times live inside the entries, so there is no expires table.
// A logically expired key is never sized (Redis 7.0 sizes one still in its
// dict): MEMORY USAGE replies null for it.
// peak.allocated is the highest reading taken so far (as Redis's, sampled).
void cmd_memory_stats(CommandContext& ctx) {
  const MemoryFigures m = memory_figures(ctx);
  const bool have_startup = m.startup > 0;

  const std::size_t fields = 15 + m.dbs.size() + (have_startup ? 4 : 0);
  ctx.reply.map(fields);
  auto num = [&](std::string_view name, std::size_t v) {
    ctx.reply.bulk(name);
    ctx.reply.integer(static_cast<std::int64_t>(v));
  };
  auto real = [&](std::string_view name, double v) {
    ctx.reply.bulk(name);
    ctx.reply.real(v);
  };
  num("peak.allocated", m.peak);
  num("total.allocated", m.allocated);
  if (have_startup) num("startup.allocated", m.startup);
  num("replication.backlog", 0);
  num("clients.slaves", 0);
  num("clients.normal", m.client_buffers);
  num("cluster.links", 0);
  num("aof.buffer", 0);
  num("lua.caches", 0);
  num("functions.caches", 0);
  for (const MemoryFigures::Db& db : m.dbs) {
    ctx.reply.bulk("db." + std::to_string(db.index));
    ctx.reply.map(3);
    num("overhead.hashtable.main", db.bucket_bytes);
    num("overhead.hashtable.expires", 0);
    num("overhead.hashtable.slot-to-keys", 0);  // no cluster mode
  }
  num("overhead.total", m.overhead);
  num("keys.count", m.keys);
  if (have_startup) {
    num("keys.bytes-per-key", m.keys > 0 ? m.net / m.keys : 0);
    num("dataset.bytes", m.dataset);
    real("dataset.percentage", static_cast<double>(m.dataset_perc));
  }
  real("peak.percentage", m.peak > 0 ? static_cast<double>(static_cast<float>(m.allocated) *
                                                           100 / static_cast<float>(m.peak))
                                     : 0.0);
  const double frag = m.allocated > 0 ? static_cast<double>(static_cast<float>(m.rss) /
                                                            static_cast<float>(m.allocated))
                                      : 0.0;
  real("fragmentation", frag);
  num("fragmentation.bytes", m.rss > m.allocated ? m.rss - m.allocated : 0);
  // Larder-specific, after Redis's fields.
  num("rss.bytes", m.rss);
}

// MEMORY DOCTOR: Redis's empty-instance and no-issue texts; the checks Larder
// can make (peak, RSS overhead, client buffers) with their findings.
void cmd_memory_doctor(CommandContext& ctx) {
  const ProcessMemory m = process_memory(ctx.server);
  std::string text;
  if (m.allocated < 5u * 1024 * 1024) {
    text =
        "Hi Sam, this instance is empty or is using very little memory, my issues detector "
        "can't be used in these conditions. Please, leave for your mission on Earth and fill it "
        "with some data. The new Sam and I will be back to our programming as soon as I "
        "finished rebooting.\n";
    ctx.reply.verbatim(text);
    return;
  }
  std::vector<std::string> issues;
  if (static_cast<double>(m.peak) / static_cast<double>(m.allocated) > 1.5) {
    issues.push_back(
        " * Peak memory: In the past this instance used more than 150% the memory that is "
        "currently using. The allocator is normally not able to release memory after a peak, so "
        "you can expect to see a big fragmentation ratio, however this is actually harmless and "
        "is only due to the memory peak, and if the Larder instance Resident Set Size (RSS) is "
        "currently bigger than expected, the memory will be used as soon as you fill the "
        "instance with more data. If the memory peak was only occasional and you want to try to "
        "reclaim memory, please try the MEMORY PURGE command, otherwise the only other option "
        "is to shutdown and restart the instance.\n\n");
  }
  const double frag = static_cast<double>(m.rss) / static_cast<double>(m.allocated);
  if (frag > 1.4 && m.rss - m.allocated > (10u << 20)) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.2f", frag);
    issues.push_back(
        std::string(" * High total RSS: This instance's Resident Set Size is ") + buf +
        " times the memory the allocators have handed out (this means that the process holds "
        "much more memory than its live allocations). This is usually due either to a large "
        "peak memory or to a workload that fragments the heap. MEMORY PURGE returns the "
        "allocators' free pages to the operating system. The allocators are glibc malloc and, "
        "for key-value blocks, Larder's slab heap.\n\n");
  }
  if (m.clients > 0 && m.client_buffers / m.clients > 200u * 1024) {
    issues.push_back(
        " * Big client buffers: The clients' query and reply buffers are in general too big "
        "(more than 200 KB per client on average). This may be caused by clients issuing big "
        "pipelines or by clients that read their replies slowly.\n\n");
  }
  if (issues.empty()) {
    text =
        "Hi Sam, I can't find any memory issue in your instance. I can only account for what "
        "occurs on this base.\n";
  } else {
    text = "Sam, I detected a few issues in this Larder instance memory implants:\n\n";
    for (const std::string& s : issues) text += s;
    text += "I'm here to keep you safe, Sam. I want to help you.\n";
  }
  ctx.reply.verbatim(text);
}

void cmd_memory_malloc_stats(CommandContext& ctx) {
  std::string text;
#if defined(__GLIBC__)
  char* buf = nullptr;
  std::size_t len = 0;
  if (std::FILE* f = open_memstream(&buf, &len)) {
    malloc_info(0, f);
    std::fclose(f);
    text.assign(buf, len);
  }
  std::free(buf);
#else
  text = "Stats not supported for the current allocator";
#endif
  ctx.reply.verbatim(text);
}

void cmd_memory_purge(CommandContext& ctx) {
  util::release_free_memory();
  ctx.reply.ok();
}

// ---------------------------------------------------------------------------
// DEBUG (only the subcommands Larder implements; the help lists those)

constexpr std::string_view kDebugHelp[] = {
    "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "RELOAD [option ...]",
    "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
    "    * MERGE: conflicting keys will be loaded from RDB.",
    "    * NOFLUSH: the existing database will not be removed before load, but",
    "      conflicting keys will generate an exception and kill the server.",
    "    * NOSAVE: the database will be loaded from an existing RDB file.",
    "    Examples:",
    "    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
    "      the database.",
    "    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
    "      existing RDB file.",
    "    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
    "      file to the database.",
    "SET-ACTIVE-EXPIRE <0|1>",
    "    Setting it to 0 disables expiring keys in background when they are not",
    "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
    "    default.",
    "SLEEP <seconds>",
    "    Stop the server for <seconds>. Decimals allowed.",
    "HELP",
    "    Prints this help.",
};

// DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save, empty, load back. A loaded
// key always replaces one of the same name (Redis aborts without MERGE).
void debug_reload(CommandContext& ctx) {
  bool save = true, flush = true;
  for (std::size_t i = 2; i < ctx.args.size(); ++i) {
    if (iequals(ctx.args[i], "noflush")) {
      flush = false;
    } else if (iequals(ctx.args[i], "nosave")) {
      save = false;
    } else if (!iequals(ctx.args[i], "merge")) {
      ctx.reply.error("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.");
      return;
    }
  }
  std::string error;
  if (ctx.server.persistence->reload(ctx.now_ms, save, flush, error)) {
    ctx.reply.ok();
  } else {
    ctx.reply.error(error);
  }
}

void cmd_debug(CommandContext& ctx) {
  const std::string_view sub = ctx.args[1];
  const std::size_t argc = ctx.args.size();
  if (argc == 2 && iequals(sub, "help")) {
    ctx.reply.simple_lines(kDebugHelp);
  } else if (argc == 3 && iequals(sub, "sleep")) {
    // strtod() of the argument, as Redis: "x" is 0, "1.5s" is 1.5; zero,
    // negative and non-finite times do not sleep.
    const std::string arg(ctx.args[2].substr(0, ctx.args[2].find('\0')));
    const double seconds = std::strtod(arg.c_str(), nullptr);
    const double usec = seconds * 1e6;
    if (std::isfinite(usec) && usec >= 1 && usec < 9.2e18) {
      std::this_thread::sleep_for(std::chrono::microseconds(static_cast<std::int64_t>(usec)));
    }
    ctx.reply.ok();
  } else if (iequals(sub, "reload")) {
    debug_reload(ctx);
  } else if (argc == 3 && iequals(sub, "set-active-expire")) {
    // atoi() of the argument, as Redis: anything but a non-zero number is 0.
    const std::string arg(ctx.args[2].substr(0, ctx.args[2].find('\0')));
    const bool on = std::strtoll(arg.c_str(), nullptr, 10) != 0;
    ctx.server.active_expire.store(on, std::memory_order_relaxed);
    ctx.reply.ok();
  } else {
    reply_subcommand_syntax_error(ctx);
  }
}

}  // namespace

void register_diagnostics_commands(CommandTable& table) {
  table.add("time", cmd_time);
  table.add("lastsave", cmd_lastsave);
  table.add("role", cmd_role);

  table.add("slowlog", cmd_slowlog_help);
  table.add("slowlog|get", cmd_slowlog_get);
  table.add("slowlog|len", cmd_slowlog_len);
  table.add("slowlog|reset", cmd_slowlog_reset);
  table.add("slowlog|help", cmd_slowlog_help);

  table.add("latency", cmd_latency_help);
  table.add("latency|latest", cmd_latency_latest);
  table.add("latency|histogram", cmd_latency_histogram);
  table.add("latency|reset", cmd_latency_reset);
  table.add("latency|history", cmd_latency_history);
  table.add("latency|graph", cmd_latency_graph);
  table.add("latency|doctor", cmd_latency_doctor);
  table.add("latency|help", cmd_latency_help);

  table.add("memory", cmd_memory_help);
  table.add("memory|usage", cmd_memory_usage);
  table.add("memory|stats", cmd_memory_stats, kAllShards);
  table.add("memory|doctor", cmd_memory_doctor);
  table.add("memory|malloc-stats", cmd_memory_malloc_stats);
  table.add("memory|purge", cmd_memory_purge);
  table.add("memory|help", cmd_memory_help);

  // A single command in Redis 7.0, not a container: its subcommands are
  // parsed by the handler.
  // DEBUG RELOAD replaces the whole keyspace: every shard is locked.
  table.add("debug", cmd_debug, kProtected | kAllShards);
}

}  // namespace larder::commands
