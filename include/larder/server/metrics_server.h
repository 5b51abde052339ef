#pragma once
// Prometheus metrics over HTTP (`metrics-port`, `metrics-bind`): a minimal
// HTTP/1.1 server on event loop 0 that answers `GET /metrics` with the text
// exposition format 0.0.4. One request per connection (Connection: close);
// requests are bounded in size (kMaxRequestBytes) and in time (kReadTimeout),
// and the number of open metric connections is capped.
//
// Gathering takes each shard's lock in turn (never two at once), so a scrape
// costs about as much as DBSIZE.

#include <asio.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace larder::server {

struct ServerContext;

struct MetricSample {
  std::vector<std::pair<std::string, std::string>> labels;  // name, raw value
  double value = 0;
};

// One metric family: its `# HELP` and `# TYPE` lines and its samples.
struct MetricFamily {
  std::string name;
  std::string help;
  std::string type;  // "counter" or "gauge"
  std::vector<MetricSample> samples;
};

// Label values escaped as the text format wants: \ -> \\, " -> \", LF -> \n.
std::string escape_label_value(std::string_view value);
// HELP text escaped: \ -> \\, LF -> \n.
std::string escape_help(std::string_view text);
// Sample value: integers exactly (up to 2^53), else shortest round-trip
// decimal; NaN, +Inf, -Inf as Prometheus spells them.
std::string format_metric_value(double value);
// The whole exposition: for each family HELP, TYPE, then its samples.
std::string render_prometheus(const std::vector<MetricFamily>& families);

// Extra families appended to every scrape (e.g. per-prefix hit ratios);
// called on event loop 0's thread.
using ExtraMetrics = std::function<std::vector<MetricFamily>()>;

// Reads every larder_* metric from the server's statistics and keyspace.
std::vector<MetricFamily> collect_metrics(ServerContext& context);

class MetricsServer {
 public:
  static constexpr std::size_t kMaxRequestBytes = 8 * 1024;
  static constexpr std::chrono::seconds kReadTimeout{5};
  static constexpr std::size_t kMaxConnections = 64;

  MetricsServer(asio::io_context& io, ServerContext& context);
  ~MetricsServer();

  // Listens on address:port; logs and returns false on failure.
  bool start(const std::string& address, int port);
  // Closes the listener and every open metrics connection (loop 0's thread).
  // The server must outlive the io_context's running: sessions refer to it.
  void stop();
  // The port listened on (useful with port 0 in tests).
  int port() const { return port_; }
  void set_extra(ExtraMetrics extra) { extra_ = std::move(extra); }

  // The complete HTTP response to one request head (the bytes before the
  // blank line): 200 with the metrics, 400, 404 or 405. Exposed for tests.
  std::string respond(std::string_view request_head);

  class Session;

 private:
  void accept();

  asio::io_context& io_;
  ServerContext& context_;
  asio::ip::tcp::acceptor acceptor_;
  std::vector<std::weak_ptr<Session>> sessions_;
  ExtraMetrics extra_;
  int port_ = 0;
  bool stopped_ = false;
};

}  // namespace larder::server
