#include <catch2/catch.hpp>

#include <limits>
#include <string>

#include "larder/server/metrics_server.h"
#include "larder/server/server_context.h"
#include "larder/storage/db.h"
#include "larder/util/clock.h"

using namespace larder;
using larder::server::MetricFamily;

namespace {

struct Fixture {
  config::Settings settings;
  server::ServerContext context{settings, config::Options::from(settings)};
  asio::io_context io;
  server::MetricsServer metrics{io, context};
};

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("label values and HELP text are escaped", "[metrics]") {
  CHECK(server::escape_label_value("plain") == "plain");
  CHECK(server::escape_label_value("a\\b") == "a\\\\b");
  CHECK(server::escape_label_value("say \"hi\"") == "say \\\"hi\\\"");
  CHECK(server::escape_label_value("two\nlines") == "two\\nlines");
  CHECK(server::escape_label_value("client|list") == "client|list");
  // Valid UTF-8 passes; any other byte becomes \\xNN (the label text \xNN).
  CHECK(server::escape_label_value("caf\xC3\xA9") == "caf\xC3\xA9");
  CHECK(server::escape_label_value("\xF0\x9F\x8D\x95") == "\xF0\x9F\x8D\x95");
  CHECK(server::escape_label_value("a\xFF" "b") == "a\\\\xFFb");
  CHECK(server::escape_label_value("\xC3") == "\\\\xC3");                     // truncated sequence
  CHECK(server::escape_label_value("\xC0\xAF") == "\\\\xC0\\\\xAF");           // overlong '/'
  CHECK(server::escape_label_value("\xED\xA0\x80") == "\\\\xED\\\\xA0\\\\x80");  // surrogate
  CHECK(server::escape_help("a\\b\nc \"q\"") == "a\\\\b\\nc \"q\"");
}

TEST_CASE("sample values", "[metrics]") {
  CHECK(server::format_metric_value(0) == "0");
  CHECK(server::format_metric_value(42) == "42");
  CHECK(server::format_metric_value(-3) == "-3");
  CHECK(server::format_metric_value(9007199254740991.0) == "9007199254740991");
  CHECK(std::stod(server::format_metric_value(18446744073709551615.0)) == 18446744073709551615.0);
  CHECK(server::format_metric_value(1e-7) == "1e-07");
  CHECK(server::format_metric_value(0.25) == "0.25");
  CHECK(server::format_metric_value(std::numeric_limits<double>::quiet_NaN()) == "NaN");
  CHECK(server::format_metric_value(std::numeric_limits<double>::infinity()) == "+Inf");
  CHECK(server::format_metric_value(-std::numeric_limits<double>::infinity()) == "-Inf");
}

TEST_CASE("families render as HELP, TYPE, then samples", "[metrics]") {
  std::vector<MetricFamily> families = {
      {"larder_up", "Always 1.", "gauge", {{{}, 1}}},
      {"larder_requests_total",
       "Requests\nby path.",
       "counter",
       {{{{"cmd", "get"}}, 3}, {{{"cmd", "we\"ird\\"}, {"db", "0"}}, 1.5}}},
  };
  CHECK(server::render_prometheus(families) ==
        "# HELP larder_up Always 1.\n"
        "# TYPE larder_up gauge\n"
        "larder_up 1\n"
        "# HELP larder_requests_total Requests\\nby path.\n"
        "# TYPE larder_requests_total counter\n"
        "larder_requests_total{cmd=\"get\"} 3\n"
        "larder_requests_total{cmd=\"we\\\"ird\\\\\",db=\"0\"} 1.5\n");
  CHECK(server::render_prometheus({}).empty());
}

TEST_CASE("collected metrics follow the keyspace and statistics", "[metrics]") {
  Fixture f;
  const std::int64_t now = util::unix_time_ms();
  storage::Db db0(f.context.keyspace, 0, now);
  db0.set("a", "1", storage::kNoExpire);
  db0.set("b", "2", now + 100000);
  storage::Db db3(f.context.keyspace, 3, now);
  db3.set("c", "3", storage::kNoExpire);
  CHECK(db0.find_for_read("a") != nullptr);
  CHECK(db0.find_for_read("missing") == nullptr);
  CHECK(db0.find_for_read("missing2") == nullptr);
  CHECK(db0.find_for_read("b") != nullptr);
  db0.set("user:1", "x", storage::kNoExpire);
  CHECK(db0.find_for_read("user:1") != nullptr);
  CHECK(db0.find_for_read("user:2") == nullptr);
  CHECK(db0.find_for_read("user:3") == nullptr);
  CHECK(db0.find_for_read("user:1") != nullptr);

  const std::string text = server::render_prometheus(server::collect_metrics(f.context));
  CHECK(contains(text, "\nlarder_db_keys{db=\"0\"} 3\n"));
  CHECK(contains(text, "\nlarder_db_keys{db=\"3\"} 1\n"));
  CHECK(contains(text, "\nlarder_db_keys{db=\"15\"} 0\n"));
  CHECK(contains(text, "\nlarder_db_keys_expiring{db=\"0\"} 1\n"));
  CHECK(contains(text, "\nlarder_keyspace_hits_total 4\n"));
  CHECK(contains(text, "\nlarder_keyspace_misses_total 4\n"));
  CHECK(contains(text, "\nlarder_keyspace_hit_ratio 0.5\n"));
  CHECK(contains(text, "\nlarder_keyspace_prefix_hits_total{prefix=\"user\"} 2\n"));
  CHECK(contains(text, "\nlarder_keyspace_prefix_misses_total{prefix=\"user\"} 2\n"));
  CHECK(contains(text, "\nlarder_keyspace_prefix_hit_ratio{prefix=\"user\"} 0.5\n"));
  CHECK(contains(text, "\nlarder_keyspace_prefix_hits_total{prefix=\"(none)\"} 2\n"));
  CHECK(contains(text, "\nlarder_evicted_keys_total 0\n"));
  CHECK(contains(text, "# TYPE larder_commands_processed_total counter\n"));
  CHECK(contains(text, "\nlarder_commands_processed_total{cmd=\"get\"} 0\n"));
  CHECK(contains(text, "\nlarder_uptime_seconds "));
  CHECK(contains(text, "\nlarder_memory_used_bytes "));
}

TEST_CASE("HTTP responses: 200, 404, 405, 400", "[metrics]") {
  Fixture f;
  std::string ok = f.metrics.respond("GET /metrics HTTP/1.1\r\nHost: x");
  CHECK(ok.starts_with("HTTP/1.1 200 OK\r\n"));
  CHECK(contains(ok, "\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"));
  CHECK(contains(ok, "\r\nConnection: close\r\n"));
  const auto body = ok.substr(ok.find("\r\n\r\n") + 4);
  CHECK(contains(ok, "Content-Length: " + std::to_string(body.size()) + "\r\n"));
  CHECK(body.starts_with("# HELP larder_"));

  CHECK(f.metrics.respond("GET /metrics?x=1 HTTP/1.0").starts_with("HTTP/1.1 200 OK\r\n"));
  std::string head = f.metrics.respond("HEAD /metrics HTTP/1.1");
  CHECK(head.starts_with("HTTP/1.1 200 OK\r\n"));
  CHECK(head.ends_with("\r\n\r\n"));
  CHECK(f.metrics.respond("GET / HTTP/1.1").starts_with("HTTP/1.1 404 Not Found\r\n"));
  CHECK(f.metrics.respond("GET /metricsx HTTP/1.1").starts_with("HTTP/1.1 404 "));
  std::string post = f.metrics.respond("POST /metrics HTTP/1.1\r\nContent-Length: 3");
  CHECK(post.starts_with("HTTP/1.1 405 Method Not Allowed\r\n"));
  CHECK(contains(post, "\r\nAllow: GET, HEAD\r\n"));
  CHECK(f.metrics.respond("").starts_with("HTTP/1.1 400 "));
  CHECK(f.metrics.respond("GET /metrics").starts_with("HTTP/1.1 400 "));
  CHECK(f.metrics.respond("GET /metrics SMTP/1.0").starts_with("HTTP/1.1 400 "));
  CHECK(f.metrics.respond("\x01\x02\xff garbage").starts_with("HTTP/1.1 400 "));
}

TEST_CASE("extra families are appended to a scrape", "[metrics]") {
  Fixture f;
  f.metrics.set_extra([] {
    return std::vector<MetricFamily>{{"larder_extra_example", "An extra family.", "gauge",
                                      {{{{"prefix", "user:"}}, 0.75}}}};
  });
  const std::string ok = f.metrics.respond("GET /metrics HTTP/1.1");
  CHECK(contains(ok, "\nlarder_extra_example{prefix=\"user:\"} 0.75\n"));
}
