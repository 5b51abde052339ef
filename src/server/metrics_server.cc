#include "larder/server/metrics_server.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <map>
#include <mutex>

#include "larder/commands/command_table.h"
#include "larder/server/server_context.h"
#include "larder/util/clock.h"
#include "larder/util/memory.h"

namespace larder::server {

// ---------------------------------------------------------------------------
// Text exposition format
// ---------------------------------------------------------------------------

namespace {
// Length of the well-formed UTF-8 sequence at the start of `s` (no overlong
// forms, surrogates or code points past U+10FFFF), or 0.
std::size_t utf8_sequence(std::string_view s) {
  const auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const auto cont = [&](std::size_t i) { return i < s.size() && (b(i) & 0xC0) == 0x80; };
  const unsigned char c = b(0);
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    if ((c == 0xE0 && b(1) < 0xA0) || (c == 0xED && b(1) > 0x9F)) return 0;
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if ((c == 0xF0 && b(1) < 0x90) || (c == 0xF4 && b(1) > 0x8F)) return 0;
    return 4;
  }
  return 0;
}
}  // namespace

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  while (!value.empty()) {
    const std::size_t n = utf8_sequence(value);
    if (n == 0) {
      // Not UTF-8: spelled as the text \xNN, so the exposition stays valid.
      static constexpr char kHex[] = "0123456789ABCDEF";
      const auto byte = static_cast<unsigned char>(value[0]);
      out += "\\\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
      value.remove_prefix(1);
      continue;
    }
    const char c = value[0];
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.append(value.substr(0, n));
    }
    value.remove_prefix(n);
  }
  return out;
}

std::string escape_help(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string format_metric_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  std::array<char, 64> buf{};
  if (value == std::trunc(value) && std::fabs(value) < 9007199254740992.0) {
    auto r = std::to_chars(buf.data(), buf.data() + buf.size(), static_cast<std::int64_t>(value));
    return std::string(buf.data(), r.ptr);
  }
  auto r = std::to_chars(buf.data(), buf.data() + buf.size(), value);
  return std::string(buf.data(), r.ptr);
}

std::string render_prometheus(const std::vector<MetricFamily>& families) {
  std::string out;
  out.reserve(families.size() * 128);
  for (const MetricFamily& f : families) {
    out += "# HELP " + f.name + " " + escape_help(f.help) + "\n";
    out += "# TYPE " + f.name + " " + f.type + "\n";
    for (const MetricSample& s : f.samples) {
      out += f.name;
      if (!s.labels.empty()) {
        out += '{';
        for (std::size_t i = 0; i < s.labels.size(); ++i) {
          if (i > 0) out += ',';
          out += s.labels[i].first + "=\"" + escape_label_value(s.labels[i].second) + "\"";
        }
        out += '}';
      }
      out += ' ';
      out += format_metric_value(s.value);
      out += '\n';
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Gathering
// ---------------------------------------------------------------------------

namespace {

MetricFamily family(std::string name, std::string type, std::string help, double value) {
  return {std::move(name), std::move(help), std::move(type), {{{}, value}}};
}

double ratio(std::uint64_t hits, std::uint64_t misses) {
  return hits + misses == 0 ? 0.0 : static_cast<double>(hits) / static_cast<double>(hits + misses);
}

}  // namespace

std::vector<MetricFamily> collect_metrics(ServerContext& context) {
  const commands::ServerServices& services = context.services;
  const commands::StatsTotals totals = commands::sum_stats(services.loop_stats);

  // One shard lock at a time: a scrape never holds two.
  std::uint64_t hits = 0, misses = 0, expired = 0, evicted = 0;
  const int databases = context.keyspace.databases();
  std::vector<std::uint64_t> keys(static_cast<std::size_t>(databases), 0);
  std::vector<std::uint64_t> expires(static_cast<std::size_t>(databases), 0);
  std::map<std::string, storage::PrefixStats::Counts> prefixes;
  for (std::size_t i = 0; i < storage::kShardCount; ++i) {
    storage::Shard& shard = context.keyspace.shard(i);
    std::lock_guard lock(shard.mutex());
    const storage::ShardStats& st = shard.stats();
    hits += st.keyspace_hits;
    misses += st.keyspace_misses;
    expired += st.expired_keys;
    evicted += st.evicted_keys;
    shard.prefix_stats().for_each([&](const std::string& prefix, const storage::PrefixStats::Counts& c) {
      auto& total = prefixes[prefix.empty() ? "(none)" : prefix];
      total.hits += c.hits;
      total.misses += c.misses;
    });
    for (int db = 0; db < shard.table_count(); ++db) {
      const storage::Table& t = shard.table(db);
      keys[static_cast<std::size_t>(db)] += t.size();
      expires[static_cast<std::size_t>(db)] += t.volatile_count();
    }
  }

  std::vector<MetricFamily> out;
  out.push_back({"larder_build_info", "Larder version (the value is always 1).", "gauge",
                 {{{{"version", LARDER_VERSION}, {"redis_version", "7.0.15"}}, 1}}});
  const double uptime = static_cast<double>(util::unix_time_ms() - services.start_time_ms) / 1000.0;
  out.push_back(family("larder_uptime_seconds", "gauge", "Seconds since the server started.",
                       std::max(0.0, uptime)));
  out.push_back(family("larder_connected_clients", "gauge", "Client connections currently open.",
                       static_cast<double>(services.clients.size())));
  out.push_back(family("larder_connections_received_total", "counter",
                       "Client connections accepted since startup.", static_cast<double>(totals.connections_received)));
  out.push_back(family("larder_rejected_connections_total", "counter",
                       "Client connections refused because of maxclients.", static_cast<double>(totals.rejected_connections)));

  MetricFamily commands{"larder_commands_processed_total", "Commands executed, by command.", "counter", {}};
  std::vector<const commands::CommandSpec*> rows;
  context.commands.for_each([&](const commands::CommandSpec& spec) { rows.push_back(&spec); });
  std::sort(rows.begin(), rows.end(), [](auto* a, auto* b) { return a->name < b->name; });
  for (const commands::CommandSpec* spec : rows) {
    std::uint64_t calls = 0;
    for (const commands::ServerStats* s : services.loop_stats) calls += s->commands[spec->index].calls.get();
    // Containers (CLIENT, CONFIG, ...) count their calls on their subcommands.
    if ((spec->flags & commands::kContainer) != 0 && calls == 0) continue;
    commands.samples.push_back({{{"cmd", std::string(spec->name)}}, static_cast<double>(calls)});
  }
  out.push_back(std::move(commands));

  out.push_back(family("larder_errors_total", "counter", "Error replies sent.", static_cast<double>(totals.error_replies)));
  out.push_back(family("larder_net_input_bytes_total", "counter", "Bytes read from clients.",
                       static_cast<double>(totals.net_input_bytes)));
  out.push_back(family("larder_net_output_bytes_total", "counter", "Bytes written to clients.",
                       static_cast<double>(totals.net_output_bytes)));
  out.push_back(family("larder_keyspace_hits_total", "counter", "Key lookups that found the key.",
                       static_cast<double>(hits)));
  out.push_back(family("larder_keyspace_misses_total", "counter", "Key lookups that did not find the key.",
                       static_cast<double>(misses)));
  out.push_back(family("larder_keyspace_hit_ratio", "gauge",
                       "hits / (hits + misses) since startup; 0 before the first lookup.",
                       ratio(hits, misses)));
  // Reads by key prefix (the text before the first ':'; "(none)" without one,
  // "(other)" past the per-shard limit of distinct prefixes).
  MetricFamily prefix_hits{"larder_keyspace_prefix_hits_total", "Key lookups that found the key, by key prefix.",
                           "counter", {}};
  MetricFamily prefix_misses{"larder_keyspace_prefix_misses_total",
                             "Key lookups that did not find the key, by key prefix.", "counter", {}};
  MetricFamily prefix_ratio{"larder_keyspace_prefix_hit_ratio", "hits / (hits + misses) by key prefix.", "gauge", {}};
  for (const auto& [prefix, c] : prefixes) {
    prefix_hits.samples.push_back({{{"prefix", prefix}}, static_cast<double>(c.hits)});
    prefix_misses.samples.push_back({{{"prefix", prefix}}, static_cast<double>(c.misses)});
    prefix_ratio.samples.push_back({{{"prefix", prefix}}, ratio(c.hits, c.misses)});
  }
  out.push_back(std::move(prefix_hits));
  out.push_back(std::move(prefix_misses));
  out.push_back(std::move(prefix_ratio));
  out.push_back(family("larder_expired_keys_total", "counter", "Keys deleted because their TTL passed.",
                       static_cast<double>(expired)));
  out.push_back(family("larder_evicted_keys_total", "counter", "Keys evicted to stay under maxmemory.",
                       static_cast<double>(evicted)));
  out.push_back(family("larder_memory_used_bytes", "gauge", "Bytes allocated by the server (INFO used_memory).",
                       static_cast<double>(util::allocated_bytes())));
  out.push_back(family("larder_maxmemory_bytes", "gauge", "The maxmemory limit; 0 means none.",
                       static_cast<double>(context.live.maxmemory())));
  out.push_back(family("larder_memory_rss_bytes", "gauge", "Resident set size of the process.",
                       static_cast<double>(util::rss_bytes())));

  MetricFamily db_keys{"larder_db_keys", "Keys per database.", "gauge", {}};
  MetricFamily db_expires{"larder_db_keys_expiring", "Keys with a TTL per database.", "gauge", {}};
  for (int db = 0; db < databases; ++db) {
    db_keys.samples.push_back({{{"db", std::to_string(db)}}, static_cast<double>(keys[static_cast<std::size_t>(db)])});
    db_expires.samples.push_back(
        {{{"db", std::to_string(db)}}, static_cast<double>(expires[static_cast<std::size_t>(db)])});
  }
  out.push_back(std::move(db_keys));
  out.push_back(std::move(db_expires));
  return out;
}

// ---------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------

namespace {

std::string http_response(std::string_view status, std::string_view content_type, const std::string& body,
                          bool head_only = false, std::string_view extra_headers = {}) {
  std::string out = "HTTP/1.1 ";
  out += status;
  out += "\r\nContent-Type: ";
  out += content_type;
  out += "\r\nContent-Length: " + std::to_string(body.size());
  out += "\r\nConnection: close\r\n";
  out += extra_headers;
  out += "\r\n";
  if (!head_only) out += body;
  return out;
}

std::string plain(std::string_view status, const std::string& body, std::string_view extra_headers = {}) {
  return http_response(status, "text/plain; charset=utf-8", body, false, extra_headers);
}

// Where the request head ends ("\r\n\r\n", or "\n\n" from lenient clients);
// npos while incomplete.
std::size_t head_end(std::string_view buf) {
  std::size_t crlf = buf.find("\r\n\r\n");
  std::size_t lf = buf.find("\n\n");
  return std::min(crlf, lf);
}

}  // namespace

std::string MetricsServer::respond(std::string_view head) {
  std::string_view line = head.substr(0, head.find('\n'));
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::vector<std::string_view> parts;
  while (!line.empty() && parts.size() < 4) {
    std::size_t sp = line.find(' ');
    if (sp != 0) parts.push_back(line.substr(0, sp));
    line = sp == std::string_view::npos ? std::string_view() : line.substr(sp + 1);
  }
  if (parts.size() != 3 || !parts[2].starts_with("HTTP/1.") || parts[1].empty()) {
    return plain("400 Bad Request", "bad request\n");
  }
  const std::string_view method = parts[0];
  std::string_view path = parts[1].substr(0, parts[1].find('?'));
  if (path != "/metrics") return plain("404 Not Found", "not found; metrics are at /metrics\n");
  if (method != "GET" && method != "HEAD") {
    return plain("405 Method Not Allowed", "method not allowed\n", "Allow: GET, HEAD\r\n");
  }
  std::vector<MetricFamily> families = collect_metrics(context_);
  if (extra_) {
    for (MetricFamily& f : extra_()) families.push_back(std::move(f));
  }
  return http_response("200 OK", "text/plain; version=0.0.4; charset=utf-8", render_prometheus(families),
                       method == "HEAD");
}

// One request: read the head (bounded), answer, half-close, drain, close.
class MetricsServer::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(asio::ip::tcp::socket socket, MetricsServer& server)
      : socket_(std::move(socket)), timer_(socket_.get_executor()), server_(server) {}

  void start() {
    timer_.expires_after(kReadTimeout);
    timer_.async_wait([self = shared_from_this()](const asio::error_code& ec) {
      if (!ec) self->close();
    });
    read_head();
  }

  // Still waiting for its request: nothing of value is lost by closing it.
  bool idle() const { return !closed_ && response_.empty(); }

  void close() {
    if (closed_) return;
    closed_ = true;
    asio::error_code ignored;
    timer_.cancel();
    socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

 private:
  void read_head() {
    socket_.async_read_some(asio::buffer(chunk_), [self = shared_from_this()](const asio::error_code& ec,
                                                                                std::size_t n) {
      if (ec || self->closed_) {
        self->close();
        return;
      }
      self->request_.append(self->chunk_.data(), n);
      const std::size_t end = head_end(self->request_);
      if (end != std::string::npos && end < kMaxRequestBytes) {
        self->write(self->server_.respond(std::string_view(self->request_).substr(0, end)));
      } else if (self->request_.size() >= kMaxRequestBytes) {
        self->write(plain("431 Request Header Fields Too Large", "request too large\n"));
      } else {
        self->read_head();
      }
    });
  }

  void write(std::string response) {
    response_ = std::move(response);
    request_.clear();
    request_.shrink_to_fit();
    asio::async_write(socket_, asio::buffer(response_),
                      [self = shared_from_this()](const asio::error_code& ec, std::size_t) {
                        if (ec || self->closed_) {
                          self->close();
                          return;
                        }
                        // Half-close, then discard what the client still sends
                        // (a body we never read) so the close is not a reset
                        // that could destroy the response in flight.
                        asio::error_code ignored;
                        self->socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
                        self->timer_.expires_after(std::chrono::seconds(1));
                        self->timer_.async_wait([self](const asio::error_code& e) {
                          if (!e) self->close();
                        });
                        self->drain();
                      });
  }

  void drain() {
    socket_.async_read_some(asio::buffer(chunk_), [self = shared_from_this()](const asio::error_code& ec,
                                                                                std::size_t) {
      if (ec || self->closed_) {
        self->close();
      } else {
        self->drain();
      }
    });
  }

  asio::ip::tcp::socket socket_;
  asio::steady_timer timer_;
  MetricsServer& server_;
  std::array<char, 2048> chunk_{};
  std::string request_;
  std::string response_;
  bool closed_ = false;
};

MetricsServer::MetricsServer(asio::io_context& io, ServerContext& context)
    : io_(io), context_(context), acceptor_(io) {}

MetricsServer::~MetricsServer() { stop(); }

bool MetricsServer::start(const std::string& address, int port) {
  asio::error_code ec;
  auto ip = asio::ip::make_address(address, ec);
  if (ec) {
    spdlog::error("metrics-bind {}: invalid address: {}", address, ec.message());
    return false;
  }
  asio::ip::tcp::endpoint endpoint(ip, static_cast<unsigned short>(port));
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::ip::tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    spdlog::error("could not listen for metrics on {}:{}: {}", address, port, ec.message());
    return false;
  }
  port_ = acceptor_.local_endpoint(ec).port();
  spdlog::info("Prometheus metrics on http://{}:{}/metrics", address, port_);
  accept();
  return true;
}

void MetricsServer::accept() {
  acceptor_.async_accept(io_, [this](const asio::error_code& ec, asio::ip::tcp::socket socket) {
    if (ec == asio::error::operation_aborted || stopped_) return;
    if (ec) {
      spdlog::warn("metrics: accept failed: {}", ec.message());
    } else {
      std::erase_if(sessions_, [](const std::weak_ptr<Session>& w) { return w.expired(); });
      if (sessions_.size() >= kMaxConnections) {
        // Full: the oldest connection still waiting for its request makes
        // room, so idle connections cannot starve a real scrape.
        auto oldest = std::find_if(sessions_.begin(), sessions_.end(), [](const std::weak_ptr<Session>& w) {
          auto s = w.lock();
          return s && s->idle();
        });
        if (oldest != sessions_.end()) {
          if (auto s = oldest->lock()) s->close();
          sessions_.erase(oldest);
        }
      }
      if (sessions_.size() >= kMaxConnections) {
        asio::error_code ignored;
        socket.close(ignored);  // every slot is answering a scrape: drop this one
      } else {
        auto session = std::make_shared<Session>(std::move(socket), *this);
        sessions_.push_back(session);
        session->start();
      }
    }
    accept();
  });
}

void MetricsServer::stop() {
  if (stopped_) return;
  stopped_ = true;
  asio::error_code ignored;
  acceptor_.close(ignored);
  for (auto& w : sessions_) {
    if (auto s = w.lock()) s->close();
  }
  sessions_.clear();
}

}  // namespace larder::server
