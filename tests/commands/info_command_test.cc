#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "../support/command_harness.h"
#include "larder/util/clock.h"

using larder::testing::CommandHarness;

namespace {

std::string body(const std::string& reply) {
  REQUIRE(reply.size() >= 5);
  REQUIRE(reply[0] == '$');
  auto start = reply.find("\r\n") + 2;
  REQUIRE(std::stoul(reply.substr(1)) == reply.size() - start - 2);
  return reply.substr(start, reply.size() - start - 2);
}

std::vector<std::string> titles(const std::string& text) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while ((pos = text.find("# ", pos)) != std::string::npos) {
    if (pos == 0 || text.compare(pos - 2, 2, "\r\n") == 0) {
      out.push_back(text.substr(pos + 2, text.find("\r\n", pos) - pos - 2));
    }
    pos += 2;
  }
  return out;
}

std::string value(const std::string& text, const std::string& name) {
  auto pos = text.find("\r\n" + name + ":");
  REQUIRE(pos != std::string::npos);
  pos += name.size() + 3;
  return text.substr(pos, text.find("\r\n", pos) - pos);
}

}  // namespace

TEST_CASE("INFO sections: default, all, one, several, unknown", "[info]") {
  CommandHarness h;
  const std::vector<std::string> dflt = {"Server", "Clients", "Memory", "Persistence", "Stats", "Replication",
                                         "CPU", "Modules", "Errorstats", "Cluster", "Keyspace"};  // INFO default
  CHECK(titles(body(h.run({"INFO"}))) == dflt);
  CHECK(titles(body(h.run({"INFO", "default"}))) == dflt);
  std::vector<std::string> all = dflt;
  all.insert(all.begin() + 8, "Commandstats");
  all.insert(all.begin() + 10, "Latencystats");  // after Errorstats, as Redis 7
  // Larder-only sections (Keyspace_prefixes) may follow Redis's.
  auto redis_part = [](std::vector<std::string> t) {
    std::erase(t, std::string("Keyspace_prefixes"));
    return t;
  };
  CHECK(redis_part(titles(body(h.run({"INFO", "all"})))) == all);
  CHECK(redis_part(titles(body(h.run({"INFO", "everything"})))) == all);
  CHECK(titles(body(h.run({"INFO", "server"}))) == std::vector<std::string>{"Server"});
  CHECK(titles(body(h.run({"INFO", "STATS"}))) == std::vector<std::string>{"Stats"});
  CHECK(titles(body(h.run({"INFO", "keyspace", "server"}))) == std::vector<std::string>{"Server", "Keyspace"});
  CHECK(h.run({"INFO", "nosuchsection"}) == "$0\r\n\r\n");
  const std::string server = body(h.run({"INFO", "server"}));
  CHECK(server.rfind("# Server\r\nredis_version:7.0.15\r\n", 0) == 0);
  CHECK(server.substr(server.size() - 2) == "\r\n");
  // RESP3: a verbatim string.
  h.run({"HELLO", "3"});
  CHECK(h.run({"INFO", "cluster"}) == "=34\r\ntxt:# Cluster\r\ncluster_enabled:0\r\n\r\n");
}

TEST_CASE("INFO counters move", "[info]") {
  CommandHarness h;
  const auto stats = [&] { return body(h.run({"INFO", "stats"})); };
  const std::uint64_t cmds0 = std::stoull(value(stats(), "total_commands_processed"));
  CHECK(value(stats(), "keyspace_hits") == "0");
  h.run({"SET", "a", "1"});
  h.run({"GET", "a"});
  h.run({"GET", "a"});
  h.run({"GET", "nope"});
  const std::string s = stats();
  CHECK(value(s, "keyspace_hits") == "2");
  CHECK(value(s, "keyspace_misses") == "1");
  // The two INFO calls before and the four commands.
  CHECK(std::stoull(value(s, "total_commands_processed")) == cmds0 + 6);

  CHECK(body(h.run({"INFO", "keyspace"})) == "# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\n");
  h.run({"SET", "b", "2", "EX", "100"});
  h.run({"SELECT", "5"});
  h.run({"SET", "c", "3"});
  const std::string ks = body(h.run({"INFO", "keyspace"}));
  CHECK(ks.rfind("# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=", 0) == 0);
  CHECK(ks.find("\r\ndb5:keys=1,expires=0,avg_ttl=0\r\n") != std::string::npos);

  h.advance(101'000);
  h.run({"SELECT", "0"});
  h.run({"GET", "b"});
  const std::string after = stats();
  CHECK(value(after, "expired_keys") == "1");
  CHECK(body(h.run({"INFO", "keyspace"})).rfind("# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\n", 0) == 0);
}

TEST_CASE("FLUSHDB and FLUSHALL restart avg_ttl; SWAPDB swaps it", "[info]") {
  CommandHarness h;
  h.keyspace().sample_ttl(0, 86'400'000);
  h.keyspace().sample_ttl(1, 777);
  h.keyspace().sample_ttl(2, 999);
  h.run({"SWAPDB", "0", "1"});
  CHECK(h.keyspace().avg_ttl(0) == 777);
  CHECK(h.keyspace().avg_ttl(1) == 86'400'000);
  h.run({"FLUSHDB"});
  CHECK(h.keyspace().avg_ttl(0) == 0);
  CHECK(h.keyspace().avg_ttl(1) == 86'400'000);
  h.run({"FLUSHALL"});
  CHECK(h.keyspace().avg_ttl(1) == 0);
  CHECK(h.keyspace().avg_ttl(2) == 0);
}

TEST_CASE("INFO clients, commandstats and errorstats", "[info]") {
  CommandHarness h;
  h.add_client();
  CHECK(value(body(h.run({"INFO", "clients"})), "connected_clients") == "2");
  h.run({"GET", "a"});
  h.run({"NOSUCH"});
  h.run({"SET", "a", "x"});
  h.run({"INCR", "a"});
  const std::string cs = body(h.run({"INFO", "commandstats"}));
  CHECK(cs.find("\r\ncmdstat_incr:calls=1,usec=") != std::string::npos);
  CHECK(cs.find(",rejected_calls=0,failed_calls=1\r\n") != std::string::npos);
  CHECK(body(h.run({"INFO", "errorstats"})) == "# Errorstats\r\nerrorstat_ERR:count=2\r\n");
}

TEST_CASE("INFO commandstats counts arity errors as rejected calls", "[info]") {
  CommandHarness h;
  h.run({"GET", "a", "b"});
  const std::string cs = body(h.run({"INFO", "commandstats"}));
  CHECK(cs.find("\r\ncmdstat_get:calls=0,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=0\r\n") !=
        std::string::npos);
}

TEST_CASE("INFO instantaneous rates, and RESETSTAT zeroes them", "[info]") {
  CommandHarness h;
  const auto stats = [&] { return body(h.run({"INFO", "stats"})); };
  CHECK(value(stats(), "instantaneous_ops_per_sec") == "0");
  CHECK(value(stats(), "instantaneous_input_kbps") == "0.00");
  CHECK(value(stats(), "instantaneous_output_kbps") == "0.00");
  auto& rates = h.services().instantaneous;
  const std::int64_t t0 = larder::util::steady_ms();
  rates.reset(t0);  // the samples below start from here
  // 16 samples a second apart: 1600 commands/s, 1 KiB/s in, 0.5 KiB/s out.
  for (std::uint64_t i = 1; i <= 16; ++i) {
    rates.sample(t0 + 1000 * static_cast<std::int64_t>(i), {1600 * i, 1024 * i, 512 * i});
  }
  const std::string s = stats();
  CHECK(value(s, "instantaneous_ops_per_sec") == "1600");
  CHECK(value(s, "instantaneous_input_kbps") == "1.00");
  CHECK(value(s, "instantaneous_output_kbps") == "0.50");
  // Redis's order: ops after total_commands_processed, kbps after the byte totals.
  CHECK(s.find("total_commands_processed:") < s.find("instantaneous_ops_per_sec:"));
  CHECK(s.find("instantaneous_ops_per_sec:") < s.find("total_net_input_bytes:"));
  CHECK(s.find("total_net_output_bytes:") < s.find("instantaneous_input_kbps:"));
  CHECK(s.find("instantaneous_output_kbps:") < s.find("rejected_connections:"));
  CHECK(h.run({"CONFIG", "RESETSTAT"}) == "+OK\r\n");
  CHECK(value(stats(), "instantaneous_ops_per_sec") == "0");
  CHECK(value(stats(), "instantaneous_input_kbps") == "0.00");
}

TEST_CASE("INFO memory's overhead and dataset add up to used_memory", "[info]") {
  CommandHarness h;
  for (int i = 0; i < 200; ++i) h.run({"SET", "key:" + std::to_string(i), std::string(100, 'v')});
  const std::string m = body(h.run({"INFO", "memory"}));
  const std::uint64_t used = std::stoull(value(m, "used_memory"));
  const std::uint64_t overhead = std::stoull(value(m, "used_memory_overhead"));
  const std::uint64_t startup = std::stoull(value(m, "used_memory_startup"));
  const std::uint64_t dataset = std::stoull(value(m, "used_memory_dataset"));
  // The overhead holds the startup memory and the bucket arrays of the keys' tables.
  CHECK(overhead >= startup + 200 * sizeof(void*) / 4);
  CHECK(overhead + dataset == used);
  // Redis's order: overhead between the peak and the startup figures.
  CHECK(m.find("used_memory_peak_perc:") < m.find("used_memory_overhead:"));
  CHECK(m.find("used_memory_overhead:") < m.find("used_memory_startup:"));
}

TEST_CASE("INFO stats: the time spent over maxmemory with nothing evictable", "[info]") {
  CommandHarness h;
  h.run({"SET", "k", std::string(100, 'v')});
  const auto stats = [&] { return body(h.run({"INFO", "stats"})); };
  CHECK(value(stats(), "current_eviction_exceeded_time") == "0");
  CHECK(h.run({"CONFIG", "SET", "maxmemory-policy", "noeviction"}) == "+OK\r\n");
  CHECK(h.run({"CONFIG", "SET", "maxmemory", "1"}) == "+OK\r\n");
  CHECK(h.run({"SET", "x", "y"}).rfind("-OOM ", 0) == 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::string s = stats();
  const std::uint64_t current = std::stoull(value(s, "current_eviction_exceeded_time"));
  CHECK(current >= 5);
  CHECK(std::stoull(value(s, "total_eviction_exceeded_time")) >= current);
  // Room again: the next command closes the period into the total.
  CHECK(h.run({"CONFIG", "SET", "maxmemory", "0"}) == "+OK\r\n");
  s = stats();
  CHECK(value(s, "current_eviction_exceeded_time") == "0");
  CHECK(std::stoull(value(s, "total_eviction_exceeded_time")) >= current);
  CHECK(h.run({"CONFIG", "RESETSTAT"}) == "+OK\r\n");
  CHECK(value(stats(), "total_eviction_exceeded_time") == "0");
}

TEST_CASE("INFO memory: what maxmemory does not count, and the absent features' buffers", "[info]") {
  CommandHarness h;
  const std::string m = body(h.run({"INFO", "memory"}));
  CHECK(std::stoull(value(m, "mem_not_counted_for_evict")) <= std::stoull(value(m, "used_memory")));
  for (const char* zero : {"mem_replication_backlog", "mem_total_replication_buffers", "mem_clients_slaves",
                           "mem_cluster_links", "mem_aof_buffer", "lazyfreed_objects"}) {
    CHECK(value(m, zero) == "0");
  }
  // Redis's order: after the fragmentation figures, before the allocator.
  CHECK(m.find("mem_fragmentation_bytes:") < m.find("mem_not_counted_for_evict:"));
  CHECK(m.find("mem_aof_buffer:") < m.find("mem_allocator:"));
  CHECK(m.find("lazyfree_pending_objects:") < m.find("lazyfreed_objects:"));
}
